// The desk, the promise book and the trust figures restored from a snapshot
// and the events after it must be exactly what folding the whole log gives:
// a restart that reads less must not change who waits, who holds what, which
// promise is open or what the dashboard shows.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "server/internal/desk.h"
#include "server/internal/promises.h"
#include "server/internal/trust.h"

namespace candor {
namespace {

namespace fs = std::filesystem;

// The three projections as the server keeps them.
struct Folds {
  Desk desk;
  PromiseBook promises;
  TrustStats trust;
  std::vector<Projection*> all() { return {&desk, &promises, &trust}; }
};

class ProjectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("candor-projections-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = OpenSqliteStore((dir_ / "candor.db").string(), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // A day at the desk for `conversations` customers, seeded: questions,
  // decisions, AI answers and "I don't know"s, drafts reviewed, people asked
  // for, taken and handed back, promises made, missed and kept.
  void Traffic(int first, int conversations, uint32_t seed) {
    std::mt19937 random(seed);
    for (int c = first; c < first + conversations; ++c) {
      const std::string id = "c" + std::to_string(c);
      ASSERT_TRUE(store_->CreateConversation({id, "h" + id, clock_.Now(), 0, ""}).ok());
      Write(id, MessageEvent{Author::kCustomer, "Frage " + id});
      Write(id, DecisionEvent{1, random() % 2 ? DecisionAction::kAnswer : DecisionAction::kDraft,
                              "rule", "de", "en", ""});
      AnswerWhy why;
      why.action = DecisionAction::kAnswer;
      why.dont_know = random() % 3 == 0;
      Write(id, MessageEvent{Author::kAi, "Antwort", "", 1, why});
      if (random() % 2) {
        const int64_t draft = Write(id, DraftEvent{1, "Entwurf", std::nullopt});
        if (random() % 2) {
          Write(id,
                ReviewEvent{draft, random() % 2 ? ReviewOutcome::kApproved : ReviewOutcome::kEdited,
                            "anna", "", 3});
        }
      }
      if (random() % 3 == 0) continue;
      Write(id, QueueEvent{QueueChange::kJoined, "customer", "", "de", "en", 0});
      const int64_t promise =
          Write(id, CommitmentEvent{CommitmentChange::kMade, 0, CommitmentSource::kQueue,
                                    clock_.Now() + std::chrono::minutes(5), "", "de", "en"});
      clock_.Advance(std::chrono::seconds(30 + random() % 600));
      if (random() % 2) {
        Write(id, CommitmentEvent{CommitmentChange::kMissed, promise, CommitmentSource::kQueue,
                                  clock_.Now() + std::chrono::minutes(30), "", "de", "en"});
      }
      if (random() % 4 == 0) continue;  // still waiting
      Write(id, QueueEvent{QueueChange::kTaken, "", "anna", "de", "en", 0});
      if (random() % 2)
        Write(id,
              CommitmentEvent{
                  CommitmentChange::kKept, promise, CommitmentSource::kQueue, {}, "", "de", "en"});
      if (random() % 2) continue;  // still held
      Write(id, MessageEvent{Author::kPerson, "Erledigt", "Anna"});
      Write(id, QueueEvent{QueueChange::kHandedBack, "", "anna", "de", "en", 0});
    }
  }
  int64_t Write(const std::string& id, EventBody body) {
    clock_.Advance(std::chrono::milliseconds(700));
    auto event = AppendAndWait(*store_, {id, std::move(body)});
    EXPECT_TRUE(event.ok()) << event.status().ToString();
    return event.ok() ? event->seq : 0;
  }
  // Each projection's state, as its snapshot writes it.
  static std::vector<std::string> States(Folds& folds) {
    std::vector<std::string> states;
    for (Projection* p : folds.all()) states.push_back(p->Snapshot().state);
    return states;
  }

  FakeClock clock_;
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ProjectionsTest, ASnapshotAndTheEventsAfterItGiveTheWholeLogsState) {
  Traffic(0, 40, 7);
  Folds before_restart;
  ASSERT_TRUE(RestoreProjections(*store_, before_restart.all()).ok());
  ASSERT_TRUE(SaveProjectionSnapshots(*store_, before_restart.all(), clock_.Now()).ok());
  Traffic(40, 40, 8);  // after the snapshot, e.g. before a crash

  Folds whole_log;  // as if there were no snapshot
  const auto events_total = store_->CountEvents().value();
  for (int64_t next = 0; next < events_total; next += 500) {
    auto page = store_->ReadLog(next, 500);
    ASSERT_TRUE(page.ok());
    for (const Event& e : *page) {
      for (Projection* p : whole_log.all()) p->OnCommit(e);
    }
  }
  Folds restarted;
  auto restored = RestoreProjections(*store_, restarted.all());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->from_snapshot.size(), 3u);
  EXPECT_TRUE(restored->ignored.empty());
  const auto first_after = before_restart.desk.Snapshot().through_log_index + 1;
  EXPECT_EQ(restored->events_folded, events_total - first_after) << "only the events since";

  EXPECT_EQ(States(restarted), States(whole_log));
  // And what people see of it.
  ASSERT_FALSE(whole_log.desk.Queue().empty());
  EXPECT_EQ(restarted.desk.Queue().size(), whole_log.desk.Queue().size());
  EXPECT_EQ(restarted.desk.Queue().front().conversation_id,
            whole_log.desk.Queue().front().conversation_id);
  for (int c = 0; c < 80; ++c) {
    const std::string id = "c" + std::to_string(c);
    EXPECT_EQ(restarted.desk.HolderOf(id).agent, whole_log.desk.HolderOf(id).agent) << id;
    EXPECT_EQ(restarted.desk.HolderOf(id).as_of_seq, whole_log.desk.HolderOf(id).as_of_seq);
    EXPECT_EQ(restarted.promises.Of(id).size(), whole_log.promises.Of(id).size()) << id;
  }
  EXPECT_EQ(restarted.desk.Drafts().size(), whole_log.desk.Drafts().size());
  EXPECT_EQ(restarted.trust.PrometheusText(), whole_log.trust.PrometheusText());
  const Time now = clock_.Now();
  EXPECT_EQ(restarted.promises.Due(now, std::chrono::minutes(10)).size(),
            whole_log.promises.Due(now, std::chrono::minutes(10)).size());
}

// The server saves snapshots while events keep being committed: each must be
// the fold up to its own position, so a restart from whichever was saved last
// gives exactly the live state.
TEST_F(ProjectionsTest, SnapshotsSavedDuringCommitsRestoreToTheLiveState) {
  Folds live;
  store_->SetCommitListener([&live](const Event& e) {
    for (Projection* p : live.all()) p->OnCommit(e);
  });
  std::atomic<bool> writing{true};
  int saved = 0;
  std::thread saver([&] {
    while (writing.load()) {
      Status status = SaveProjectionSnapshots(*store_, live.all(), clock_.Now());
      EXPECT_TRUE(status.ok()) << status.ToString();
      if (!status.ok()) return;
      ++saved;
    }
  });
  Traffic(0, 30, 11);
  writing = false;
  saver.join();
  EXPECT_GT(saved, 1) << "snapshots were saved while the traffic was written";

  Folds restarted;
  auto restored = RestoreProjections(*store_, restarted.all());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->from_snapshot.size(), 3u);
  EXPECT_EQ(States(restarted), States(live));
}

TEST_F(ProjectionsTest, ASnapshotOfAnotherLogIsIgnoredAndTheWholeLogFolded) {
  Traffic(0, 10, 3);
  Folds first;
  ASSERT_TRUE(RestoreProjections(*store_, first.all()).ok());
  ASSERT_TRUE(SaveProjectionSnapshots(*store_, first.all(), clock_.Now()).ok());
  // The same position, but not the same event: another database's snapshot.
  auto desk = store_->LoadProjectionSnapshot("desk").value();
  desk.through_leaf_hash = std::string(32, 'x');
  desk.state = "{\"v\":1,\"queue\":[[\"ghost\",0,\"customer\",0]]}";
  ASSERT_TRUE(store_->SaveProjectionSnapshot(desk).ok());
  auto trust = store_->LoadProjectionSnapshot("trust").value();
  trust.state = "not json";
  ASSERT_TRUE(store_->SaveProjectionSnapshot(trust).ok());

  Folds restarted;
  auto restored = RestoreProjections(*store_, restarted.all());
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->ignored.size(), 2u);
  EXPECT_EQ(restored->from_snapshot, std::vector<std::string>{"promises"});
  EXPECT_EQ(States(restarted), States(first));
  for (const auto& waiting : restarted.desk.Queue()) EXPECT_NE(waiting.conversation_id, "ghost");
}

}  // namespace
}  // namespace candor
