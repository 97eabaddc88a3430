// A database written by an earlier candor opens in this one, events intact.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "core/clock.h"
#include "store/store.h"

namespace candor {
namespace {

namespace fs = std::filesystem;

class FixedClock final : public Clock {
 public:
  Time Now() const override { return FromUnixMillis(1'700'000'000'000); }
};

TEST(SqliteMigration, VersionOneEventsMoveIntoCommitOrderAndStayReadable) {
  const fs::path dir = fs::temp_directory_path() / ("candor-migration-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "candor.db").string();
  {
    FixedClock clock;
    auto store = OpenSqliteStore(path, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->CreateConversation({"c1", "h", clock.Now(), 0, ""}).ok());
    for (const char* text : {"one", "two", "three"}) {
      ASSERT_TRUE(
          AppendAndWait(**store, {"c1", MessageEvent{Author::kCustomer, text, ""}, {}}).ok());
    }
  }
  // Rewrite the events table the way version 1 laid it out.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* downgrade = R"sql(
    BEGIN;
    CREATE TABLE events_old (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL,
      log_index INTEGER NOT NULL UNIQUE, kind TEXT NOT NULL, at_ms INTEGER NOT NULL,
      body TEXT NOT NULL, salt BLOB NOT NULL, commitment BLOB NOT NULL, leaf_hash BLOB NOT NULL,
      PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
    INSERT INTO events_old SELECT conversation_id, seq, log_index, kind, at_ms, body, salt,
      commitment, leaf_hash FROM events;
    DROP TABLE events;
    ALTER TABLE events_old RENAME TO events;
    PRAGMA user_version = 1;
    COMMIT;)sql";
  ASSERT_EQ(sqlite3_exec(db, downgrade, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  FixedClock clock;
  auto store = OpenSqliteStore(path, clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto events = (*store)->ReadEvents("c1", 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ(std::get<MessageEvent>((*events)[2].body).text, "three");
  auto fourth = AppendAndWait(**store, {"c1", MessageEvent{Author::kCustomer, "four", ""}, {}});
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(fourth->seq, 4);
  EXPECT_EQ(fourth->log_index, 3);
  store->reset();
  fs::remove_all(dir);
}

TEST(SqliteMigration, AgentsAndSessionsFromBeforeIdleLimitsKeepWorking) {
  const fs::path dir =
      fs::temp_directory_path() / ("candor-migration-agents-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "candor.db").string();
  FixedClock clock;
  int64_t agent_id = 0;
  {
    auto store = OpenSqliteStore(path, clock);
    ASSERT_TRUE(store.ok());
    auto agent = (*store)->AddAgent({0, "anna", AgentRole::kAgent, "$argon2id$x", clock.Now()});
    ASSERT_TRUE(agent.ok());
    agent_id = agent->id;
    ASSERT_TRUE(
        (*store)->CreateSession({"h1", agent_id, clock.Now() + std::chrono::hours(1)}).ok());
  }
  // Take the tables back to how an earlier candor made them.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* downgrade = R"sql(
    ALTER TABLE agents DROP COLUMN disabled;
    ALTER TABLE agent_sessions DROP COLUMN idle_until;
    DROP TABLE agent_devices;)sql";
  ASSERT_EQ(sqlite3_exec(db, downgrade, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto store = OpenSqliteStore(path, clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto session = (*store)->FindSession("h1");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->idle_until, Time::max()) << "an old session has no idle limit";
  EXPECT_FALSE((*store)->GetAgent(agent_id)->disabled);
  ASSERT_TRUE((*store)->SetAgentDisabled(agent_id, true).ok());
  EXPECT_EQ((*store)->FindSession("h1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*store)->AddAgentDevice("d1", agent_id, clock.Now()).ok());
  store->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace candor
