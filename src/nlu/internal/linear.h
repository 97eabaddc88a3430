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
  // Features seen in fewer than `min_documents` examples are left out.
  static Result<LinearModel> Train(const std::vector<std::string>& texts,
                                   const std::vector<int>& labels, int num_labels, double c,
                                   int min_documents, int threads,
                                   const std::function<void(double)>& progress);
  static Result<LinearModel> Load(std::istream& in);
  void Save(std::ostream& out) const;

  int NumLabels() const { return num_labels_; }
  // Writes num_labels log-probabilities, each up to one shared constant:
  // log sigmoid of each class's score (the one-vs-rest probabilities before
  // they are normalised, which a softmax downstream does anyway).
  void LogScores(std::string_view normalized_text, float* out) const;

 private:
  struct Feature {
    uint64_t key;
    float count;
  };
  // The hash of every word, bigram and character n-gram, repeats included.
  static void HashFeatures(std::string_view normalized_text, std::vector<uint64_t>& out);
  int32_t Find(uint64_t key) const;
  void BuildTable();

  int num_labels_ = 0;
  uint64_t documents_ = 0;
  std::vector<uint64_t> keys_;    // sorted feature hashes
  std::vector<float> idf_;        // per feature
  // [feature][label], quantised to int8 with one scale per feature: a
  // prediction touches a few hundred rows, and a quarter of the bytes keeps
  // them in cache.
  std::vector<int8_t> weights_;
  std::vector<float> scales_;
  std::vector<uint64_t> table_keys_;  // open addressing: key -> index
  std::vector<int32_t> table_index_;
};

}  // namespace candor::nlu::internal
