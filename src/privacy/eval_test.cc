#include <gtest/gtest.h>

#include <cstdio>

#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

TEST(ParseLabeledLineTest, ReadsTextAndByteOffsetEntities) {
  Result<LabeledText> t = ParseLabeledLine(
      R"({"text": "IBAN DE89370400440532013000", "entities": [{"type": "iban", "start": 5, "end": 27}]})");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->entities.size(), 1u);
  EXPECT_EQ(t->entities[0].type, PiiType::kIban);
  EXPECT_EQ(t->entities[0].start, 5u);
}

TEST(ParseLabeledLineTest, RejectsUnknownTypeAndSpanOutsideText) {
  EXPECT_FALSE(
      ParseLabeledLine(R"({"text": "abc", "entities": [{"type": "ssn", "start": 0, "end": 1}]})")
          .ok());
  EXPECT_FALSE(
      ParseLabeledLine(R"({"text": "abc", "entities": [{"type": "iban", "start": 1, "end": 9}]})")
          .ok());
  EXPECT_FALSE(ParseLabeledLine("not json").ok());
}

TEST(ScoreTest, ComputesPrecisionRecallF1) {
  Score s{8, 2, 0};
  EXPECT_DOUBLE_EQ(s.Precision(), 0.8);
  EXPECT_DOUBLE_EQ(s.Recall(), 1.0);
  EXPECT_NEAR(s.F1(), 2 * 0.8 / 1.8, 1e-12);
}

TEST(EvaluatePiiTest, CountsExactSpanMatchesOnlyForTheRequestedTypes) {
  Result<PiiScanner> scanner = PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  std::vector<LabeledText> texts = {
      {"Mail a@b.de, Frau Weber", {{PiiType::kEmail, 5, 11}}},     // name not labelled
      {"IBAN DE89370400440532013000", {{PiiType::kIban, 5, 26}}},  // wrong end
  };
  std::vector<PiiType> types = {PiiType::kEmail, PiiType::kIban};
  Result<EvalReport> report = EvaluatePii(*scanner, texts, types);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->For(PiiType::kEmail).true_positives, 1u);
  EXPECT_EQ(report->For(PiiType::kIban).false_positives, 1u);
  EXPECT_EQ(report->For(PiiType::kIban).false_negatives, 1u);
  EXPECT_EQ(report->For(PiiType::kName).false_positives, 0u);  // not counted
  EXPECT_EQ(report->overall.true_positives, 1u);
}

// The figures candor promises on its own evaluation set (data/pii/eval.jsonl).
TEST(EvaluatePiiTest, MeetsTargetsOnTheCandorEvaluationSet) {
  Result<std::vector<LabeledText>> texts =
      LoadLabeledJsonl(CANDOR_SOURCE_DIR "/data/pii/eval.jsonl");
  ASSERT_TRUE(texts.ok()) << texts.status().ToString();
  ASSERT_GE(texts->size(), 300u);
  Result<PiiScanner> scanner = PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  Result<EvalReport> report = EvaluatePii(*scanner, *texts);
  ASSERT_TRUE(report.ok());
  for (PiiType t : kAllPiiTypes) {
    const Score& s = report->For(t);
    std::printf("%-10s tp=%4zu fp=%3zu fn=%3zu P=%.4f R=%.4f F1=%.4f\n",
                std::string(PiiTypeName(t)).c_str(), s.true_positives, s.false_positives,
                s.false_negatives, s.Precision(), s.Recall(), s.F1());
  }
  for (PiiType t :
       {PiiType::kIban, PiiType::kCard, PiiType::kEmail, PiiType::kPhone, PiiType::kTaxId}) {
    EXPECT_GE(report->For(t).Precision(), 0.98) << PiiTypeName(t);
    EXPECT_GE(report->For(t).Recall(), 0.99) << PiiTypeName(t);
  }
  EXPECT_GE(report->For(PiiType::kSecret).Recall(), 0.95);
}

}  // namespace
}  // namespace candor::privacy
