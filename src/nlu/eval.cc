// Measuring an intent model on labelled data: the figures and the threshold curve.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "nlu/nlu.h"

namespace candor::nlu {
namespace {

struct Outcome {
  std::string_view gold;
  std::string_view best;  // the top label, before the threshold
  float confidence;
};

bool Rejected(const Outcome& outcome, double threshold) {
  return outcome.best == kOutOfScope || outcome.confidence < threshold;
}

std::string_view Decided(const Outcome& outcome, double threshold) {
  return Rejected(outcome, threshold) ? kOutOfScope : outcome.best;
}

nlohmann::json OptionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string EscapeXml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Evaluation Evaluate(const IntentModel& model, const std::vector<Example>& examples) {
  Evaluation evaluation;
  evaluation.examples = examples.size();
  evaluation.threshold = model.Threshold();
  const auto& labels = model.Info().labels;
  std::vector<Outcome> outcomes;
  outcomes.reserve(examples.size());
  for (const auto& example : examples) {
    auto scores = model.Scores(example.text);
    size_t best =
        static_cast<size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    outcomes.push_back({example.label, labels[best], scores[best]});
    if (example.label == kOutOfScope) ++evaluation.out_of_scope_examples;
  }
  if (outcomes.empty()) return evaluation;
  const bool has_oos = evaluation.out_of_scope_examples > 0;
  // Without out-of-scope examples, holding an answer back is never right or
  // wrong here: accuracy is the top label's, and what the threshold holds back
  // is reported on its own.
  const double threshold = has_oos ? evaluation.threshold : 0.0;

  size_t right = 0;
  std::map<std::string_view, std::array<size_t, 3>> counts;  // tp, fp, fn per label
  std::map<std::pair<std::string_view, std::string_view>, int> confusions;
  for (const auto& outcome : outcomes) {
    auto decided = Decided(outcome, threshold);
    counts[outcome.gold];  // every gold label is averaged over, even one never predicted
    if (decided == outcome.gold) {
      ++right;
      ++counts[decided][0];
    } else {
      ++counts[decided][1];
      ++counts[outcome.gold][2];
      ++confusions[{outcome.gold, decided}];
    }
  }
  evaluation.accuracy = static_cast<double>(right) / outcomes.size();
  std::set<std::string_view> gold_labels;
  for (const auto& outcome : outcomes) gold_labels.insert(outcome.gold);
  double f1_sum = 0;
  for (auto label : gold_labels) {
    const auto& [tp, fp, fn] = counts[label];
    f1_sum += tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }
  evaluation.macro_f1 = f1_sum / gold_labels.size();

  std::vector<Confusion> confused;
  for (const auto& [pair, count] : confusions) {
    confused.push_back({std::string(pair.first), std::string(pair.second), count});
  }
  std::stable_sort(confused.begin(), confused.end(),
                   [](const Confusion& a, const Confusion& b) { return a.count > b.count; });
  if (confused.size() > 10) confused.resize(10);
  evaluation.confused = std::move(confused);

  const size_t in_scope = outcomes.size() - evaluation.out_of_scope_examples;
  for (int step = 0; step <= 100; ++step) {
    const double t = step / 100.0;
    size_t in_scope_right = 0;
    size_t rejected_oos = 0;
    size_t rejected_in_scope = 0;
    for (const auto& outcome : outcomes) {
      const bool rejected = Rejected(outcome, t);
      if (outcome.gold == kOutOfScope) {
        rejected_oos += rejected;
      } else {
        in_scope_right += !rejected && outcome.best == outcome.gold;
        rejected_in_scope += rejected;
      }
    }
    ThresholdPoint point;
    point.threshold = t;
    point.in_scope_accuracy = in_scope == 0 ? 0 : static_cast<double>(in_scope_right) / in_scope;
    if (has_oos)
      point.oos_recall = static_cast<double>(rejected_oos) / evaluation.out_of_scope_examples;
    point.in_scope_rejected = in_scope == 0 ? 0 : static_cast<double>(rejected_in_scope) / in_scope;
    evaluation.curve.push_back(point);
  }

  for (const auto& point : evaluation.curve) {
    if (std::abs(point.threshold - evaluation.threshold) < 0.005) {
      evaluation.in_scope_held_back = point.in_scope_rejected;
    }
  }
  if (has_oos) {
    size_t in_scope_right = 0;
    size_t rejected = 0;
    size_t rejected_oos = 0;
    for (const auto& outcome : outcomes) {
      const bool is_rejected = Rejected(outcome, threshold);
      rejected += is_rejected;
      if (outcome.gold == kOutOfScope) {
        rejected_oos += is_rejected;
      } else {
        in_scope_right += !is_rejected && outcome.best == outcome.gold;
      }
    }
    evaluation.in_scope_accuracy =
        in_scope == 0 ? 0 : static_cast<double>(in_scope_right) / in_scope;
    evaluation.oos_recall = static_cast<double>(rejected_oos) / evaluation.out_of_scope_examples;
    evaluation.oos_precision = rejected == 0 ? 0 : static_cast<double>(rejected_oos) / rejected;
  }
  return evaluation;
}

void PrintEvaluation(const Evaluation& e, std::ostream& out) {
  auto optional = [](const std::optional<double>& value) {
    return value ? fmt::format("{:.4f}", *value) : std::string("-");
  };
  out << fmt::format("examples             {} ({} out of scope)\n", e.examples,
                     e.out_of_scope_examples);
  out << fmt::format("threshold            {:.2f}\n", e.threshold);
  out << fmt::format("accuracy             {:.4f}\n", e.accuracy);
  out << fmt::format("macro-F1             {:.4f}\n", e.macro_f1);
  out << fmt::format("in-scope accuracy    {}\n", optional(e.in_scope_accuracy));
  out << fmt::format("out-of-scope P / R   {} / {}\n", optional(e.oos_precision),
                     optional(e.oos_recall));
  out << fmt::format("in scope, held back  {:.4f} (below the threshold: \"I don't know\")\n",
                     e.in_scope_held_back);
  if (!e.confused.empty()) {
    out << "most confused (gold -> predicted)\n";
    for (const auto& c : e.confused) {
      out << fmt::format("  {:4}  {} -> {}\n", c.count, c.gold, c.predicted);
    }
  }
}

std::string EvaluationJson(const Evaluation& e) {
  nlohmann::json confused = nlohmann::json::array();
  for (const auto& c : e.confused) {
    confused.push_back({{"gold", c.gold}, {"predicted", c.predicted}, {"count", c.count}});
  }
  nlohmann::json json = {
      {"examples", e.examples},
      {"out_of_scope_examples", e.out_of_scope_examples},
      {"threshold", e.threshold},
      {"accuracy", e.accuracy},
      {"macro_f1", e.macro_f1},
      {"in_scope_accuracy", OptionalNumber(e.in_scope_accuracy)},
      {"oos_precision", OptionalNumber(e.oos_precision)},
      {"oos_recall", OptionalNumber(e.oos_recall)},
      {"in_scope_held_back", e.in_scope_held_back},
      {"confused", confused},
  };
  return json.dump();
}

std::string EvaluationSvg(const Evaluation& e, std::string_view title) {
  // Plot area 60..580 x 40..360; x: out-of-scope recall, y: in-scope accuracy.
  const double left = 60, right = 580, top = 40, bottom = 360;
  const bool has_oos = !e.curve.empty() && e.curve.front().oos_recall.has_value();
  auto x_of = [&](double v) { return left + v * (right - left); };
  auto y_of = [&](double v) { return bottom - v * (bottom - top); };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"420\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"640\" height=\"420\" fill=\"white\"/>\n"
      "<text x=\"320\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
      EscapeXml(title));
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{2}\" x2=\"{0:.1f}\" y2=\"{3}\" stroke=\"#eee\"/>"
        "<line x1=\"{4}\" y1=\"{1:.1f}\" x2=\"{5}\" y2=\"{1:.1f}\" stroke=\"#eee\"/>"
        "<text x=\"{0:.1f}\" y=\"378\" text-anchor=\"middle\">{6:.1f}</text>"
        "<text x=\"52\" y=\"{7:.1f}\" text-anchor=\"end\">{6:.1f}</text>\n",
        x_of(v), y_of(v), top, bottom, left, right, v, y_of(v) + 4);
  }
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", left,
      top, right - left, bottom - top);
  svg += fmt::format(
      "<text x=\"320\" y=\"400\" text-anchor=\"middle\">{}</text>\n"
      "<text x=\"16\" y=\"200\" text-anchor=\"middle\" transform=\"rotate(-90 16 200)\">"
      "in-scope accuracy</text>\n",
      has_oos ? "out-of-scope recall" : "in-scope messages held back (no out-of-scope examples)");
  std::string points;
  for (const auto& point : e.curve) {
    const double x = has_oos ? *point.oos_recall : point.in_scope_rejected;
    points += fmt::format("{:.1f},{:.1f} ", x_of(x), y_of(point.in_scope_accuracy));
  }
  svg += fmt::format(
      "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"{}\"/>\n", points);
  for (const auto& point : e.curve) {
    const int step = static_cast<int>(std::lround(point.threshold * 100));
    const bool chosen = std::abs(point.threshold - e.threshold) < 0.005;
    if (step % 10 != 0 && !chosen) continue;
    const double x = x_of(has_oos ? *point.oos_recall : point.in_scope_rejected);
    const double y = y_of(point.in_scope_accuracy);
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"/>", x, y,
                       chosen ? 5 : 3, chosen ? "#c0392b" : "#1f5fbf");
    svg +=
        fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"{}\">{}t={:.2f}</text>\n", x + 6, y - 6,
                    chosen ? "#c0392b" : "#555", chosen ? "chosen " : "", point.threshold);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace candor::nlu
