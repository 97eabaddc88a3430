#include "privacy/vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace candor::vault {
namespace {

TEST(VaultTest, SealedOriginalOpensOnlyWithItsKeyAndContext) {
  const SecretKey key = SecretKey::Random();
  const std::string sealed = Seal(key, "DE89 3704 0044 0532 0130 00", "c_1/[IBAN_1]");
  EXPECT_EQ(sealed.find("3704"), std::string::npos) << "no plaintext in the sealed value";
  auto opened = Open(key, sealed, "c_1/[IBAN_1]");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "DE89 3704 0044 0532 0130 00");
  EXPECT_EQ(Open(key, sealed, "c_1/[IBAN_2]").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Open(SecretKey::Random(), sealed, "c_1/[IBAN_1]").status().code(),
            StatusCode::kUnauthenticated);
  std::string flipped = sealed;
  flipped[flipped.size() / 2] ^= 1;
  EXPECT_FALSE(Open(key, flipped, "c_1/[IBAN_1]").ok());
  EXPECT_FALSE(Open(key, "short", "c_1/[IBAN_1]").ok());
}

TEST(VaultTest, SameValueSealsDifferentlyEachTime) {
  const SecretKey key = SecretKey::Random();
  EXPECT_NE(Seal(key, "1234", "ad"), Seal(key, "1234", "ad"));
}

TEST(VaultTest, ConversationKeyUnwrapsOnlyForItsConversation) {
  const SecretKey master = SecretKey::Random();
  NewConversationKey made = MakeConversationKey(master, "c_a");
  const std::string sealed = Seal(made.key, "geheim", "c_a/[SECRET_1]");
  auto unwrapped = UnwrapConversationKey(master, made.wrapped, "c_a");
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(*Open(*unwrapped, sealed, "c_a/[SECRET_1]"), "geheim");
  EXPECT_FALSE(UnwrapConversationKey(master, made.wrapped, "c_b").ok());
  EXPECT_FALSE(UnwrapConversationKey(SecretKey::Random(), made.wrapped, "c_a").ok());
}

TEST(VaultTest, ShreddingTheWrappedKeyLeavesOriginalsUnreadable) {
  const SecretKey master = SecretKey::Random();
  std::string sealed;
  {
    NewConversationKey made = MakeConversationKey(master, "c_gone");
    sealed = Seal(made.key, "0171 2345678", "c_gone/[PHONE_1]");
    // made.wrapped is dropped here: the only copy of the conversation key is gone.
  }
  // Without the wrapped key, neither the master key nor a fresh key opens it.
  EXPECT_FALSE(Open(master, sealed, "c_gone/[PHONE_1]").ok());
  EXPECT_FALSE(Open(MakeConversationKey(master, "c_gone").key, sealed, "c_gone/[PHONE_1]").ok());
}

TEST(VaultTest, MasterKeyFileIsCreatedPrivateAndReadBack) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("candor-vault-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "vault.key").string();
  auto created = LoadOrCreateMasterKey(path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto again = LoadOrCreateMasterKey(path);
  ASSERT_TRUE(again.ok());
  const std::string sealed = Seal(*created, "x", "ad");
  EXPECT_EQ(*Open(*again, sealed, "ad"), "x") << "the same key comes back";

  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(LoadOrCreateMasterKey(path).status().code(), StatusCode::kPermissionDenied);
  ::chmod(path.c_str(), 0600);
  std::ofstream(path, std::ios::app) << "extra";
  EXPECT_EQ(LoadOrCreateMasterKey(path).status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::vault
