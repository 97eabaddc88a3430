// The crash campaign: the demo deployment under a mixed load (customers
// writing, the AI answering from the knowledge base, drafts approved,
// conversations taken, an IBAN revealed) is killed with SIGKILL at random
// moments. After each kill: the database passes SQLite's integrity check and
// `candor audit verify`; after each restart, every acknowledged write is there
// exactly once at the seq it was given, with no gap in any conversation.
//
// `make test` runs 10 rounds; bench/crash runs 100 (CANDOR_CRASH_ROUNDS).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "demo_deployment.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

// A write the server acknowledged, and where it said it put it.
struct Acked {
  std::string conversation;
  int64_t seq = 0;
  std::string type;  // "message", "review", "queue", "reveal"
  std::string text;  // for messages
};

std::string IntegrityCheck(const std::string& db_path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string result;
  sqlite3_exec(
      db, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) += values[0] ? values[0] : "";
        return 0;
      },
      &result, nullptr);
  sqlite3_close(db);
  return result;
}

int Rounds() {
  const char* env = std::getenv("CANDOR_CRASH_ROUNDS");
  const int rounds = env ? std::atoi(env) : 10;
  return rounds > 0 ? rounds : 10;
}

TEST(CrashCampaignTest, MixedLoadSurvivesKillNineAtRandomMomentsExactlyOnce) {
  const int rounds = Rounds();
  DemoDeployment demo("CrashCampaign");
  std::mt19937 random(20261207);
  std::mutex mu;
  std::vector<Acked> acked;                          // guarded by mu
  std::map<std::string, std::string> conversations;  // id -> customer token
  std::atomic<int64_t> approvals = 0, takes = 0, reveals = 0;
  int64_t losses = 0, duplicates = 0, gaps = 0, audits_failed = 0, integrity_failed = 0;

  for (int round = 0; round < rounds; ++round) {
    ASSERT_TRUE(demo.Start()) << "round " << round << ": candor did not restart";
    const uint16_t port = demo.port();
    const std::string agent = demo.DemoAgentToken();
    ASSERT_FALSE(agent.empty());
    std::vector<DemoDeployment::Conversation> mine;
    for (int w = 0; w < 4; ++w) {
      mine.push_back(demo.NewConversation());
      conversations[mine.back().id] = mine.back().token;
    }

    std::atomic<bool> stop = false;
    auto record = [&](Acked a) {
      std::lock_guard lock(mu);
      acked.push_back(std::move(a));
    };
    std::vector<std::thread> load;
    for (int w = 0; w < 4; ++w) {
      load.emplace_back([&, w] {
        const auto& c = mine[static_cast<size_t>(w)];
        for (int i = 0; !stop && i < 100000; ++i) {
          const std::string tag =
              "r" + std::to_string(round) + "w" + std::to_string(w) + "i" + std::to_string(i) + " ";
          std::string text = tag + "Wie ändere ich meine PIN?";
          if (w == 1) text = tag + "Welche Gebühren kostet eine Ersatzkarte?";
          if (w == 2 && i == 0) text = tag + "Meine IBAN ist DE89 3704 0044 0532 0130 00";
          auto said = Http(port, "POST", "/api/v1/conversations/" + c.id + "/messages",
                           nlohmann::json({{"text", text}}).dump(), c.token);
          if (said.status == 0) break;  // the server is gone
          if (said.status == 201) {
            record(
                {c.id, said.Json()["seq"].get<int64_t>(), "message", w == 2 && i == 0 ? "" : text});
          }
          if (w == 3 && i == 0) {
            (void)Http(port, "POST", "/api/v1/conversations/" + c.id + "/handoff", "", c.token);
          }
        }
      });
    }
    // Two people at work: one approves drafts (each waits for its delivery),
    // the other takes who waits and reveals the IBAN.
    auto work = [&](bool approver) {
      bool revealed = false;
      while (!stop) {
        auto queue = Http(port, "GET", "/api/v1/queue", "", agent);
        if (queue.status == 0) break;
        if (queue.status != 200) continue;
        auto listed = queue.Json();
        if (approver) {
          for (const auto& d : listed["drafts"]) {
            const std::string id = d["conversation_id"];
            auto r = Http(port, "POST",
                          "/api/v1/conversations/" + id + "/drafts/" +
                              std::to_string(d["seq"].get<int64_t>()),
                          R"({"decision":"approve"})", agent);
            if (r.status == 200) {
              ++approvals;
              record({id, r.Json()["seq"].get<int64_t>(), "message", ""});
            }
          }
          continue;
        }
        for (const auto& waiting : listed["waiting"]) {
          const std::string id = waiting["conversation_id"];
          auto t = Http(port, "POST", "/api/v1/conversations/" + id + "/take", "", agent);
          if (t.status == 200) {
            ++takes;
            record({id, t.Json()["seq"].get<int64_t>(), "queue", ""});
          }
        }
        if (!revealed) {
          auto r = Http(port, "POST", "/api/v1/conversations/" + mine[2].id + "/reveal",
                        R"({"placeholder":"[IBAN_1]","reason":"checking the transfer"})", agent);
          if (r.status == 200) {
            revealed = true;
            ++reveals;
            record({mine[2].id, r.Json()["seq"].get<int64_t>(), "reveal", ""});
          }
        }
      }
    };
    load.emplace_back(work, true);
    load.emplace_back(work, false);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(200 + random() % 800));  // a random moment
    demo.Crash();
    stop = true;
    for (auto& t : load) t.join();

    // Checked on the files the crash left, before anything repairs them.
    const std::string integrity = IntegrityCheck(demo.data_dir() + "/candor.db");
    if (integrity != "ok") {
      ++integrity_failed;
      ADD_FAILURE() << "round " << round << ": integrity_check: " << integrity;
    }
    auto audit = RunCandor({"audit", "verify", "--data", demo.data_dir()});
    if (audit.exit_code != 0) {
      ++audits_failed;
      ADD_FAILURE() << "round " << round << ": " << audit.out;
    }
  }

  // Everything acknowledged in any round, read back after one more restart.
  ASSERT_TRUE(demo.Start());
  const std::string agent = demo.DemoAgentToken();
  std::map<std::pair<std::string, int64_t>, nlohmann::json> stored;
  std::map<std::string, int> texts;
  for (const auto& [id, token] : conversations) {
    int64_t after = 0, expected = 1;
    while (true) {
      auto page =
          Http(demo.port(), "GET",
               "/api/v1/conversations/" + id + "/events?limit=1000&after=" + std::to_string(after),
               "", agent);
      ASSERT_EQ(page.status, 200) << page.body;
      auto events = page.Json()["events"];
      if (events.empty()) break;
      for (const auto& e : events) {
        const int64_t seq = e["seq"];
        if (seq != expected) ++gaps;
        expected = seq + 1;
        if (e["type"] == "message") ++texts[e.value("text", "")];
        stored[{id, seq}] = e;
      }
      after = events.back()["seq"];
    }
  }
  for (const auto& a : acked) {
    auto it = stored.find({a.conversation, a.seq});
    if (it == stored.end() || it->second["type"] != a.type ||
        (!a.text.empty() && it->second.value("text", "") != a.text)) {
      if (++losses <= 5) ADD_FAILURE() << "lost: " << a.conversation << " seq " << a.seq;
      continue;
    }
    if (!a.text.empty() && texts[a.text] != 1) {
      if (++duplicates <= 5) ADD_FAILURE() << "stored " << texts[a.text] << " times: " << a.text;
    }
  }
  std::printf(
      "crash campaign: %d rounds, %zu acknowledged writes (%lld approvals, %lld takes, %lld "
      "reveals), %lld lost, %lld duplicated, %lld gaps, integrity_check failed %lld, audit "
      "verify failed %lld\n",
      rounds, acked.size(), static_cast<long long>(approvals.load()),
      static_cast<long long>(takes.load()), static_cast<long long>(reveals.load()),
      static_cast<long long>(losses), static_cast<long long>(duplicates),
      static_cast<long long>(gaps), static_cast<long long>(integrity_failed),
      static_cast<long long>(audits_failed));
  EXPECT_GT(acked.size(), static_cast<size_t>(rounds) * 10) << "the load was too light";
  EXPECT_GT(approvals.load(), 0) << "no draft was approved: the load missed the people path";
  EXPECT_GT(takes.load() + reveals.load(), 0) << "nothing was taken or revealed";
  EXPECT_EQ(losses, 0);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(gaps, 0);
}

}  // namespace
}  // namespace candor::testing
