#include "nlu/internal/text.h"

#include <cstdint>

namespace candor::nlu::internal {
namespace {

bool IsAsciiWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'';
}

// "[IBAN_1]" at `i`: returns its length and writes "[iban]" to `out`.
size_t MatchPlaceholder(std::string_view text, size_t i, std::string& out) {
  if (text[i] != '[') return 0;
  size_t j = i + 1;
  while (j < text.size() && ((text[j] >= 'A' && text[j] <= 'Z'))) ++j;
  if (j == i + 1 || j + 2 >= text.size() || text[j] != '_') return 0;
  size_t k = j + 1;
  while (k < text.size() && text[k] >= '0' && text[k] <= '9') ++k;
  if (k == j + 1 || k >= text.size() || text[k] != ']') return 0;
  out += '[';
  for (size_t m = i + 1; m < j; ++m) out += static_cast<char>(text[m] - 'A' + 'a');
  out += ']';
  return k + 1 - i;
}

// Lower-cases the two-byte Latin-1 capitals (Ä Ö Ü É ...): U+00C0..U+00DE
// except U+00D7 (×) map to U+00E0..U+00FE.
void AppendLowerUtf8(std::string_view text, size_t& i, std::string& out) {
  auto c = static_cast<unsigned char>(text[i]);
  if (c == 0xC3 && i + 1 < text.size()) {
    auto d = static_cast<unsigned char>(text[i + 1]);
    if (d >= 0x80 && d <= 0x9E && d != 0x97) d = static_cast<unsigned char>(d + 0x20);
    out += static_cast<char>(c);
    out += static_cast<char>(d);
    i += 2;
    return;
  }
  out += static_cast<char>(c);
  ++i;
}

}  // namespace

std::string NormalizeForModel(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_word = false;
  auto separate = [&] {
    if (!out.empty() && out.back() != ' ') out += ' ';
  };
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '[') {
      std::string placeholder;
      if (size_t length = MatchPlaceholder(text, i, placeholder); length != 0) {
        separate();
        out += placeholder;
        out += ' ';
        i += length;
        in_word = false;
        continue;
      }
    }
    if (c >= 0x80) {  // letters of other scripts and accents belong to words
      if (!in_word) separate();
      AppendLowerUtf8(text, i, out);
      in_word = true;
    } else if (IsAsciiWordByte(c)) {
      if (!in_word) separate();
      if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
      if (c >= '0' && c <= '9') c = '0';
      out += static_cast<char>(c);
      in_word = true;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      in_word = false;
      ++i;
    } else {  // punctuation is a token of its own: "card?" is "card ?"
      separate();
      out += static_cast<char>(c);
      out += ' ';
      in_word = false;
      ++i;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace candor::nlu::internal
