// The storage contract: behaviour every Store implementation must show.
// Instantiated below for each implementation (SQLite today).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/store.h"

namespace candor {
namespace {

namespace fs = std::filesystem;

struct StoreFactory {
  std::string name;
  // Opens the store kept in `dir`; opening the same dir again reopens it.
  std::function<Result<std::unique_ptr<Store>>(const fs::path& dir, const Clock&)> open;
};

// Test names show the implementation, not the factory's bytes.
void PrintTo(const StoreFactory& factory, std::ostream* out) { *out << factory.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("candor-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto opened = GetParam().open(dir_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void NewConversation(const std::string& id) {
    ASSERT_TRUE(store_->CreateConversation({id, "hash-" + id, clock_.Now(), 0, ""}).ok());
  }
  Result<Event> Say(const std::string& id, const std::string& text,
                    Author author = Author::kCustomer) {
    return AppendAndWait(*store_, {id, MessageEvent{author, text, ""}, std::nullopt});
  }

  FakeClock clock_;
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, NumbersEventsFromOneWithoutGaps) {
  NewConversation("c1");
  for (int i = 1; i <= 5; ++i) {
    auto event = Say("c1", "message " + std::to_string(i));
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    EXPECT_EQ(event->seq, i);
  }
  auto events = store_->ReadEvents("c1", 0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ(std::get<MessageEvent>(events->at(4).body).text, "message 5");
}

TEST_P(StoreContractTest, ConcurrentWritersGetGapFreeSequencesPerConversation) {
  const std::vector<std::string> ids = {"a", "b", "c", "d"};
  for (const auto& id : ids) NewConversation(id);
  constexpr int kThreads = 8, kPerThread = 200;
  std::mutex mu;
  std::map<std::string, std::set<int64_t>> seqs;
  std::set<int64_t> log_indexes;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string& id = ids[(t + i) % ids.size()];
        auto event = Say(id, "t" + std::to_string(t) + " i" + std::to_string(i));
        if (!event.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        EXPECT_TRUE(seqs[id].insert(event->seq).second) << "duplicate seq";
        EXPECT_TRUE(log_indexes.insert(event->log_index).second) << "duplicate log index";
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  for (const auto& id : ids) {
    const auto& s = seqs[id];
    ASSERT_EQ(*s.begin(), 1);
    EXPECT_EQ(*s.rbegin(), static_cast<int64_t>(s.size())) << "gap in " << id;
  }
  EXPECT_EQ(*log_indexes.begin(), 0);
  EXPECT_EQ(*log_indexes.rbegin(), kThreads * kPerThread - 1);
  auto count = store_->CountEvents();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kThreads * kPerThread);
}

// "The draft at seq N is still unreviewed": the kind of precondition state
// changes carry. Written here without the people module, whose checks are
// tested on their own.
Precondition NoReviewOf(int64_t draft_seq) {
  return {draft_seq, [draft_seq](const Event& since) {
            const auto* review = std::get_if<ReviewEvent>(&since.body);
            return review != nullptr && review->draft_seq == draft_seq
                       ? Status::Conflict(review->agent + " reviewed it first")
                       : Status::Ok();
          }};
}

TEST_P(StoreContractTest, OfManyConcurrentConditionalAppendsExactlyOneIsWritten) {
  NewConversation("c1");
  auto draft = AppendAndWait(*store_, {"c1", DraftEvent{0, "Entwurf", std::nullopt}});
  ASSERT_TRUE(draft.ok());
  constexpr int kReviewers = 20;
  std::atomic<int> written = 0, conflicts = 0, other = 0;
  std::vector<std::thread> reviewers;
  for (int r = 0; r < kReviewers; ++r) {
    reviewers.emplace_back([&, r] {
      // Unrelated events between the draft and the reviews do not conflict.
      (void)Say("c1", "noch da? " + std::to_string(r));
      auto review = AppendAndWait(*store_, {"c1",
                                            ReviewEvent{draft->seq, ReviewOutcome::kApproved,
                                                        "agent" + std::to_string(r), "", 0},
                                            std::nullopt, NoReviewOf(draft->seq)});
      if (review.ok()) {
        ++written;
      } else if (review.status().code() == StatusCode::kConflict) {
        ++conflicts;
      } else {
        ++other;
      }
    });
  }
  for (auto& thread : reviewers) thread.join();
  EXPECT_EQ(written, 1);
  EXPECT_EQ(conflicts, kReviewers - 1);
  EXPECT_EQ(other, 0);
  auto events = store_->ReadEvents("c1", 0, 1000);
  ASSERT_TRUE(events.ok());
  int reviews = 0;
  for (const auto& e : *events) reviews += std::holds_alternative<ReviewEvent>(e.body);
  EXPECT_EQ(reviews, 1);
  // No gap where the refused ones would have been.
  EXPECT_EQ(events->back().seq, static_cast<int64_t>(events->size()));
}

TEST_P(StoreContractTest, AConflictSparesTheRestOfItsBatchAndIsDurableNowhere) {
  NewConversation("c1");
  auto draft = AppendAndWait(*store_, {"c1", DraftEvent{0, "Entwurf", std::nullopt}});
  ASSERT_TRUE(draft.ok());
  ASSERT_TRUE(
      AppendAndWait(*store_, {"c1", ReviewEvent{draft->seq, ReviewOutcome::kRejected, "a", "no", 0},
                              std::nullopt, NoReviewOf(draft->seq)})
          .ok());
  auto late =
      AppendAndWait(*store_, {"c1", ReviewEvent{draft->seq, ReviewOutcome::kApproved, "b", "", 0},
                              std::nullopt, NoReviewOf(draft->seq)});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kConflict);
  EXPECT_NE(late.status().message().find("reviewed it first"), std::string::npos);
  auto after = Say("c1", "Danke");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->seq, 3) << "the refused review took no seq";
  Reopen();
  auto events = store_->ReadEvents("c1", 0, 100);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 3u);
}

TEST_P(StoreContractTest, APreconditionSeesEventsEarlierInItsOwnBatch) {
  NewConversation("c1");
  auto draft = AppendAndWait(*store_, {"c1", DraftEvent{0, "Entwurf", std::nullopt}});
  ASSERT_TRUE(draft.ok());
  // Queued together, so the writer is likely to commit them in one transaction.
  std::promise<Result<Event>> first, second;
  store_->Append({"c1", ReviewEvent{draft->seq, ReviewOutcome::kApproved, "a", "", 0}, std::nullopt,
                  NoReviewOf(draft->seq)},
                 [&](Result<Event> e) { first.set_value(std::move(e)); });
  store_->Append({"c1", ReviewEvent{draft->seq, ReviewOutcome::kApproved, "b", "", 0}, std::nullopt,
                  NoReviewOf(draft->seq)},
                 [&](Result<Event> e) { second.set_value(std::move(e)); });
  EXPECT_TRUE(first.get_future().get().ok());
  auto lost = second.get_future().get();
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict);
}

TEST_P(StoreContractTest, AppendToUnknownConversationFailsAndStoresNothing) {
  auto event = Say("nope", "hello");
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), StatusCode::kNotFound);
  auto count = store_->CountEvents();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
}

std::vector<AppendRequest> Steps(const std::string& id, int n) {
  std::vector<AppendRequest> requests;
  for (int i = 0; i < n; ++i) {
    requests.push_back({id,
                        WorkStepEvent{"step" + std::to_string(i), StepStatus::kStarted, "Schritt",
                                      "Step", FromUnixMillis(1000 + i), std::nullopt, ""},
                        std::nullopt});
  }
  return requests;
}

TEST_P(StoreContractTest, BatchGetsConsecutiveSeqsInOrderAfterSingleAppends) {
  NewConversation("c1");
  ASSERT_TRUE(Say("c1", "first").ok());
  auto requests = Steps("c1", 3);
  requests.push_back({"c1", MessageEvent{Author::kCustomer, "in the batch", ""}, std::nullopt});
  auto batch = AppendBatchAndWait(*store_, std::move(requests));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), 4u);
  for (size_t i = 0; i < batch->size(); ++i) {
    EXPECT_EQ(batch->at(i).seq, static_cast<int64_t>(i) + 2);
    EXPECT_EQ(batch->at(i).log_index, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(batch->at(i).leaf_hash.size(), 32u);
  }
  EXPECT_EQ(std::get<WorkStepEvent>(batch->at(1).body).stage, "step1");
  auto after = Say("c1", "after");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->seq, 6);

  auto events = store_->ReadEvents("c1", 0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 6u);
  for (size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ(events->at(i).seq, static_cast<int64_t>(i) + 1);
  }
  EXPECT_EQ(std::get<WorkStepEvent>(events->at(3).body).stage, "step2");
  EXPECT_EQ(std::get<WorkStepEvent>(events->at(3).body).started_at, FromUnixMillis(1002));
  EXPECT_EQ(std::get<MessageEvent>(events->at(4).body).text, "in the batch");
  auto inbox = store_->ListConversations(10);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ(inbox->at(0).last_message, "after");
}

TEST_P(StoreContractTest, ConcurrentBatchesAndAppendsStayGapFreeAndUnmixed) {
  NewConversation("c1");
  std::mutex mu;
  std::set<int64_t> seqs;
  std::vector<int64_t> listened;
  store_->SetCommitListener([&](const Event& e) {
    std::lock_guard lock(mu);
    listened.push_back(e.seq);
  });
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if ((t + i) % 2 == 0) {
          auto batch = AppendBatchAndWait(*store_, Steps("c1", 3));
          if (!batch.ok()) {
            ++failures;
            continue;
          }
          std::lock_guard lock(mu);
          for (size_t k = 0; k < batch->size(); ++k) {
            // One batch's events are never split by another writer's.
            EXPECT_EQ(batch->at(k).seq, batch->front().seq + static_cast<int64_t>(k));
            EXPECT_TRUE(seqs.insert(batch->at(k).seq).second);
          }
        } else {
          auto event = Say("c1", "x");
          if (!event.ok()) {
            ++failures;
            continue;
          }
          std::lock_guard lock(mu);
          EXPECT_TRUE(seqs.insert(event->seq).second);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(seqs.size(), 2u * 50 * 3 + 2u * 50);
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), static_cast<int64_t>(seqs.size()));
  std::lock_guard lock(mu);
  ASSERT_EQ(listened.size(), seqs.size());
  for (size_t i = 0; i < listened.size(); ++i) EXPECT_EQ(listened[i], static_cast<int64_t>(i) + 1);
}

TEST_P(StoreContractTest, BatchToUnknownConversationFailsWholeAndSparesOthers) {
  NewConversation("c1");
  std::promise<Result<std::vector<Event>>> unknown;
  // Queued together, so they are likely to share a transaction.
  store_->AppendBatch(Steps("nope", 3),
                      [&](Result<std::vector<Event>> r) { unknown.set_value(std::move(r)); });
  auto good = AppendBatchAndWait(*store_, Steps("c1", 2));
  auto failed = unknown.get_future().get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->front().seq, 1);
  EXPECT_EQ(good->front().log_index, 0);
  auto count = store_->CountEvents();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
}

TEST_P(StoreContractTest, BatchOfTwoConversationsOrNoneIsRejected) {
  NewConversation("a");
  NewConversation("b");
  auto requests = Steps("a", 2);
  requests.push_back(Steps("b", 1).front());
  auto mixed = AppendBatchAndWait(*store_, std::move(requests));
  EXPECT_EQ(mixed.status().code(), StatusCode::kInvalidArgument);
  auto empty = AppendBatchAndWait(*store_, {});
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto count = store_->CountEvents();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
}

TEST_P(StoreContractTest, BatchWithVaultMapStoresItWithTheMessage) {
  NewConversation("c1");
  std::vector<AppendRequest> requests = Steps("c1", 1);
  requests.push_back({"c1", MessageEvent{Author::kCustomer, "[IBAN_1]", ""}, "sealed-map"});
  ASSERT_TRUE(AppendBatchAndWait(*store_, std::move(requests)).ok());
  auto map = store_->GetVaultMap("c1");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*map, "sealed-map");
}

TEST_P(StoreContractTest, BatchedEventsSurviveReopen) {
  NewConversation("c1");
  ASSERT_TRUE(AppendBatchAndWait(*store_, Steps("c1", 4)).ok());
  Reopen();
  auto conversation = store_->GetConversation("c1");
  ASSERT_TRUE(conversation.ok());
  EXPECT_EQ(conversation->last_seq, 4);
  auto next = AppendBatchAndWait(*store_, Steps("c1", 2));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->front().seq, 5);
  EXPECT_EQ(next->back().log_index, 5);
}

TEST_P(StoreContractTest, AcknowledgedEventsSurviveReopen) {
  NewConversation("c1");
  ASSERT_TRUE(Say("c1", "first").ok());
  ASSERT_TRUE(Say("c1", "second").ok());
  Reopen();
  auto conversation = store_->GetConversation("c1");
  ASSERT_TRUE(conversation.ok());
  EXPECT_EQ(conversation->last_seq, 2);
  EXPECT_EQ(conversation->token_hash, "hash-c1");
  auto third = Say("c1", "third");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->seq, 3);
  EXPECT_EQ(third->log_index, 2);
}

TEST_P(StoreContractTest, ReadsOnlyEventsAfterTheGivenSequence) {
  NewConversation("c1");
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(Say("c1", std::to_string(i)).ok());
  auto events = store_->ReadEvents("c1", 7, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ(events->front().seq, 8);
  auto limited = store_->ReadEvents("c1", 0, 4);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 4u);
  auto none = store_->ReadEvents("c1", 10, 100);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContractTest, CommitListenerSeesEveryEventInCommitOrder) {
  std::mutex mu;
  std::vector<int64_t> seen;
  store_->SetCommitListener([&](const Event& e) {
    std::lock_guard lock(mu);
    seen.push_back(e.log_index);
  });
  NewConversation("c1");
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Say("c1", "x").ok());
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 20u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int64_t>(i));
}

TEST_P(StoreContractTest, DuplicateConversationIdIsRejected) {
  NewConversation("c1");
  Status again = store_->CreateConversation({"c1", "other", clock_.Now(), 0, ""});
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  auto conversation = store_->GetConversation("c1");
  ASSERT_TRUE(conversation.ok());
  EXPECT_EQ(conversation->token_hash, "hash-c1");
}

TEST_P(StoreContractTest, InboxListsMostRecentlyActiveFirstWithLastMessage) {
  NewConversation("old");
  clock_.Advance(std::chrono::seconds(1));
  NewConversation("new");
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(Say("old", "Ich wurde doppelt belastet").ok());
  auto inbox = store_->ListConversations(10);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 2u);
  EXPECT_EQ(inbox->at(0).conversation_id, "old");
  EXPECT_EQ(inbox->at(0).last_message, "Ich wurde doppelt belastet");
  EXPECT_EQ(inbox->at(0).last_author, Author::kCustomer);
  EXPECT_EQ(inbox->at(1).conversation_id, "new");
  EXPECT_FALSE(inbox->at(1).last_author.has_value());
}

TEST_P(StoreContractTest, AgentNamesAreUniqueAndSessionsFoundByHash) {
  auto anna = store_->AddAgent({0, "anna", AgentRole::kAdmin, "$argon2id$x", clock_.Now()});
  ASSERT_TRUE(anna.ok());
  EXPECT_GT(anna->id, 0);
  auto again = store_->AddAgent({0, "anna", AgentRole::kAgent, "$argon2id$y", clock_.Now()});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto found = store_->FindAgentByName("anna");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->role, AgentRole::kAdmin);
  EXPECT_EQ(store_->FindAgentByName("bob").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->CreateSession({"tokhash", anna->id, clock_.Now()}).ok());
  auto session = store_->FindSession("tokhash");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->agent_id, anna->id);
  EXPECT_EQ(store_->FindSession("other").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, SessionsEndByLogoutRevocationPasswordChangeAndDisabling) {
  auto anna = store_->AddAgent({0, "anna", AgentRole::kAgent, "$argon2id$x", clock_.Now()});
  auto ben = store_->AddAgent({0, "ben", AgentRole::kAgent, "$argon2id$x", clock_.Now()});
  ASSERT_TRUE(anna.ok() && ben.ok());
  const Time later = clock_.Now() + std::chrono::hours(12);
  auto login = [&](const std::string& hash, int64_t agent) {
    return store_->CreateSession({hash, agent, later, clock_.Now() + std::chrono::minutes(30)});
  };
  ASSERT_TRUE(login("a1", anna->id).ok());
  ASSERT_TRUE(login("a2", anna->id).ok());
  ASSERT_TRUE(login("b1", ben->id).ok());

  // Sliding renewal moves the idle deadline, never past the expiry.
  ASSERT_TRUE(store_->RenewSession("a1", clock_.Now() + std::chrono::hours(1)).ok());
  EXPECT_EQ(store_->FindSession("a1")->idle_until, clock_.Now() + std::chrono::hours(1));
  ASSERT_TRUE(store_->RenewSession("a1", later + std::chrono::hours(1)).ok());
  EXPECT_EQ(store_->FindSession("a1")->idle_until, later);

  ASSERT_TRUE(store_->EndSession("a1").ok());
  EXPECT_EQ(store_->FindSession("a1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->EndSession("a1").ok()) << "logging out twice is fine";
  EXPECT_TRUE(store_->FindSession("a2").ok());

  ASSERT_TRUE(login("a3", anna->id).ok());
  auto ended = store_->EndAgentSessions(anna->id);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, 2);
  EXPECT_EQ(store_->FindSession("a2").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindSession("b1").ok()) << "only anna's sessions end";

  ASSERT_TRUE(login("a4", anna->id).ok());
  ASSERT_TRUE(store_->SetAgentPassword(anna->id, "$argon2id$new").ok());
  EXPECT_EQ(store_->FindAgentByName("anna")->password_hash, "$argon2id$new");
  EXPECT_EQ(store_->FindSession("a4").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(login("a5", anna->id).ok());
  ASSERT_TRUE(store_->SetAgentDisabled(anna->id, true).ok());
  EXPECT_TRUE(store_->GetAgent(anna->id)->disabled);
  EXPECT_EQ(store_->FindSession("a5").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(login("a6", anna->id).code(), StatusCode::kPermissionDenied)
      << "a disabled agent gets no session";
  ASSERT_TRUE(store_->SetAgentDisabled(anna->id, false).ok());
  EXPECT_TRUE(login("a6", anna->id).ok());
  EXPECT_EQ(store_->SetAgentDisabled(9999, true).code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->AddAgentDevice("d1", ben->id, clock_.Now()).ok());
  EXPECT_EQ(*store_->FindAgentDevice("d1"), ben->id);
  EXPECT_EQ(store_->FindAgentDevice("d2").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, TheLogReadsEveryConversationInCommitOrder) {
  NewConversation("a");
  NewConversation("b");
  ASSERT_TRUE(Say("a", "one").ok());
  ASSERT_TRUE(Say("b", "two").ok());
  ASSERT_TRUE(Say("a", "three").ok());
  auto log = store_->ReadLog(1, 10);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ(log->at(0).conversation_id, "b");
  EXPECT_EQ(log->at(0).log_index, 1);
  EXPECT_EQ(std::get<MessageEvent>(log->at(1).body).text, "three");
  EXPECT_EQ(log->at(1).seq, 2);
  auto leaves = store_->ReadLeafHashes(0, 10);
  ASSERT_TRUE(leaves.ok());
  ASSERT_EQ(leaves->size(), 3u);
  EXPECT_EQ(leaves->at(1), log->at(0).leaf_hash);
  EXPECT_EQ(leaves->at(1).size(), 32u);
}

TEST_P(StoreContractTest, LedgerBlockRootsAreKeptInOrderUpToTheFirstGap) {
  const std::vector<std::string> roots = {std::string(32, 'a'), std::string(32, 'b')};
  ASSERT_TRUE(store_->SaveLedgerBlocks(10, 0, roots).ok());
  ASSERT_TRUE(store_->SaveLedgerBlocks(10, 1, {std::string(32, 'b')}).ok()) << "saved again";
  ASSERT_TRUE(store_->SaveLedgerBlocks(10, 3, {std::string(32, 'd')}).ok());  // after a gap
  ASSERT_TRUE(store_->SaveLedgerBlocks(4, 0, {std::string(32, 'x')}).ok());   // another height
  Reopen();
  auto read = store_->ReadLedgerBlocks(10);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, roots);
  EXPECT_TRUE(store_->ReadLedgerBlocks(12)->empty());
}

TEST_P(StoreContractTest, AProjectionSnapshotIsReplacedOnlyByANewerOne) {
  EXPECT_EQ(store_->LoadProjectionSnapshot("desk").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(
      store_->SaveProjectionSnapshot({"desk", 41, std::string(32, 'h'), "{\"v\":1}", clock_.Now()})
          .ok());
  ASSERT_TRUE(
      store_->SaveProjectionSnapshot({"desk", 7, std::string(32, 'o'), "older", clock_.Now()})
          .ok());
  ASSERT_TRUE(
      store_->SaveProjectionSnapshot({"trust", 3, std::string(32, 't'), "{}", clock_.Now()}).ok());
  Reopen();
  auto desk = store_->LoadProjectionSnapshot("desk");
  ASSERT_TRUE(desk.ok()) << desk.status().ToString();
  EXPECT_EQ(desk->through_log_index, 41);
  EXPECT_EQ(desk->state, "{\"v\":1}");
  EXPECT_EQ(desk->through_leaf_hash, std::string(32, 'h'));
  EXPECT_EQ(store_->LoadProjectionSnapshot("trust")->through_log_index, 3);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
                         ::testing::Values(StoreFactory{
                             "sqlite",
                             [](const fs::path& dir, const Clock& clock) {
                               return OpenSqliteStore((dir / "candor.db").string(), clock);
                             }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace candor
