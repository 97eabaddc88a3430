// The ledger service against a real SQLite file: the tree it signs is the
// stored log, whoever wrote the events and whenever its listener was set.
#include <gtest/gtest.h>

#include <filesystem>

#include "audit/audit.h"
#include "audit/tamper_testing.h"

namespace candor {
namespace {

namespace fs = std::filesystem;

ledger::Hash ToHash(const std::string& raw) {
  ledger::Hash hash{};
  std::copy(raw.begin(), raw.end(), hash.begin());
  return hash;
}

class LedgerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("candor-ledger-service-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    verifier_ = *ledger::ParseVerifierKey(ledger::FormatVerifierKey("candor", key_.public_key()));
    auto store = OpenSqliteStore((dir_ / "candor.db").string(), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->CreateConversation({"c_demo", "h", clock_.Now(), 0, ""}).ok());
  }
  void TearDown() override {
    ledger_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void OpenLedger(LedgerOptions options = {}) {
    ledger_.reset();
    auto service = LedgerService::Open(*store_, key_, options, clock_, logger_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    ledger_ = std::move(*service);
  }
  Result<Event> Say(const std::string& text) {
    return AppendAndWait(*store_, {"c_demo", MessageEvent{Author::kCustomer, text, ""}});
  }
  void Reopen() {
    ledger_.reset();
    store_.reset();
    auto store = OpenSqliteStore((dir_ / "candor.db").string(), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void Tamper(const std::string& sql) { TamperWithDatabase((dir_ / "candor.db").string(), sql); }
  AuditReport Audit() {
    auto report = AuditStore(*store_, verifier_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : AuditReport{false, 0, 0, 0, "audit failed", -1};
  }

  FakeClock clock_;
  Logger logger_{stderr, LogLevel::kOff, clock_};
  fs::path dir_;
  ledger::SigningKey key_ = ledger::SigningKey::Generate();
  ledger::VerifierKey verifier_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LedgerService> ledger_;
};

// The demo's seed message is written after the ledger loaded the empty
// database and before the server installs its listener.
TEST_F(LedgerServiceTest, AnEventWrittenBeforeTheListenerStillJoinsTheTreeInItsPlace) {
  OpenLedger();
  ledger_->Start();
  ASSERT_TRUE(Say("Guten Tag, meine Karte ist noch nicht angekommen.").ok());  // log index 0
  store_->SetCommitListener([this](const Event& e) { ledger_->OnCommit(e); });
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Say("Hallo " + std::to_string(i)).ok());

  auto signed_now = ledger_->CheckpointNow();
  ASSERT_TRUE(signed_now.ok()) << signed_now.status().ToString();
  ASSERT_TRUE(signed_now->has_value());
  EXPECT_EQ((*signed_now)->tree_size, 6);
  const AuditReport report = Audit();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 6);

  // The seed message's inclusion proof verifies against the signed root.
  auto records = store_->ReadLedger(0, 1);
  ASSERT_TRUE(records.ok() && records->size() == 1);
  auto proof = ledger_->Inclusion(0, 6);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_EQ(proof->leaf_hash, ToHash(records->front().leaf_hash));
  EXPECT_TRUE(ledger::VerifyInclusion(ToHash(records->front().leaf_hash), 0, 6, proof->proof,
                                      ToHash((*signed_now)->root_hash))
                  .ok());
  auto exported = ExportConversation(*store_, *ledger_, "c_demo");
  ASSERT_TRUE(exported.ok());
  auto offline = AuditExport(*exported, verifier_);
  ASSERT_TRUE(offline.ok());
  EXPECT_TRUE(offline->ok) << offline->problem;
}

// Blocks of 4 leaves, so a few events make several saved blocks.
LedgerOptions SmallBlocks() {
  LedgerOptions options;
  options.block_height = 2;
  return options;
}

TEST_F(LedgerServiceTest, ARestartStartsFromTheSavedBlockRootsAndProvesAsBefore) {
  OpenLedger(SmallBlocks());
  std::vector<Event> said;
  for (int i = 0; i < 23; ++i) said.push_back(Say("Nachricht " + std::to_string(i)).value());
  ASSERT_TRUE(ledger_->CheckpointNow().ok());
  const auto before = ledger_->Inclusion(6, 23).value();
  ledger_.reset();  // stopping saves the roots of blocks 0..4
  EXPECT_EQ(store_->ReadLedgerBlocks(2)->size(), 5u);

  Reopen();
  OpenLedger(SmallBlocks());
  ASSERT_TRUE(ledger_->consistent());
  EXPECT_EQ(ledger_->Size(), 23u);
  const auto after = ledger_->Inclusion(6, 23).value();
  EXPECT_EQ(after.root, before.root);
  EXPECT_EQ(after.proof, before.proof);
  EXPECT_TRUE(ledger::VerifyInclusion(ToHash(said[6].leaf_hash), 6, 23, after.proof,
                                      ToHash(ledger_->Latest()->root_hash))
                  .ok());
  // It grows on from there exactly as a full rehash of the log would.
  store_->SetCommitListener([this](const Event& e) { ledger_->OnCommit(e); });
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(Say("danach " + std::to_string(i)).ok());
  auto signed_now = ledger_->CheckpointNow();
  ASSERT_TRUE(signed_now.ok()) << signed_now.status().ToString();
  EXPECT_EQ((*signed_now)->tree_size, 32);
  EXPECT_TRUE(Audit().ok);
}

TEST_F(LedgerServiceTest, ASavedBlockRootThatNoCheckpointVouchesForStopsTheSigning) {
  OpenLedger(SmallBlocks());
  for (int i = 0; i < 13; ++i) ASSERT_TRUE(Say("m" + std::to_string(i)).ok());
  ASSERT_TRUE(ledger_->CheckpointNow().ok());
  Reopen();
  Tamper("UPDATE ledger_blocks SET root = zeroblob(32) WHERE idx = 1");
  OpenLedger(SmallBlocks());
  EXPECT_FALSE(ledger_->consistent());
  EXPECT_FALSE(ledger_->CheckpointNow().ok());
}

TEST_F(LedgerServiceTest, AStoredLeafEditedAfterItsBlockWasSavedIsNeverProvenFrom) {
  OpenLedger(SmallBlocks());
  for (int i = 0; i < 13; ++i) ASSERT_TRUE(Say("m" + std::to_string(i)).ok());
  ASSERT_TRUE(ledger_->CheckpointNow().ok());
  Reopen();
  ASSERT_EQ(store_->ReadLedgerBlocks(2)->size(), 3u);
  Tamper("UPDATE events SET leaf_hash = zeroblob(32) WHERE log_index = 5");
  OpenLedger(SmallBlocks());
  EXPECT_TRUE(ledger_->consistent()) << "start-up reads the saved roots, not that leaf";
  auto proof = ledger_->Inclusion(5, 13);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.status().code(), StatusCode::kIoError);
  EXPECT_TRUE(ledger_->Inclusion(9, 13).ok());
}

TEST_F(LedgerServiceTest, EventsStoredButNotYetReportedAreSignedToo) {
  OpenLedger();
  ASSERT_TRUE(Say("eins").ok());
  ASSERT_TRUE(Say("zwei").ok());
  auto signed_now = ledger_->CheckpointNow();
  ASSERT_TRUE(signed_now.ok() && signed_now->has_value());
  EXPECT_EQ((*signed_now)->tree_size, 2);
  EXPECT_TRUE(Audit().ok);
}

TEST_F(LedgerServiceTest, TheSignerRefusesATreeThatDiffersFromTheStoredLog) {
  OpenLedger();
  store_->SetCommitListener([this](const Event& e) {
    Event wrong = e;
    wrong.leaf_hash[0] = static_cast<char>(wrong.leaf_hash[0] ^ 1);  // not what was stored
    ledger_->OnCommit(wrong);
  });
  ASSERT_TRUE(Say("Hallo").ok());
  auto signed_now = ledger_->CheckpointNow();
  EXPECT_FALSE(signed_now.ok()) << "a tree that is not the stored log must not be signed";
  auto checkpoints = store_->ListCheckpoints();
  ASSERT_TRUE(checkpoints.ok());
  EXPECT_TRUE(checkpoints->empty());
}

TEST_F(LedgerServiceTest, ANewLedgerServesASignedCheckpointOfTheEmptyTreeAtOnce) {
  OpenLedger();
  EXPECT_FALSE(ledger_->Latest().has_value());
  ledger_->Start();
  auto latest = ledger_->Latest();
  ASSERT_TRUE(latest.has_value()) << "a checkpoint is there before the first event";
  EXPECT_EQ(latest->tree_size, 0);
  auto verified = ledger::VerifyCheckpoint(latest->note, verifier_.public_key, verifier_.name);
  EXPECT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(Audit().ok);
}

// One sample of every kind candor writes, with every field set, so a field
// the encoding dropped or changed would show.
std::vector<EventBody> OneOfEveryKind(Time t) {
  AnswerWhy why;
  why.intent = "card_arrival";
  why.intent_confidence = 0.83;
  why.language = "de";
  why.action = DecisionAction::kAnswer;
  why.rule = "default";
  why.reason_de = "Grund";
  why.reason_en = "Reason";
  why.composer = "extractive";
  why.confidence = 0.71;
  why.explanation = "the passage answers it";
  why.sources.push_back({1, "Karte", "https://bank.example/karte", "Lieferung", "7 Tage"});
  std::vector<EventBody> all = {
      MessageEvent{Author::kCustomer, "Wo ist meine Karte? \"ü\" \\ \n", ""},
      MessageEvent{Author::kCustomerAssistant, "assistant text", ""},
      MessageEvent{Author::kAi, "Die Karte kommt in 7 Tagen [1].", "", 1, why},
      MessageEvent{Author::kPerson, "Ich kümmere mich.", "Anna", 1},
      MessageEvent{Author::kAiApproved, "Freigegeben.", "Anna", 1, why},
      WorkStepEvent{"retrieve", StepStatus::kDone, "Suche", "Search", t, t, "3 passages"},
      WorkStepEvent{"compose", StepStatus::kFailed, "Antwort", "Answer", t, t, "timeout"},
      WorkStepEvent{"receive", StepStatus::kStarted, "Empfang", "Receive", t, std::nullopt, ""},
      RevealEvent{"Anna", "IBAN_1", "iban", "customer asked to check"},
      UnderstandingEvent{"de", "card_arrival", 0.9, true, 0.2, "sha256:abc"},
      DecisionEvent{1, DecisionAction::kDraft, "drafts", "Ein Mensch prüft", "A person checks",
                    "trace"},
      DraftEvent{1, "Entwurf", why},
      ReviewEvent{12, ReviewOutcome::kEdited, "Anna", "", 7},
      ReviewEvent{12, ReviewOutcome::kRejected, "Ben", "wrong article", 0},
      QueueEvent{QueueChange::kJoined, "customer", "", "Sie warten", "You wait", 0},
      QueueEvent{QueueChange::kMoved, "", "", "Nummer 2", "Number 2", 2},
      QueueEvent{QueueChange::kTaken, "", "Anna", "Anna ist da", "Anna is here", 0},
      CommitmentEvent{CommitmentChange::kMade, 0, CommitmentSource::kAgent, t, "Anna", "bis 14 Uhr",
                      "by 2 pm"},
      CommitmentEvent{CommitmentChange::kMissed, 17, CommitmentSource::kQueue,
                      t + std::chrono::minutes(30), "", "spät", "late"},
  };
  return all;
}

TEST_F(LedgerServiceTest, EveryEventKindsLeafIsRecomputedFromItsStoredRow) {
  static_assert(std::variant_size_v<EventBody> == 9,
                "a new event kind needs a sample in OneOfEveryKind");
  OpenLedger();
  store_->SetCommitListener([this](const Event& e) { ledger_->OnCommit(e); });
  const auto samples = OneOfEveryKind(clock_.Now());
  std::vector<bool> kind_seen(std::variant_size_v<EventBody>, false);
  for (const auto& body : samples) {
    kind_seen[body.index()] = true;
    auto written = AppendAndWait(*store_, {"c_demo", body});
    ASSERT_TRUE(written.ok()) << EventKind(body) << ": " << written.status().ToString();
  }
  for (size_t i = 0; i < kind_seen.size(); ++i) EXPECT_TRUE(kind_seen[i]) << "kind " << i;

  auto records = store_->ReadLedger(0, 1000);
  auto events = store_->ReadEvents("c_demo", 0, 1000);
  ASSERT_TRUE(records.ok() && events.ok());
  ASSERT_EQ(records->size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const LedgerRecord& r = (*records)[i];
    SCOPED_TRACE(r.kind + " at log index " + std::to_string(r.log_index));
    // Encode -> store -> decode -> encode gives the stored bytes again.
    EXPECT_EQ(r.body, EncodeEventBody(samples[i]));
    EXPECT_EQ(EncodeEventBody((*events)[i].body), r.body);
    EXPECT_EQ(r.kind, EventKind(samples[i]));
    // The leaf recomputed from the row is the leaf written, and the tree's.
    const ledger::Hash commitment = ledger::CommitContent(r.salt, r.body);
    EXPECT_EQ(std::string(commitment.begin(), commitment.end()), r.commitment);
    const ledger::Hash leaf = ledger::HashLeaf(
        ledger::EncodeLeaf({r.log_index, r.conversation_id, r.seq, r.kind, r.at_ms, commitment}));
    EXPECT_EQ(std::string(leaf.begin(), leaf.end()), r.leaf_hash);
    auto in_tree = ledger_->Inclusion(static_cast<uint64_t>(i), samples.size());
    ASSERT_TRUE(in_tree.ok());
    EXPECT_EQ(in_tree->leaf_hash, leaf);
  }
  ASSERT_TRUE(ledger_->CheckpointNow().ok());
  const AuditReport report = Audit();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, static_cast<int64_t>(samples.size()));
}

}  // namespace
}  // namespace candor
