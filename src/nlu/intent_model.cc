// The intent ensemble: training, calibration on a validation split, files.
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "nlu/internal/fasttext_model.h"
#include "nlu/internal/linear.h"
#include "nlu/internal/text.h"
#include "nlu/internal/vector_math.h"
#include "nlu/nlu.h"

namespace candor::nlu {

using internal::FastTextModel;
using internal::LinearModel;
using internal::NormalizeForModel;

namespace {

constexpr std::string_view kFormatName = "candor-nlu-1";

struct Encoded {
  std::vector<std::string> texts;  // normalised
  std::vector<int> labels;
};

Encoded Encode(const std::vector<Example>& examples, const std::map<std::string, int>& index) {
  Encoded encoded;
  for (const auto& example : examples) {
    auto found = index.find(example.label);
    if (found == index.end()) continue;  // validation labels unseen in training
    encoded.texts.push_back(NormalizeForModel(example.text));
    encoded.labels.push_back(found->second);
  }
  return encoded;
}

// Holds out `share` of each label's examples (at least one when it has five
// or more), shuffled by `seed`, so every intent is calibrated on.
void SplitStratified(const Encoded& all, double share, uint32_t seed, Encoded& fit,
                     Encoded& held_out) {
  std::map<int, std::vector<size_t>> by_label;
  for (size_t i = 0; i < all.labels.size(); ++i) by_label[all.labels[i]].push_back(i);
  std::mt19937 random(seed);
  std::vector<bool> hold(all.labels.size(), false);
  for (auto& [label, indices] : by_label) {
    std::shuffle(indices.begin(), indices.end(), random);
    size_t count = static_cast<size_t>(std::lround(share * static_cast<double>(indices.size())));
    if (count == 0 && indices.size() >= 5) count = 1;
    for (size_t i = 0; i < count; ++i) hold[indices[i]] = true;
  }
  for (size_t i = 0; i < all.labels.size(); ++i) {
    Encoded& into = hold[i] ? held_out : fit;
    into.texts.push_back(all.texts[i]);
    into.labels.push_back(all.labels[i]);
  }
}

std::string DataDigest(const std::vector<Example>& train, const std::vector<Example>& validation) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (const auto* examples : {&train, &validation}) {
    for (const auto& example : *examples) {
      std::string record = example.text + '\t' + example.label + '\n';
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(record.data()),
                                record.size());
    }
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>("\f"), 1);
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

// Both models' scores for one text, one per label.
struct Votes {
  std::vector<float> linear;
  std::vector<float> fasttext;
};

// The calibrated distribution: a softmax over a weighted sum of the two
// models' scores (fastText's logits, the regression's per-class scores),
// sharpened or softened by the temperature.
void Combine(const Votes& votes, double weight, double temperature, std::vector<float>& out) {
  out.resize(votes.linear.size());
  internal::WeightedSoftmax(votes.linear.data(), votes.fasttext.data(),
                            static_cast<float>(weight / temperature),
                            static_cast<float>((1 - weight) / temperature), out.data(), out.size());
}

size_t ArgMax(const std::vector<float>& values) {
  return static_cast<size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

}  // namespace

struct IntentModel::Impl {
  ModelInfo info;
  TrainOptions options;
  int out_of_scope = -1;  // label index of kOutOfScope, if trained with it
  std::optional<LinearModel> linear;
  std::optional<FastTextModel> fasttext;

  Votes Vote(std::string_view text) const { return VoteNormalized(NormalizeForModel(text)); }
  Votes VoteNormalized(const std::string& normalized) const {
    Votes votes;
    votes.linear.resize(info.labels.size());
    votes.fasttext.resize(info.labels.size());
    linear->LogScores(normalized, votes.linear.data());
    fasttext->LogScores(normalized, votes.fasttext.data());
    return votes;
  }

  // Trains both models at once: fastText on its own thread, the regression on the rest.
  Status Fit(const Encoded& data, const Progress& progress, std::string_view phase) {
    std::mutex progress_mutex;
    double fasttext_done = 0;
    double linear_done = 0;
    auto report = [&](double* which, double fraction) {
      if (!progress) return;
      std::lock_guard lock(progress_mutex);
      *which = fraction;
      progress(phase, (fasttext_done + linear_done) / 2);
    };
    internal::FastTextOptions fasttext_options{options.seed, options.epochs, options.dim,
                                               options.buckets};
    std::optional<Result<FastTextModel>> fasttext_result;
    std::thread fasttext_thread([&] {
      fasttext_result.emplace(FastTextModel::Train(data.texts, data.labels, info.labels,
                                                   fasttext_options,
                                                   [&](double f) { report(&fasttext_done, f); }));
    });
    auto linear_result = LinearModel::Train(data.texts, data.labels,
                                            static_cast<int>(info.labels.size()), options.linear_c,
                                            options.min_documents, std::max(1, options.threads - 1),
                                            [&](double f) { report(&linear_done, f); });
    fasttext_thread.join();
    if (!linear_result.ok()) return linear_result.status();
    if (!fasttext_result->ok()) return fasttext_result->status();
    linear.emplace(std::move(*linear_result));
    fasttext.emplace(std::move(**fasttext_result));
    return Status::Ok();
  }

  // Chooses the ensemble weight (accuracy), the temperature (likelihood) and
  // the threshold (the most it can reject for `threshold_cost` of in-scope
  // accuracy) on held-out examples.
  void Calibrate(const Encoded& held_out) {
    std::vector<Votes> votes;
    votes.reserve(held_out.texts.size());
    for (const auto& text : held_out.texts) votes.push_back(VoteNormalized(text));
    std::vector<float> combined;

    double best_accuracy = -1;
    for (int step = 0; step <= 20; ++step) {
      const double weight = step / 20.0;
      size_t right = 0;
      for (size_t i = 0; i < votes.size(); ++i) {
        Combine(votes[i], weight, 1.0, combined);
        right += static_cast<int>(ArgMax(combined)) == held_out.labels[i];
      }
      const double accuracy = votes.empty() ? 0 : static_cast<double>(right) / votes.size();
      // Ties go to the more even mix: two models disagreeing is information.
      if (accuracy > best_accuracy + 1e-12 ||
          (std::abs(accuracy - best_accuracy) <= 1e-12 &&
           std::abs(weight - 0.5) < std::abs(info.ensemble_weight - 0.5))) {
        best_accuracy = accuracy;
        info.ensemble_weight = weight;
      }
    }

    double best_loss = 1e300;
    for (double temperature = 0.1; temperature <= 3.0001; temperature += 0.05) {
      double loss = 0;
      for (size_t i = 0; i < votes.size(); ++i) {
        Combine(votes[i], info.ensemble_weight, temperature, combined);
        loss -= std::log(std::max(combined[held_out.labels[i]], 1e-30f));
      }
      if (loss < best_loss) {
        best_loss = loss;
        info.temperature = temperature;
      }
    }

    // In-scope accuracy at each threshold t: right, confident enough, and not "oos".
    std::vector<size_t> right_at(101, 0);
    size_t in_scope = 0;
    for (size_t i = 0; i < votes.size(); ++i) {
      if (held_out.labels[i] == out_of_scope) continue;
      ++in_scope;
      Combine(votes[i], info.ensemble_weight, info.temperature, combined);
      const size_t best = ArgMax(combined);
      if (static_cast<int>(best) != held_out.labels[i]) continue;
      for (int t = 0; t <= 100; ++t) {
        if (combined[best] >= t / 100.0) ++right_at[t];
      }
    }
    info.threshold = 0;
    if (in_scope == 0) return;
    const double base = static_cast<double>(right_at[0]) / in_scope;
    for (int t = 0; t <= 100; ++t) {
      if (static_cast<double>(right_at[t]) / in_scope >= base - options.threshold_cost) {
        info.threshold = t / 100.0;
      }
    }
  }
};

IntentModel::IntentModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IntentModel::IntentModel(IntentModel&&) noexcept = default;
IntentModel& IntentModel::operator=(IntentModel&&) noexcept = default;
IntentModel::~IntentModel() = default;

const ModelInfo& IntentModel::Info() const { return impl_->info; }

Result<IntentModel> IntentModel::Train(const std::vector<Example>& train,
                                       const std::vector<Example>& validation,
                                       const TrainOptions& options, const Progress& progress) {
  if (options.epochs < 1 || options.dim < 1 || options.buckets < 0 || options.linear_c <= 0 ||
      options.validation_share < 0 || options.validation_share >= 1) {
    return Status::InvalidArgument("training options out of range");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::map<std::string, int> index;
  for (const auto& example : train) index.emplace(example.label, 0);
  if (index.size() < 2) {
    return Status::InvalidArgument("training data needs at least two labels, found " +
                                   std::to_string(index.size()));
  }
  for (auto& [label, number] : index) {
    number = static_cast<int>(impl->info.labels.size());
    impl->info.labels.push_back(label);
  }
  if (auto oos = index.find(std::string(kOutOfScope)); oos != index.end()) {
    impl->out_of_scope = oos->second;
    impl->info.has_out_of_scope_class = true;
  }
  impl->info.data_sha256 = DataDigest(train, validation);

  Encoded all = Encode(train, index);
  if (validation.empty()) {
    Encoded fit;
    Encoded held_out;
    SplitStratified(all, options.validation_share, options.seed, fit, held_out);
    CANDOR_RETURN_IF_ERROR(impl->Fit(fit, progress, "calibration models"));
    impl->Calibrate(held_out);
    impl->info.validation_examples = held_out.texts.size();
    // Calibrated; now learn from every example.
    CANDOR_RETURN_IF_ERROR(impl->Fit(all, progress, "final models"));
  } else {
    Encoded held_out = Encode(validation, index);
    CANDOR_RETURN_IF_ERROR(impl->Fit(all, progress, "models"));
    impl->Calibrate(held_out);
    impl->info.validation_examples = held_out.texts.size();
  }
  impl->info.train_examples = all.texts.size();
  return IntentModel(std::move(impl));
}

std::vector<float> IntentModel::Scores(std::string_view text) const {
  std::vector<float> scores;
  Combine(impl_->Vote(text), impl_->info.ensemble_weight, impl_->info.temperature, scores);
  return scores;
}

Prediction IntentModel::Predict(std::string_view text) const {
  const auto scores = Scores(text);
  const size_t best = ArgMax(scores);
  Prediction prediction;
  prediction.label = impl_->info.labels[best];
  prediction.confidence = scores[best];
  prediction.in_scope =
      static_cast<int>(best) != impl_->out_of_scope && scores[best] >= impl_->info.threshold;
  return prediction;
}

Status IntentModel::Save(const std::string& directory) const {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return Status::IoError("cannot create " + directory + ": " + error.message());
  const auto& info = impl_->info;
  const auto& options = impl_->options;
  nlohmann::json json = {
      {"format", kFormatName},
      {"labels", info.labels},
      {"out_of_scope_label", info.has_out_of_scope_class ? nlohmann::json(kOutOfScope) : nullptr},
      {"ensemble_weight", info.ensemble_weight},
      {"temperature", info.temperature},
      {"threshold", info.threshold},
      {"train_examples", info.train_examples},
      {"validation_examples", info.validation_examples},
      {"data_sha256", info.data_sha256},
      {"options",
       {{"seed", options.seed},
        {"epochs", options.epochs},
        {"dim", options.dim},
        {"buckets", options.buckets},
        {"linear_c", options.linear_c},
        {"min_documents", options.min_documents},
        {"validation_share", options.validation_share},
        {"threshold_cost", options.threshold_cost}}},
  };
  const std::filesystem::path root(directory);
  {
    std::ofstream out(root / "model.json");
    out << json.dump(2) << '\n';
    if (!out.flush()) return Status::IoError("cannot write " + (root / "model.json").string());
  }
  {
    std::ofstream out(root / "linear.bin", std::ios::binary);
    impl_->linear->Save(out);
    if (!out.flush()) return Status::IoError("cannot write " + (root / "linear.bin").string());
  }
  return impl_->fasttext->Save((root / "fasttext.bin").string());
}

Result<IntentModel> IntentModel::Load(const std::string& directory) {
  const std::filesystem::path root(directory);
  std::ifstream json_in(root / "model.json");
  if (!json_in) return Status::NotFound("no model at " + directory + " (model.json is missing)");
  auto json = nlohmann::json::parse(json_in, nullptr, false);
  if (json.is_discarded() || !json.is_object() || json.value("format", "") != kFormatName) {
    return Status::InvalidArgument((root / "model.json").string() + ": not a " +
                                   std::string(kFormatName) + " model");
  }
  auto impl = std::make_unique<Impl>();
  auto& info = impl->info;
  try {
    info.labels = json.at("labels").get<std::vector<std::string>>();
    info.ensemble_weight = json.at("ensemble_weight").get<double>();
    info.temperature = json.at("temperature").get<double>();
    info.threshold = json.at("threshold").get<double>();
    info.train_examples = json.at("train_examples").get<size_t>();
    info.validation_examples = json.at("validation_examples").get<size_t>();
    info.data_sha256 = json.at("data_sha256").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument((root / "model.json").string() + ": " + e.what());
  }
  if (info.labels.size() < 2 || info.temperature <= 0) {
    return Status::InvalidArgument((root / "model.json").string() + ": bad labels or temperature");
  }
  for (size_t i = 0; i < info.labels.size(); ++i) {
    if (info.labels[i] == kOutOfScope) {
      impl->out_of_scope = static_cast<int>(i);
      info.has_out_of_scope_class = true;
    }
  }
  std::ifstream linear_in(root / "linear.bin", std::ios::binary);
  if (!linear_in) return Status::NotFound("no linear.bin in " + directory);
  auto linear = LinearModel::Load(linear_in);
  if (!linear.ok()) return linear.status();
  if (linear->NumLabels() != static_cast<int>(info.labels.size())) {
    return Status::InvalidArgument("linear.bin and model.json disagree on the labels");
  }
  impl->linear.emplace(std::move(*linear));
  auto fasttext = FastTextModel::Load((root / "fasttext.bin").string(), info.labels);
  if (!fasttext.ok()) return fasttext.status();
  impl->fasttext.emplace(std::move(*fasttext));
  return IntentModel(std::move(impl));
}

}  // namespace candor::nlu
