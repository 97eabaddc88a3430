#include "privacy/internal/name_lexicon.h"

#include <string>

#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

// The lists from data/pii/names, one word a line, generated into this
// include by CMake.
#include "privacy/name_lists.inc"

// FNV-1a, 64 bits. Bit 8 is set so that no entry is 0 (the empty mark).
uint64_t Hash(std::string_view word) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : word) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return (h & ~uint64_t{0xFF}) | 0x100;
}

template <typename Fn>
void ForEachLine(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    size_t eol = list.find('\n');
    std::string_view line = list.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line[0] != '#') fn(line);
    if (eol == std::string_view::npos) break;
    list.remove_prefix(eol + 1);
  }
}

}  // namespace

NameLexicon::NameLexicon() : table_(1u << 14), mask_((1u << 14) - 1) {
  ForEachLine(kFirstNames, [this](std::string_view w) { Add(w, kFirstName); });
  ForEachLine(kSurnames, [this](std::string_view w) { Add(w, kSurname); });
  ForEachLine(kCommonWords, [this](std::string_view w) { Add(w, kCommonWord); });
  ForEachLine(kStreetSuffixesEn, [this](std::string_view w) { Add(w, kStreetSuffix); });
}

void NameLexicon::Add(std::string_view word, uint8_t flags) {
  uint64_t h = Hash(word);
  for (uint64_t i = (h >> 20) & mask_;; i = (i + 1) & mask_) {
    if (table_[i] == 0) {
      table_[i] = h | flags;
      return;
    }
    if ((table_[i] & ~uint64_t{0xFF}) == h) {
      table_[i] |= flags;
      return;
    }
  }
}

uint8_t NameLexicon::Lookup(std::string_view word) const {
  if (word.empty() || word.size() > 40) return 0;
  uint64_t h = Hash(word);
  for (uint64_t i = (h >> 20) & mask_;; i = (i + 1) & mask_) {
    uint64_t e = table_[i];
    if (e == 0) return 0;
    if ((e & ~uint64_t{0xFF}) == h) return static_cast<uint8_t>(e & 0xFF);
  }
}

uint8_t NameLexicon::LookupCapitalised(std::string_view word) const {
  if (word.empty() || !IsAsciiLower(static_cast<unsigned char>(word[0]))) return Lookup(word);
  char buffer[41];
  if (word.size() > 40) return 0;
  word.copy(buffer, word.size());
  buffer[0] = ToUpper(static_cast<unsigned char>(buffer[0]));
  return Lookup(std::string_view(buffer, word.size()));
}

}  // namespace candor::privacy::internal
