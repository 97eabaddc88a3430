// The Debian package, as an operator gets it: built with CPack from this build,
// unpacked into an empty root with `dpkg-deb -x`, and run from there. The
// unpacked candor must find its models, web front end and demo data beside
// itself, never in the source tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "harness.h"

namespace candor::testing {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Each test packs and unpacks; ctest runs every test in its own process.
class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(CANDOR_DPKG_DEB).empty()) GTEST_SKIP() << "dpkg-deb is not installed";
    work_ = MakeTempDir("package");
    const CommandResult packed = RunProgram(
        CANDOR_CPACK, {"-G", "DEB", "--config",
                       std::string(CANDOR_BUILD_DIR) + "/CPackConfig.cmake", "-B", work_ + "/out"});
    ASSERT_EQ(packed.exit_code, 0) << packed.out;
    for (const auto& entry : std::filesystem::directory_iterator(work_ + "/out")) {
      if (entry.path().extension() == ".deb") deb_ = entry.path().string();
    }
    ASSERT_FALSE(deb_.empty()) << "cpack made no .deb: " << packed.out;
    root_ = work_ + "/root";
    const CommandResult unpacked = RunProgram(CANDOR_DPKG_DEB, {"-x", deb_, root_});
    ASSERT_EQ(unpacked.exit_code, 0) << unpacked.out;
  }
  void TearDown() override {
    if (!work_.empty()) std::filesystem::remove_all(work_);
  }

  std::string work_;
  std::string deb_;
  std::string root_;
};

TEST_F(PackageTest, UnpackedPackageRunsFromItsOwnFilesAndAnswersHealthz) {
  // What the package declares and holds besides the binary.
  const CommandResult depends = RunProgram(CANDOR_DPKG_DEB, {"-f", deb_, "Depends"});
  ASSERT_EQ(depends.exit_code, 0) << depends.out;
  EXPECT_NE(depends.out.find("libsqlite3"), std::string::npos) << depends.out;
  EXPECT_NE(depends.out.find("libsodium"), std::string::npos) << depends.out;
  const std::string unit = ReadFile(root_ + "/usr/lib/systemd/system/candor.service");
  EXPECT_NE(unit.find("ExecStart=/usr/bin/candor serve"), std::string::npos) << unit;

  const std::string candor = root_ + "/usr/bin/candor";
  ASSERT_TRUE(std::filesystem::is_regular_file(candor));
  const CommandResult version = RunProgram(candor, {"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, std::string("candor ") + CANDOR_EXPECTED_VERSION + "\n");
  // No path of the source tree is compiled into the binary.
  EXPECT_EQ(ReadFile(candor).find(CANDOR_SOURCE_DIR), std::string::npos);

  CandorProcess::Options options;
  options.binary = candor;
  options.data_dir = work_ + "/var";
  options.args = {"--demo"};
  auto server = CandorProcess::Start(options);
  ASSERT_NE(server, nullptr) << "the unpacked candor did not start";
  EXPECT_EQ(Http(server->port(), "GET", "/healthz").status, 200);
  // The web front end comes from the package too.
  const HttpResult chat = Http(server->port(), "GET", "/chat");
  EXPECT_EQ(chat.status, 200);
  EXPECT_NE(chat.body.find("<html"), std::string::npos);
}

}  // namespace
}  // namespace candor::testing
