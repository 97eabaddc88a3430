// A small tagger for names in running text that no list or cue word reveals
// ("Berlusconi sagte", "der Philosoph Heidegger"): a logistic regression
// over hashed features of a word in title case and its neighbours (word
// shape, prefixes and suffixes, the name lists, the words before and after,
// articles and cue words), trained with liblinear on GermEval 2014's
// development split (scripts/train-pii-name-tagger; the model file is
// data/pii/name_tagger.model).
//
// It reads only words in title case, as the rules do, so its cost grows with
// their number and not with the text's length.
//
// Model file: lines of text. "candor-name-tagger 1", then "buckets N" (the
// size of the hashed feature space, a power of two), "threshold P" (the
// probability from which a word is a name), then one "index weight" line per
// feature with a weight; '#' starts a comment line.
//
// Thread-safety: immutable after Parse(); any number of threads may call
// Tag() at once with their own `out` and `features`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "privacy/privacy.h"

namespace candor::privacy::internal {

class NameLexicon;

// The end of the word that starts at `k`: letters (and bytes of multi-byte
// characters), with inner hyphens or apostrophes before a capital
// ("Müller-Lüdenscheidt", "O'Brien").
size_t TaggedWordEnd(std::string_view text, size_t k);

// The hashed features (indices below `buckets`, sorted, unique) of the word
// in title case at [k, e).
void NameFeatures(std::string_view text, size_t k, size_t e, const NameLexicon& names,
                  uint32_t buckets, std::vector<uint32_t>& out);

class NameTagger {
 public:
  static Result<NameTagger> Parse(std::string_view model);

  // The probability that the word at [k, e) is (part of) a name.
  double Probability(std::string_view text, size_t k, size_t e, const NameLexicon& names,
                     std::vector<uint32_t>& features) const;

  // Appends to `out` a finding for each run of words in title case (from
  // `title_starts`) that the model takes for a name, skipping words that the
  // findings in `out` from `first_finding` on already hold (those before it
  // belong to earlier lines).
  void Tag(std::string_view text, std::span<const uint32_t> title_starts, const NameLexicon& names,
           std::vector<uint32_t>& features, std::vector<Finding>& out,
           size_t first_finding = 0) const;

  uint32_t buckets() const { return buckets_; }
  double threshold() const { return threshold_; }

 private:
  NameTagger() = default;
  uint32_t buckets_ = 0;
  double threshold_ = 0.5;
  std::vector<float> weights_;  // dense, one per bucket
};

}  // namespace candor::privacy::internal
