// Evaluation: exact-span precision, recall and F1 against labelled texts.
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "privacy/privacy.h"

namespace candor::privacy {

double Score::Precision() const {
  size_t predicted = true_positives + false_positives;
  return predicted == 0 ? 1.0
                        : static_cast<double>(true_positives) / static_cast<double>(predicted);
}

double Score::Recall() const {
  size_t expected = true_positives + false_negatives;
  return expected == 0 ? 1.0 : static_cast<double>(true_positives) / static_cast<double>(expected);
}

double Score::F1() const {
  double p = Precision(), r = Recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

Result<LabeledText> ParseLabeledLine(std::string_view json_line) {
  nlohmann::json doc = nlohmann::json::parse(json_line, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("not a JSON object");
  auto text = doc.find("text");
  if (text == doc.end() || !text->is_string()) {
    return Status::InvalidArgument("\"text\" must be a string", "text");
  }
  LabeledText labeled{text->get<std::string>(), {}};
  auto entities = doc.find("entities");
  if (entities == doc.end()) return labeled;
  if (!entities->is_array())
    return Status::InvalidArgument("\"entities\" must be an array", "entities");
  for (const nlohmann::json& e : *entities) {
    if (!e.is_object()) return Status::InvalidArgument("an entity must be an object", "entities");
    auto type = e.find("type");
    auto start = e.find("start");
    auto end = e.find("end");
    if (type == e.end() || !type->is_string() || start == e.end() || !start->is_number_unsigned() ||
        end == e.end() || !end->is_number_unsigned()) {
      return Status::InvalidArgument("an entity needs \"type\", \"start\" and \"end\"", "entities");
    }
    std::optional<PiiType> parsed = ParsePiiType(type->get<std::string>());
    if (!parsed)
      return Status::InvalidArgument("unknown type \"" + type->get<std::string>() + "\"", "type");
    size_t s = start->get<size_t>(), t = end->get<size_t>();
    if (s >= t || t > labeled.text.size()) {
      return Status::InvalidArgument("entity span out of range", "entities");
    }
    labeled.entities.push_back(LabeledSpan{*parsed, s, t});
  }
  return labeled;
}

Result<std::vector<LabeledText>> LoadLabeledJsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<LabeledText> texts;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<LabeledText> parsed = ParseLabeledLine(line);
    if (!parsed.ok()) {
      return Status::InvalidArgument(
          path + ":" + std::to_string(number) + ": " + parsed.status().message(),
          parsed.status().field());
    }
    texts.push_back(std::move(parsed).value());
  }
  if (in.bad()) return Status::IoError("cannot read " + path);
  return texts;
}

namespace {

size_t Overlap(size_t a_start, size_t a_end, size_t b_start, size_t b_end) {
  size_t start = std::max(a_start, b_start), end = std::min(a_end, b_end);
  return end > start ? end - start : 0;
}

// kHalfCovered: see privacy.h.
void ScoreHalfCovered(const std::vector<LabeledSpan>& expected,
                      const std::vector<LabeledSpan>& predicted, EvalReport& report) {
  for (const LabeledSpan& p : predicted) {
    bool right = false;
    for (const LabeledSpan& e : expected) {
      if (e.type != p.type) continue;
      size_t o = Overlap(p.start, p.end, e.start, e.end);
      right = right || 2 * o >= p.end - p.start || 2 * o >= e.end - e.start;
    }
    Score& s = report.by_type[static_cast<size_t>(p.type)];
    ++(right ? s.true_positives : s.false_positives);
  }
  // Recall counts labels: a label found adds nothing to precision's count.
  for (const LabeledSpan& e : expected) {
    bool found = false;
    for (const LabeledSpan& p : predicted) {
      if (p.type == e.type && 2 * Overlap(p.start, p.end, e.start, e.end) >= e.end - e.start)
        found = true;
    }
    if (!found) ++report.by_type[static_cast<size_t>(e.type)].false_negatives;
  }
}

}  // namespace

Result<EvalReport> EvaluatePii(const PiiScanner& scanner, std::span<const LabeledText> texts,
                               std::span<const PiiType> types, SpanMatch match) {
  Result<ScanScratch> scratch = scanner.NewScratch();
  if (!scratch.ok()) return scratch.status();
  std::array<bool, kPiiTypeCount> counted{};
  for (PiiType t : types) counted[static_cast<size_t>(t)] = true;

  EvalReport report;
  report.types.assign(types.begin(), types.end());
  using Key = std::tuple<PiiType, size_t, size_t>;
  for (const LabeledText& labeled : texts) {
    Result<std::vector<Finding>> findings = scanner.Scan(labeled.text, *scratch);
    if (!findings.ok()) return findings.status();
    ++report.texts;
    if (match == SpanMatch::kHalfCovered) {
      std::vector<LabeledSpan> expected, predicted;
      for (const LabeledSpan& s : labeled.entities) {
        if (counted[static_cast<size_t>(s.type)]) expected.push_back(s);
      }
      for (const Finding& f : *findings) {
        if (counted[static_cast<size_t>(f.type)])
          predicted.push_back(LabeledSpan{f.type, f.start, f.end});
      }
      ScoreHalfCovered(expected, predicted, report);
      continue;
    }
    std::set<Key> expected, predicted;
    for (const LabeledSpan& s : labeled.entities) {
      if (counted[static_cast<size_t>(s.type)]) expected.insert({s.type, s.start, s.end});
    }
    for (const Finding& f : *findings) {
      if (counted[static_cast<size_t>(f.type)]) predicted.insert({f.type, f.start, f.end});
    }
    for (const Key& k : predicted) {
      Score& s = report.by_type[static_cast<size_t>(std::get<0>(k))];
      if (expected.count(k)) {
        ++s.true_positives;
      } else {
        ++s.false_positives;
      }
    }
    for (const Key& k : expected) {
      if (!predicted.count(k))
        ++report.by_type[static_cast<size_t>(std::get<0>(k))].false_negatives;
    }
  }
  for (PiiType t : types) {
    const Score& s = report.For(t);
    report.overall.true_positives += s.true_positives;
    report.overall.false_positives += s.false_positives;
    report.overall.false_negatives += s.false_negatives;
  }
  return report;
}

}  // namespace candor::privacy
