// Bit masks over the 48 bytes before an offset, for the detectors' backward
// scans: a byte-by-byte loop over a mix of letters, digits and spaces
// mispredicts a branch at nearly every byte; three vector compares do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace candor::privacy::internal {

#ifdef __SSE2__
// Bit i of every mask describes the byte at data[i], for i < 48.
class ByteWindow {
 public:
  static constexpr size_t kSize = 48;

  explicit ByteWindow(const char* data) {
    for (int k = 0; k < 3; ++k)
      v_[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * k));
  }

  // The 48 bytes before `end` in `text`. Near the start of the text the
  // missing bytes read as 0, which no mask matches, as if the text began
  // there: chat messages are short, so a good share of all triggers end in
  // their first 48 bytes.
  static ByteWindow Before(std::string_view text, size_t end) {
    if (end >= kSize) return ByteWindow(text.data() + end - kSize);
    alignas(16) char padded[kSize] = {};
    std::memcpy(padded + kSize - end, text.data(), end);
    return ByteWindow(padded);
  }

  uint64_t Equal(char c) const {
    const __m128i b = _mm_set1_epi8(c);
    return Mask([b](__m128i x) { return _mm_cmpeq_epi8(x, b); });
  }
  uint64_t Digits() const {
    return Mask([](__m128i x) { return Below(_mm_sub_epi8(x, _mm_set1_epi8('0')), 10); });
  }
  // ASCII letters, either case.
  uint64_t Letters() const {
    return Mask([](__m128i x) {
      return Below(_mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a')), 26);
    });
  }

  // a-f and A-F.
  uint64_t HexLetters() const {
    return Mask([](__m128i x) {
      return Below(_mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a')), 6);
    });
  }

  // How many of the top bits of `mask` (from bit 47 down) are set in a row.
  static size_t OnesFromTop(uint64_t mask) {
    uint64_t gaps = ~(mask << (64 - kSize));  // never 0: the low 16 bits stay set
    return static_cast<size_t>(__builtin_clzll(gaps));
  }

 private:
  // Lanes whose unsigned value is below `limit` (1..255).
  static __m128i Below(__m128i x, int limit) {
    return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(static_cast<char>(limit - 1))), x);
  }
  template <typename F>
  uint64_t Mask(F compare) const {
    uint64_t m = 0;
    for (int k = 0; k < 3; ++k) {
      m |= static_cast<uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(compare(v_[k]))))
           << (16 * k);
    }
    return m;
  }

  __m128i v_[3];
};
#endif  // __SSE2__; without it the detectors keep their byte loops

}  // namespace candor::privacy::internal
