// The ledger against a real SQLite file that is tampered with behind candor's
// back: every kind of change must be found, and named.
#include "audit/audit.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "audit/tamper_testing.h"

namespace candor {
namespace {

namespace fs = std::filesystem;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("candor-audit-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    key_ = ledger::SigningKey::Generate();
    verifier_ = *ledger::ParseVerifierKey(ledger::FormatVerifierKey("candor", key_.public_key()));
    OpenStore();
    // Two conversations, interleaved, with a checkpoint after 8 and after 16 events.
    for (const char* id : {"c_a", "c_b"}) {
      ASSERT_TRUE(store_->CreateConversation({id, "h", clock_.Now(), 0, ""}).ok());
    }
    for (int i = 0; i < 20; ++i) {
      const std::string id = i % 2 ? "c_b" : "c_a";
      ASSERT_TRUE(
          AppendAndWait(
              *store_, {id, MessageEvent{Author::kCustomer, "Meine Karte " + std::to_string(i), ""},
                        std::nullopt})
              .ok());
      if (i == 7 || i == 15) {
        ASSERT_TRUE(ledger_->CheckpointNow().ok());
      }
    }
    CloseStore();
  }
  void TearDown() override {
    CloseStore();
    fs::remove_all(dir_);
  }
  void OpenStore() {
    auto store = OpenSqliteStore((dir_ / "candor.db").string(), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto service = LedgerService::Open(*store_, key_, {}, clock_, logger_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    ledger_ = std::move(*service);
    store_->SetCommitListener([this](const Event& e) { ledger_->OnCommit(e); });
    ledger_->Start();
  }
  void CloseStore() {
    ledger_.reset();
    store_.reset();
  }
  void Tamper(const std::string& sql) { TamperWithDatabase((dir_ / "candor.db").string(), sql); }
  AuditReport Audit() {
    OpenStore();
    auto report = AuditStore(*store_, verifier_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : AuditReport{false, 0, 0, 0, "audit failed", -1};
  }
  // What an intruder who knows the format writes: a new body with a matching
  // commitment and leaf hash, so the row itself looks perfect.
  void RewriteConsistently(int64_t log_index, const std::string& new_body) {
    OpenStore();
    auto records = store_->ReadLedger(log_index, 1);
    ASSERT_TRUE(records.ok());
    LedgerRecord r = records->front();
    CloseStore();
    const ledger::Hash commitment = ledger::CommitContent(r.salt, new_body);
    const ledger::Hash leaf = ledger::HashLeaf(
        ledger::EncodeLeaf({r.log_index, r.conversation_id, r.seq, r.kind, r.at_ms, commitment}));
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "candor.db").string().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(
        db, "UPDATE events SET body = ?, commitment = ?, leaf_hash = ? WHERE log_index = ?", -1,
        &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, new_body.data(), static_cast<int>(new_body.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 2, commitment.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 3, leaf.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 4, log_index);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }

  FakeClock clock_;
  Logger logger_{stderr, LogLevel::kOff, clock_};
  fs::path dir_;
  ledger::SigningKey key_ = ledger::SigningKey::Generate();
  ledger::VerifierKey verifier_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LedgerService> ledger_;
};

TEST_F(AuditTest, UntouchedLogVerifies) {
  auto report = Audit();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 20);
  EXPECT_EQ(report.checkpoints, 4)
      << "the empty tree at start, two during the run, one at shutdown";
}

TEST_F(AuditTest, EditedContentIsFoundAndNamed) {
  Tamper("UPDATE events SET body = replace(body, 'Karte', 'Konto') WHERE log_index = 3");
  auto report = Audit();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_log_index, 3);
  EXPECT_NE(report.problem.find("record 3"), std::string::npos) << report.problem;
  EXPECT_NE(report.problem.find("changed"), std::string::npos) << report.problem;
}

TEST_F(AuditTest, ConsistentRewriteIsCaughtByTheSignedCheckpoint) {
  RewriteConsistently(5, R"({"author":"customer","text":"Alles in Ordnung"})");
  auto report = Audit();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("do not match the checkpoint of size 8"), std::string::npos)
      << report.problem;
  // And the service refuses to sign anything on top of it.
  EXPECT_FALSE(ledger_->consistent());
  EXPECT_FALSE(ledger_->CheckpointNow().ok());
}

TEST_F(AuditTest, DeletedRecordIsFound) {
  Tamper("DELETE FROM events WHERE log_index = 6");
  auto report = Audit();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_log_index, 6);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
}

TEST_F(AuditTest, ReorderedRecordsAreFound) {
  // Swap the places of two events of different conversations.
  Tamper(
      "UPDATE events SET log_index = -1 WHERE log_index = 10;"
      "UPDATE events SET log_index = 10 WHERE log_index = 11;"
      "UPDATE events SET log_index = 11 WHERE log_index = -1;");
  auto report = Audit();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_log_index, 10);
}

TEST_F(AuditTest, TruncatedLogIsFound) {
  Tamper("DELETE FROM events WHERE log_index >= 17");
  auto report = Audit();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("truncated"), std::string::npos) << report.problem;
}

TEST_F(AuditTest, ForgedCheckpointIsFound) {
  Tamper(
      "UPDATE checkpoints SET note = replace(note, char(10) || '8' || char(10), "
      "char(10) || '7' || char(10)) WHERE tree_size = 8");
  auto report = Audit();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("does not verify"), std::string::npos) << report.problem;
}

TEST_F(AuditTest, ErasedContentKeepsEveryProofValid) {
  Tamper("UPDATE events SET body = '', salt = x'' WHERE conversation_id = 'c_a'");
  auto report = Audit();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 20);
}

TEST_F(AuditTest, ExportVerifiesAndCatchesChanges) {
  OpenStore();
  auto exported = ExportConversation(*store_, *ledger_, "c_b");
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  auto report = AuditExport(*exported, verifier_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 10);
  EXPECT_EQ(report->pending, 0) << "all were checkpointed at shutdown";

  auto edited = *exported;
  std::string body = edited["events"][2]["body"];
  edited["events"][2]["body"] = body.replace(body.find("Karte"), 5, "Konto");
  auto bad = AuditExport(edited, verifier_);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->ok);
  EXPECT_NE(bad->problem.find("seq 3"), std::string::npos) << bad->problem;

  auto removed = *exported;
  removed["events"].erase(4);
  auto gap = AuditExport(removed, verifier_);
  ASSERT_TRUE(gap.ok());
  EXPECT_FALSE(gap->ok);
  EXPECT_NE(gap->problem.find("seq 5 is missing"), std::string::npos) << gap->problem;

  auto other_key = *ledger::ParseVerifierKey(
      ledger::FormatVerifierKey("candor", ledger::SigningKey::Generate().public_key()));
  auto wrong_key = AuditExport(*exported, other_key);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_FALSE(wrong_key->ok);
}

}  // namespace
}  // namespace candor
