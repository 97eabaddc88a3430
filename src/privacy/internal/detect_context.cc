// Personal data that only its context reveals: a secret after "Passwort" or
// "PIN", a date after "geboren am". The trigger is the cue word; the value is
// read from the words after it. Names are in detect_names.cc.
#include <algorithm>
#include <string>

#include "privacy/internal/detectors.h"
#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

unsigned char At(std::string_view text, size_t k) { return static_cast<unsigned char>(text[k]); }

size_t SkipSpaces(std::string_view text, size_t k) {
  while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
  return k;
}

// A word: ASCII letters and any bytes of multi-byte UTF-8 characters.
size_t WordEnd(std::string_view text, size_t k) {
  while (k < text.size() && (IsAsciiAlpha(At(text, k)) || At(text, k) >= 0x80)) ++k;
  return k;
}

std::string Lower(std::string_view word) {
  std::string lower(word);
  for (char& c : lower) c = ToLower(c);
  return lower;
}

template <size_t N>
bool OneOf(std::string_view word, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

// ---- secrets ------------------------------------------------------------

// Words that join the cue to its value: "mein Passwort ist X", "PIN lautet X".
constexpr std::string_view kLinkers[] = {"ist",  "lautet", "lautete", "war", "heißt",
                                         "wäre", "is",     "was",     "are", "reads"};
// Words allowed between the linker and the value: "meine PIN ist jetzt die 1234".
constexpr std::string_view kFillers[] = {"die",       "der",       "das",  "the",   "jetzt",
                                         "nun",       "now",       "noch", "still", "aktuell",
                                         "currently", "übrigens",  "btw",  "immer", "einfach",
                                         "simply",    "weiterhin", "neu",  "new"};
// Words that follow "my password is" in complaints, not values.
constexpr std::string_view kNotSecrets[] = {"nicht",
                                            "kein",
                                            "keine",
                                            "falsch",
                                            "richtig",
                                            "korrekt",
                                            "abgelaufen",
                                            "gesperrt",
                                            "ungültig",
                                            "zu",
                                            "sehr",
                                            "leider",
                                            "vergessen",
                                            "geändert",
                                            "weg",
                                            "leer",
                                            "zurückgesetzt",
                                            "unbekannt",
                                            "sicher",
                                            "stark",
                                            "schwach",
                                            "lang",
                                            "kurz",
                                            "gut",
                                            "derselbe",
                                            "dieselbe",
                                            "dasselbe",
                                            "identisch",
                                            "alt",
                                            "bekannt",
                                            "etwas",
                                            "irgendwie",
                                            "genau",
                                            "ok",
                                            "okay",
                                            "da",
                                            "hier",
                                            "dort",
                                            "auch",
                                            "also",
                                            "schon",
                                            "bereits",
                                            "nur",
                                            "angeblich",
                                            "anscheinend",
                                            "wohl",
                                            "vermutlich",
                                            "eigentlich",
                                            "ein",
                                            "eine",
                                            "einer",
                                            "mein",
                                            "meine",
                                            "dein",
                                            "deine",
                                            "ihr",
                                            "ihre",
                                            "sein",
                                            "seine",
                                            "unser",
                                            "dem",
                                            "den",
                                            "des",
                                            "und",
                                            "oder",
                                            "aber",
                                            "an",
                                            "auf",
                                            "bei",
                                            "in",
                                            "im",
                                            "mit",
                                            "für",
                                            "von",
                                            "vom",
                                            "zum",
                                            "zur",
                                            "nach",
                                            "per",
                                            "via",
                                            "über",
                                            "gerade",
                                            "wieder",
                                            "gleich",
                                            "anders",
                                            "nie",
                                            "was",
                                            "wie",
                                            "welche",
                                            "wo",
                                            "wer",
                                            "ich",
                                            "du",
                                            "er",
                                            "sie",
                                            "es",
                                            "wir",
                                            "man",
                                            "hat",
                                            "habe",
                                            "haben",
                                            "wird",
                                            "wurde",
                                            "sind",
                                            "funktioniert",
                                            "geht",
                                            "erforderlich",
                                            "notwendig",
                                            "nötig",
                                            "vorhanden",
                                            "angekommen",
                                            "erhalten",
                                            "gekommen",
                                            "abgelehnt",
                                            "not",
                                            "no",
                                            "none",
                                            "wrong",
                                            "incorrect",
                                            "correct",
                                            "right",
                                            "expired",
                                            "locked",
                                            "blocked",
                                            "invalid",
                                            "valid",
                                            "too",
                                            "very",
                                            "forgotten",
                                            "changed",
                                            "gone",
                                            "empty",
                                            "reset",
                                            "unknown",
                                            "secure",
                                            "safe",
                                            "strong",
                                            "weak",
                                            "long",
                                            "short",
                                            "good",
                                            "fine",
                                            "same",
                                            "identical",
                                            "old",
                                            "known",
                                            "something",
                                            "somehow",
                                            "exactly",
                                            "here",
                                            "there",
                                            "already",
                                            "only",
                                            "apparently",
                                            "probably",
                                            "actually",
                                            "a",
                                            "an",
                                            "my",
                                            "your",
                                            "his",
                                            "her",
                                            "our",
                                            "their",
                                            "and",
                                            "or",
                                            "but",
                                            "at",
                                            "on",
                                            "in",
                                            "of",
                                            "for",
                                            "to",
                                            "with",
                                            "from",
                                            "by",
                                            "over",
                                            "always",
                                            "just",
                                            "again",
                                            "never",
                                            "what",
                                            "how",
                                            "which",
                                            "where",
                                            "who",
                                            "i",
                                            "you",
                                            "he",
                                            "she",
                                            "it",
                                            "we",
                                            "they",
                                            "has",
                                            "have",
                                            "had",
                                            "were",
                                            "been",
                                            "being",
                                            "be",
                                            "will",
                                            "would",
                                            "should",
                                            "could",
                                            "can",
                                            "cannot",
                                            "working",
                                            "broken",
                                            "required",
                                            "needed",
                                            "missing",
                                            "sent",
                                            "received",
                                            "different",
                                            "rejected",
                                            "declined",
                                            "verschickt",
                                            "gesendet",
                                            "angefordert",
                                            "requested",
                                            "sms",
                                            "per",
                                            "brief",
                                            "post",
                                            "mail",
                                            "email",
                                            "e-mail",
                                            "code",
                                            "pin",
                                            "tan",
                                            "passwort",
                                            "password",
                                            "kennwort"};

bool IsOpeningQuote(std::string_view text, size_t k, size_t* len) {
  unsigned char c = At(text, k);
  if (c == '"' || c == '\'') {
    *len = 1;
    return true;
  }
  // „ “ ” ‘ ’ ‚ (E2 80 9A..9E, 98, 99) and « » (C2 AB, C2 BB).
  if (c == 0xE2 && k + 2 < text.size() && At(text, k + 1) == 0x80 && At(text, k + 2) >= 0x98 &&
      At(text, k + 2) <= 0x9E) {
    *len = 3;
    return true;
  }
  if (c == 0xC2 && k + 1 < text.size() && (At(text, k + 1) == 0xAB || At(text, k + 1) == 0xBB)) {
    *len = 2;
    return true;
  }
  return false;
}

bool HasControlByte(std::string_view token) {
  return std::any_of(token.begin(), token.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace

size_t DetectSecret(const DetectContext& ctx, size_t end, SecretCue cue) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  size_t k = end;
  // "PIN-Brief", "Passwort-Reset", "TAN-Liste": the cue is part of another noun.
  if (k < n && (text[k] == '-' || text[k] == '_' || text[k] == '/')) return end;
  bool linked = false;
  bool strong_link = false;  // ':' or '='
  for (int step = 0; step < 5; ++step) {
    k = SkipSpaces(text, k);
    if (k < n && (text[k] == ':' || text[k] == '=')) {
      linked = strong_link = true;
      ++k;
      continue;
    }
    size_t w = WordEnd(text, k);
    std::string word = Lower(text.substr(k, w - k));
    if (!word.empty() && OneOf(word, kLinkers)) {
      linked = true;
      k = w;
      continue;
    }
    if (linked && !word.empty() && OneOf(word, kFillers) && w < n && text[w] == ' ') {
      k = w;
      continue;
    }
    break;
  }
  k = SkipSpaces(text, k);
  if (k >= n) return end;

  size_t token_start = k;
  size_t token_end = k;
  bool quoted = false;
  size_t quote_len = 0;
  if (IsOpeningQuote(text, k, &quote_len)) {
    token_start = k + quote_len;
    size_t j = token_start;
    size_t close = 0;
    while (j < n && j - token_start <= 64 && text[j] != '\n') {
      if (IsOpeningQuote(text, j, &close)) break;
      ++j;
    }
    if (j >= n || close == 0 || j - token_start > 64) return end;
    token_end = j;
    quoted = true;
  } else {
    while (token_end < n && At(text, token_end) > 0x20 && At(text, token_end) != 0x7F &&
           token_end - token_start <= 64) {
      ++token_end;
    }
    if (token_end - token_start > 64) return end;
    // Sentence punctuation and closing brackets or quotes after the value.
    while (token_end > token_start) {
      unsigned char c = At(text, token_end - 1);
      if (c == '.' || c == ',' || c == ';' || c == ':' || c == '?' || c == ')' || c == ']' ||
          c == '"' || c == '\'') {
        --token_end;
      } else if (token_end - token_start >= 3 && At(text, token_end - 3) == 0xE2 &&
                 At(text, token_end - 2) == 0x80 && c >= 0x98 && c <= 0x9E) {
        token_end -= 3;
      } else {
        break;
      }
    }
  }
  std::string_view token = text.substr(token_start, token_end - token_start);
  if (token.empty() || HasControlByte(token)) return end;
  std::string lower = Lower(token);
  if (OneOf(lower, kNotSecrets)) return end;

  bool has_digit = std::any_of(token.begin(), token.end(), [](char c) { return IsDigit(c); });
  bool all_digits = std::all_of(token.begin(), token.end(), [](char c) { return IsDigit(c); });
  bool alnum = std::all_of(token.begin(), token.end(), [](char c) { return IsAsciiAlnum(c); });
  bool letters_only = std::all_of(token.begin(), token.end(), [](char c) {
    return IsAsciiAlpha(c) || static_cast<unsigned char>(c) >= 0x80;
  });
  bool accept = false;
  if (cue == SecretCue::kCode) {
    // PINs, TANs, one-time codes: a few digits, or letters and digits.
    accept = (all_digits && token.size() >= 3 && token.size() <= 10) ||
             (linked && alnum && has_digit && token.size() >= 4 && token.size() <= 12);
  } else if (linked && token.size() >= 3) {
    if (!letters_only) {
      accept = true;
    } else {
      // A plain word is a password only when it is plainly given as one:
      // quoted, after ':' or '=', or closing the sentence ("... is sunshine.").
      size_t after = SkipSpaces(text, token_end);
      bool clause_ends = after >= n || text[after] == '\n' || text[after] == '.' ||
                         text[after] == '!' || text[after] == ',' || text[after] == ';' ||
                         (token_end < n && text[token_end] != ' ' && !quoted);
      accept = quoted || strong_link || (clause_ends && token.size() >= 4);
    }
  }
  if (!accept) return end;
  ctx.out->push_back(Finding{PiiType::kSecret, token_start, token_end, std::string(token)});
  return std::max(end, token_end);
}

// ---- birth dates --------------------------------------------------------

namespace {

struct MonthName {
  std::string_view name;
  int month;
};
constexpr MonthName kMonths[] = {
    {"januar", 1},   {"jänner", 1},    {"january", 1},  {"jan", 1},       {"februar", 2},
    {"february", 2}, {"feb", 2},       {"märz", 3},     {"maerz", 3},     {"march", 3},
    {"mär", 3},      {"mar", 3},       {"april", 4},    {"apr", 4},       {"mai", 5},
    {"may", 5},      {"juni", 6},      {"june", 6},     {"jun", 6},       {"juli", 7},
    {"july", 7},     {"jul", 7},       {"august", 8},   {"aug", 8},       {"september", 9},
    {"sept", 9},     {"sep", 9},       {"oktober", 10}, {"october", 10},  {"okt", 10},
    {"oct", 10},     {"november", 11}, {"nov", 11},     {"dezember", 12}, {"december", 12},
    {"dez", 12},     {"dec", 12}};

int MonthFromWord(std::string_view word) {
  std::string lower = Lower(word);
  for (const MonthName& m : kMonths) {
    if (m.name == lower) return m.month;
  }
  return 0;
}

// Reads 1..max digits at k; returns how many (0 if none).
size_t ReadNumber(std::string_view text, size_t k, size_t max, int* value) {
  size_t len = 0;
  *value = 0;
  while (k + len < text.size() && IsDigit(At(text, k + len)) && len < max) {
    *value = *value * 10 + (text[k + len] - '0');
    ++len;
  }
  if (k + len < text.size() && IsDigit(At(text, k + len))) return 0;  // longer than max
  return len;
}

bool ReadYear(std::string_view text, size_t k, int* year, size_t* end) {
  int value = 0;
  size_t len = ReadNumber(text, k, 4, &value);
  if (len == 4 && value >= 1900 && value <= 2099) {
    *year = value;
  } else if (len == 2) {
    *year = value > 30 ? 1900 + value : 2000 + value;
  } else {
    return false;
  }
  *end = k + len;
  return true;
}

// Skips an English ordinal suffix ("3rd") and a following "of".
size_t SkipOrdinal(std::string_view text, size_t k) {
  if (k + 1 < text.size()) {
    std::string two = Lower(text.substr(k, 2));
    if (two == "st" || two == "nd" || two == "rd" || two == "th") k += 2;
  }
  size_t s = SkipSpaces(text, k);
  if (s + 2 < text.size() && Lower(text.substr(s, 2)) == "of" && text[s + 2] == ' ') k = s + 2;
  return k;
}

// A date at k in one of the forms people write: 12.03.1985, 12/03/85,
// 1985-03-12, "12. März 1985", "3 March 1985", "March 3, 1985".
bool ParseDate(std::string_view text, size_t k, size_t* end, int* y, int* m, int* d) {
  const size_t n = text.size();
  int first = 0;
  size_t len = ReadNumber(text, k, 4, &first);
  if (len == 4) {  // ISO 8601
    size_t p = k + 4;
    if (p >= n || text[p] != '-') return false;
    size_t l2 = ReadNumber(text, p + 1, 2, m);
    if (l2 == 0 || p + 1 + l2 >= n || text[p + 1 + l2] != '-') return false;
    size_t l3 = ReadNumber(text, p + 2 + l2, 2, d);
    if (l3 == 0) return false;
    *y = first;
    *end = p + 2 + l2 + l3;
    return *y >= 1900 && *y <= 2099;
  }
  if (len == 1 || len == 2) {
    *d = first;
    size_t p = k + len;
    if (p < n && (text[p] == '.' || text[p] == '/' || text[p] == '-') && p + 1 < n &&
        IsDigit(At(text, p + 1))) {
      char sep = text[p];
      size_t l2 = ReadNumber(text, p + 1, 2, m);
      size_t q = p + 1 + l2;
      if (l2 == 0 || q >= n || text[q] != sep) return false;
      return ReadYear(text, q + 1, y, end);
    }
    // "12. März 1985", "3 March 1985", "3rd of March 1985"
    if (p < n && text[p] == '.') ++p;
    p = SkipOrdinal(text, p);
    p = SkipSpaces(text, p);
    size_t w = WordEnd(text, p);
    *m = MonthFromWord(text.substr(p, w - p));
    if (*m == 0) return false;
    if (w < n && text[w] == '.') ++w;
    size_t s = SkipSpaces(text, w);
    if (s < n && text[s] == ',') s = SkipSpaces(text, s + 1);
    if (s == w) return false;
    return ReadYear(text, s, y, end);
  }
  // "March 3, 1985"
  size_t w = WordEnd(text, k);
  *m = MonthFromWord(text.substr(k, w - k));
  if (*m == 0) return false;
  if (w < n && text[w] == '.') ++w;
  size_t p = SkipSpaces(text, w);
  size_t l = ReadNumber(text, p, 2, d);
  if (l == 0 || p == w) return false;
  p = SkipOrdinal(text, p + l);
  if (p < n && text[p] == ',') ++p;
  size_t s = SkipSpaces(text, p);
  if (s == p && (p >= n || text[p - 1] != ',')) return false;
  return ReadYear(text, s, y, end);
}

constexpr std::string_view kDateLead[] = {"am",  "den", "ist", "is", "on",     "the",
                                          "der", "was", "war", "in", "lautet", "as"};

}  // namespace

size_t DetectBirthDate(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  size_t k = end;
  for (int step = 0; step < 4; ++step) {
    k = SkipSpaces(text, k);
    if (k < n && (text[k] == ':' || text[k] == '-' || text[k] == ',')) {
      ++k;
      continue;
    }
    size_t w = WordEnd(text, k);
    std::string word = Lower(text.substr(k, w - k));
    if (!word.empty() && OneOf(word, kDateLead) && w < n && text[w] == ' ') {
      k = w;
      continue;
    }
    break;
  }
  int y = 0, m = 0, d = 0;
  size_t date_end = 0;
  if (k >= n || !ParseDate(text, k, &date_end, &y, &m, &d)) {
    // "Ich bin am 20.2.2002 geboren": the date before the cue word.
    size_t cue_start = end;
    while (cue_start > 0 && IsAsciiAlpha(At(text, cue_start - 1))) --cue_start;
    size_t before = cue_start;
    while (before > 0 && text[before - 1] == ' ') --before;
    if (before == cue_start) return end;
    bool found = false;
    for (size_t back = 6; back <= 20 && back <= before && !found; ++back) {
      k = before - back;
      if (k > 0 && text[k - 1] != ' ') continue;
      found = ParseDate(text, k, &date_end, &y, &m, &d) && date_end == before;
    }
    if (!found) return end;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) return end;
  if (date_end < n && (IsWordByte(At(text, date_end)))) return end;
  char normalized[11];
  normalized[0] = static_cast<char>('0' + y / 1000 % 10);
  normalized[1] = static_cast<char>('0' + y / 100 % 10);
  normalized[2] = static_cast<char>('0' + y / 10 % 10);
  normalized[3] = static_cast<char>('0' + y % 10);
  normalized[4] = '-';
  normalized[5] = static_cast<char>('0' + m / 10);
  normalized[6] = static_cast<char>('0' + m % 10);
  normalized[7] = '-';
  normalized[8] = static_cast<char>('0' + d / 10);
  normalized[9] = static_cast<char>('0' + d % 10);
  ctx.out->push_back(Finding{PiiType::kBirthDate, k, date_end, std::string(normalized, 10)});
  return std::max(end, date_end);
}

}  // namespace candor::privacy::internal
