#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

TEST(RunPiiScanTest, WritesOneJsonObjectPerLineWithByteOffsets) {
  std::istringstream in("Meine IBAN ist DE89 3704 0044 0532 0130 00.\nnichts hier\n");
  std::ostringstream out;
  EXPECT_EQ(RunPiiScan(in, out), 0);
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  nlohmann::json a = nlohmann::json::parse(first);
  EXPECT_EQ(a["masked"], "Meine IBAN ist [IBAN_1].");
  ASSERT_EQ(a["entities"].size(), 1u);
  EXPECT_EQ(a["entities"][0]["type"], "iban");
  EXPECT_EQ(a["entities"][0]["start"], 15);
  EXPECT_EQ(a["entities"][0]["end"], 42);
  nlohmann::json b = nlohmann::json::parse(second);
  EXPECT_EQ(b["masked"], "nichts hier");
  EXPECT_TRUE(b["entities"].empty());
}

TEST(RunPiiScanTest, ReportsInvalidUtf8LinesAndExitsNonZero) {
  std::istringstream in("ok a@b.de\n\xff\xfe bad\n");
  std::ostringstream out;
  EXPECT_EQ(RunPiiScan(in, out), 1);
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(nlohmann::json::parse(first)["masked"], "ok [EMAIL_1]");
  nlohmann::json error = nlohmann::json::parse(second);
  EXPECT_EQ(error["line"], 2);
  EXPECT_TRUE(error.contains("error"));
}

class RunPiiEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("pii_eval_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& content) { std::ofstream(path_) << content; }
  std::filesystem::path path_;
};

TEST_F(RunPiiEvalTest, PrintsATableWithPerTypeAndOverallFigures) {
  Write(R"({"text": "Mail a@b.de", "entities": [{"type": "email", "start": 5, "end": 11}]})"
        "\n"
        R"({"text": "Bestellung 4111 1111 1111 1112", "entities": []})"
        "\n");
  std::ostringstream out;
  EXPECT_EQ(RunPiiEval(path_.string(), false, out), 0);
  EXPECT_NE(out.str().find("2 texts"), std::string::npos);
  EXPECT_NE(out.str().find("email"), std::string::npos);
  EXPECT_NE(out.str().find("overall"), std::string::npos);
  EXPECT_NE(out.str().find("1.0000"), std::string::npos);
}

TEST_F(RunPiiEvalTest, PrintsOneJsonObject) {
  Write(R"({"text": "Mail a@b.de", "entities": [{"type": "email", "start": 5, "end": 11}]})"
        "\n");
  std::ostringstream out;
  EXPECT_EQ(RunPiiEval(path_.string(), true, out), 0);
  nlohmann::json doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["texts"], 1);
  EXPECT_EQ(doc["types"]["email"]["tp"], 1);
  EXPECT_DOUBLE_EQ(doc["overall"]["f1"].get<double>(), 1.0);
}

TEST_F(RunPiiEvalTest, FailsWithTheLineNumberOfABadLine) {
  Write("{\"text\": \"a\"}\n{broken\n");
  std::ostringstream out;
  EXPECT_EQ(RunPiiEval(path_.string(), false, out), 1);
  EXPECT_NE(out.str().find(":2:"), std::string::npos) << out.str();
}

TEST_F(RunPiiEvalTest, FailsForAMissingFile) {
  std::ostringstream out;
  EXPECT_EQ(RunPiiEval((path_.string() + ".missing"), false, out), 1);
  EXPECT_NE(out.str().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace candor::privacy
