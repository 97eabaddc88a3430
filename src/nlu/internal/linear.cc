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

namespace candor::nlu::internal {
namespace {

constexpr char kMagic[8] = {'C', 'N', 'D', 'R', 'L', 'I', 'N', '2'};

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

void LinearModel::HashFeatures(std::string_view text, std::vector<uint64_t>& out) {
  out.clear();
  // Words and word bigrams.
  size_t previous_start = std::string_view::npos;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(Hash('w', text.substr(start, end - start)));
    if (previous_start != std::string_view::npos) {
      out.push_back(Hash('b', text.substr(previous_start, end - previous_start)));
    }
    previous_start = start;
    start = end + 1;
  }
  // Character 2..5-grams over " text ", so word edges are part of the grams.
  std::string padded;
  padded.reserve(text.size() + 2);
  padded += ' ';
  padded += text;
  padded += ' ';
  for (size_t n = 2; n <= 5; ++n) {
    for (size_t i = 0; i + n <= padded.size(); ++i) {
      out.push_back(Hash(static_cast<char>('0' + n), std::string_view(padded).substr(i, n)));
    }
  }
}

void LinearModel::BuildTable() {
  size_t capacity = 16;
  while (capacity < keys_.size() * 2) capacity *= 2;
  table_keys_.assign(capacity, 0);
  table_index_.assign(capacity, -1);
  for (size_t i = 0; i < keys_.size(); ++i) {
    size_t slot = keys_[i] & (capacity - 1);
    while (table_keys_[slot] != 0) slot = (slot + 1) & (capacity - 1);
    table_keys_[slot] = keys_[i];
    table_index_[slot] = static_cast<int32_t>(i);
  }
}

int32_t LinearModel::Find(uint64_t key) const {
  size_t mask = table_keys_.size() - 1;
  for (size_t slot = key & mask;; slot = (slot + 1) & mask) {
    if (table_keys_[slot] == key) return table_index_[slot];
    if (table_keys_[slot] == 0) return -1;
  }
}

Result<LinearModel> LinearModel::Train(const std::vector<std::string>& texts,
                                       const std::vector<int>& labels, int num_labels, double c,
                                       int min_documents, int threads, const std::function<void(double)>& progress) {
  if (texts.empty() || texts.size() != labels.size() || num_labels < 2) {
    return Status::InvalidArgument("the logistic regression needs examples of at least two labels");
  }
  LinearModel model;
  model.num_labels_ = num_labels;
  model.documents_ = texts.size();

  // The vocabulary: every feature seen in training, numbered in hash order
  // so the same data always gives the same model.
  std::vector<std::vector<Feature>> documents(texts.size());
  std::unordered_map<uint64_t, uint32_t> document_frequency;
  std::vector<uint64_t> hashes;
  for (size_t d = 0; d < texts.size(); ++d) {
    HashFeatures(texts[d], hashes);
    std::sort(hashes.begin(), hashes.end());
    for (size_t i = 0; i < hashes.size(); ++i) {
      if (i > 0 && hashes[i] == hashes[i - 1]) {
        documents[d].back().count += 1;
      } else {
        documents[d].push_back({hashes[i], 1});
        ++document_frequency[hashes[i]];
      }
    }
  }
  model.keys_.reserve(document_frequency.size());
  for (const auto& [key, count] : document_frequency) {
    if (count >= static_cast<uint32_t>(std::max(1, min_documents))) model.keys_.push_back(key);
  }
  std::sort(model.keys_.begin(), model.keys_.end());
  model.idf_.resize(model.keys_.size());
  for (size_t i = 0; i < model.keys_.size(); ++i) {
    model.idf_[i] = static_cast<float>(Idf(model.documents_, document_frequency[model.keys_[i]]));
  }
  model.BuildTable();

  // liblinear's sparse rows: 1-based feature numbers, ending with -1.
  std::vector<std::vector<feature_node>> rows(texts.size());
  std::vector<feature_node*> row_pointers(texts.size());
  for (size_t d = 0; d < texts.size(); ++d) {
    double norm = 0;
    for (const auto& feature : documents[d]) {
      int32_t index = model.Find(feature.key);
      if (index < 0) continue;  // too rare to keep
      double value = (1.0 + std::log(feature.count)) * model.idf_[index];
      rows[d].push_back({index + 1, value});
      norm += value * value;
    }
    norm = norm > 0 ? std::sqrt(norm) : 1.0;
    for (auto& node : rows[d]) node.value /= norm;
    std::sort(rows[d].begin(), rows[d].end(),
              [](const feature_node& a, const feature_node& b) { return a.index < b.index; });
    rows[d].push_back({-1, 0});
    row_pointers[d] = rows[d].data();
  }
  documents.clear();

  set_print_string_function(&Quiet);
  const size_t features = model.keys_.size();
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
      binary.n = static_cast<int>(features);
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
    const float scale = largest > 0 ? largest / 127.0f : 1.0f;
    model.scales_[f] = scale;
    for (int k = 0; k < num_labels; ++k) {
      model.weights_[f * num_labels + k] = static_cast<int8_t>(std::lround(row[k] / scale));
    }
  }
  return model;
}

void LinearModel::LogScores(std::string_view normalized_text, float* out) const {
  std::vector<uint64_t> hashes;
  hashes.reserve(normalized_text.size() * 5 + 16);
  HashFeatures(normalized_text, hashes);
  // The lookups and the rows are scattered over megabytes: ask for them
  // ahead of use, so the waits overlap instead of adding up.
  const size_t mask = table_keys_.size() - 1;
  for (uint64_t hash : hashes) __builtin_prefetch(&table_keys_[hash & mask]);
  // Known features, each once with its count: a small open-addressing set
  // keyed by feature index (cheaper than sorting them).
  size_t capacity = 64;
  while (capacity < hashes.size() * 2) capacity *= 2;
  std::vector<int32_t> slot_of(capacity, -1);
  std::vector<uint32_t> unique;
  std::vector<float> counts;
  unique.reserve(hashes.size());
  counts.reserve(hashes.size());
  for (uint64_t hash : hashes) {
    const int32_t index = Find(hash);
    if (index < 0) continue;
    size_t slot = (static_cast<uint32_t>(index) * 2654435761u) & (capacity - 1);
    while (slot_of[slot] >= 0 && unique[slot_of[slot]] != static_cast<uint32_t>(index)) {
      slot = (slot + 1) & (capacity - 1);
    }
    if (slot_of[slot] >= 0) {
      counts[slot_of[slot]] += 1;
      continue;
    }
    slot_of[slot] = static_cast<int32_t>(unique.size());
    unique.push_back(static_cast<uint32_t>(index));
    counts.push_back(1);
    // The row is needed in a moment; ask for it now.
    const char* row = reinterpret_cast<const char*>(weights_.data()) +
                      static_cast<size_t>(index) * static_cast<size_t>(num_labels_);
    for (int byte = 0; byte < num_labels_; byte += 64) __builtin_prefetch(row + byte);
  }
  std::fill(out, out + num_labels_, 0.0f);
  float norm = 0;
  for (size_t i = 0; i < unique.size(); ++i) {
    counts[i] = (1.0f + std::log(counts[i])) * idf_[unique[i]];  // now the TF-IDF value
    norm += counts[i] * counts[i];
  }
  if (!unique.empty()) {
    norm = 1.0f / std::sqrt(norm);
    for (size_t i = 0; i < unique.size(); ++i) {
      const float value = counts[i] * norm * scales_[unique[i]];
      const int8_t* row = weights_.data() + static_cast<size_t>(unique[i]) * num_labels_;
      for (int k = 0; k < num_labels_; ++k) out[k] += value * static_cast<float>(row[k]);
    }
  }
  // log sigmoid(x) = -log(1 + e^-x), written to stay finite for large |x|.
  for (int k = 0; k < num_labels_; ++k) {
    const float x = out[k];
    out[k] = x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
  }
}

void LinearModel::Save(std::ostream& out) const {
  out.write(kMagic, sizeof(kMagic));
  WriteRaw(out, static_cast<uint32_t>(num_labels_));
  WriteRaw(out, static_cast<uint64_t>(keys_.size()));
  WriteRaw(out, documents_);
  WriteVector(out, keys_);
  WriteVector(out, idf_);
  WriteVector(out, scales_);
  WriteVector(out, weights_);
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
  if (!ReadVector(in, model.keys_, features) || !ReadVector(in, model.idf_, features) ||
      !ReadVector(in, model.scales_, features) ||
      !ReadVector(in, model.weights_, features * labels)) {
    return Status::InvalidArgument("linear.bin: truncated");
  }
  model.BuildTable();
  return model;
}

}  // namespace candor::nlu::internal
