// A TF-IDF logistic regression over words, word bigrams and each word's
// character 2..5-grams, trained one class against the rest with liblinear. It
// is the full-rank half of the intent ensemble: fastText's low-rank vectors
// generalise across words, this one remembers the exact phrasings.
//
// A message is a sum of units: one per word (its own feature and its
// character n-grams, weighted by IDF) and one per word bigram, scaled by the
// root of the units' summed squared norms. Because every unit is fixed by its
// word, each training word's contribution to every class score is computed
// once after training; a prediction then reads one row per known word instead
// of one per n-gram.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace candor::nlu::internal {

class LinearModel {
 public:
  // `texts` are normalised (NormalizeForModel); `labels` index 0..num_labels-1.
  // Features seen in fewer than `min_documents` examples are left out.
  // Classes train on `threads` threads; the result does not depend on it.
  static Result<LinearModel> Train(const std::vector<std::string>& texts,
                                   const std::vector<int>& labels, int num_labels, double c,
                                   int min_documents, int threads,
                                   const std::function<void(double)>& progress);
  static Result<LinearModel> Load(std::istream& in);
  void Save(std::ostream& out) const;

  int NumLabels() const { return num_labels_; }
  // Writes each class's score (its logistic regression's logit), which the
  // ensemble treats as a log-probability up to a constant; the temperature
  // and weight calibrated on held-out data absorb the difference.
  void LogScores(std::string_view normalized_text, float* out) const;

 private:
  struct Feature {
    int32_t index;
    float value;
  };
  // A hash table from 64-bit keys to row numbers (open addressing).
  struct KeyIndex {
    std::vector<uint64_t> keys;
    std::vector<int32_t> rows;
    void Build(const std::vector<uint64_t>& sorted_keys);
    int32_t Find(uint64_t key) const;
    void Prefetch(uint64_t key) const;
  };

  // The word's unit: its feature and its n-grams, known ones only, merged.
  void WordUnit(std::string_view word, std::vector<Feature>& out) const;
  void PrecomputeWords(const std::vector<std::string>& texts);

  int num_labels_ = 0;
  uint64_t documents_ = 0;
  std::vector<uint64_t> feature_keys_;  // sorted feature hashes
  std::vector<float> idf_;              // per feature
  // [feature][label], quantised to int8 with one scale per feature.
  std::vector<int8_t> weights_;
  std::vector<float> scales_;
  KeyIndex features_;
  // Every training word: its unit's squared norm and its score for each label.
  std::vector<uint64_t> word_keys_;  // sorted word hashes
  std::vector<float> word_norms_;
  std::vector<int8_t> word_scores_;  // [word][label], int8 with a scale per word
  std::vector<float> word_scales_;
  KeyIndex words_;
};

}  // namespace candor::nlu::internal
