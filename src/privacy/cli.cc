// The functions behind `candor pii scan` and `candor pii eval`.
#include <algorithm>
#include <cstdio>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "core/text.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

std::string FormatRatio(double value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  return buffer;
}

nlohmann::json ScoreJson(const Score& s) {
  return {{"tp", s.true_positives},     {"fp", s.false_positives}, {"fn", s.false_negatives},
          {"precision", s.Precision()}, {"recall", s.Recall()},    {"f1", s.F1()}};
}

}  // namespace

int RunPiiScan(std::istream& in, std::ostream& out) {
  Result<PiiScanner> scanner = PiiScanner::Create();
  if (!scanner.ok()) {
    out << nlohmann::json{{"error", scanner.status().message()}}.dump() << "\n";
    return 1;
  }
  Result<ScanScratch> scratch = scanner->NewScratch();
  if (!scratch.ok()) {
    out << nlohmann::json{{"error", scratch.status().message()}}.dump() << "\n";
    return 1;
  }
  int exit_code = 0;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!IsValidUtf8(line)) {
      out << nlohmann::json{{"line", number}, {"error", "input is not valid UTF-8"}}.dump() << "\n";
      exit_code = 1;
      continue;
    }
    Result<std::vector<Finding>> findings = scanner->Scan(line, *scratch);
    if (!findings.ok()) {
      out << nlohmann::json{{"line", number}, {"error", findings.status().message()}}.dump()
          << "\n";
      exit_code = 1;
      continue;
    }
    PlaceholderMap map;
    MaskedText masked = Mask(line, *findings, map);
    nlohmann::json entities = nlohmann::json::array();
    for (const Finding& f : *findings) {
      entities.push_back({{"type", PiiTypeName(f.type)}, {"start", f.start}, {"end", f.end}});
    }
    nlohmann::json result = {{"masked", masked.text}, {"entities", std::move(entities)}};
    out << result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return exit_code;
}

int RunPiiEval(const std::string& path, bool json, std::ostream& out, DatasetFormat format) {
  Result<std::vector<LabeledText>> texts = LoadDataset(path, format);
  if (!texts.ok()) {
    out << "pii eval: " << texts.status().message() << "\n";
    return 1;
  }
  Result<PiiScanner> scanner = PiiScanner::Create();
  if (!scanner.ok()) {
    out << "pii eval: " << scanner.status().message() << "\n";
    return 1;
  }
  const std::vector<PiiType> types = DatasetTypes(format);
  Result<EvalReport> report =
      EvaluatePii(*scanner, *texts, types,
                  format == DatasetFormat::kJsonl ? SpanMatch::kExact : SpanMatch::kHalfCovered);
  if (!report.ok()) {
    out << "pii eval: " << report.status().message() << "\n";
    return 1;
  }
  // Names once more with the tagger, which is off by default.
  std::optional<Score> tagged;
  if (HasNameTaggerModel() &&
      std::find(types.begin(), types.end(), PiiType::kName) != types.end()) {
    ScannerOptions options;
    options.tag_names = true;
    Result<PiiScanner> tagging = PiiScanner::Create(options);
    const PiiType names[] = {PiiType::kName};
    Result<EvalReport> with_tagger =
        tagging.ok() ? EvaluatePii(*tagging, *texts, names,
                                   format == DatasetFormat::kJsonl ? SpanMatch::kExact
                                                                   : SpanMatch::kHalfCovered)
                     : Result<EvalReport>(tagging.status());
    if (!with_tagger.ok()) {
      out << "pii eval: " << with_tagger.status().message() << "\n";
      return 1;
    }
    tagged = with_tagger->For(PiiType::kName);
  }
  if (json) {
    nlohmann::json types = nlohmann::json::object();
    for (PiiType t : report->types) types[std::string(PiiTypeName(t))] = ScoreJson(report->For(t));
    nlohmann::json doc = {{"file", path},
                          {"texts", report->texts},
                          {"types", std::move(types)},
                          {"overall", ScoreJson(report->overall)}};
    if (tagged) doc["name_tagger"] = ScoreJson(*tagged);
    out << doc.dump() << "\n";
    return 0;
  }
  char row[160];
  std::snprintf(row, sizeof row, "%-11s %6s %6s %6s %9s %9s %9s\n", "type", "tp", "fp", "fn",
                "precision", "recall", "f1");
  out << path << ": " << report->texts << " texts\n" << row;
  auto print = [&](std::string_view name, const Score& s) {
    std::snprintf(row, sizeof row, "%-11.*s %6zu %6zu %6zu %9s %9s %9s\n",
                  static_cast<int>(name.size()), name.data(), s.true_positives, s.false_positives,
                  s.false_negatives, FormatRatio(s.Precision()).c_str(),
                  FormatRatio(s.Recall()).c_str(), FormatRatio(s.F1()).c_str());
    out << row;
  };
  for (PiiType t : report->types) print(PiiTypeName(t), report->For(t));
  print("overall", report->overall);
  if (tagged) print("name+tagger", *tagged);
  return 0;
}

}  // namespace candor::privacy
