// Replays every input of the fuzz corpus (fuzz/corpus/pii) through the
// scanner and the masker with the normal build, so CI checks what the fuzzer
// found without needing clang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "privacy/internal/invariants.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

TEST(FuzzCorpusReplayTest, EveryCorpusInputKeepsTheScanInvariants) {
  const std::filesystem::path dir = CANDOR_SOURCE_DIR "/fuzz/corpus/pii";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  Result<PiiScanner> scanner = PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  Result<ScanScratch> scratch = scanner->NewScratch();
  ASSERT_TRUE(scratch.ok());
  size_t replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_EQ(internal::CheckScanInvariants(*scanner, *scratch, content.str()), "")
        << entry.path().filename();
    ++replayed;
  }
  EXPECT_GE(replayed, 20u);
}

TEST(FuzzCorpusReplayTest, InvariantsHoldForHandPickedHardInputs) {
  Result<PiiScanner> scanner = PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  Result<ScanScratch> scratch = scanner->NewScratch();
  ASSERT_TRUE(scratch.ok());
  const std::string inputs[] = {
      "",
      std::string(1, '\0'),
      std::string(10000, '0'),
      std::string(5000, '@') + "a@b.de",
      "Passwort: SECRET_1] [SECRET_1]",
      "PIN 1234 91234 12345",
      "DE0e04520000451000 0000+0 04520)00 405 30000+0 0452000 0345669",
      std::string("Frau \xc3", 6) + "\xff\xfe a@b.de\xc3",
  };
  for (const std::string& input : inputs) {
    EXPECT_EQ(internal::CheckScanInvariants(*scanner, *scratch, input), "") << input.substr(0, 40);
  }
}

}  // namespace
}  // namespace candor::privacy
