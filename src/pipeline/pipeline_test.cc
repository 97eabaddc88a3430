#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <mutex>

#include "pipeline/protector.h"

namespace candor {
namespace {

// Records emitted events in memory and acknowledges them at once.
class RecordingSink final : public EventSink {
 public:
  void Emit(const std::string& conversation_id, EventBody body, AppendCallback done) override {
    Event event{
        conversation_id, static_cast<int64_t>(events.size()) + 1, 0, {}, std::move(body), ""};
    events.push_back(event);
    if (fail_next) {
      fail_next = false;
      done(Status::IoError("disk full"));
      return;
    }
    done(event);
  }
  std::vector<WorkStepEvent> Steps() const {
    std::vector<WorkStepEvent> steps;
    for (const auto& e : events)
      if (auto* w = std::get_if<WorkStepEvent>(&e.body)) steps.push_back(*w);
    return steps;
  }
  void EmitBatch(std::vector<AppendRequest> requests, AppendBatchCallback done) override {
    ++batches;
    EventSink::EmitBatch(std::move(requests), std::move(done));
  }
  std::vector<Event> events;
  bool fail_next = false;
  int batches = 0;
};

// A stage that takes `work` of fake time and returns `result`.
class TimedStage final : public Stage {
 public:
  TimedStage(std::string name, FakeClock& clock, std::chrono::milliseconds work,
             Status result = Status::Ok(), bool applies = true)
      : name_(std::move(name)), clock_(clock), work_(work), result_(result), applies_(applies) {}
  std::string_view Name() const override { return name_; }
  std::string_view LabelDe() const override { return "Schritt"; }
  std::string_view LabelEn() const override { return "Step"; }
  bool AppliesTo(const Turn&) const override { return applies_; }
  Status Run(Turn&, EventSink&) override {
    ++runs;
    clock_.Advance(work_);
    return result_;
  }
  int runs = 0;

 private:
  std::string name_;
  FakeClock& clock_;
  std::chrono::milliseconds work_;
  Status result_;
  bool applies_;
};

Turn MakeTurn(std::string conversation_id, int64_t seq, std::string text) {
  Turn turn;
  turn.conversation_id = std::move(conversation_id);
  turn.incoming = seq > 0;
  turn.message_seq = seq;
  turn.text = std::move(text);
  return turn;
}

struct RunOutcome {
  bool called = false;
  Status status;
};

RunOutcome RunTurn(Runner& runner, Turn turn) {
  RunOutcome outcome;
  runner.Run(std::move(turn), [&](Status status, const Turn&) {
    outcome.called = true;
    outcome.status = status;
  });
  return outcome;
}

TEST(RunnerTest, EmitsStartedAndDoneWithRealDurationsAroundEachStage) {
  FakeClock clock;
  RecordingSink sink;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<TimedStage>("receive", clock, std::chrono::milliseconds(5)));
  stages.push_back(std::make_unique<TimedStage>("deliver", clock, std::chrono::milliseconds(30)));
  Runner runner(std::move(stages), sink, clock);

  auto outcome = RunTurn(runner, MakeTurn("c1", 1, "Hallo"));
  ASSERT_TRUE(outcome.called);
  EXPECT_TRUE(outcome.status.ok());
  const auto steps = sink.Steps();
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].stage, "receive");
  EXPECT_EQ(steps[0].status, StepStatus::kStarted);
  EXPECT_FALSE(steps[0].finished_at.has_value());
  EXPECT_EQ(steps[1].status, StepStatus::kDone);
  EXPECT_EQ(*steps[1].finished_at - steps[1].started_at, std::chrono::milliseconds(5));
  EXPECT_EQ(steps[3].stage, "deliver");
  EXPECT_EQ(*steps[3].finished_at - steps[3].started_at, std::chrono::milliseconds(30));
}

TEST(RunnerTest, StageThatDoesNotApplyLeavesNoTrace) {
  FakeClock clock;
  RecordingSink sink;
  auto skipped = std::make_unique<TimedStage>("deliver", clock, std::chrono::milliseconds(1),
                                              Status::Ok(), /*applies=*/false);
  TimedStage* skipped_ptr = skipped.get();
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<TimedStage>("receive", clock, std::chrono::milliseconds(1)));
  stages.push_back(std::move(skipped));
  Runner runner(std::move(stages), sink, clock);

  EXPECT_TRUE(RunTurn(runner, MakeTurn("c1", 1, "Hallo")).status.ok());
  EXPECT_EQ(skipped_ptr->runs, 0);
  for (const auto& step : sink.Steps()) EXPECT_NE(step.stage, "deliver");
  EXPECT_EQ(sink.Steps().size(), 2u);
}

TEST(RunnerTest, FailedStageIsShownAsFailedAndLaterStagesDoNotRun) {
  FakeClock clock;
  RecordingSink sink;
  auto later = std::make_unique<TimedStage>("deliver", clock, std::chrono::milliseconds(1));
  TimedStage* later_ptr = later.get();
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<TimedStage>("receive", clock, std::chrono::milliseconds(2),
                                                Status::NotFound("no such conversation")));
  stages.push_back(std::move(later));
  Runner runner(std::move(stages), sink, clock);

  auto outcome = RunTurn(runner, MakeTurn("c1", 1, "Hallo"));
  EXPECT_EQ(outcome.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(later_ptr->runs, 0);
  const auto steps = sink.Steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].status, StepStatus::kFailed);
  EXPECT_EQ(steps[1].detail, "not_found");
}

TEST(RunnerTest, ReportsAnAppendThatWasNotDurable) {
  FakeClock clock;
  RecordingSink sink;
  sink.fail_next = true;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<TimedStage>("receive", clock, std::chrono::milliseconds(1)));
  Runner runner(std::move(stages), sink, clock);
  EXPECT_EQ(RunTurn(runner, MakeTurn("c1", 1, "Hallo")).status.code(), StatusCode::kIoError);
}

TEST(RunnerTest, QuickStagesAreWrittenInOneBatch) {
  FakeClock clock;
  RecordingSink sink;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<TimedStage>("receive", clock, std::chrono::milliseconds(1)));
  stages.push_back(std::make_unique<TimedStage>("protect", clock, std::chrono::milliseconds(1)));
  Runner runner(std::move(stages), sink, clock);
  EXPECT_TRUE(RunTurn(runner, MakeTurn("c1", 1, "Hallo")).status.ok());
  EXPECT_EQ(sink.batches, 1);
  ASSERT_EQ(sink.Steps().size(), 4u);
  EXPECT_EQ(sink.Steps()[2].stage, "protect");
  EXPECT_EQ(sink.Steps()[2].status, StepStatus::kStarted);
}

// A stage about to wait flushes, as the model and review stages do: its
// "started" is out before it waits, and what it emits lands between its steps.
class WaitingStage final : public Stage {
 public:
  explicit WaitingStage(RecordingSink& recording) : recording_(recording) {}
  std::string_view Name() const override { return "compose"; }
  std::string_view LabelDe() const override { return "Antwort verfasst"; }
  std::string_view LabelEn() const override { return "Answer drafted"; }
  bool AppliesTo(const Turn&) const override { return true; }
  Status Run(Turn& turn, EventSink& sink) override {
    sink.Flush();
    seen_before_waiting = recording_.Steps();
    sink.Emit(turn.conversation_id, MessageEvent{Author::kAi, "Antwort", ""}, {});
    return Status::Ok();
  }
  std::vector<WorkStepEvent> seen_before_waiting;

 private:
  RecordingSink& recording_;
};

TEST(RunnerTest, AStageThatWaitsIsSeenStartedWhileItWaits) {
  FakeClock clock;
  RecordingSink sink;
  auto waiting = std::make_unique<WaitingStage>(sink);
  WaitingStage* waiting_ptr = waiting.get();
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<TimedStage>("retrieve", clock, std::chrono::milliseconds(1)));
  stages.push_back(std::move(waiting));
  Runner runner(std::move(stages), sink, clock);
  EXPECT_TRUE(RunTurn(runner, MakeTurn("c1", 1, "Hallo")).status.ok());
  ASSERT_EQ(waiting_ptr->seen_before_waiting.size(), 3u);
  EXPECT_EQ(waiting_ptr->seen_before_waiting[2].stage, "compose");
  EXPECT_EQ(waiting_ptr->seen_before_waiting[2].status, StepStatus::kStarted);
  EXPECT_EQ(sink.batches, 2);
  ASSERT_EQ(sink.events.size(), 5u);
  EXPECT_TRUE(std::holds_alternative<MessageEvent>(sink.events[3].body));
  EXPECT_EQ(std::get<WorkStepEvent>(sink.events[4].body).status, StepStatus::kDone);
}

class StagesOnSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("candor-pipeline-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
    auto store = OpenSqliteStore(path_.string(), clock_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->CreateConversation({"c1", "h", clock_.Now(), 0, ""}).ok());
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix);
  }
  FakeClock clock_;
  std::filesystem::path path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StagesOnSqliteTest, PersonReplyIsDeliveredBetweenItsWorkSteps) {
  StoreEventSink sink(*store_);
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(MakeReceiveStage(*store_));
  stages.push_back(MakeDeliverStage());
  Runner runner(std::move(stages), sink, clock_);

  Turn turn = MakeTurn("c1", 0, "");
  turn.reply = MessageEvent{Author::kPerson, "Guten Tag, ich helfe Ihnen.", "Anna"};
  std::promise<Status> finished;
  runner.Run(turn, [&](Status s, const Turn& t) {
    EXPECT_TRUE(t.delivered.has_value());
    finished.set_value(s);
  });
  ASSERT_TRUE(finished.get_future().get().ok());

  auto events = store_->ReadEvents("c1", 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);  // receive does not apply: no customer message
  EXPECT_EQ(std::get<WorkStepEvent>(events->at(0).body).stage, "deliver");
  EXPECT_EQ(std::get<MessageEvent>(events->at(1).body).author, Author::kPerson);
  EXPECT_EQ(std::get<WorkStepEvent>(events->at(2).body).status, StepStatus::kDone);
}

// Remembers the text every stage after "protect" was given.
class RecordingStage final : public Stage {
 public:
  std::string_view Name() const override { return "understand"; }
  std::string_view LabelDe() const override { return "Verstanden"; }
  std::string_view LabelEn() const override { return "Understood"; }
  bool AppliesTo(const Turn&) const override { return true; }
  Status Run(Turn& turn, EventSink&) override {
    seen = turn.text + "|" + turn.masked_text;
    return Status::Ok();
  }
  std::string seen;
};

TEST_F(StagesOnSqliteTest, StagesAfterProtectNeverSeeTheOriginal) {
  auto scanner = privacy::PiiScanner::Create();
  ASSERT_TRUE(scanner.ok());
  Protector protector(*store_, *scanner, vault::SecretKey::Random());
  ASSERT_TRUE(
      store_->CreateConversation({"c2", "h", clock_.Now(), 0, protector.NewConversationKey("c2")})
          .ok());
  StoreEventSink sink(*store_);
  auto recording = std::make_unique<RecordingStage>();
  RecordingStage* later = recording.get();
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(MakeReceiveStage(*store_));
  stages.push_back(MakeProtectStage(protector));
  stages.push_back(std::move(recording));
  Runner runner(std::move(stages), sink, clock_);

  Turn turn = MakeTurn("c2", 1, "Meine IBAN: DE89 3704 0044 0532 0130 00");
  auto finished = std::make_shared<std::promise<Status>>();
  runner.Run(std::move(turn), [finished](Status s, const Turn&) { finished->set_value(s); });
  ASSERT_TRUE(finished->get_future().get().ok());
  EXPECT_EQ(later->seen, "Meine IBAN: [IBAN_1]|Meine IBAN: [IBAN_1]");
  auto events = store_->ReadEvents("c2", 0, 20);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events) {
    if (const auto* m = std::get_if<MessageEvent>(&e.body)) {
      EXPECT_EQ(m->text, "Meine IBAN: [IBAN_1]");
    }
  }
  auto original = protector.Reveal("c2", "IBAN_1");
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(original->original, "DE89 3704 0044 0532 0130 00");
}

TEST_F(StagesOnSqliteTest, ReceiveFailsForAConversationThatDoesNotExist) {
  StoreEventSink sink(*store_);
  auto receive = MakeReceiveStage(*store_);
  Turn turn = MakeTurn("missing", 1, "Hallo");
  EXPECT_EQ(receive->Run(turn, sink).code(), StatusCode::kNotFound);
  Turn ok = MakeTurn("c1", 1, "Hallo");
  EXPECT_TRUE(receive->Run(ok, sink).ok());
}

}  // namespace
}  // namespace candor
