// Word lists the name and address detectors consult: first names and
// surnames of German-speaking countries and English (derived from
// @faker-js/faker's locale data, MIT; see data/pii/names/SOURCE.md), words
// that are names as well as common words ("Koch", "Mark", "August"), and
// English street suffixes ("Street", "Avenue", "Mews"), and the cue words
// after which a name is expected ("heiße", "Grüße", "Kontoinhaberin").
//
// A lookup first asks a bit set indexed by the word's first two bytes, last
// byte and length (most words stop there), then hashes the word once and
// probes an open-addressing table of 64-bit entries (hash and flags in one
// word, no string compare): the running-text detector asks about every
// capitalised word, so it must cost a few nanoseconds.
//
// Thread-safety: immutable after construction; any number of threads may
// call Lookup() at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace candor::privacy::internal {

enum WordFlag : uint8_t {
  kFirstName = 1,
  kSurname = 2,
  kCommonWord = 4,    // also an ordinary word: a name only with more evidence
  kStreetSuffix = 8,  // English: "Street", "Ave", "Mews"
  // Cue words, in lower case, that a name may follow:
  kIntroCue = 16,         // "heiße", "i'm", "it's"
  kClosingCue = 32,       // "grüße", "regards", "danke": a signature follows
  kRelationCue = 64,      // "mann", "tochter", "kontoinhaberin", "wife", "holder"
  kCueWithContext = 128,  // "ist", "bin", "am", "die": a cue after "name", "ich", "i"
};

class NameLexicon {
 public:
  // Builds the table from the lists compiled into the binary.
  NameLexicon();

  // The flags of `word` as written (case matters: "Rose" is listed, "rose"
  // is not), 0 when it is in no list.
  uint8_t Lookup(std::string_view word) const {
    if (word.size() < 2 || word.size() > 40) return 0;
    // Most capitalised words are nouns no list holds: two bits say so.
    uint64_t h = FilterHash(word);
    if (!FilterHas(h >> 48) || !FilterHas((h >> 32) & 0xFFFF)) return 0;
    return LookupInTable(word);
  }
  // Like Lookup(), with an ASCII first letter raised to upper case, for
  // names written in lower case after a strong cue ("ich heiße anna").
  uint8_t LookupCapitalised(std::string_view word) const;

 private:
  // The first-look filter (a Bloom filter of two bits per word) hashes the
  // first four bytes, the last two and the length: no loop over the word.
  static uint64_t FilterHash(std::string_view word) {
    // Fixed-size copies compile to plain loads; a variable one is a call.
    uint32_t first = 0;
    if (word.size() >= 4) {
      std::memcpy(&first, word.data(), 4);
    } else {
      for (size_t i = 0; i < word.size(); ++i)
        first |= uint32_t{static_cast<unsigned char>(word[i])} << (8 * i);
    }
    uint16_t last = 0;
    std::memcpy(&last, word.data() + word.size() - 2, 2);
    uint64_t v = first | (uint64_t{last} << 32) | (uint64_t{word.size()} << 48);
    uint64_t h = v * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    return h * 0xBF58476D1CE4E5B9ull;
  }
  bool FilterHas(uint64_t slot) const { return (filter_[slot >> 6] >> (slot & 63)) & 1; }
  uint8_t LookupInTable(std::string_view word) const;
  void Add(std::string_view word, uint8_t flags);

  std::vector<uint64_t> table_;   // (hash with the low 8 bits cleared) | flags; 0 = empty
  uint64_t mask_ = 0;             // table_.size() - 1
  std::vector<uint64_t> filter_;  // bit set where some listed word lands (FilterSlot)
};

}  // namespace candor::privacy::internal
