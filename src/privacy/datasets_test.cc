// The public evaluation sets: the loaders on small files written here, and
// the figures on the real sets in ../shared/data (skipped with a message when
// that folder is absent). The real sets are for measuring only: nothing in
// the scanner is tuned on them.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

std::string SharedData() {
  const char* overridden = std::getenv("CANDOR_SHARED_DATA");
  return overridden != nullptr ? overridden : CANDOR_SHARED_DATA;
}

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("candor_datasets_test_" + std::to_string(::getpid()) + "_" + name))
                         .string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(DatasetsTest, ReadsGermEvalPersonsAsNameSpans) {
  std::string path = WriteTemp("germeval.tsv",
                               "#\thttp://example.org\t[2010-01-01]\n"
                               "1\tGestern\tO\tO\n2\tsagte\tO\tO\n3\tAngela\tB-PER\tO\n"
                               "4\tMerkel\tI-PER\tO\n5\tin\tO\tO\n6\tBerlin\tB-LOC\tO\n"
                               "7\tzu\tO\tO\n8\tObama\tB-PER\tO\n9\t.\tO\tO\n\n"
                               "1\tMerkels\tB-PERderiv\tO\n2\tRede\tO\tO\n\n");
  Result<std::vector<LabeledText>> texts = LoadDataset(path, DatasetFormat::kGermEval);
  std::filesystem::remove(path);
  ASSERT_TRUE(texts.ok()) << texts.status().ToString();
  ASSERT_EQ(texts->size(), 2u);
  const LabeledText& t = (*texts)[0];
  EXPECT_EQ(t.text, "Gestern sagte Angela Merkel in Berlin zu Obama .");
  ASSERT_EQ(t.entities.size(), 2u);
  EXPECT_EQ(t.text.substr(t.entities[0].start, t.entities[0].end - t.entities[0].start),
            "Angela Merkel");
  EXPECT_EQ(t.text.substr(t.entities[1].start, t.entities[1].end - t.entities[1].start), "Obama");
  EXPECT_TRUE((*texts)[1].entities.empty());  // a derived adjective is no name
}

TEST(DatasetsTest, ReadsWnutPersonsAndRejectsALineWithoutATag) {
  std::string good = WriteTemp("wnut.txt", "thanks\tO\njohn\tB-person\nsmith\tI-person\n!\tO\n");
  Result<std::vector<LabeledText>> texts = LoadDataset(good, DatasetFormat::kWnut17);
  std::filesystem::remove(good);
  ASSERT_TRUE(texts.ok());
  ASSERT_EQ(texts->size(), 1u);
  ASSERT_EQ((*texts)[0].entities.size(), 1u);
  EXPECT_EQ((*texts)[0].entities[0].start, 7u);
  EXPECT_EQ((*texts)[0].entities[0].end, 17u);

  std::string bad = WriteTemp("wnut_bad.txt", "thanks\tO\njohn\n");
  Result<std::vector<LabeledText>> failed = LoadDataset(bad, DatasetFormat::kWnut17);
  std::filesystem::remove(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find(":2:"), std::string::npos);
}

TEST(DatasetsTest, HalfCoveredMatchingCountsAFindingThatCoversMostOfALabel) {
  Result<PiiScanner> scanner = PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  // Labelled with the salutation, found without it: found under kHalfCovered
  // ("Schmidt" is 7 of the 12 bytes), missed under kExact.
  std::vector<LabeledText> texts = {
      {"Bitte an Herr Schmidt weiterleiten", {{PiiType::kName, 9, 21}}}};
  const std::vector<PiiType> types = {PiiType::kName};
  Result<EvalReport> half = EvaluatePii(*scanner, texts, types, SpanMatch::kHalfCovered);
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->For(PiiType::kName).true_positives, 1u);
  EXPECT_EQ(half->For(PiiType::kName).false_negatives, 0u);
  Result<EvalReport> exact = EvaluatePii(*scanner, texts, types, SpanMatch::kExact);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->For(PiiType::kName).false_negatives, 1u);
}

void Report(const char* title, const EvalReport& report) {
  std::printf("%s: %zu texts, a label found when one finding covers half of it\n", title,
              report.texts);
  for (PiiType t : report.types) {
    const Score& s = report.For(t);
    if (s.true_positives + s.false_positives + s.false_negatives == 0) continue;
    std::printf("  %-8s tp=%5zu fp=%5zu fn=%5zu P=%.3f R=%.3f F1=%.3f\n",
                std::string(PiiTypeName(t)).c_str(), s.true_positives, s.false_positives,
                s.false_negatives, s.Precision(), s.Recall(), s.F1());
  }
}

struct PublicSet {
  const char* file;
  DatasetFormat format;
};

class PublicSetTest : public ::testing::TestWithParam<PublicSet> {};

TEST_P(PublicSetTest, ReportsRecallAndPrecisionPerType) {
  const std::string path = SharedData() + "/" + GetParam().file;
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << path << " not found (the public sets live in ../shared/data, or set "
                 << "CANDOR_SHARED_DATA)";
  }
  Result<std::vector<LabeledText>> texts = LoadDataset(path, GetParam().format);
  ASSERT_TRUE(texts.ok()) << texts.status().ToString();
  ASSERT_FALSE(texts->empty());
  Result<PiiScanner> scanner = PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  const std::vector<PiiType> types = DatasetTypes(GetParam().format);
  Result<EvalReport> report = EvaluatePii(*scanner, *texts, types, SpanMatch::kHalfCovered);
  ASSERT_TRUE(report.ok());
  Report(GetParam().file, *report);
  // Names are found at all (WNUT's are mostly written in lower case, which
  // only a cue lets the scanner read), and what is masked is mostly a name.
  EXPECT_GT(report->For(PiiType::kName).Recall(), 0.1);
  EXPECT_GT(report->For(PiiType::kName).Precision(), 0.5);
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, PublicSetTest,
    ::testing::Values(PublicSet{"germeval2014/NER-de-test.tsv", DatasetFormat::kGermEval},
                      PublicSet{"wnut17/emerging.test.annotated", DatasetFormat::kWnut17},
                      PublicSet{"presidio_synth/synth_dataset_v2.json", DatasetFormat::kPresidio}),
    [](const ::testing::TestParamInfo<PublicSet>& info) {
      switch (info.param.format) {
        case DatasetFormat::kGermEval:
          return std::string("GermEvalTest");
        case DatasetFormat::kWnut17:
          return std::string("Wnut17Test");
        case DatasetFormat::kPresidio:
          return std::string("PresidioSynth");
        case DatasetFormat::kJsonl:
          break;
      }
      return std::string("Jsonl");
    });

}  // namespace
}  // namespace candor::privacy
