// The fastText half of the intent ensemble, used as a library: supervised
// softmax over word vectors, character 3..5-grams and word bigrams. Training
// runs on one thread so a fixed seed gives the same model every time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fasttext {
class DenseMatrix;
class FastText;
}  // namespace fasttext

namespace candor::nlu::internal {

struct FastTextOptions {
  uint32_t seed = 1;
  int epochs = 100;
  int dim = 50;
  int buckets = 100000;
};

class FastTextModel {
 public:
  // `texts` normalised; `labels` index into `label_names` (no spaces in them).
  static Result<FastTextModel> Train(const std::vector<std::string>& texts,
                                     const std::vector<int>& labels,
                                     const std::vector<std::string>& label_names,
                                     const FastTextOptions& options,
                                     const std::function<void(double)>& progress);
  static Result<FastTextModel> Load(const std::string& path,
                                    const std::vector<std::string>& label_names);
  Status Save(const std::string& path) const;

  FastTextModel(FastTextModel&&) noexcept;
  FastTextModel& operator=(FastTextModel&&) noexcept;
  ~FastTextModel();

  // Writes one log-probability per label, in `label_names` order, up to one
  // shared constant (the logits before the softmax).
  void LogScores(std::string_view normalized_text, float* out) const;

 private:
  FastTextModel();
  // Also takes the trained matrices, which LogScores reads directly.
  Status MapLabels(const std::vector<std::string>& label_names);

  std::unique_ptr<fasttext::FastText> fasttext_;
  std::shared_ptr<const fasttext::DenseMatrix> input_;   // words, subwords, bigrams
  std::shared_ptr<const fasttext::DenseMatrix> output_;  // one row per label
  // fastText's hidden vector is the mean of the rows of a message's words,
  // their subwords and its bigrams. Each vocabulary word's rows are summed
  // once here, so a prediction adds one row per known word.
  std::vector<float> word_sums_;      // [word][dim]
  std::vector<int32_t> word_rows_;    // how many rows each sum holds
  std::vector<float> output_by_dim_;  // the output matrix transposed: [dim][label]
  // Word lookups without fastText's string-keyed table: our own hash of the
  // word's bytes -> its id and fastText's 32-bit hash of it (for bigrams).
  struct WordSlot {
    uint64_t key = 0;  // 0: empty
    int32_t id = -1;
    uint32_t hash = 0;
  };
  std::vector<WordSlot> word_slots_;
  const WordSlot* FindWord(uint64_t key) const;
  std::vector<int> our_label_;  // fastText's label id -> index in label_names
};

}  // namespace candor::nlu::internal
