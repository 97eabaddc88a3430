// Figures on presidio-research's synthetic English data set, for the types it
// shares with candor. The data lives in ../shared/data (never in the
// repository); without it the test is skipped with a message.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

const std::string kPath = CANDOR_SHARED_DATA "/presidio_synth/synth_dataset_v2.json";

// Presidio counts offsets in code points; candor in bytes.
size_t ByteOffset(const std::string& utf8, size_t code_points) {
  size_t bytes = 0;
  for (size_t seen = 0; bytes < utf8.size() && seen < code_points; ++bytes) {
    if ((static_cast<unsigned char>(utf8[bytes]) & 0xC0) != 0x80) ++seen;
    if (seen == code_points) {
      ++bytes;
      while (bytes < utf8.size() && (static_cast<unsigned char>(utf8[bytes]) & 0xC0) == 0x80)
        ++bytes;
      return bytes;
    }
  }
  return bytes;
}

std::vector<LabeledText> LoadPresidio() {
  const std::map<std::string, PiiType> kTypes = {{"EMAIL_ADDRESS", PiiType::kEmail},
                                                 {"PHONE_NUMBER", PiiType::kPhone},
                                                 {"IBAN_CODE", PiiType::kIban},
                                                 {"CREDIT_CARD", PiiType::kCard},
                                                 {"IP_ADDRESS", PiiType::kIp}};
  std::ifstream in(kPath);
  std::stringstream content;
  content << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(content.str(), nullptr, false);
  std::vector<LabeledText> texts;
  if (!doc.is_array()) return texts;
  for (const nlohmann::json& item : doc) {
    LabeledText t{item.at("full_text").get<std::string>(), {}};
    for (const nlohmann::json& span : item.at("spans")) {
      auto type = kTypes.find(span.at("entity_type").get<std::string>());
      if (type == kTypes.end()) continue;
      size_t start = ByteOffset(t.text, span.at("start_position").get<size_t>());
      size_t end = ByteOffset(t.text, span.at("end_position").get<size_t>());
      t.entities.push_back(LabeledSpan{type->second, start, end});
    }
    texts.push_back(std::move(t));
  }
  return texts;
}

TEST(PresidioSynthTest, ConvertsCodePointOffsetsToBytes) {
  std::string s = "Grüße a@b.de";  // ü and ß take two bytes each
  EXPECT_EQ(ByteOffset(s, 0), 0u);
  EXPECT_EQ(ByteOffset(s, 3), 4u);
  EXPECT_EQ(ByteOffset(s, 6), 8u);
}

void Report(const char* title, const EvalReport& report) {
  std::printf("presidio_synth (%s), %zu texts, exact span match\n", title, report.texts);
  for (PiiType t : report.types) {
    const Score& s = report.For(t);
    std::printf("  %-6s tp=%4zu fp=%3zu fn=%3zu P=%.4f R=%.4f F1=%.4f\n",
                std::string(PiiTypeName(t)).c_str(), s.true_positives, s.false_positives,
                s.false_negatives, s.Precision(), s.Recall(), s.F1());
  }
  const Score& o = report.overall;
  std::printf("  %-6s tp=%4zu fp=%3zu fn=%3zu P=%.4f R=%.4f F1=%.4f\n", "all", o.true_positives,
              o.false_positives, o.false_negatives, o.Precision(), o.Recall(), o.F1());
}

TEST(PresidioSynthTest, ReportsFiguresForTheSharedTypes) {
  if (!std::filesystem::exists(kPath)) {
    GTEST_SKIP() << "presidio_synth not found at " << kPath << " (it lives in ../shared/data)";
  }
  std::vector<LabeledText> texts = LoadPresidio();
  ASSERT_EQ(texts.size(), 1500u);
  const std::vector<PiiType> types = {PiiType::kEmail, PiiType::kPhone, PiiType::kIban,
                                      PiiType::kCard, PiiType::kIp};
  // The default region ("DE") is the one candor runs with. The data set's
  // phone numbers come from many countries, mostly in national formats
  // without a country code, which the scanner (by design) reads only for
  // the default region: expect a low phone recall here.
  Result<PiiScanner> scanner = PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  Result<EvalReport> report = EvaluatePii(*scanner, texts, types);
  ASSERT_TRUE(report.ok());
  Report("default region DE", *report);
  // Checksummed and syntactic types must stay exact on foreign data too.
  EXPECT_GE(report->For(PiiType::kIban).Precision(), 0.95);
  EXPECT_GE(report->For(PiiType::kCard).Precision(), 0.95);
  EXPECT_GE(report->For(PiiType::kEmail).Precision(), 0.95);
  EXPECT_GE(report->For(PiiType::kIp).Precision(), 0.95);
}

}  // namespace
}  // namespace candor::privacy
