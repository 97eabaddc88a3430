// The command line as an operator uses it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness.h"

namespace candor::testing {
namespace {

TEST(CliTest, HelpAndVersionSucceed) {
  auto help = RunCandor({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("serve"), std::string::npos);
  EXPECT_NE(help.out.find("CANDOR_PORT"), std::string::npos) << "help documents the environment";
  auto serve_help = RunCandor({"serve", "--help"});
  EXPECT_EQ(serve_help.exit_code, 0);
  EXPECT_NE(serve_help.out.find("--demo"), std::string::npos);
  auto version = RunCandor({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("candor ", 0), 0u);
}

TEST(CliTest, BadUsageExitsWithTwoAndSaysWhy) {
  auto unknown = RunCandor({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_FALSE(unknown.out.empty());
  auto port = RunCandor({"serve", "--port", "99999"});
  EXPECT_EQ(port.exit_code, 2);
  auto role = RunCandor({"agent", "add", "x", "--role", "boss"});
  EXPECT_EQ(role.exit_code, 2);
}

TEST(CliTest, BadConfigurationIsReportedWithItsSource) {
  const std::string dir = MakeTempDir("cli-config");
  std::ofstream(dir + "/candor.toml") << "[server]\nport = \"eighty\"\n";
  auto file = RunCandor({"serve", "--config", dir + "/candor.toml", "--data", dir + "/d"});
  EXPECT_EQ(file.exit_code, 2);
  EXPECT_NE(file.out.find("candor.toml:2"), std::string::npos) << file.out;
  auto env = RunCandor({"serve", "--data", dir + "/d"}, "", {{"CANDOR_MAX_CONNECTIONS", "-1"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.out.find("CANDOR_MAX_CONNECTIONS"), std::string::npos) << env.out;
  std::filesystem::remove_all(dir);
}

TEST(CliTest, AnUnknownTimeZoneOrBadBusinessHoursStopTheStartWithTheReason) {
  const std::string dir = MakeTempDir("cli-people");
  auto zone = RunCandor({"serve", "--data", dir + "/d", "--port", "0"}, "",
                        {{"CANDOR_TIME_ZONE", "Mars/Olympus_Mons"}});
  EXPECT_NE(zone.exit_code, 0);
  EXPECT_NE(zone.out.find("people.time_zone"), std::string::npos) << zone.out;
  EXPECT_NE(zone.out.find("Mars/Olympus_Mons"), std::string::npos) << zone.out;
  auto hours = RunCandor({"serve", "--data", dir + "/d", "--port", "0"}, "",
                         {{"CANDOR_BUSINESS_HOURS", "Mo-Fr 08:00-25:00"}});
  EXPECT_NE(hours.exit_code, 0);
  EXPECT_NE(hours.out.find("08:00-25:00"), std::string::npos) << hours.out;
  std::filesystem::remove_all(dir);
}

TEST(CliTest, AgentAddStoresAnArgon2idHashAndRefusesDuplicatesAndShortPasswords) {
  const std::string dir = MakeTempDir("cli-agent");
  auto added = RunCandor({"agent", "add", "clara", "--role", "admin", "--data", dir},
                         "eine-lange-passphrase\n");
  EXPECT_EQ(added.exit_code, 0) << added.out;
  auto again = RunCandor({"agent", "add", "clara", "--data", dir}, "noch-eine-passphrase\n");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.out.find("exists"), std::string::npos) << again.out;
  auto short_password = RunCandor({"agent", "add", "dora", "--data", dir}, "kurz\n");
  EXPECT_EQ(short_password.exit_code, 2);
  auto no_password = RunCandor({"agent", "add", "emil", "--data", dir}, "");
  EXPECT_EQ(no_password.exit_code, 2);

  // The password itself is nowhere in the database file.
  std::ifstream db(dir + "/candor.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), {});
  EXPECT_EQ(bytes.find("eine-lange-passphrase"), std::string::npos);
  auto server = CandorProcess::Start({dir, {}, {}});
  ASSERT_NE(server, nullptr);
  auto login = Http(server->port(), "POST", "/api/v1/agents/login",
                    R"({"name":"clara","password":"eine-lange-passphrase"})");
  EXPECT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.Json()["agent"]["role"], "admin");
  server.reset();
  std::filesystem::remove_all(dir);
}

TEST(CliTest, DemoServerHasAnAgentAndAConversation) {
  const std::string dir = MakeTempDir("cli-demo");
  auto server = CandorProcess::Start({dir, {}, {"--demo"}});
  ASSERT_NE(server, nullptr);
  auto login = Http(server->port(), "POST", "/api/v1/agents/login",
                    R"({"name":"demo","password":"candor-demo"})");
  ASSERT_EQ(login.status, 200) << login.body;
  auto inbox = Http(server->port(), "GET", "/api/v1/inbox", "", login.Json()["token"]);
  ASSERT_EQ(inbox.status, 200);
  EXPECT_FALSE(inbox.Json()["conversations"].empty());
  EXPECT_EQ(Http(server->port(), "GET", "/").status, 200);
  server.reset();
  std::filesystem::remove_all(dir);
}

// A curator finds out which questions the composer gets wrong, and why.
TEST(CliTest, KbEvalDetailsGiveEachQuestionItsVerdictAndEvidence) {
  const std::string dir = MakeTempDir("cli-kb-eval");
  std::filesystem::create_directories(dir + "/articles");
  std::ofstream(dir + "/articles/en-change-pin.md")
      << "---\ntitle: Change your PIN\nlanguage: en\nurl: https://x/pin\n---\n"
         "## In the app\nOpen Cards, pick the card and tap Change PIN. Enter the new PIN "
         "twice.\n";
  std::ofstream(dir + "/questions.jsonl")
      << R"({"question": "How do I change the PIN of my card in the app?", "lang": "en", "article": "en-change-pin.md"})"
      << "\n"
      << R"({"question": "Can I buy bitcoin with you?", "lang": "en", "article": null})"
      << "\n";
  auto imported = RunCandor({"kb", "import", dir + "/articles", "--data", dir + "/data"});
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  auto evaluated = RunCandor({"kb", "eval", "--questions", dir + "/questions.jsonl", "--data",
                              dir + "/data", "--details"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.out;
  std::vector<nlohmann::json> lines;
  std::istringstream out(evaluated.out);
  for (std::string line; std::getline(out, line);) {
    if (!line.empty() && line[0] == '{') lines.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(lines.size(), 2u) << evaluated.out;
  EXPECT_EQ(lines[0]["line"], 1);
  EXPECT_EQ(lines[0]["article"], "en-change-pin.md");
  EXPECT_EQ(lines[0]["verdict"], "answered, rightly") << lines[0].dump();
  EXPECT_EQ(lines[0]["answered_from"], "en-change-pin.md");
  EXPECT_GT(lines[0]["evidence"]["weighted_coverage"].get<double>(), 0.5);
  EXPECT_EQ(lines[1]["line"], 2);
  EXPECT_TRUE(lines[1]["article"].is_null());
  EXPECT_EQ(lines[1]["verdict"], "refused, rightly") << lines[1].dump();
  EXPECT_TRUE(lines[1]["answered_from"].is_null());
  EXPECT_LT(lines[1]["confidence"].get<double>(), lines[0]["confidence"].get<double>());
  EXPECT_FALSE(lines[1]["why"].get<std::string>().empty());
  // The figures still follow.
  EXPECT_NE(evaluated.out.find("unanswerable: \"I don't know\""), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::testing
