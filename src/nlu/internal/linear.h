// A TF-IDF logistic regression over words, word bigrams and character
// 2..5-grams, trained one class against the rest with liblinear. It is the
// full-rank half of the intent ensemble: fastText's low-rank vectors
// generalise across words, this one remembers the exact phrasings.
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
  // Classes train on `threads` threads; the result does not depend on it.
  static Result<LinearModel> Train(const std::vector<std::string>& texts,
                                   const std::vector<int>& labels, int num_labels, double c,
                                   int threads, const std::function<void(double)>& progress);
  static Result<LinearModel> Load(std::istream& in);
  void Save(std::ostream& out) const;

  int NumLabels() const { return num_labels_; }
  // Writes num_labels probabilities (the classes' sigmoids, normalised).
  void Probabilities(std::string_view normalized_text, float* out) const;

 private:
  struct Feature {
    uint64_t key;
    float count;
  };
  static void ExtractFeatures(std::string_view normalized_text, std::vector<Feature>& out);
  int32_t Find(uint64_t key) const;
  void BuildTable();

  int num_labels_ = 0;
  uint64_t documents_ = 0;
  std::vector<uint64_t> keys_;    // sorted feature hashes
  std::vector<float> idf_;        // per feature
  std::vector<float> weights_;    // [feature][label]
  std::vector<uint64_t> table_keys_;  // open addressing: key -> index
  std::vector<int32_t> table_index_;
};

}  // namespace candor::nlu::internal
