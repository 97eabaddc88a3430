// `candor nlu train | eval | predict`.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/text.h"
#include "nlu/nlu.h"

namespace candor::nlu {
namespace {

int Fail(std::ostream& err, std::string_view command, const Status& status) {
  err << "candor nlu " << command << ": " << status.message() << '\n';
  return 1;
}

// A bar that redraws only when the whole percent changes.
class ProgressBar {
 public:
  // Not on a terminal (a CI log), it writes a line every 10 %.
  ProgressBar(std::ostream& err, bool interactive) : err_(err), interactive_(interactive) {}
  ~ProgressBar() {
    if (drawn_ && interactive_) err_ << '\n';
  }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(std::string_view phase, double fraction) {
    const int percent = static_cast<int>(fraction * 100);
    if (percent == percent_ && phase == phase_) return;
    if (!interactive_) {
      if (phase != phase_ || percent / 10 != percent_ / 10) {
        err_ << fmt::format("{:3}% {}\n", percent / 10 * 10, phase) << std::flush;
      }
      percent_ = percent;
      phase_ = phase;
      return;
    }
    if (drawn_ && phase != phase_) err_ << '\n';
    percent_ = percent;
    phase_ = phase;
    const int filled = percent * 30 / 100;
    err_ << fmt::format("\r[{}{}] {:3}% {}", std::string(filled, '#'),
                        std::string(30 - filled, ' '), percent, phase)
         << std::flush;
    drawn_ = true;
  }

 private:
  std::ostream& err_;
  const bool interactive_;
  std::string phase_;
  int percent_ = -1;
  bool drawn_ = false;
};

}  // namespace

int RunNluTrain(const TrainFlags& flags, std::ostream& out, std::ostream& err) {
  auto format = ParseFormat(flags.format);
  if (!format.ok()) return Fail(err, "train", format.status());
  if (flags.data.empty()) return Fail(err, "train", Status::InvalidArgument("--data is required"));
  std::vector<Example> train;
  std::vector<Example> validation;
  for (const auto& path : flags.data) {
    auto dataset = LoadDataset(path, *format);
    if (!dataset.ok()) return Fail(err, "train", dataset.status());
    train.insert(train.end(), dataset->train.begin(), dataset->train.end());
    validation.insert(validation.end(), dataset->validation.begin(), dataset->validation.end());
  }
  const auto start = std::chrono::steady_clock::now();
  Result<IntentModel> model = [&] {
    if (flags.quiet) return IntentModel::Train(train, validation, flags.options);
    ProgressBar bar(err, flags.interactive);
    return IntentModel::Train(train, validation, flags.options,
                              [&](std::string_view phase, double f) { bar.Update(phase, f); });
  }();
  if (!model.ok()) return Fail(err, "train", model.status());
  auto saved = model->Save(flags.out);
  if (!saved.ok()) return Fail(err, "train", saved);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& info = model->Info();
  out << fmt::format(
      "trained {} labels{} on {} examples ({} for calibration) in {:.1f} s\n"
      "ensemble weight {:.2f} (logistic regression) / {:.2f} (fastText), temperature {:.2f}, "
      "threshold {:.2f}\nmodel written to {}\n",
      info.labels.size(), info.has_out_of_scope_class ? " (with an out-of-scope class)" : "",
      info.train_examples, info.validation_examples, seconds, info.ensemble_weight,
      1 - info.ensemble_weight, info.temperature, info.threshold, flags.out);
  return 0;
}

int RunNluEval(const EvalFlags& flags, std::ostream& out, std::ostream& err) {
  auto format = ParseFormat(flags.format);
  if (!format.ok()) return Fail(err, "eval", format.status());
  auto model = IntentModel::Load(flags.model);
  if (!model.ok()) return Fail(err, "eval", model.status());
  auto dataset = LoadDataset(flags.data, *format);
  if (!dataset.ok()) return Fail(err, "eval", dataset.status());
  // CLINC150 carries its own test split; the other formats are all test data.
  const auto& examples = dataset->test.empty() ? dataset->train : dataset->test;
  const Evaluation evaluation = Evaluate(*model, examples);
  if (!flags.plot.empty()) {
    std::ofstream plot(flags.plot);
    plot << EvaluationSvg(evaluation, "candor nlu eval: " + flags.data);
    if (!plot.flush()) {
      return Fail(err, "eval", Status::IoError("cannot write the plot to " + flags.plot));
    }
  }
  if (flags.json) {
    out << EvaluationJson(evaluation) << '\n';
  } else {
    PrintEvaluation(evaluation, out);
    if (!flags.plot.empty()) out << "plot written to " << flags.plot << '\n';
  }
  return 0;
}

int RunNluPredict(const std::string& model_path, std::istream& in, std::ostream& out,
                  std::ostream& err) {
  auto model = IntentModel::Load(model_path);
  if (!model.ok()) return Fail(err, "predict", model.status());
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!IsValidUtf8(line)) {
      out << nlohmann::json{{"line", number}, {"error", "not valid UTF-8"}}.dump() << '\n';
      continue;
    }
    const Prediction prediction = model->Predict(line);
    out << nlohmann::json{{"language", LanguageCode(DetectLanguage(line, Language::kOther))},
                          {"label", prediction.label},
                          {"confidence", prediction.confidence},
                          {"in_scope", prediction.in_scope}}
               .dump()
        << '\n';
  }
  return 0;
}

}  // namespace candor::nlu
