#include "cli/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace candor {
namespace {

GetEnv FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string WriteToml(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("candor-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigTest, DefaultsServeLocallyOnPort8080) {
  auto config = LoadConfig(std::nullopt, FakeEnv({}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_EQ(config->server.bind, "127.0.0.1");
  EXPECT_EQ(config->data_dir, "var");
}

TEST(ConfigTest, EnvironmentOverridesFile) {
  const auto path =
      WriteToml("[server]\nport = 9000\nmax_connections = 50\n[log]\nlevel = \"warn\"\n");
  auto config = LoadConfig(path, FakeEnv({{"CANDOR_PORT", "9100"}}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.port, 9100);
  EXPECT_EQ(config->server.max_connections, 50u);
  EXPECT_EQ(config->log_level, LogLevel::kWarn);
}

TEST(ConfigTest, ReadsTheBanksPublishedPhoneNumbersAsAList) {
  auto defaults = LoadConfig(std::nullopt, FakeEnv({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->published_phone_numbers, std::vector<std::string>{"+49 116 116"});
  const auto path =
      WriteToml("[privacy]\npublished_phone_numbers = \"+49 116 116, 069 910 10000\"\n");
  auto config = LoadConfig(path, FakeEnv({}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->published_phone_numbers,
            (std::vector<std::string>{"+49 116 116", "069 910 10000"}));
  auto none = LoadConfig(std::nullopt, FakeEnv({{"CANDOR_PUBLISHED_PHONE_NUMBERS", ""}}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->published_phone_numbers.empty());
}

TEST(ConfigTest, TheNameTaggerIsOffUnlessSwitchedOnByAName) {
  auto defaults = LoadConfig(std::nullopt, FakeEnv({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->tag_names);
  auto tagged = LoadConfig(WriteToml("[privacy]\ntag_names = true\n"), FakeEnv({}));
  ASSERT_TRUE(tagged.ok()) << tagged.status().ToString();
  EXPECT_TRUE(tagged->tag_names);
  auto bad = LoadConfig(std::nullopt, FakeEnv({{"CANDOR_TAG_NAMES", "sometimes"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "CANDOR_TAG_NAMES") << "the setting the operator wrote";
}

TEST(ConfigTest, UnknownKeyInFileIsAnErrorWithItsLine) {
  const auto path = WriteToml("[server]\nport = 9000\nprot = 9001\n");
  auto config = LoadConfig(path, FakeEnv({}));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(":3:"), std::string::npos) << config.status().message();
  EXPECT_NE(config.status().message().find("server.prot"), std::string::npos);
}

TEST(ConfigTest, SyntaxErrorNamesTheLine) {
  const auto path = WriteToml("[server]\n\nport = = 1\n");
  auto config = LoadConfig(path, FakeEnv({}));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(":3:"), std::string::npos) << config.status().message();
}

TEST(ConfigTest, BadEnvironmentValueNamesTheVariable) {
  auto config = LoadConfig(std::nullopt, FakeEnv({{"CANDOR_PORT", "eighty"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("CANDOR_PORT"), std::string::npos);
  auto level = LoadConfig(std::nullopt, FakeEnv({{"CANDOR_LOG_LEVEL", "loud"}}));
  EXPECT_FALSE(level.ok());
}

TEST(ConfigTest, EverySettingHasAnEnvironmentVariable) {
  for (const auto& setting : Settings()) {
    EXPECT_EQ(setting.env_var.rfind("CANDOR_", 0), 0u) << setting.toml_key;
    EXPECT_FALSE(setting.help.empty()) << setting.toml_key;
  }
}

}  // namespace
}  // namespace candor
