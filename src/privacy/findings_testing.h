// Test helpers shared by the scanner's tests: findings as "type:value"
// strings, and a fixture holding one default scanner for a whole suite.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "privacy/privacy.h"

namespace candor::privacy {

// "type:value" for every finding, in order.
inline std::vector<std::string> FindingsOf(const PiiScanner& scanner, std::string_view text) {
  Result<std::vector<Finding>> findings = scanner.Scan(text);
  EXPECT_TRUE(findings.ok());
  std::vector<std::string> out;
  if (!findings.ok()) return out;
  for (const Finding& f : *findings) {
    out.push_back(std::string(PiiTypeName(f.type)) + ":" +
                  std::string(text.substr(f.start, f.end - f.start)));
  }
  return out;
}

// One scanner with the default options, made once per suite (its lists and
// patterns take a moment to build).
class DefaultScannerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<PiiScanner> created = PiiScanner::Create();
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    scanner_ = new PiiScanner(std::move(created).value());
  }
  static void TearDownTestSuite() {
    delete scanner_;
    scanner_ = nullptr;
  }
  static std::vector<std::string> Find(std::string_view text) {
    return FindingsOf(*scanner_, text);
  }

  inline static PiiScanner* scanner_ = nullptr;
};

}  // namespace candor::privacy
