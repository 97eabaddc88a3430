#include "cli/install_layout.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace candor {
namespace {

TEST(InstallLayoutTest, LooksBesideAnInstalledBinaryFirstThenInTheBuildTree) {
  const auto candidates = ShareDirCandidates("/opt/candor/bin/candor");
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0], std::filesystem::path("/opt/candor/share/candor"));
  EXPECT_EQ(candidates[1], std::filesystem::path("/opt/candor/bin/share/candor"));
}

TEST(InstallLayoutTest, ConfiguredShareDirWins) {
  const ShippedFiles shipped = LocateShippedFiles("/srv/candor-files");
  EXPECT_EQ(shipped.IntentModel(), "/srv/candor-files/models/bank");
  EXPECT_EQ(shipped.WebDir(), "/srv/candor-files/web");
  EXPECT_EQ(shipped.DemoPolicy(), "/srv/candor-files/demo/policy.toml");
}

// This test binary sits beside candor in the build tree, so it finds the same
// files candor does there: the demo data and the models.
TEST(InstallLayoutTest, FindsTheBuildTreesShippedFilesFromItsOwnPlace) {
  const ShippedFiles shipped = LocateShippedFiles("");
  EXPECT_TRUE(std::filesystem::is_regular_file(shipped.DemoPolicy())) << shipped.DemoPolicy();
  EXPECT_TRUE(std::filesystem::is_regular_file(shipped.DemoIntentCatalogue()));
  EXPECT_TRUE(std::filesystem::is_directory(shipped.DemoKnowledgeBase()));
}

}  // namespace
}  // namespace candor
