// E-mail, IBAN, card, tax id and IP detection: exact spans found by scanning
// around the trigger's end offset, confirmed by the validators.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "privacy/internal/byte_window.h"
#include "privacy/internal/detectors.h"
#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

unsigned char At(std::string_view text, size_t k) { return static_cast<unsigned char>(text[k]); }

void Emit(const DetectContext& ctx, PiiType type, size_t start, size_t end,
          std::string normalized) {
  ctx.out->push_back(Finding{type, start, end, std::move(normalized)});
}

// ---- e-mail -------------------------------------------------------------

bool IsLocalAscii(unsigned char c) {
  return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool IsDomainChar(unsigned char c) { return IsAsciiAlnum(c) || c == '-'; }

// For the UTF-8 sequence that ends at byte k-1: its lead byte's index plus one
// if it is a letter of some script (an internationalised local part), else 0,
// which ends the local part. Stops
// at Latin-1 punctuation (U+0080..U+00BF: NBSP, guillemets) and general
// punctuation (U+2000..U+206F: typographic quotes), and at invalid bytes.
size_t Utf8LetterStart(std::string_view text, size_t k) {
  size_t lead = k;
  while (lead > 0 && k - lead < 4 && (At(text, lead - 1) & 0xC0) == 0x80) --lead;
  if (lead == 0 || k - lead >= 4) return 0;
  unsigned char b0 = At(text, lead - 1);
  size_t want = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC2 ? 1 : 99;
  if (want != k - lead) return 0;
  if (b0 == 0xC2) return 0;
  if (b0 == 0xE2 && At(text, lead) <= 0x81) return 0;
  return lead;  // the lead byte's index plus one
}

}  // namespace

size_t DetectEmail(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  // The trigger is <local char>@<domain char>: the '@' is the byte before last.
  if (end < 3 || text[end - 2] != '@') return end;
  const size_t at = end - 2;

  // Local part, backwards from the '@'.
  size_t begin = at;
  while (begin > 0 && at - begin <= 64) {
    unsigned char c = At(text, begin - 1);
    if (IsLocalAscii(c)) {
      --begin;
    } else if (c >= 0x80) {
      size_t lead_plus_one = Utf8LetterStart(text, begin);
      if (lead_plus_one == 0) break;
      begin = lead_plus_one - 1;
    } else {
      break;
    }
  }
  while (begin < at && text[begin] == '.') ++begin;
  std::string_view local = text.substr(begin, at - begin);
  if (local.empty() || local.size() > 64 || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return end;
  }

  // Domain: labels of letters, digits and hyphens joined by single dots.
  size_t k = at + 1;
  size_t last_label = k;
  int labels = 0;
  size_t domain_end = k;
  while (k < text.size() && k - at <= 254) {
    size_t label_begin = k;
    while (k < text.size() && IsDomainChar(At(text, k)) && k - label_begin < 64) ++k;
    size_t len = k - label_begin;
    if (len == 0 || len > 63 || text[label_begin] == '-' || text[k - 1] == '-') break;
    ++labels;
    last_label = label_begin;
    domain_end = k;
    if (k + 1 < text.size() && text[k] == '.' && IsDomainChar(At(text, k + 1))) {
      ++k;
    } else {
      break;
    }
  }
  size_t covered = std::max(end, domain_end);
  if (labels < 2 || domain_end - at - 1 > 253) return covered;
  std::string_view tld = text.substr(last_label, domain_end - last_label);
  if (tld.size() < 2 || tld.size() > 24 ||
      !std::all_of(tld.begin(), tld.end(), [](char c) { return IsAsciiAlpha(c); })) {
    return covered;
  }
  if (domain_end < text.size() && (text[domain_end] == '@' || IsWordByte(At(text, domain_end)))) {
    return covered;
  }
  std::string normalized(text.substr(begin, domain_end - begin));
  for (char& c : normalized) c = ToLower(c);
  Emit(ctx, PiiType::kEmail, begin, domain_end, std::move(normalized));
  return covered;
}

// ---- IBAN ---------------------------------------------------------------

namespace {

// The byte after the first space in [p, end), or `end`.
size_t NextWordStart(std::string_view text, size_t p, size_t end) {
  const void* space = std::memchr(text.data() + p, ' ', end - p);
  return space == nullptr ? end
                          : static_cast<size_t>(static_cast<const char*>(space) - text.data()) + 1;
}

}  // namespace

size_t DetectIban(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  // `end` closes a run of digits somewhere inside a possible IBAN. Its
  // country code ("DE89") starts a word at most 40 bytes before: try each
  // such start, the farthest first.
  size_t from = end;
#ifdef __SSE2__
  {
    // Bit i: byte end-48+i is a letter or digit, or a space after one.
    ByteWindow window = ByteWindow::Before(text, end);
    uint64_t alnum = window.Digits() | window.Letters();
    uint64_t in_window = alnum | (window.Equal(' ') & (alnum << 1));
    from = end - std::min<size_t>(ByteWindow::OnesFromTop(in_window), 40);
  }
#else
  {
    while (from > 0 && end - from < 40 &&
           (IsAsciiAlnum(At(text, from - 1)) ||
            (text[from - 1] == ' ' && from >= 2 && IsAsciiAlnum(At(text, from - 2))))) {
      --from;
    }
  }
#endif
  // Inside the window every byte is a letter, a digit or a single space, so
  // the words start at `from` and after each space: only those are tried.
  for (size_t p = from; p + 4 <= end; p = NextWordStart(text, p, end)) {
    if (!IsAsciiAlpha(At(text, p)) || !IsAsciiAlpha(At(text, p + 1)) || !IsDigit(At(text, p + 2)) ||
        !IsDigit(At(text, p + 3)) || (p > 0 && IsWordByte(At(text, p - 1)))) {
      continue;
    }
    char country[2] = {ToUpper(At(text, p)), ToUpper(At(text, p + 1))};
    const size_t length = static_cast<size_t>(IbanLength(std::string_view(country, 2)));
    if (length == 0) continue;
    // Collect `length` letters and digits; single spaces between them are
    // allowed (printed IBANs come in groups of four).
    std::string compact;
    size_t k = p;
    bool after_space = false;
    while (compact.size() < length && k < text.size()) {
      unsigned char c = At(text, k);
      if (IsAsciiAlnum(c)) {
        compact.push_back(ToUpper(c));
        after_space = false;
        ++k;
      } else if (c == ' ' && !after_space && compact.size() >= 4 && k + 1 < text.size() &&
                 IsAsciiAlnum(At(text, k + 1))) {
        after_space = true;
        ++k;
      } else {
        break;
      }
    }
    if (compact.size() != length || k < end || (k < text.size() && IsWordByte(At(text, k))))
      continue;
    if (!IsValidIban(compact)) continue;
    Emit(ctx, PiiType::kIban, p, k, std::move(compact));
    return k;
  }
  return end;
}

// ---- card numbers and tax ids ------------------------------------------

namespace {

constexpr size_t kMaxGroups = 12;

struct Group {
  size_t start;
  size_t end;
};

bool DecimalNeighbour(std::string_view text, size_t sep, bool forward) {
  unsigned char c = At(text, sep);
  if (c != '.' && c != ',' && c != '/') return false;
  if (forward) return sep + 1 < text.size() && IsDigit(At(text, sep + 1));
  return sep > 0 && IsDigit(At(text, sep - 1));
}

std::string DigitsOf(std::string_view text, size_t start, size_t end) {
  std::string digits;
  for (size_t k = start; k < end; ++k) {
    if (IsDigit(At(text, k))) digits.push_back(text[k]);
  }
  return digits;
}

// Card numbers are printed in one block, in groups of four (the last
// shorter), or 4-6-5 (Amex) and 4-6-4 (Diners). Any other grouping
// ("508-3217547-3082310") is an order or reference number.
bool CardLayout(const std::array<Group, kMaxGroups>& g, size_t first, size_t last) {
  size_t count = last - first + 1;
  auto len = [&](size_t k) { return g[k].end - g[k].start; };
  if (count == 3 && len(first) == 4 && len(first + 1) == 6 && (len(last) == 5 || len(last) == 4)) {
    return true;
  }
  if (count < 4) return false;
  for (size_t k = first; k < last; ++k) {
    if (len(k) != 4) return false;
  }
  return len(last) >= 1 && len(last) <= 4;
}

bool TaxIdLayout(const std::array<Group, kMaxGroups>& g, size_t first, size_t last) {
  size_t count = last - first + 1;
  auto len = [&](size_t k) { return g[k].end - g[k].start; };
  if (count == 1) return true;
  return count == 4 && len(first) == 2 && len(first + 1) == 3 && len(first + 2) == 3 &&
         len(last) == 3;
}

}  // namespace

size_t DetectCardOrTaxId(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  auto is_sep = [](unsigned char c) { return c == ' ' || c == '-'; };
  // The run of digits that contains the trigger, single spaces or dashes
  // allowed between digits.
  size_t begin = end;
#ifdef __SSE2__
  if (end > 0 && IsDigit(At(text, end - 1))) {
    // The first steps at once: a digit, or a separator between two digits
    // (bit 0 cannot see the digit before it and stops short; the loop goes
    // on from there).
    ByteWindow window = ByteWindow::Before(text, end);
    uint64_t digits = window.Digits();
    uint64_t seps = window.Equal(' ') | window.Equal('-');
    begin = end - ByteWindow::OnesFromTop(digits | (seps & (digits << 1) & (digits >> 1)));
  }
#endif
  while (begin > 0) {
    unsigned char c = At(text, begin - 1);
    if (IsDigit(c)) {
      --begin;
    } else if (is_sep(c) && begin >= 2 && begin < n && IsDigit(At(text, begin - 2)) &&
               IsDigit(At(text, begin))) {
      --begin;
    } else {
      break;
    }
    if (end - begin > 96) return end;  // not a number anyone reads as one
  }
  size_t stop = end;
  while (stop < n) {
    unsigned char c = At(text, stop);
    if (IsDigit(c)) {
      ++stop;
    } else if (is_sep(c) && stop + 1 < n && IsDigit(At(text, stop + 1)) &&
               IsDigit(At(text, stop - 1))) {
      ++stop;
    } else {
      break;
    }
    if (stop - begin > 96) {
      // Skip the rest of this run; it is too long to be one value.
      while (stop < n && (IsDigit(At(text, stop)) || is_sep(At(text, stop)))) ++stop;
      return stop;
    }
  }
  size_t digit_count = 0;
  for (size_t k = begin; k < stop; ++k) digit_count += IsDigit(At(text, k)) ? 1 : 0;
  if (digit_count < 11) return stop;
  // Part of a word ("DE89..."), a phone number ("+49 ..."), a decimal or a
  // slash-joined reference: not a card or a tax id.
  if (begin > 0) {
    unsigned char before = At(text, begin - 1);
    if (IsWordByte(before) || before == '+' || DecimalNeighbour(text, begin - 1, false))
      return stop;
  }
  if (stop < n && (IsWordByte(At(text, stop)) || DecimalNeighbour(text, stop, true))) return stop;

  std::array<Group, kMaxGroups> groups;
  std::array<char, kMaxGroups> seps{};  // separator after each group
  size_t count = 0;
  for (size_t k = begin; k < stop;) {
    size_t g = k;
    while (k < stop && IsDigit(At(text, k))) ++k;
    if (count == kMaxGroups) return stop;
    groups[count] = {g, k};
    seps[count] = k < stop ? text[k] : ' ';
    ++count;
    if (k < stop) ++k;  // the separator
  }

  // Greedy from the left: the longest run of groups that is a card or a tax
  // id; the whole run first, then (only in a card's layout) leading groups.
  size_t first = 0;
  while (first < count) {
    bool found = false;
    for (size_t last = count; last-- > first;) {
      bool whole = first == 0 && last == count - 1;
      if (!whole && seps[last] != ' ') continue;
      // Count before copying: most runs of groups have the wrong length.
      size_t length = 0;
      for (size_t k = first; k <= last; ++k) length += groups[k].end - groups[k].start;
      if (length < 11 || length > 19) continue;
      std::string digits = DigitsOf(text, groups[first].start, groups[last].end);
      bool spaces_only = true;
      for (size_t k = first; k < last; ++k) spaces_only = spaces_only && seps[k] == ' ';
      if (digits.size() == 11 && spaces_only && (whole || TaxIdLayout(groups, first, last)) &&
          IsValidGermanTaxId(digits)) {
        Emit(ctx, PiiType::kTaxId, groups[first].start, groups[last].end, std::move(digits));
        found = true;
      } else if ((first == last || CardLayout(groups, first, last)) && IsValidCardNumber(digits)) {
        Emit(ctx, PiiType::kCard, groups[first].start, groups[last].end, std::move(digits));
        found = true;
      }
      if (found) {
        first = last + 1;
        break;
      }
    }
    if (!found) break;
  }
  return stop;
}

// ---- IP addresses -----------------------------------------------------

namespace {

// "Version 10.0.0.1", "v1.2.3.4", "build 4.2.0.12": a version, not an address.
bool AfterVersionWord(std::string_view text, size_t begin) {
  size_t k = begin;
  while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == ':')) --k;
  size_t word_end = k;
  while (k > 0 && IsAsciiAlpha(At(text, k - 1)) && word_end - k < 12) --k;
  std::string word;
  for (size_t i = k; i < word_end; ++i) word.push_back(ToLower(At(text, i)));
  static constexpr std::string_view kWords[] = {"version", "ver",      "v",      "build",
                                                "release", "firmware", "update", "patch"};
  return std::find(std::begin(kWords), std::end(kWords), word) != std::end(kWords);
}

}  // namespace

size_t DetectIpv4(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  auto in_run = [](unsigned char c) { return IsDigit(c) || c == '.'; };
  size_t begin = end;
#ifdef __SSE2__
  {  // the first 48 steps at once; the loop goes on from there
    ByteWindow window = ByteWindow::Before(text, end);
    begin = end - ByteWindow::OnesFromTop(window.Digits() | window.Equal('.'));
  }
#endif
  while (begin > 0 && in_run(At(text, begin - 1)) && end - begin < 64) --begin;
  size_t stop = end;
  while (stop < text.size() && in_run(At(text, stop)) && stop - begin < 64) ++stop;
  size_t covered = stop;
  size_t value_end = stop;
  while (value_end > begin && text[value_end - 1] == '.') --value_end;  // sentence end
  while (begin < value_end && text[begin] == '.') ++begin;
  std::string_view value = text.substr(begin, value_end - begin);
  if (!IsValidIpv4(value)) return covered;
  if (begin > 0 && (IsWordByte(At(text, begin - 1)) || text[begin - 1] == '.')) return covered;
  if (value_end < text.size() && IsWordByte(At(text, value_end))) return covered;
  if (AfterVersionWord(text, begin)) return covered;
  Emit(ctx, PiiType::kIp, begin, value_end, std::string(value));
  return covered;
}

size_t DetectIpv6(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  auto in_run = [](unsigned char c) {
    return IsDigit(c) || c == ':' || c == '.' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
  };
  size_t begin = end;
#ifdef __SSE2__
  {  // all 48 steps at once
    ByteWindow window = ByteWindow::Before(text, end);
    begin = end - ByteWindow::OnesFromTop(window.Digits() | window.HexLetters() |
                                          window.Equal(':') | window.Equal('.'));
  }
#endif
  while (begin > 0 && in_run(At(text, begin - 1)) && end - begin < 48) --begin;
  size_t stop = end;
  while (stop < text.size() && in_run(At(text, stop)) && stop - begin < 48) ++stop;
  size_t covered = stop;
  size_t value_end = stop;
  while (value_end > begin && text[value_end - 1] == '.') --value_end;
  if (value_end - begin >= 2 && text[value_end - 1] == ':' && text[value_end - 2] != ':')
    --value_end;
  std::string_view value = text.substr(begin, value_end - begin);
  int colons = 0;
  int hex_digits = 0;
  for (char c : value) {
    if (c == ':') ++colons;
    if (c != ':' && c != '.') ++hex_digits;
  }
  if (colons < 2 || hex_digits < 5) return covered;
  if (begin > 0 && IsWordByte(At(text, begin - 1))) return covered;
  if (value_end < text.size() && IsWordByte(At(text, value_end))) return covered;
  if (!IsValidIpv6(value)) return covered;
  std::string normalized(value);
  for (char& c : normalized) c = ToLower(c);
  Emit(ctx, PiiType::kIp, begin, value_end, std::move(normalized));
  return covered;
}

}  // namespace candor::privacy::internal
