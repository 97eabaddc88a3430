#include "privacy/internal/prefilter.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>

#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

// ---- the cue words ------------------------------------------------------

// Each counts only as a whole word. They were a Vectorscan database of
// literals once; on short chat messages that took a fifth of the scan, the
// lookup at word starts below a small part of that.
constexpr std::string_view kPasswordCues[] = {"passwort", "password", "passwd",    "pwd",
                                              "kennwort", "passcode", "passphrase"};
constexpr std::string_view kCodeCues[] = {"pin",
                                          "puk",
                                          "cvv",
                                          "cvc",
                                          "geheimzahl",
                                          "sicherheitscode",
                                          "zugangscode",
                                          "einmalcode",
                                          "bestätigungscode",
                                          "verification code",
                                          "security code",
                                          "one-time code",
                                          "otp"};
constexpr std::string_view kTanCues[] = {"TAN",     "mTAN",     "pushTAN", "smsTAN",
                                         "chipTAN", "photoTAN", "iTAN"};
constexpr std::string_view kBirthCues[] = {
    "geboren",    "geb.",      "geburtsdatum", "geburtstag", "date of birth",
    "birth date", "birthdate", "born",         "dob",        "d.o.b."};
constexpr std::string_view kIntroStrongCues[] = {
    "name ist", "name is", "name's", "name:", "heiße", "heisse", "call me"};
constexpr std::string_view kSalutationCues[] = {"Herr", "Herrn", "Frau", "Hr",     "Fr", "Mr",
                                                "Mrs",  "Ms",    "Miss", "Mister", "Dr", "Prof"};

struct CueWord {
  std::string_view text;
  CueKind kind;
  bool caseless;  // ASCII letters only
};

constexpr size_t kCueCount = std::size(kPasswordCues) + std::size(kCodeCues) + std::size(kTanCues) +
                             std::size(kBirthCues) + std::size(kSalutationCues) +
                             std::size(kIntroStrongCues);
static_assert(kCueCount <= 64, "a cue word is one bit of a 64-bit set");

constexpr std::array<CueWord, kCueCount> kCueWords = [] {
  std::array<CueWord, kCueCount> out{};
  size_t k = 0;
  auto add = [&](auto& cues, CueKind kind, bool caseless) {
    for (std::string_view cue : cues) out[k++] = CueWord{cue, kind, caseless};
  };
  add(kPasswordCues, CueKind::kPassword, true);
  add(kCodeCues, CueKind::kCode, true);
  add(kTanCues, CueKind::kTan, false);
  add(kBirthCues, CueKind::kBirth, true);
  add(kSalutationCues, CueKind::kSalutation, false);
  add(kIntroStrongCues, CueKind::kIntroStrong, true);
  return out;
}();

// A byte's slot in the first-two-letters table: an ASCII letter of either
// case, or 26 for anything else.
constexpr std::array<uint8_t, 256> kLetterSlot = [] {
  std::array<uint8_t, 256> slots{};
  for (unsigned c = 0; c < 256; ++c) {
    unsigned folded = c | 0x20u;
    slots[c] = static_cast<uint8_t>(folded >= 'a' && folded <= 'z' ? folded - 'a' : 26);
  }
  return slots;
}();

// For the first two bytes of a word, the cue words that may start there (a
// bit per kCueWords entry). Case is folded here and checked in CueAt.
constexpr std::array<uint64_t, 27 * 27> kCuesByFirstTwo = [] {
  std::array<uint64_t, 27 * 27> table{};
  for (size_t k = 0; k < kCueWords.size(); ++k) {
    std::string_view cue = kCueWords[k].text;
    size_t slot = kLetterSlot[static_cast<unsigned char>(cue[0])] * 27u +
                  kLetterSlot[static_cast<unsigned char>(cue[1])];
    table[slot] |= uint64_t{1} << k;
  }
  return table;
}();

// Up to the first four bytes of each cue word with bit 5 set (which lowers
// ASCII capitals), and the mask of the bytes it has: a word start is
// compared with these in one step before byte by byte.
constexpr uint32_t kFold = 0x20202020;
struct CuePrefix {
  uint32_t folded;
  uint32_t mask;
};
constexpr std::array<CuePrefix, kCueCount> kCuePrefixes = [] {
  std::array<CuePrefix, kCueCount> out{};
  for (size_t k = 0; k < kCueWords.size(); ++k) {
    std::string_view cue = kCueWords[k].text;
    for (size_t i = 0; i < 4 && i < cue.size(); ++i) {
      out[k].folded |= uint32_t{static_cast<unsigned char>(cue[i])} << (8 * i);
      out[k].mask |= uint32_t{0xFF} << (8 * i);
    }
    out[k].folded = (out[k].folded | kFold) & out[k].mask;
  }
  return out;
}();

// Whether `cue` is written at `start` and ends there as a word: no word byte
// after it, unless it ends in '.' ("geb.12.3.1980"). The caller has seen
// that no word byte precedes `start`.
bool CueAt(std::string_view text, size_t start, const CueWord& cue) {
  const size_t end = start + cue.text.size();
  if (end > text.size()) return false;
  for (size_t k = 0; k < cue.text.size(); ++k) {
    char a = text[start + k], b = cue.text[k];
    if (cue.caseless ? ToLower(a) != ToLower(b) : a != b) return false;
  }
  return end == text.size() || !IsWordByte(static_cast<unsigned char>(text[end])) ||
         text[end - 1] == '.';
}

// The cue words in `cues` (bits of kCueWords) written at the word start `s`,
// appended to `out` in the order of their ends. Called for a few word starts
// in a hundred: kept out of the scan loop.
[[gnu::noinline]] void AddCuesAt(std::string_view text, size_t s, uint64_t cues,
                                 std::vector<CueMatch>& out) {
  const size_t n = text.size();
  uint32_t first_four = 0;  // bytes past the end stay 0, which no cue has
  if (s + 4 <= n) {
    std::memcpy(&first_four, text.data() + s, 4);
  } else {
    for (size_t i = s; i < n; ++i)
      first_four |= uint32_t{static_cast<unsigned char>(text[i])} << (8 * (i - s));
  }
  first_four |= kFold;
  for (; cues != 0; cues &= cues - 1) {
    const size_t id = static_cast<size_t>(__builtin_ctzll(cues));
    if ((first_four & kCuePrefixes[id].mask) != kCuePrefixes[id].folded) continue;
    const CueWord& cue = kCueWords[id];
    if (!CueAt(text, s, cue)) continue;
    out.push_back(CueMatch{s + cue.text.size(), cue.kind});
    // A cue of several words ends after words that start later.
    for (size_t k = out.size() - 1; k > 0 && out[k - 1].end > out[k].end; --k) {
      std::swap(out[k - 1], out[k]);
    }
  }
}

// ---- sixteen bytes at a time ----------------------------------------------

// Bit i of each mask describes byte i of the sixteen at p; p[16] is read too.
struct BlockMasks {
  unsigned letters;   // A-Z a-z
  unsigned word;      // letters, digits, bytes of multi-byte characters
  unsigned joins;     // word bytes, '-' and '\'': what joins a capital to the word before
  unsigned capitals;  // A-Z, Ä Ö Ü ... (0xC3 0x80..0x9E), 0xC4 and 0xC5 lead bytes,
                      // with no A-Z after them
  unsigned triggers;  // digits, '@', ':'
  unsigned digits;
  unsigned dots;
  unsigned colons;
};

#ifdef __SSE2__
[[gnu::always_inline]] inline BlockMasks Classify(const char* p) {
  auto in = [](__m128i x, int low, int count) {
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8(static_cast<char>(low)));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(static_cast<char>(count - 1))), d);
  };
  auto bits = [](__m128i x) { return static_cast<unsigned>(_mm_movemask_epi8(x)); };
  const __m128i cur = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
  const __m128i letters = in(_mm_or_si128(cur, _mm_set1_epi8(0x20)), 'a', 26);
  const __m128i high = _mm_cmplt_epi8(cur, _mm_setzero_si128());
  const __m128i digits = in(cur, '0', 10);
  const __m128i colons = _mm_cmpeq_epi8(cur, _mm_set1_epi8(':'));
  const __m128i word = _mm_or_si128(_mm_or_si128(letters, high), digits);
  const __m128i joins = _mm_or_si128(word, _mm_or_si128(_mm_cmpeq_epi8(cur, _mm_set1_epi8('-')),
                                                        _mm_cmpeq_epi8(cur, _mm_set1_epi8('\''))));
  const __m128i capital = _mm_or_si128(
      in(cur, 'A', 26),
      _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(cur, _mm_set1_epi8(static_cast<char>(0xC3))),
                                 in(next, 0x80, 0x1F)),
                   in(cur, 0xC4, 2)));
  BlockMasks m;
  m.letters = bits(letters);
  m.word = bits(word);
  m.joins = bits(joins);
  m.capitals = bits(_mm_andnot_si128(in(next, 'A', 26), capital));
  m.digits = bits(digits);
  m.colons = bits(colons);
  m.triggers = m.digits | m.colons | bits(_mm_cmpeq_epi8(cur, _mm_set1_epi8('@')));
  m.dots = bits(_mm_cmpeq_epi8(cur, _mm_set1_epi8('.')));
  return m;
}
#else
BlockMasks Classify(const char* p) {
  BlockMasks m{};
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    const unsigned char next = static_cast<unsigned char>(p[i + 1]);
    const unsigned bit = 1u << i;
    if (IsAsciiAlpha(c)) m.letters |= bit;
    if (IsWordByte(c)) m.word |= bit;
    if (IsWordByte(c) || c == '-' || c == '\'') m.joins |= bit;
    bool capital =
        IsAsciiUpper(c) || (c == 0xC3 && next >= 0x80 && next <= 0x9E) || c == 0xC4 || c == 0xC5;
    if (capital && !IsAsciiUpper(next)) m.capitals |= bit;
    if (IsDigit(c)) m.digits |= bit;
    if (c == ':') m.colons |= bit;
    if (IsDigit(c) || c == ':' || c == '@') m.triggers |= bit;
    if (c == '.') m.dots |= bit;
  }
  return m;
}
#endif

}  // namespace

void Prefilter::Run(std::string_view text, size_t begin, size_t end) {
  begin_ = begin;
  end_ = end;
  cues_.clear();
  title_starts_.clear();
  trigger_bytes_.clear();
  dots_ = 0;
  colons_ = 0;
  letter_digit_ = false;
  // Bit 15 of the block before: whether its last byte was a word byte, joined
  // a capital, was a letter.
  auto before = [&](auto test) {
    return begin > 0 && test(static_cast<unsigned char>(text[begin - 1])) ? 1u : 0u;
  };
  unsigned word_before = before(IsWordByte);
  unsigned joins_before =
      before([](unsigned char c) { return IsWordByte(c) || c == '-' || c == '\''; });
  unsigned letter_before = before(IsAsciiAlpha);
  unsigned letter_digit = 0;
  for (size_t k = begin; k < end; k += 16) {
    BlockMasks m;
    if (k + 17 <= end) {
      m = Classify(text.data() + k);
    } else {
      // The last bytes, with zeros after them: a 0 is nothing of the above,
      // as if the text ended there (a part ends after a line break, which
      // no capital, cue word or number reaches across).
      char padded[32] = {};
      std::memcpy(padded, text.data() + k, end - k);
      m = Classify(padded);
    }
    trigger_bytes_.push_back(static_cast<uint16_t>(m.triggers));
    // Counted only as far as the detectors ask (no popcount instruction in
    // the baseline instruction set).
    for (unsigned dots = m.dots; dots != 0 && dots_ < 3; dots &= dots - 1) ++dots_;
    for (unsigned colons = m.colons; colons != 0 && colons_ < 2; colons &= colons - 1) ++colons_;
    letter_digit |= ((m.letters << 1) | letter_before) & m.digits;
    unsigned word_starts = m.letters & ~((m.word << 1) | word_before);
    unsigned titles = m.capitals & ~((m.joins << 1) | joins_before);
    word_before = (m.word >> 15) & 1;
    joins_before = (m.joins >> 15) & 1;
    letter_before = (m.letters >> 15) & 1;
    for (; word_starts != 0; word_starts &= word_starts - 1) {
      const size_t s = k + static_cast<size_t>(__builtin_ctz(word_starts));
      const unsigned second =
          s + 1 < text.size() ? kLetterSlot[static_cast<unsigned char>(text[s + 1])] : 26;
      const uint64_t cues =
          kCuesByFirstTwo[kLetterSlot[static_cast<unsigned char>(text[s])] * 27u + second];
      if (cues != 0) AddCuesAt(text, s, cues, cues_);
    }
    for (; titles != 0; titles &= titles - 1) {
      title_starts_.push_back(
          static_cast<uint32_t>(k + static_cast<size_t>(__builtin_ctz(titles))));
    }
  }
  letter_digit_ = letter_digit != 0;
}

size_t Prefilter::NextTriggerByte(size_t k) const {
  size_t block = (k - begin_) >> 4;
  if (block >= trigger_bytes_.size()) return end_;
  unsigned mask = trigger_bytes_[block] & (0xFFFFu << ((k - begin_) & 15));
  while (mask == 0) {
    if (++block == trigger_bytes_.size()) return end_;
    mask = trigger_bytes_[block];
  }
  return std::min(end_, begin_ + (block << 4) + static_cast<size_t>(__builtin_ctz(mask)));
}

}  // namespace candor::privacy::internal
