// Word lists the name and address detectors consult: first names and
// surnames of German-speaking countries and English (derived from
// @faker-js/faker's locale data, MIT; see data/pii/names/SOURCE.md), words
// that are names as well as common words ("Koch", "Mark", "August"), and
// English street suffixes ("Street", "Avenue", "Mews").
//
// A lookup hashes the word once and probes an open-addressing table of 64-bit
// entries (hash and flags in one word, no string compare): the running-text
// detector asks about every capitalised word, so it must cost a few
// nanoseconds.
//
// Thread-safety: immutable after construction; any number of threads may
// call Lookup() at once.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace candor::privacy::internal {

enum WordFlag : uint8_t {
  kFirstName = 1,
  kSurname = 2,
  kCommonWord = 4,    // also an ordinary word: a name only with more evidence
  kStreetSuffix = 8,  // English: "Street", "Ave", "Mews"
};

class NameLexicon {
 public:
  // Builds the table from the lists compiled into the binary.
  NameLexicon();

  // The flags of `word` as written (case matters: "Rose" is listed, "rose"
  // is not), 0 when it is in no list.
  uint8_t Lookup(std::string_view word) const;
  // Like Lookup(), with an ASCII first letter raised to upper case, for
  // names written in lower case after a strong cue ("ich heiße anna").
  uint8_t LookupCapitalised(std::string_view word) const;

 private:
  void Add(std::string_view word, uint8_t flags);

  std::vector<uint64_t> table_;  // (hash with the low 8 bits cleared) | flags; 0 = empty
  uint64_t mask_ = 0;            // table_.size() - 1
};

}  // namespace candor::privacy::internal
