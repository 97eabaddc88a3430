// nlu: understanding what a customer wants, and knowing when we don't.
//
//   DetectLanguage   de / en / other (CLD2)
//   IntentModel      an intent classifier trained from a deployment's own
//                    examples: fastText (subword n-grams, word bigrams) and a
//                    TF-IDF logistic regression (liblinear), combined
//                    log-linearly; the weight, a temperature and the
//                    out-of-scope threshold are chosen on a validation split
//   Evaluate         accuracy, macro-F1, in-scope accuracy, out-of-scope
//                    precision and recall, confusions, and the threshold curve
//
// The models read masked text (the protect stage runs first); placeholders
// such as [IBAN_1] become one token per type.
//
// Thread-safety: a loaded IntentModel is immutable; Predict and Scores may be
// called from any number of threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace candor::nlu {

// ---- language -------------------------------------------------------------

enum class Language { kGerman, kEnglish, kOther };
std::string_view LanguageCode(Language language);  // "de", "en", "other"

// `fallback` is returned when the text is too short or too mixed for CLD2 to
// be sure (a "hallo" or "ok" alone); a deployment passes its main language.
Language DetectLanguage(std::string_view text, Language fallback);

// ---- data -----------------------------------------------------------------

// The out-of-scope label in every format (CLINC150 names it so).
inline constexpr std::string_view kOutOfScope = "oos";

struct Example {
  std::string text;
  std::string label;  // an intent, or kOutOfScope
};

enum class Format { kCsv, kJsonl, kClinc };
Result<Format> ParseFormat(std::string_view name);

// A data set as its format defines it. csv (`text,category`, as Banking77)
// and jsonl (`{"text", "intent"}` or `{"text", "label"}`) put every row in
// `train`; clinc (CLINC150's data_full.json) fills all three splits and labels
// its oos_* rows kOutOfScope.
struct Dataset {
  std::vector<Example> train;
  std::vector<Example> validation;
  std::vector<Example> test;
};

// Errors name the file and the line (or JSON path) of the first bad record.
Result<Dataset> LoadDataset(const std::string& path, Format format);

// ---- the intent model -----------------------------------------------------

struct TrainOptions {
  uint32_t seed = 1;
  int epochs = 100;       // fastText epochs
  int dim = 50;           // fastText vector size
  int buckets = 100000;   // fastText hash buckets for n-grams (model size)
  double linear_c = 4.0;  // inverse regularisation of the logistic regression
  int min_documents = 2;  // a feature must occur in this many examples to count
  // Share of `train` held out for calibration when `validation` is empty;
  // both models are then trained again on all of `train`.
  double validation_share = 0.1;
  // How much validation in-scope accuracy the out-of-scope threshold may cost.
  double threshold_cost = 0.02;
  int threads = 2;  // the logistic regression's one-vs-rest classes
};

// Reports training progress in [0, 1] with the current phase's name.
using Progress = std::function<void(std::string_view phase, double fraction)>;

struct Prediction {
  std::string_view label;  // the best label (valid while the model lives)
  float confidence = 0;    // calibrated probability of `label`
  // False when the best label is kOutOfScope or the confidence is below the
  // model's threshold: the honest answer is then "I don't know".
  bool in_scope = false;
};

struct ModelInfo {
  std::vector<std::string> labels;
  bool has_out_of_scope_class = false;
  double ensemble_weight = 0;  // share of the logistic regression, in [0, 1]
  double temperature = 1;
  double threshold = 0;
  size_t train_examples = 0;
  size_t validation_examples = 0;
  std::string data_sha256;  // of the training and validation examples
};

class IntentModel {
 public:
  // `train` must hold at least two labels; `validation` may be empty (then a
  // stratified share of `train` is held out, see TrainOptions).
  static Result<IntentModel> Train(const std::vector<Example>& train,
                                   const std::vector<Example>& validation,
                                   const TrainOptions& options, const Progress& progress = {});
  // `directory` holds model.json, fasttext.bin and linear.bin.
  static Result<IntentModel> Load(const std::string& directory);
  Status Save(const std::string& directory) const;

  IntentModel(IntentModel&&) noexcept;
  IntentModel& operator=(IntentModel&&) noexcept;
  ~IntentModel();

  Prediction Predict(std::string_view text) const;
  // The calibrated probability of every label, in ModelInfo::labels order.
  std::vector<float> Scores(std::string_view text) const;
  const ModelInfo& Info() const;
  // Threshold the model applies; Evaluate sweeps it.
  double Threshold() const { return Info().threshold; }

  struct Impl;

 private:
  explicit IntentModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- the understand stage's view --------------------------------------------

struct Understanding {
  Language language = Language::kOther;
  std::string intent;  // the most likely intent, even when out of scope
  float confidence = 0;
  bool in_scope = false;  // false: "I don't know"
  float distress = 0;     // probability of the "distress" label, in [0, 1]
};

// Language, intent and distress for one masked message.
class Understander {
 public:
  // `distress_model` is an IntentModel with a "distress" label (and "calm").
  static Result<Understander> Load(const std::string& intent_model,
                                   const std::string& distress_model, Language fallback);
  Understanding Understand(std::string_view masked_text) const;
  // Names the models by the digests of their training data ("a1b2c3d4/e5f6a7b8").
  const std::string& ModelId() const { return model_id_; }

 private:
  Understander(IntentModel intents, IntentModel distress, size_t distress_label, Language fallback);
  IntentModel intents_;
  IntentModel distress_;
  size_t distress_label_;
  Language fallback_;
  std::string model_id_;
};

// ---- evaluation -----------------------------------------------------------

struct ThresholdPoint {
  double threshold = 0;
  double in_scope_accuracy = 0;
  std::optional<double> oos_recall;  // without out-of-scope examples: none
  double in_scope_rejected = 0;      // share of in-scope examples held back
};

struct Confusion {
  std::string gold;
  std::string predicted;
  int count = 0;
};

struct Evaluation {
  size_t examples = 0;
  size_t out_of_scope_examples = 0;
  double threshold = 0;  // the model's own
  // With out-of-scope examples a held-back answer counts as kOutOfScope;
  // without them, accuracy and macro-F1 are the top label's.
  double accuracy = 0;
  double macro_f1 = 0;            // over the gold labels (kOutOfScope included)
  double in_scope_held_back = 0;  // share of in-scope examples below the threshold
  // With out-of-scope examples only:
  std::optional<double> in_scope_accuracy;  // right intent and not rejected
  std::optional<double> oos_precision;
  std::optional<double> oos_recall;
  std::vector<Confusion> confused;    // most frequent first, at most 10
  std::vector<ThresholdPoint> curve;  // thresholds 0.00 .. 1.00
};

Evaluation Evaluate(const IntentModel& model, const std::vector<Example>& examples);
void PrintEvaluation(const Evaluation& evaluation, std::ostream& out);
std::string EvaluationJson(const Evaluation& evaluation);
// In-scope accuracy against out-of-scope recall (or, without out-of-scope
// examples, against the share of in-scope messages rejected) over the threshold.
std::string EvaluationSvg(const Evaluation& evaluation, std::string_view title);

// ---- command line ---------------------------------------------------------

struct TrainFlags {
  std::vector<std::string> data;
  std::string format;
  std::string out;
  TrainOptions options;
  bool quiet = false;
  bool interactive = false;  // a terminal: redraw the progress bar in place
};
int RunNluTrain(const TrainFlags& flags, std::ostream& out, std::ostream& err);

struct EvalFlags {
  std::string model;
  std::string data;
  std::string format;
  std::string plot;  // the SVG file to write; empty: none
  bool json = false;
};
int RunNluEval(const EvalFlags& flags, std::ostream& out, std::ostream& err);

// Reads lines on `in`; writes {"language","label","confidence","in_scope"}.
int RunNluPredict(const std::string& model, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace candor::nlu
