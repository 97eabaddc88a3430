// Quality on public data sets (train split -> test split), as published
// systems are measured. The data lives beside the repository in
// ../shared/data and is never copied in; without it these tests skip.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "nlu/nlu.h"

namespace candor::nlu {
namespace {

const std::string kShared = CANDOR_SHARED_DATA;

TEST(Banking77, AccuracyOnTheTestSplit) {
  const std::string dir = kShared + "/banking77";
  if (!std::filesystem::exists(dir + "/train.csv")) {
    GTEST_SKIP() << "Banking77 not found at " << dir << "; skipping";
  }
  auto train = LoadDataset(dir + "/train.csv", Format::kCsv);
  auto test = LoadDataset(dir + "/test.csv", Format::kCsv);
  ASSERT_TRUE(train.ok() && test.ok());
  ASSERT_EQ(train->train.size(), 10003u);
  ASSERT_EQ(test->train.size(), 3080u);
  auto model = IntentModel::Train(train->train, {}, TrainOptions{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const Evaluation evaluation = Evaluate(*model, test->train);
  std::cout << "Banking77: accuracy " << evaluation.accuracy << ", macro-F1 " << evaluation.macro_f1
            << "\n";
  EXPECT_GE(evaluation.accuracy, 0.90);
}

TEST(Clinc150, InScopeAccuracyWithOutOfScopeRecall) {
  const std::string path = kShared + "/clinc150/data_full.json";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << "CLINC150 not found at " << path << "; skipping";
  auto data = LoadDataset(path, Format::kClinc);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto model = IntentModel::Train(data->train, data->validation, TrainOptions{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const Evaluation evaluation = Evaluate(*model, data->test);
  ASSERT_TRUE(evaluation.in_scope_accuracy && evaluation.oos_recall);
  std::cout << "CLINC150: in-scope accuracy " << *evaluation.in_scope_accuracy
            << ", out-of-scope recall " << *evaluation.oos_recall << ", precision "
            << *evaluation.oos_precision << ", threshold " << evaluation.threshold << "\n";
  EXPECT_GE(*evaluation.in_scope_accuracy, 0.90);
  EXPECT_GE(*evaluation.oos_recall, 0.50);
}

}  // namespace
}  // namespace candor::nlu
