#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::path(::testing::TempDir()) / "ledger_key_XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  static mode_t ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  static void WriteFile(const std::string& path, const std::string& bytes, mode_t mode) {
    std::ofstream(path, std::ios::binary) << bytes;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  fs::path dir_;
};

TEST_F(KeyFileTest, CreatesKeyFileWithMode0600EvenUnderPermissiveUmask) {
  const std::string path = PathOf("ledger.key");
  const mode_t old_umask = ::umask(0);
  Result<SigningKey> key = LoadOrCreateSigningKey(path);
  ::umask(old_umask);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(fs::file_size(path), 32u);
  // Only the key file is left behind: the temporary one was renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(KeyFileTest, LoadsTheSameKeyOnEveryLaterStart) {
  const std::string path = PathOf("ledger.key");
  const SigningKey first = LoadOrCreateSigningKey(path).value();
  const SigningKey again = LoadOrCreateSigningKey(path).value();
  EXPECT_EQ(first.public_key(), again.public_key());
  EXPECT_EQ(first.Seed(), again.Seed());
}

TEST_F(KeyFileTest, RefusesKeyFileReadableByOthers) {
  const std::string path = PathOf("ledger.key");
  WriteFile(path, std::string(32, 'k'), 0644);
  Result<SigningKey> key = LoadOrCreateSigningKey(path);
  EXPECT_EQ(key.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(key.status().message().find("0644"), std::string::npos) << key.status().message();
  EXPECT_NE(key.status().message().find("chmod 600"), std::string::npos);

  ASSERT_EQ(::chmod(path.c_str(), 0620), 0);  // group-writable is as bad
  EXPECT_EQ(LoadOrCreateSigningKey(path).status().code(), StatusCode::kPermissionDenied);
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);  // owner-only read is fine
  EXPECT_TRUE(LoadOrCreateSigningKey(path).ok());
}

TEST_F(KeyFileTest, RefusesKeyFileOfWrongSize) {
  for (size_t size : {size_t{0}, size_t{31}, size_t{33}, size_t{64}}) {
    const std::string path = PathOf("key" + std::to_string(size));
    WriteFile(path, std::string(size, 'k'), 0600);
    Result<SigningKey> key = LoadOrCreateSigningKey(path);
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument) << size;
    EXPECT_NE(key.status().message().find("exactly 32"), std::string::npos);
  }
}

TEST_F(KeyFileTest, RefusesDirectoryAndMissingParent) {
  EXPECT_EQ(LoadOrCreateSigningKey(dir_.string()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadOrCreateSigningKey(PathOf("no/such/dir/ledger.key")).status().code(),
            StatusCode::kIoError);
}

TEST_F(KeyFileTest, KeyFromFileSignsVerifiableCheckpoints) {
  const SigningKey key = LoadOrCreateSigningKey(PathOf("ledger.key")).value();
  const CheckpointSigner signer =
      CheckpointSigner::Create(key, "candor.example/ledger", "candor.example/ledger").value();
  EXPECT_TRUE(
      VerifyCheckpoint(signer.Sign(3, EmptyRoot()), key.public_key(), "candor.example/ledger")
          .ok());
}

}  // namespace
}  // namespace candor::ledger
