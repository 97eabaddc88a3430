// Names: after a salutation ("Frau Dr. Weber"), in a self-introduction
// ("Mein Name ist Jürgen Weiß", "I'm Anna"), in a signature after a closing
// ("Viele Grüße\nJürgen"), after a relation or role ("mein Mann Peter",
// "Kontoinhaberin Jana Kowalczyk") and, from the name lists, in running text
// ("Anna Schmidt hat angerufen").
//
// German capitalises every noun, so a capitalised word alone says little:
// without a cue, a word counts only when a list knows it as a name, it is not
// also an ordinary word ("Koch", "Mai", "Will"), and no article stands before
// it ("der Bäcker" is a baker, "Herr Bäcker" a person).
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "privacy/internal/detectors.h"
#include "privacy/internal/name_lexicon.h"
#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

unsigned char At(std::string_view text, size_t k) { return static_cast<unsigned char>(text[k]); }

size_t SkipSpaces(std::string_view text, size_t k) {
  while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
  return k;
}

// A word: ASCII letters and any bytes of multi-byte UTF-8 characters. The
// running-text detector reads every capitalised word, so sixteen bytes are
// tested at once.
size_t WordEnd(std::string_view text, size_t k) {
#ifdef __SSE2__
  const size_t n = text.size();
  while (k + 16 <= n) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + k));
    __m128i folded = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i alpha = _mm_cmpeq_epi8(_mm_min_epu8(folded, _mm_set1_epi8(25)), folded);
    // Bytes 0x80..0xFF are negative as signed bytes.
    __m128i high = _mm_cmplt_epi8(v, _mm_setzero_si128());
    unsigned letters = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(alpha, high)));
    if (letters != 0xFFFF) return k + static_cast<size_t>(__builtin_ctz(~letters));
    k += 16;
  }
#endif
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

}  // namespace

// ---- names after a salutation ------------------------------------------

namespace {

constexpr std::string_view kTitles[] = {"Dr", "Prof", "Dipl", "Ing", "med", "rer", "nat", "phil"};
constexpr std::string_view kParticles[] = {"von", "van", "de", "der", "den", "zu",  "da",
                                           "di",  "le",  "la", "ten", "ter", "vom", "del"};
constexpr std::string_view kSalutations[] = {"Herr", "Herrn", "Frau", "Hr",     "Fr", "Mr",
                                             "Mrs",  "Ms",    "Miss", "Mister", "Dr", "Prof"};
// Capitalised words that follow a salutation without being a name.
constexpr std::string_view kNotNames[] = {"Sie",
                                          "Ihr",
                                          "Ihre",
                                          "Ihren",
                                          "Ihrem",
                                          "Ihrer",
                                          "Ihnen",
                                          "Ich",
                                          "Wir",
                                          "Er",
                                          "Es",
                                          "Der",
                                          "Die",
                                          "Das",
                                          "Den",
                                          "Dem",
                                          "Des",
                                          "Ein",
                                          "Eine",
                                          "Und",
                                          "Oder",
                                          "Aber",
                                          "Mit",
                                          "Von",
                                          "Vom",
                                          "Bei",
                                          "Im",
                                          "In",
                                          "Am",
                                          "An",
                                          "Auf",
                                          "Zu",
                                          "Für",
                                          "Kollege",
                                          "Kollegin",
                                          "Kunde",
                                          "Kundin",
                                          "Doktor",
                                          "Professor",
                                          "Bescheid",
                                          "Danke",
                                          "Vielen",
                                          "Dank",
                                          "Bitte",
                                          "Gruß",
                                          "Grüße",
                                          "Hallo",
                                          "Guten",
                                          "Tag",
                                          "Morgen",
                                          "Abend",
                                          "The",
                                          "And",
                                          "Or",
                                          "I",
                                          "You",
                                          "We",
                                          "He",
                                          "She",
                                          "It",
                                          "They",
                                          "Thank",
                                          "Thanks",
                                          "Please",
                                          "Hello",
                                          "Hi",
                                          "Dear",
                                          "Regards",
                                          "Kind",
                                          "Best",
                                          "Sir",
                                          "Madam",
                                          "Customer",
                                          "Service",
                                          "Support",
                                          "Team",
                                          "Ms",
                                          "Mr",
                                          "Mrs",
                                          "Herr",
                                          "Herrn",
                                          "Miss",
                                          "Mister",
                                          "Dr",
                                          "Prof",
                                          "Frau",
                                          "Damen",
                                          "Herren",
                                          "Nummer",
                                          "Kundennummer",
                                          "Bestellung",
                                          "Rechnung",
                                          "Konto",
                                          "Vertrag",
                                          "Termin",
                                          "Problem",
                                          "Frage",
                                          "Anruf",
                                          "Mail",
                                          "Email",
                                          "Antwort",
                                          "Nachricht",
                                          "Schreiben",
                                          "Brief",
                                          "Rückruf",
                                          "Kommissar",
                                          "Präsident",
                                          "Präsidentin",
                                          "Minister",
                                          "Ministerin",
                                          "Direktor",
                                          "Direktorin",
                                          "Pfarrer",
                                          "Mama",
                                          "Papa",
                                          "Nachbarin",
                                          "Nachbar",
                                          "Is",
                                          "Was",
                                          "Has",
                                          "Will",
                                          "Can",
                                          "Mo",
                                          "Di",
                                          "Mi",
                                          "Do",
                                          "Fr",
                                          "Sa",
                                          "So",
                                          "Uhr",
                                          "Zeit",
                                          "Deutsche",
                                          "Bank",
                                          "Sparkasse",
                                          "GmbH",
                                          "AG",
                                          "KG",
                                          "Post",
                                          "Inc",
                                          "Ltd",
                                          "LLC",
                                          "Co",
                                          "Euro",
                                          "EUR",
                                          "Januar",
                                          "Februar",
                                          "März",
                                          "April",
                                          "Mai",
                                          "Juni",
                                          "Juli",
                                          "August",
                                          "September",
                                          "Oktober",
                                          "November",
                                          "Dezember",
                                          "January",
                                          "February",
                                          "March",
                                          "May",
                                          "June",
                                          "July",
                                          "October",
                                          "December",
                                          "Monday",
                                          "Tuesday",
                                          "Wednesday",
                                          "Thursday",
                                          "Friday",
                                          "Saturday",
                                          "Sunday",
                                          "Montag",
                                          "Dienstag",
                                          "Mittwoch",
                                          "Donnerstag",
                                          "Freitag",
                                          "Samstag",
                                          "Sonntag",
                                          "Grüße",
                                          "Gruss",
                                          "Grüßen",
                                          "Viele",
                                          "Liebe",
                                          "Beste",
                                          "Herzliche",
                                          "Freundliche",
                                          "Mit",
                                          "Ihrem",
                                          "Ihre",
                                          "Your",
                                          "My",
                                          "Our",
                                          "This",
                                          "That",
                                          "There",
                                          "Here",
                                          "What",
                                          "When",
                                          "Why",
                                          "How",
                                          "Ok",
                                          "OK",
                                          "Okay",
                                          "Yes",
                                          "No",
                                          "Ja",
                                          "Nein",
                                          "Nicht",
                                          "Not",
                                          "Sorry",
                                          "Entschuldigung",
                                          "Leider",
                                          "Also",
                                          "So",
                                          "Gerne",
                                          "Gern",
                                          "Cheers",
                                          "Sincerely",
                                          "Yours",
                                          "Kunden",
                                          "Kundennr",
                                          "Kundenservice",
                                          "Hotline",
                                          "App",
                                          "Online",
                                          "Banking",
                                          "Onlinebanking",
                                          "Account",
                                          "Card",
                                          "Karte",
                                          "Girokonto",
                                          "Überweisung",
                                          "Lastschrift",
                                          "Auftrag",
                                          "Order",
                                          "German",
                                          "English",
                                          "French",
                                          "Deutsch",
                                          "Englisch"};

// A name word: letters, with inner hyphens or apostrophes ("Müller-Lüdenscheidt",
// "O'Brien"). Returns its end, or k when there is none.
size_t NameWordEnd(std::string_view text, size_t k) {
  size_t e = WordEnd(text, k);
  while (e + 1 < text.size() && (text[e] == '-' || text[e] == '\'') && StartsUpper(text, e + 1)) {
    e = WordEnd(text, e + 1);
  }
  return e;
}

// kNotNames sorted once at compile time, for a binary search.
constexpr auto kSortedNotNames = [] {
  std::array<std::string_view, std::size(kNotNames)> sorted{};
  std::copy(std::begin(kNotNames), std::end(kNotNames), sorted.begin());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}();

bool IsNameWord(std::string_view text, size_t k, size_t e) {
  if (e - k < 2 || !StartsUpper(text, k)) return false;
  if (std::binary_search(kSortedNotNames.begin(), kSortedNotNames.end(), text.substr(k, e - k)))
    return false;
  // Words in capitals ("Herr BITTE") are shouting, not names.
  return !std::all_of(text.begin() + k, text.begin() + e, [](char c) { return IsAsciiUpper(c); });
}

}  // namespace

bool MayBeNameWord(std::string_view text, size_t k, size_t e) { return IsNameWord(text, k, e); }

size_t DetectName(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  size_t k = end;
  if (k < n && text[k] == '.') ++k;
  if (k >= n || text[k] != ' ') return end;
  k = SkipSpaces(text, k);
  // Academic titles between salutation and name: "Frau Dr. Weber".
  for (int step = 0; step < 3 && k < n; ++step) {
    size_t w = WordEnd(text, k);
    if (w == k || !OneOf(text.substr(k, w - k), kTitles)) break;
    if (w < n && (text[w] == '.' || text[w] == '-')) ++w;
    if (w >= n || text[w] != ' ') break;
    k = SkipSpaces(text, w);
  }
  size_t name_start = k;
  size_t e = NameWordEnd(text, k);
  if (!IsNameWord(text, k, e)) return end;
  size_t name_end = e;
  // Up to two more words ("Anna Maria Schmidt", "Ursula von der Leyen").
  for (int words = 1; words < 4 && name_end < n && text[name_end] == ' ';) {
    size_t p = name_end + 1;
    size_t particles_end = p;
    for (int j = 0; j < 2; ++j) {
      size_t w = WordEnd(text, particles_end);
      if (w < n && text[w] == ' ' &&
          OneOf(text.substr(particles_end, w - particles_end), kParticles)) {
        particles_end = w + 1;
      } else {
        break;
      }
    }
    size_t w = NameWordEnd(text, particles_end);
    if (!IsNameWord(text, particles_end, w)) break;
    name_end = w;
    ++words;
  }
  ctx.out->push_back(Finding{PiiType::kName, name_start, name_end,
                             std::string(text.substr(name_start, name_end - name_start))});
  return std::max(end, name_end);
}

// ---- names after other cues ------------------------------------------------

namespace {

// German and English determiners: a capitalised word after one is a noun
// ("der Bäcker", "the Baker"), never a name from the lists alone.
constexpr std::string_view kDeterminers[] = {
    "der",   "die",    "das",    "dem",    "den",    "des",    "ein",   "eine", "einem", "einen",
    "einer", "eines",  "zum",    "zur",    "vom",    "beim",   "im",    "am",   "ins",   "kein",
    "keine", "keinen", "diese",  "dieser", "dieses", "diesen", "jeder", "jede", "jedes", "mein",
    "meine", "meinen", "meinem", "meiner", "unser",  "unsere", "the",   "a",    "an",    "this",
    "that",  "these",  "those",  "every",  "no",     "some",   "any",   "its"};

// Words after a name that make it a company's: "Müller GmbH", "Schmidt & Co".
constexpr std::string_view kCompanyWords[] = {"GmbH", "AG",  "KG", "OHG", "UG",   "SE", "Inc",
                                              "Ltd",  "LLC", "Co", "&",   "Corp", "PLC"};

bool IsListedName(uint8_t flags) {
  return (flags & (kFirstName | kSurname)) != 0 && (flags & kCommonWord) == 0;
}

// The word that ends right before `k` (skipping spaces), or empty.
std::string_view WordBefore(std::string_view text, size_t k) {
  size_t e = k;
  while (e > 0 && text[e - 1] == ' ') --e;
  size_t s = e;
  while (s > 0 && (IsAsciiAlpha(At(text, s - 1)) || At(text, s - 1) >= 0x80)) --s;
  return text.substr(s, e - s);
}

bool AfterDeterminer(std::string_view text, size_t k) {
  std::string_view before = WordBefore(text, k);
  return !before.empty() && before.size() <= 6 && OneOf(Lower(before), kDeterminers);
}

bool BeforeCompanyWord(std::string_view text, size_t e) {
  size_t k = SkipSpaces(text, e);
  if (k == e || k >= text.size()) return false;
  size_t w = k;
  while (w < text.size() && text[w] != ' ' && text[w] != ',' && text[w] != '.') ++w;
  return OneOf(text.substr(k, w - k), kCompanyWords);
}

enum class FirstWord {
  kCapitalised,  // any capitalised word that is not a known non-name
  kListed,       // a name the lists know (not also an ordinary word)
};

// Reads a name of up to four words from `k`: the first as `first` allows,
// the rest capitalised name words, with particles ("von der") between. After
// a strong cue `lower_case_listed` also takes listed names written in lower
// case ("ich heiße anna schmidt"). Returns the end, or k when there is none.
size_t ReadName(const DetectContext& ctx, size_t k, FirstWord first, bool lower_case_listed) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  size_t e = NameWordEnd(text, k);
  if (e == k) return k;
  // "Name: Herrn Smith": the salutation's own detector takes the name.
  if (OneOf(text.substr(k, e - k), kSalutations)) return k;
  std::string_view word = text.substr(k, e - k);
  bool lower = !StartsUpper(text, k);
  if (lower) {
    if (!lower_case_listed || !IsListedName(ctx.names->LookupCapitalised(word))) return k;
  } else if (!IsNameWord(text, k, e)) {
    return k;
  } else if (first == FirstWord::kListed && !IsListedName(ctx.names->Lookup(word))) {
    return k;
  }
  size_t name_end = e;
  for (int words = 1; words < 4 && name_end + 1 < n && text[name_end] == ' '; ++words) {
    size_t p = name_end + 1;
    for (int j = 0; j < 2; ++j) {
      size_t w = WordEnd(text, p);
      if (w < n && text[w] == ' ' && OneOf(text.substr(p, w - p), kParticles)) {
        p = w + 1;
      } else {
        break;
      }
    }
    size_t w = NameWordEnd(text, p);
    if (w == p) break;
    if (lower) {
      if (!IsListedName(ctx.names->LookupCapitalised(text.substr(p, w - p)))) break;
    } else if (!IsNameWord(text, p, w)) {
      break;
    } else if (uint8_t flags = ctx.names->Lookup(text.substr(p, w - p));
               (flags & kCommonWord) && !(flags & kSurname)) {
      break;  // "Anna im Mai", but "Peter Brown"
    }
    name_end = w;
  }
  if (BeforeCompanyWord(text, name_end)) return k;
  return name_end;
}

void AddName(const DetectContext& ctx, size_t start, size_t end) {
  ctx.out->push_back(
      Finding{PiiType::kName, start, end, std::string(ctx.text.substr(start, end - start))});
}

// Skips what may stand between a cue and its name: spaces, ':' or ',', and
// "der"/"die"/"the" after an introduction ("ich bin die Anna").
size_t SkipToName(std::string_view text, size_t k, bool article) {
  const size_t n = text.size();
  for (int step = 0; step < 3; ++step) {
    k = SkipSpaces(text, k);
    if (k < n && (text[k] == ':' || text[k] == ',' || text[k] == '-')) {
      ++k;
      continue;
    }
    if (article) {
      size_t w = WordEnd(text, k);
      std::string lower = Lower(text.substr(k, w - k));
      if ((lower == "der" || lower == "die") && w < n && text[w] == ' ') {
        k = w;
        continue;
      }
    }
    break;
  }
  return k;
}

}  // namespace

size_t DetectIntroducedName(const DetectContext& ctx, size_t end, IntroCue cue) {
  std::string_view text = ctx.text;
  if (end < text.size() && IsWordByte(At(text, end))) return end;
  size_t k = SkipToName(text, end, cue == IntroCue::kWeak);
  if (k >= text.size()) return end;
  // After "my name is" any capitalised word is the name; after "I'm" or
  // "ich bin" only a listed first name ("I'm tired", "ich bin Kunde").
  size_t name_end = cue == IntroCue::kStrong
                        ? ReadName(ctx, k, FirstWord::kCapitalised, /*lower_case_listed=*/true)
                        : ReadName(ctx, k, FirstWord::kListed, /*lower_case_listed=*/false);
  if (name_end == k) return end;
  if (cue == IntroCue::kWeak &&
      !(ctx.names->Lookup(text.substr(k, NameWordEnd(text, k) - k)) & kFirstName)) {
    return end;
  }
  AddName(ctx, k, name_end);
  return std::max(end, name_end);
}

size_t DetectSignature(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  if (end < n && IsWordByte(At(text, end))) return end;
  // "Viele Grüße,\nJürgen Weiß": punctuation, then at most one line break.
  size_t k = end;
  while (k < n && (text[k] == ',' || text[k] == '!' || text[k] == '.' || text[k] == ' ')) ++k;
  for (int breaks = 0; k < n && (text[k] == '\n' || text[k] == '\r') && breaks < 3; ++breaks) {
    ++k;
    k = SkipSpaces(text, k);
  }
  if (k >= n) return end;
  size_t name_end = ReadName(ctx, k, FirstWord::kCapitalised, /*lower_case_listed=*/true);
  if (name_end == k) return end;
  // A signature closes the message (or its line): "Danke Anna!" but not
  // "Danke Anna für die Hilfe" nor "Thanks. Please call me".
  size_t after = name_end;
  while (after < n && (text[after] == ' ' || text[after] == '.' || text[after] == '!' ||
                       text[after] == ')' || text[after] == '\r')) {
    ++after;
  }
  if (after < n && text[after] != '\n') return end;
  AddName(ctx, k, name_end);
  return std::max(end, name_end);
}

size_t DetectRelatedName(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  if (end < text.size() && IsWordByte(At(text, end))) return end;
  size_t k = SkipToName(text, end, /*article=*/false);
  if (k >= text.size()) return end;
  size_t name_end = ReadName(ctx, k, FirstWord::kCapitalised, /*lower_case_listed=*/false);
  if (name_end == k) return end;
  AddName(ctx, k, name_end);
  return std::max(end, name_end);
}

// ---- names in running text, from the lists -----------------------------------

namespace {

// Whether the word ending at `e`, or the one capitalised word after it, ends
// its line or the text: where a signature's name stands ("Viele Grüße\nJürgen
// Weiß", "Danke, Kowalczyk!").
bool EndsLine(std::string_view text, size_t e) {
  auto rest_is_blank = [&](size_t k) {
    while (k < text.size() && (text[k] == ' ' || text[k] == '.' || text[k] == '!' ||
                               text[k] == ')' || text[k] == '\r')) {
      ++k;
    }
    return k >= text.size() || text[k] == '\n';
  };
  if (rest_is_blank(e)) return true;
  if (e + 1 >= text.size() || text[e] != ' ' || !StartsUpper(text, e + 1)) return false;
  return rest_is_blank(WordEnd(text, e + 1));
}

// The cue word before the capitalised word at `k` (separated by spaces and
// at most a few of ",:!.-" and line breaks), as the end of the cue for its
// detector; 0 when there is none. "ich bin die Anna" gives the end of "bin".
size_t CueBefore(const DetectContext& ctx, size_t k, uint8_t* kind) {
  std::string_view text = ctx.text;
  auto word_before = [&](size_t at, size_t max_gap, size_t* start) -> std::string_view {
    size_t e = at;
    for (size_t gap = 0; e > 0 && gap < max_gap; ++gap) {
      char c = text[e - 1];
      if (c != ' ' && c != ',' && c != ':' && c != '\n' && c != '\r' && c != '!' && c != '.' &&
          c != '-' && c != '\t') {
        break;
      }
      --e;
    }
    size_t s = e;
    while (s > 0 && e - s < 24 &&
           (IsAsciiAlpha(At(text, s - 1)) || At(text, s - 1) >= 0x80 || text[s - 1] == '\'')) {
      --s;
    }
    *start = s;
    return text.substr(s, e - s);
  };
  auto folded = [](std::string_view word, char* buffer) {
    for (size_t i = 0; i < word.size(); ++i)
      buffer[i] = ToLower(static_cast<unsigned char>(word[i]));
    return std::string_view(buffer, word.size());
  };
  size_t start = 0;
  std::string_view word = word_before(k, 6, &start);
  if (word.empty() || word.size() > 24 || start == k) return 0;
  // The lexicon holds the cue words as written: no case folding for the
  // many words that are no cue.
  uint8_t flags = ctx.names->Lookup(word);
  const size_t cue_end = start + word.size();
  if (flags & (kIntroCue | kClosingCue | kRelationCue)) {
    *kind = flags & (kIntroCue | kClosingCue | kRelationCue);
    return cue_end;
  }
  if (!(flags & kCueWithContext)) return 0;
  char buffer[24];
  std::string_view lower = folded(word, buffer);
  *kind = kIntroCue;
  if (lower == "name") return text[cue_end] == ':' ? cue_end : 0;
  size_t before_start = 0;
  char buffer2[24];
  std::string_view before = word_before(start, 1, &before_start);
  if (before.empty() || before.size() > 24) return 0;
  std::string_view previous = folded(before, buffer2);
  if ((lower == "ist" || lower == "is") &&
      (previous == "hier" || previous == "this" || previous == "name")) {
    return cue_end;
  }
  if (lower == "bin" && previous == "ich") return cue_end;
  if (lower == "am" && previous == "i") return cue_end;
  if (lower == "spricht" && previous == "hier") return cue_end;
  if ((lower == "die" || lower == "der") && previous == "bin") return before_start + before.size();
  return 0;
}

// The lists' flags for a name as written in running text: a double first
// name counts as its first part ("Hans-Dietrich"), a German genitive as its
// name ("Luthers", "Schmidts").
// `hyphen` is where the first part of a double name ends, or 0.
uint8_t NameFlags(const NameLexicon& names, std::string_view word, size_t hyphen) {
  uint8_t flags = names.Lookup(word);
  if (flags != 0 || word.size() < 4) return flags;
  if (hyphen != 0) return names.Lookup(word.substr(0, hyphen)) & (kFirstName | kCommonWord);
  if (word.back() == 's') return names.Lookup(word.substr(0, word.size() - 1)) & ~kFirstName;
  return 0;
}
uint8_t NameFlags(const NameLexicon& names, std::string_view word) {
  size_t hyphen = word.find('-');
  return NameFlags(names, word, hyphen == std::string_view::npos ? 0 : hyphen);
}

// Looks at the capitalised word [k, e), whose first part ends `hyphen` bytes
// in ("Hans-Dietrich"; 0 for a word without a hyphen); returns where the next
// word worth a look may start (past a name it found).
size_t ConsiderWord(const DetectContext& ctx, size_t k, size_t e, size_t hyphen) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  const NameLexicon& names = *ctx.names;
  if (e == k || !StartsUpper(text, k)) return e;
  uint8_t flags = NameFlags(names, text.substr(k, e - k), hyphen);
  const bool listed_word = (flags & (kFirstName | kSurname)) != 0;
  // Most capitalised words are nouns in the middle of a sentence: only a
  // listed name, or a word that ends its line (a signature), is worth a
  // look at the word before it.
  if (!listed_word && ((flags & (kIntroCue | kClosingCue | kRelationCue)) || !EndsLine(text, e)))
    return e;  // "Danke" and "Grüße" end messages, but are no names
  // After a cue word the cue's detector decides.
  uint8_t cue = 0;
  if (size_t cue_end = k > 0 ? CueBefore(ctx, k, &cue) : 0; cue_end != 0) {
    size_t found = cue_end;
    if (cue & kIntroCue) {
      found = DetectIntroducedName(ctx, cue_end, IntroCue::kWeak);
    } else if (cue & kClosingCue) {
      found = DetectSignature(ctx, cue_end);
    } else if (cue & kRelationCue) {
      found = DetectRelatedName(ctx, cue_end);
    }
    if (found > k) return found;
  }
  if (!listed_word || !IsNameWord(text, k, e)) return e;
  // The words that follow: more names ("Anna Maria Schmidt").
  size_t name_end = e;
  bool surname_follows = false;
  for (int words = 1; words < 4 && name_end + 1 < n && text[name_end] == ' '; ++words) {
    size_t p = name_end + 1;
    for (int j = 0; j < 2; ++j) {
      size_t w = WordEnd(text, p);
      if (w < n && text[w] == ' ' && OneOf(text.substr(p, w - p), kParticles)) {
        p = w + 1;
      } else {
        break;
      }
    }
    size_t w = NameWordEnd(text, p);
    if (w == p || !IsNameWord(text, p, w)) break;
    uint8_t next = NameFlags(names, text.substr(p, w - p));
    // "Peter Stein": a surname that is also a word, after a first name.
    if ((next & kCommonWord) && !((next & kSurname) && IsListedName(flags) && (flags & kFirstName)))
      break;
    if (next & kSurname) {
      surname_follows = true;
    } else if (next == 0) {
      // An unknown capitalised word continues a name only after a first
      // name: "Jürgen Weiß", not "Schmidt Bestellung".
      if (!(flags & kFirstName) || (flags & kCommonWord) || words > 1) break;
    }
    name_end = w;
  }
  bool listed = IsListedName(flags);
  bool accept = false;
  if (name_end > e) {
    // A first word that is also an ordinary word needs a listed surname
    // after it: "Mark Schmidt", not "Mann Peter".
    accept = listed || ((flags & kFirstName) && surname_follows);
  } else {
    accept = listed && !AfterDeterminer(text, k);
  }
  if (accept && BeforeCompanyWord(text, name_end)) accept = false;
  if (accept) AddName(ctx, k, name_end);
  return accept ? name_end : e;
}

}  // namespace

void FindNames(const DetectContext& ctx, std::span<const uint32_t> title_starts) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  size_t resume = 0;  // words before this were read as part of a name
  for (uint32_t start : title_starts) {
    const size_t k = start;
    if (k < resume) continue;
    size_t e = WordEnd(text, k);
    size_t hyphen = 0;
    if (e + 1 < n && (text[e] == '-' || text[e] == '\'')) {
      if (text[e] == '-') hyphen = e - k;
      e = NameWordEnd(text, k);
      if (e <= k + hyphen) hyphen = 0;
    }
    resume = ConsiderWord(ctx, k, e, hyphen);
  }
}

}  // namespace candor::privacy::internal
