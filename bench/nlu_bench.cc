// Loads an intent model and classifies a data set's test examples on one
// thread: model load time, predictions per second, and the quality figures.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nlu/nlu.h"

int main(int argc, char** argv) {
  CLI::App app{"nlu_bench: load time and predictions per second of a candor intent model"};
  std::string model_path, data, format, name;
  double seconds = 3.0;
  app.add_option("--model", model_path)->required();
  app.add_option("--data", data)->required();
  app.add_option("--format", format)->required();
  app.add_option("--name", name, "data set name for the JSON output");
  app.add_option("--seconds", seconds, "how long to keep predicting");
  CLI11_PARSE(app, argc, argv);
  using Clock = std::chrono::steady_clock;
  auto elapsed = [](Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
  };

  auto start = Clock::now();
  auto model = candor::nlu::IntentModel::Load(model_path);
  const double load_seconds = elapsed(start);
  if (!model.ok()) {
    std::cerr << model.status().message() << "\n";
    return 1;
  }
  auto format_value = candor::nlu::ParseFormat(format);
  if (!format_value.ok()) return 2;
  auto dataset = candor::nlu::LoadDataset(data, *format_value);
  if (!dataset.ok()) {
    std::cerr << dataset.status().message() << "\n";
    return 1;
  }
  const auto& examples = dataset->test.empty() ? dataset->train : dataset->test;
  const auto evaluation = candor::nlu::Evaluate(*model, examples);  // also warms the caches

  size_t predictions = 0;
  size_t in_scope = 0;  // keeps the work from being optimised away
  start = Clock::now();
  while (elapsed(start) < seconds) {
    for (const auto& example : examples) in_scope += model->Predict(example.text).in_scope;
    predictions += examples.size();
  }
  const double per_second = static_cast<double>(predictions) / elapsed(start);
  auto optional = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json out = {
      {"system", "candor"},
      {"dataset", name},
      {"accuracy", evaluation.accuracy},
      {"macro_f1", evaluation.macro_f1},
      {"in_scope_accuracy", optional(evaluation.in_scope_accuracy)},
      {"oos_recall", optional(evaluation.oos_recall)},
      {"oos_precision", optional(evaluation.oos_precision)},
      {"predictions_per_second", per_second},
      {"model_load_seconds", load_seconds},
      {"in_scope_predictions", in_scope},
  };
  std::cout << out.dump() << "\n";
  return 0;
}
