#include "nlu/internal/linear.h"

#include <linear.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <istream>
#include <mutex>
#include <ostream>
#include <thread>
#include <unordered_map>

#include "nlu/internal/vector_math.h"

namespace candor::nlu::internal {
namespace {

constexpr char kMagic[8] = {'C', 'N', 'D', 'R', 'L', 'I', 'N', '4'};

// FNV-1a, seeded by the feature's kind so "w:ab" and the 2-gram "ab" differ.
uint64_t Hash(char kind, std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL ^ static_cast<unsigned char>(kind);
  h *= 1099511628211ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h | 1;  // 0 marks an empty slot in the lookup table
}

double Idf(uint64_t documents, uint32_t document_frequency) {
  return std::log((1.0 + static_cast<double>(documents)) / (1.0 + document_frequency) + 1.0);
}

void Quiet(const char*) {}

// Calls `visit` with each space-separated token of a normalised text.
template <typename Visit>
void ForEachToken(std::string_view text, Visit&& visit) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) visit(text.substr(start, end - start));
    start = end + 1;
  }
}

// The hashes of a word's features: the word itself and the character
// 2..5-grams of " word ", so its edges are part of the grams.
void WordFeatureHashes(std::string_view word, std::vector<uint64_t>& out) {
  out.clear();
  out.push_back(Hash('w', word));
  char padded[64];
  std::string long_padded;
  std::string_view grams;
  if (word.size() + 2 <= sizeof(padded)) {
    padded[0] = ' ';
    std::copy(word.begin(), word.end(), padded + 1);
    padded[word.size() + 1] = ' ';
    grams = std::string_view(padded, word.size() + 2);
  } else {
    long_padded = " " + std::string(word) + " ";
    grams = long_padded;
  }
  for (size_t n = 2; n <= 5; ++n) {
    for (size_t i = 0; i + n <= grams.size(); ++i) {
      out.push_back(Hash(static_cast<char>('0' + n), grams.substr(i, n)));
    }
  }
}

uint64_t BigramHash(std::string_view first, std::string_view second) {
  // Hash('b', "first second") without building the string.
  uint64_t h = 1469598103934665603ULL ^ static_cast<unsigned char>('b');
  h *= 1099511628211ULL;
  auto mix = [&](std::string_view bytes) {
    for (char c : bytes) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
  };
  mix(first);
  mix(" ");
  mix(second);
  return h | 1;
}

template <typename T>
void WriteRaw(std::ostream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof(T));
}
template <typename T>
void WriteVector(std::ostream& out, const std::vector<T>& values) {
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(T)));
}
template <typename T>
bool ReadRaw(std::istream& in, T& value) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof(T)));
}
template <typename T>
bool ReadVector(std::istream& in, std::vector<T>& values, size_t count) {
  values.resize(count);
  return static_cast<bool>(in.read(reinterpret_cast<char*>(values.data()),
                                   static_cast<std::streamsize>(count * sizeof(T))));
}

}  // namespace

void LinearModel::KeyIndex::Build(const std::vector<uint64_t>& sorted_keys) {
  size_t capacity = 16;
  while (capacity < sorted_keys.size() * 2) capacity *= 2;
  keys.assign(capacity, 0);
  rows.assign(capacity, -1);
  for (size_t i = 0; i < sorted_keys.size(); ++i) {
    size_t slot = sorted_keys[i] & (capacity - 1);
    while (keys[slot] != 0) slot = (slot + 1) & (capacity - 1);
    keys[slot] = sorted_keys[i];
    rows[slot] = static_cast<int32_t>(i);
  }
}

int32_t LinearModel::KeyIndex::Find(uint64_t key) const {
  const size_t mask = keys.size() - 1;
  for (size_t slot = key & mask;; slot = (slot + 1) & mask) {
    if (keys[slot] == key) return rows[slot];
    if (keys[slot] == 0) return -1;
  }
}

void LinearModel::KeyIndex::Prefetch(uint64_t key) const {
  __builtin_prefetch(&keys[key & (keys.size() - 1)]);
}

void LinearModel::WordUnit(std::string_view word, std::vector<Feature>& out) const {
  std::vector<uint64_t> hashes;
  hashes.reserve(4 * word.size() + 8);
  WordFeatureHashes(word, hashes);
  out.clear();
  for (uint64_t hash : hashes) {
    if (int32_t index = features_.Find(hash); index >= 0) out.push_back({index, 0});
  }
  std::sort(out.begin(), out.end(),
            [](const Feature& a, const Feature& b) { return a.index < b.index; });
  size_t kept = 0;
  for (size_t i = 0; i < out.size();) {
    size_t j = i;
    while (j < out.size() && out[j].index == out[i].index) ++j;
    out[kept++] = {out[i].index, static_cast<float>(j - i) * idf_[out[i].index]};
    i = j;
  }
  out.resize(kept);
}

Result<LinearModel> LinearModel::Train(const std::vector<std::string>& texts,
                                       const std::vector<int>& labels, int num_labels, double c,
                                       int min_documents, int threads,
                                       const std::function<void(double)>& progress) {
  if (texts.empty() || texts.size() != labels.size() || num_labels < 2) {
    return Status::InvalidArgument("the logistic regression needs examples of at least two labels");
  }
  LinearModel model;
  model.num_labels_ = num_labels;
  model.documents_ = texts.size();

  // The vocabulary: every feature in at least `min_documents` examples,
  // numbered in hash order so the same data always gives the same model.
  std::unordered_map<uint64_t, uint32_t> document_frequency;
  {
    std::vector<uint64_t> document;
    std::vector<uint64_t> word;
    for (const auto& text : texts) {
      document.clear();
      std::string_view previous;
      ForEachToken(text, [&](std::string_view token) {
        WordFeatureHashes(token, word);
        document.insert(document.end(), word.begin(), word.end());
        if (!previous.empty()) document.push_back(BigramHash(previous, token));
        previous = token;
      });
      std::sort(document.begin(), document.end());
      document.erase(std::unique(document.begin(), document.end()), document.end());
      for (uint64_t hash : document) ++document_frequency[hash];
    }
  }
  for (const auto& [key, count] : document_frequency) {
    if (count >= static_cast<uint32_t>(std::max(1, min_documents)))
      model.feature_keys_.push_back(key);
  }
  std::sort(model.feature_keys_.begin(), model.feature_keys_.end());
  model.idf_.resize(model.feature_keys_.size());
  for (size_t i = 0; i < model.feature_keys_.size(); ++i) {
    model.idf_[i] =
        static_cast<float>(Idf(model.documents_, document_frequency[model.feature_keys_[i]]));
  }
  model.features_.Build(model.feature_keys_);

  // liblinear's sparse rows: 1-based feature numbers, ending with -1.
  std::vector<std::vector<feature_node>> rows(texts.size());
  std::vector<feature_node*> row_pointers(texts.size());
  std::vector<Feature> units;
  std::vector<Feature> unit;
  for (size_t d = 0; d < texts.size(); ++d) {
    units.clear();
    double norm = 0;
    std::string_view previous;
    ForEachToken(texts[d], [&](std::string_view token) {
      model.WordUnit(token, unit);
      for (const auto& feature : unit) norm += static_cast<double>(feature.value) * feature.value;
      units.insert(units.end(), unit.begin(), unit.end());
      if (!previous.empty()) {
        if (int32_t index = model.features_.Find(BigramHash(previous, token)); index >= 0) {
          units.push_back({index, model.idf_[index]});
          norm += static_cast<double>(model.idf_[index]) * model.idf_[index];
        }
      }
      previous = token;
    });
    std::sort(units.begin(), units.end(),
              [](const Feature& a, const Feature& b) { return a.index < b.index; });
    const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 1.0;
    for (size_t i = 0; i < units.size();) {
      double value = 0;
      size_t j = i;
      for (; j < units.size() && units[j].index == units[i].index; ++j) value += units[j].value;
      rows[d].push_back({units[i].index + 1, value * scale});
      i = j;
    }
    rows[d].push_back({-1, 0});
    row_pointers[d] = rows[d].data();
  }

  set_print_string_function(&Quiet);
  const size_t features = model.feature_keys_.size();
  std::vector<float> weights(features * static_cast<size_t>(num_labels), 0.0f);
  std::atomic<int> next_label{0};
  std::atomic<int> finished{0};
  std::mutex failure_mutex;
  std::string failure;
  auto worker = [&] {
    std::vector<double> y(texts.size());
    for (int label = next_label++; label < num_labels; label = next_label++) {
      for (size_t d = 0; d < texts.size(); ++d) y[d] = labels[d] == label ? 1.0 : -1.0;
      problem binary{};
      binary.l = static_cast<int>(texts.size());
      binary.n = static_cast<int>(std::max<size_t>(features, 1));
      binary.y = y.data();
      binary.x = row_pointers.data();
      binary.bias = -1;
      parameter settings{};
      settings.solver_type = L2R_LR;
      settings.eps = 0.01;
      settings.C = c;
      if (const char* error = check_parameter(&binary, &settings)) {
        std::lock_guard lock(failure_mutex);
        failure = error;
        return;
      }
      struct model* trained = ::train(&binary, &settings);
      // liblinear orders labels by first appearance; w scores label[0].
      float sign = trained->label[0] == 1 ? 1.0f : -1.0f;
      for (size_t f = 0; f < features; ++f) {
        weights[f * num_labels + label] = sign * static_cast<float>(trained->w[f]);
      }
      free_and_destroy_model(&trained);
      int done = ++finished;
      if (progress) {
        std::lock_guard lock(failure_mutex);
        progress(static_cast<double>(done) / num_labels);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  if (!failure.empty()) return Status::InvalidArgument("liblinear: " + failure);

  // Each feature's row scaled to the int8 range: the error is at most half a
  // step of the row's largest weight.
  model.weights_.resize(weights.size());
  model.scales_.resize(features);
  for (size_t f = 0; f < features; ++f) {
    const float* row = weights.data() + f * num_labels;
    float largest = 0;
    for (int k = 0; k < num_labels; ++k) largest = std::max(largest, std::abs(row[k]));
    const float step = largest > 0 ? largest / 127.0f : 1.0f;
    model.scales_[f] = step;
    for (int k = 0; k < num_labels; ++k) {
      model.weights_[f * num_labels + k] = static_cast<int8_t>(std::lround(row[k] / step));
    }
  }
  model.PrecomputeWords(texts);
  return model;
}

void LinearModel::PrecomputeWords(const std::vector<std::string>& texts) {
  std::vector<std::pair<uint64_t, std::string>> words;
  for (const auto& text : texts) {
    ForEachToken(text, [&](std::string_view token) {
      words.emplace_back(Hash('t', token), std::string(token));
    });
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              words.end());
  const size_t count = static_cast<size_t>(num_labels_);
  word_keys_.clear();
  word_norms_.assign(words.size(), 0.0f);
  word_scores_.assign(words.size() * count, 0);
  word_scales_.assign(words.size(), 1.0f);
  std::vector<Feature> unit;
  std::vector<float> scores(count);
  for (size_t w = 0; w < words.size(); ++w) {
    word_keys_.push_back(words[w].first);
    WordUnit(words[w].second, unit);
    std::fill(scores.begin(), scores.end(), 0.0f);
    for (const auto& feature : unit) {
      word_norms_[w] += feature.value * feature.value;
      const float value = feature.value * scales_[feature.index];
      const int8_t* row = weights_.data() + static_cast<size_t>(feature.index) * count;
      for (size_t k = 0; k < count; ++k) scores[k] += value * static_cast<float>(row[k]);
    }
    // int8 like the feature rows: a prediction reads a quarter of the bytes.
    float largest = 0;
    for (float score : scores) largest = std::max(largest, std::abs(score));
    const float step = largest > 0 ? largest / 127.0f : 1.0f;
    word_scales_[w] = step;
    for (size_t k = 0; k < count; ++k) {
      word_scores_[w * count + k] = static_cast<int8_t>(std::lround(scores[k] / step));
    }
  }
  words_.Build(word_keys_);
}

void LinearModel::LogScores(std::string_view normalized_text, float* out) const {
  const size_t count = static_cast<size_t>(num_labels_);
  std::fill(out, out + count, 0.0f);
  // Keys first, then their table slots asked for, then the lookups, then the
  // rows asked for, then the sums: the tables and rows are scattered over
  // megabytes, and overlapping the waits is most of the speed.
  struct Token {
    std::string_view text;
    uint64_t word_key;
    uint64_t bigram_key;  // with the token before it; 0 for the first
    int32_t word = -1;    // row in word_scores_
    int32_t bigram = -1;  // feature row of the bigram
  };
  std::vector<Token> tokens;
  tokens.reserve(32);
  std::string_view previous;
  ForEachToken(normalized_text, [&](std::string_view token) {
    Token t{token, Hash('t', token), previous.empty() ? 0 : BigramHash(previous, token)};
    words_.Prefetch(t.word_key);
    if (t.bigram_key != 0) features_.Prefetch(t.bigram_key);
    tokens.push_back(t);
    previous = token;
  });
  for (auto& token : tokens) {
    token.word = words_.Find(token.word_key);
    if (token.word >= 0)
      __builtin_prefetch(word_scores_.data() + static_cast<size_t>(token.word) * count);
    if (token.bigram_key != 0) {
      token.bigram = features_.Find(token.bigram_key);
      if (token.bigram >= 0)
        __builtin_prefetch(weights_.data() + static_cast<size_t>(token.bigram) * count);
    }
  }
  float norm = 0;
  std::vector<Feature> unit;
  auto add_row = [&](const int8_t* row, float scale) { AddScaled(out, row, scale, count); };
  auto add_feature = [&](int32_t index, float value) {
    norm += value * value;
    add_row(weights_.data() + static_cast<size_t>(index) * count, value * scales_[index]);
  };
  for (const auto& token : tokens) {
    if (token.word >= 0) {
      add_row(word_scores_.data() + static_cast<size_t>(token.word) * count,
              word_scales_[token.word]);
      norm += word_norms_[token.word];
    } else {  // a word never seen in training: its n-grams may still be known
      WordUnit(token.text, unit);
      for (const auto& feature : unit) add_feature(feature.index, feature.value);
    }
    if (token.bigram >= 0) add_feature(token.bigram, idf_[token.bigram]);
  }
  const float scale = norm > 0 ? 1.0f / std::sqrt(norm) : 1.0f;
  for (size_t k = 0; k < count; ++k) out[k] *= scale;
}

void LinearModel::Save(std::ostream& out) const {
  out.write(kMagic, sizeof(kMagic));
  WriteRaw(out, static_cast<uint32_t>(num_labels_));
  WriteRaw(out, static_cast<uint64_t>(feature_keys_.size()));
  WriteRaw(out, documents_);
  WriteVector(out, feature_keys_);
  WriteVector(out, idf_);
  WriteVector(out, scales_);
  WriteVector(out, weights_);
  WriteRaw(out, static_cast<uint64_t>(word_keys_.size()));
  WriteVector(out, word_keys_);
  WriteVector(out, word_norms_);
  WriteVector(out, word_scales_);
  WriteVector(out, word_scores_);
}

Result<LinearModel> LinearModel::Load(std::istream& in) {
  char magic[sizeof(kMagic)];
  if (!in.read(magic, sizeof(magic)) || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    return Status::InvalidArgument("linear.bin: not a candor linear model");
  }
  LinearModel model;
  uint32_t labels = 0;
  uint64_t features = 0;
  if (!ReadRaw(in, labels) || !ReadRaw(in, features) || !ReadRaw(in, model.documents_) ||
      labels < 2 || labels > 100000 || features > (1ULL << 32)) {
    return Status::InvalidArgument("linear.bin: bad header");
  }
  model.num_labels_ = static_cast<int>(labels);
  uint64_t words = 0;
  if (!ReadVector(in, model.feature_keys_, features) || !ReadVector(in, model.idf_, features) ||
      !ReadVector(in, model.scales_, features) ||
      !ReadVector(in, model.weights_, features * labels) || !ReadRaw(in, words) ||
      words > (1ULL << 32) || !ReadVector(in, model.word_keys_, words) ||
      !ReadVector(in, model.word_norms_, words) || !ReadVector(in, model.word_scales_, words) ||
      !ReadVector(in, model.word_scores_, words * labels)) {
    return Status::InvalidArgument("linear.bin: truncated");
  }
  model.features_.Build(model.feature_keys_);
  model.words_.Build(model.word_keys_);
  return model;
}

}  // namespace candor::nlu::internal
