// Crash safety: under a write load the server is killed with SIGKILL at random
// moments and restarted on the same SQLite file. Every message that was
// acknowledged (201) must be there exactly once, at the seq it was given, and
// every conversation's sequence must have no gaps.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "harness.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

struct Acked {
  std::string conversation;
  int64_t seq;
};

TEST(CrashTest, AcknowledgedMessagesSurviveKillNineExactlyOnce) {
  const std::string dir = MakeTempDir("crash");
  const std::string data = dir + "/data";
  constexpr int kRounds = 20;
  constexpr int kWriters = 8;
  std::mt19937 random(20261123);

  std::map<std::string, std::string> tokens;  // conversation -> token
  std::map<std::string, Acked> acked;         // text -> where it was acknowledged
  std::mutex mu;

  for (int round = 0; round < kRounds; ++round) {
    auto server = CandorProcess::Start({data, {}, {}});
    ASSERT_NE(server, nullptr) << "round " << round << ": candor did not restart";
    const uint16_t port = server->port();

    // Conversations made in earlier rounds must still take messages.
    std::vector<std::pair<std::string, std::string>> conversations;
    for (int w = 0; w < kWriters; ++w) {
      auto made = Http(port, "POST", "/api/v1/conversations");
      ASSERT_EQ(made.status, 201) << made.body;
      auto json = made.Json();
      conversations.emplace_back(json["id"], json["customer_token"]);
      tokens[json["id"]] = json["customer_token"];
    }
    if (round > 0) conversations[0] = *tokens.begin();

    std::atomic<bool> stop = false;
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        const auto& [id, token] = conversations[w];
        for (int i = 0; !stop && i < 100000; ++i) {
          const std::string text =
              "r" + std::to_string(round) + "w" + std::to_string(w) + "i" + std::to_string(i);
          auto response = Http(port, "POST", "/api/v1/conversations/" + id + "/messages",
                               nlohmann::json({{"text", text}}).dump(), token);
          if (response.status == 0) break;  // the server is gone
          if (response.status == 201) {
            std::lock_guard lock(mu);
            acked[text] = {id, response.Json()["seq"].get<int64_t>()};
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 250));  // a random moment
    server->Crash();
    stop = true;
    for (auto& w : writers) w.join();
  }

  // Restart once more and check everything.
  auto server = CandorProcess::Start({data, {}, {}});
  ASSERT_NE(server, nullptr);
  ASSERT_GT(acked.size(), 100u) << "the load was too light to mean anything";
  std::map<std::string, int> seen;
  for (const auto& [id, token] : tokens) {
    int64_t after = 0, expected = 1;
    while (true) {
      auto page =
          Http(server->port(), "GET",
               "/api/v1/conversations/" + id + "/events?limit=1000&after=" + std::to_string(after),
               "", token);
      ASSERT_EQ(page.status, 200) << page.body;
      auto events = page.Json()["events"];
      if (events.empty()) break;
      for (const auto& e : events) {
        ASSERT_EQ(e["seq"].get<int64_t>(), expected++) << "gap in " << id;
        if (e["type"] != "message") continue;
        const std::string text = e["text"];
        ++seen[text];
        auto it = acked.find(text);
        if (it != acked.end()) {
          EXPECT_EQ(it->second.conversation, id) << text;
          EXPECT_EQ(it->second.seq, e["seq"].get<int64_t>()) << text;
        }
      }
      after = events.back()["seq"];
    }
  }
  int missing = 0;
  for (const auto& [text, where] : acked) {
    if (seen[text] != 1) ++missing;
    EXPECT_EQ(seen[text], 1) << text << " acknowledged at seq " << where.seq;
    if (missing > 10) break;
  }
  std::printf("crash test: %d rounds, %zu acknowledged messages, all present exactly once\n",
              kRounds, acked.size());
  server.reset();

  // The ledger survived too: every record recomputes, every checkpoint signed
  // before a crash verifies and each extends the one before.
  auto audit = RunCandor({"audit", "verify", "--data", data});
  EXPECT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_NE(audit.out.find("OK:"), std::string::npos) << audit.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::testing
