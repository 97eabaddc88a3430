// Trains the name tagger (internal/name_tagger.h) with liblinear on a
// GermEval 2014 file and writes the model that the scanner compiles in.
// Run through scripts/train-pii-name-tagger, on the development split only:
// the test split is for reporting.
//
//   pii_train_name_tagger --dev NER-de-dev.tsv --out data/pii/name_tagger.model
//
// The regularisation C and the probability threshold are chosen by five-fold
// cross-validation over the sentences of the same file: the highest word
// recall at a word precision of at least 0.90 (the goal is 0.85 for whole
// names, and the rules add findings of their own).
#include <linear.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "privacy/internal/detectors.h"
#include "privacy/internal/name_lexicon.h"
#include "privacy/internal/name_tagger.h"
#include "privacy/internal/prefilter.h"
#include "privacy/privacy.h"

namespace {

using candor::privacy::DatasetFormat;
using candor::privacy::LabeledText;
using candor::privacy::PiiType;
namespace internal = candor::privacy::internal;

constexpr uint32_t kBuckets = 1u << 18;
constexpr int kFolds = 5;
constexpr double kPrecisionGoal = 0.90;

struct Example {
  std::vector<feature_node> row;  // liblinear's sparse row, ending with index -1
  double label;                   // +1 a name, -1 not
  size_t sentence;
};

void Quiet(const char*) {}

// Every word in title case, as the scanner offers them to the tagger.
std::vector<Example> Examples(const std::vector<LabeledText>& texts) {
  internal::NameLexicon names;
  internal::Prefilter prefilter;
  std::vector<uint32_t> features;
  std::vector<Example> out;
  for (size_t t = 0; t < texts.size(); ++t) {
    std::string_view text = texts[t].text;
    prefilter.Run(text);
    size_t resume = 0;
    for (uint32_t start : prefilter.title_starts()) {
      const size_t k = start;
      if (k < resume) continue;
      const size_t e = internal::TaggedWordEnd(text, k);
      resume = e;
      if (!internal::MayBeNameWord(text, k, e)) continue;
      bool name = false;
      for (const auto& entity : texts[t].entities) {
        if (entity.type == PiiType::kName && k < entity.end && entity.start < e) name = true;
      }
      internal::NameFeatures(text, k, e, names, kBuckets, features);
      Example example{{}, name ? 1.0 : -1.0, t};
      for (uint32_t f : features) example.row.push_back(feature_node{static_cast<int>(f) + 1, 1.0});
      example.row.push_back(feature_node{-1, 0});
      out.push_back(std::move(example));
    }
  }
  return out;
}

// Weights for "a name" from a two-class model.
std::vector<double> NameWeights(const model* trained) {
  std::vector<double> w(kBuckets, 0.0);
  double sign = trained->label[0] == 1 ? 1.0 : -1.0;
  for (int f = 0; f < trained->nr_feature && f < static_cast<int>(kBuckets); ++f)
    w[static_cast<size_t>(f)] = sign * trained->w[f];
  return w;
}

model* Train(const std::vector<const Example*>& examples, double c) {
  std::vector<double> y;
  std::vector<feature_node*> x;
  for (const Example* e : examples) {
    y.push_back(e->label);
    x.push_back(const_cast<feature_node*>(e->row.data()));
  }
  problem p{};
  p.l = static_cast<int>(examples.size());
  p.n = static_cast<int>(kBuckets);
  p.y = y.data();
  p.x = x.data();
  p.bias = -1;
  parameter settings{};
  settings.solver_type = L2R_LR;
  settings.eps = 0.01;
  settings.C = c;
  if (const char* error = check_parameter(&p, &settings)) {
    std::fprintf(stderr, "liblinear: %s\n", error);
    return nullptr;
  }
  return train(&p, &settings);
}

double Probability(const std::vector<double>& w, const Example& e) {
  double sum = 0;
  for (const feature_node& f : e.row) {
    if (f.index < 0) break;
    sum += w[static_cast<size_t>(f.index - 1)];
  }
  return 1.0 / (1.0 + std::exp(-sum));
}

}  // namespace

int main(int argc, char** argv) {
  const char* dev = nullptr;
  const char* out_path = nullptr;
  for (int k = 1; k + 1 < argc; k += 2) {
    if (std::strcmp(argv[k], "--dev") == 0) dev = argv[k + 1];
    if (std::strcmp(argv[k], "--out") == 0) out_path = argv[k + 1];
  }
  if (dev == nullptr || out_path == nullptr) {
    std::fprintf(stderr, "usage: pii_train_name_tagger --dev NER-de-dev.tsv --out MODEL\n");
    return 2;
  }
  set_print_string_function(Quiet);
  auto texts = candor::privacy::LoadDataset(dev, DatasetFormat::kGermEval);
  if (!texts.ok()) {
    std::fprintf(stderr, "pii_train_name_tagger: %s\n", texts.status().message().c_str());
    return 1;
  }
  std::vector<Example> examples = Examples(*texts);
  size_t names = 0;
  for (const Example& e : examples) names += e.label > 0 ? 1 : 0;
  std::printf("%zu sentences, %zu words in title case, %zu of them in names\n", texts->size(),
              examples.size(), names);

  // Cross-validation: held-out probabilities for each C.
  double best_c = 1, best_threshold = 0.5, best_recall = -1, best_precision = 0;
  for (double c : {0.3, 1.0, 3.0, 10.0}) {
    std::vector<double> held_out(examples.size());
    for (int fold = 0; fold < kFolds; ++fold) {
      std::vector<const Example*> training;
      for (const Example& e : examples)
        if (static_cast<int>(e.sentence % kFolds) != fold) training.push_back(&e);
      model* trained = Train(training, c);
      if (trained == nullptr) return 1;
      std::vector<double> w = NameWeights(trained);
      free_and_destroy_model(&trained);
      for (size_t i = 0; i < examples.size(); ++i)
        if (static_cast<int>(examples[i].sentence % kFolds) == fold)
          held_out[i] = Probability(w, examples[i]);
    }
    for (int step = 5; step <= 95; ++step) {
      double threshold = step / 100.0;
      size_t tp = 0, fp = 0;
      for (size_t i = 0; i < examples.size(); ++i) {
        if (held_out[i] < threshold) continue;
        (examples[i].label > 0 ? tp : fp) += 1;
      }
      double precision =
          tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
      double recall = names == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(names);
      if (precision >= kPrecisionGoal && recall > best_recall) {
        best_recall = recall;
        best_precision = precision;
        best_c = c;
        best_threshold = threshold;
      }
    }
  }
  std::printf("cross-validated: C %.2f, threshold %.2f: word precision %.3f, recall %.3f\n", best_c,
              best_threshold, best_precision, best_recall);

  std::vector<const Example*> all;
  for (const Example& e : examples) all.push_back(&e);
  model* trained = Train(all, best_c);
  if (trained == nullptr) return 1;
  std::vector<double> w = NameWeights(trained);
  free_and_destroy_model(&trained);

  std::ofstream out(out_path);
  out << "# candor name tagger: logistic regression (liblinear, L2, C " << best_c
      << ") over hashed word features,\n"
      << "# trained on GermEval 2014's development split by scripts/train-pii-name-tagger.\n"
      << "# Five-fold cross-validation on that split: word precision " << best_precision
      << ", recall " << best_recall << ".\n"
      << "candor-name-tagger 1\n"
      << "buckets " << kBuckets << "\n"
      << "threshold " << best_threshold << "\n";
  size_t written = 0;
  char line[64];
  for (size_t f = 0; f < w.size(); ++f) {
    if (std::fabs(w[f]) < 1e-3) continue;
    std::snprintf(line, sizeof line, "%zu %.4g\n", f, w[f]);
    out << line;
    ++written;
  }
  if (!out) {
    std::fprintf(stderr, "pii_train_name_tagger: cannot write %s\n", out_path);
    return 1;
  }
  std::printf("wrote %s: %zu weights\n", out_path, written);
  return 0;
}
