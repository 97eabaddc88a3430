#include <atomic>
#include <mutex>

#include "pipeline/pipeline.h"

namespace candor {

void EventSink::EmitBatch(std::vector<AppendRequest> requests, AppendBatchCallback done) {
  struct Collect {
    explicit Collect(size_t n, AppendBatchCallback d) : events(n), left(n), done(std::move(d)) {}
    std::vector<Event> events;
    std::atomic<size_t> left;
    std::mutex mu;
    Status status;  // guarded by mu: the first error
    AppendBatchCallback done;
  };
  if (requests.empty()) {
    done(std::vector<Event>{});
    return;
  }
  auto collect = std::make_shared<Collect>(requests.size(), std::move(done));
  for (size_t i = 0; i < requests.size(); ++i) {
    AppendRequest& r = requests[i];
    EmitWithVault(r.conversation_id, std::move(r.body), std::move(r.vault_map),
                  [collect, i](Result<Event> result) {
                    {
                      std::lock_guard lock(collect->mu);
                      if (!result.ok() && collect->status.ok()) collect->status = result.status();
                      if (result.ok()) collect->events[i] = std::move(*result);
                    }
                    if (collect->left.fetch_sub(1) != 1) return;
                    if (!collect->status.ok()) {
                      collect->done(collect->status);
                    } else {
                      collect->done(std::move(collect->events));
                    }
                  });
  }
}

namespace {

// Collects the outcome of a turn's asynchronous appends and reports once the
// last one is durable. The first error wins.
class TurnTracker {
 public:
  TurnTracker(Turn turn, Runner::Done done) : turn_(std::move(turn)), done_(std::move(done)) {}

  Turn& turn() { return turn_; }

  // One more append to wait for; Finish reports it.
  void Add() { pending_.fetch_add(1); }
  void Fail(const Status& status) {
    std::lock_guard lock(mu_);
    if (status_.ok()) status_ = status;
  }
  void Finish(const Status& status) {
    if (!status.ok()) Fail(status);
    Release();
  }
  // Called once by the runner when it has emitted everything, and once per append.
  void Release() {
    if (pending_.fetch_sub(1) != 1) return;
    Status status;
    {
      std::lock_guard lock(mu_);
      status = status_;
    }
    if (done_) done_(status, turn_);
  }

 private:
  Turn turn_;
  Runner::Done done_;
  std::atomic<int> pending_{1};  // the runner's own reference
  std::mutex mu_;
  Status status_;  // guarded by mu_
};

// The sink a turn's stages write to: it holds the events back and hands them
// on as one batch when flushed (by a stage about to wait, or by the runner at
// the end of the turn), so a turn of quick stages costs one append instead of
// one per event. Each event keeps its own times; only the commit is shared.
// Lives on the runner's stack for one turn; not thread-safe.
class TurnSink final : public EventSink {
 public:
  TurnSink(EventSink& out, std::shared_ptr<TurnTracker> tracker)
      : out_(out), tracker_(std::move(tracker)) {}
  ~TurnSink() override { Flush(); }

  void Emit(const std::string& conversation_id, EventBody body, AppendCallback done) override {
    EmitWithVault(conversation_id, std::move(body), std::nullopt, std::move(done));
  }
  void EmitWithVault(const std::string& conversation_id, EventBody body,
                     std::optional<std::string> vault_map, AppendCallback done) override {
    // A batch is of one conversation (a turn's always are).
    if (!held_.empty() && held_.front().conversation_id != conversation_id) Flush();
    if (done) callbacks_.push_back({held_.size(), std::move(done)});
    held_.push_back({conversation_id, std::move(body), std::move(vault_map)});
  }
  void EmitBatch(std::vector<AppendRequest> requests, AppendBatchCallback done) override {
    Flush();
    tracker_->Add();
    out_.EmitBatch(std::move(requests),
                   [tracker = tracker_, done = std::move(done)](Result<std::vector<Event>> r) {
                     const Status status = r.ok() ? Status::Ok() : r.status();
                     if (done) done(std::move(r));
                     tracker->Finish(status);
                   });
  }
  void HoldUntilSent(std::unique_lock<std::mutex> order) override {
    locks_.push_back(std::move(order));
  }
  void Flush() override {
    if (held_.empty()) {
      locks_.clear();
      return;
    }
    tracker_->Add();
    // The stages' callbacks run before the tracker hears of the batch, so
    // what they set in the turn is there when the turn is reported.
    out_.EmitBatch(std::move(held_), [tracker = tracker_, callbacks = std::move(callbacks_)](
                                         Result<std::vector<Event>> events) mutable {
      for (auto& [index, done] : callbacks) {
        if (events.ok()) {
          done(std::move((*events)[index]));
        } else {
          done(events.status());
        }
      }
      tracker->Finish(events.ok() ? Status::Ok() : events.status());
    });
    held_.clear();
    callbacks_.clear();
    locks_.clear();  // what they ordered is queued now
  }

 private:
  EventSink& out_;
  const std::shared_ptr<TurnTracker> tracker_;
  std::vector<AppendRequest> held_;
  std::vector<std::pair<size_t, AppendCallback>> callbacks_;  // index into held_
  std::vector<std::unique_lock<std::mutex>> locks_;           // released by the next Flush
};

}  // namespace

Runner::Runner(std::vector<std::unique_ptr<Stage>> stages, EventSink& sink, const Clock& clock)
    : stages_(std::move(stages)), sink_(sink), clock_(clock) {}

std::vector<std::string_view> Runner::StageNames() const {
  std::vector<std::string_view> names;
  for (const auto& stage : stages_) names.push_back(stage->Name());
  return names;
}

void Runner::Run(Turn turn, Done done) {
  auto tracker = std::make_shared<TurnTracker>(std::move(turn), std::move(done));
  Turn& t = tracker->turn();
  {
    TurnSink sink(sink_, tracker);
    for (const auto& stage : stages_) {
      if (!stage->AppliesTo(t)) continue;
      WorkStepEvent step{std::string(stage->Name()),
                         StepStatus::kStarted,
                         std::string(stage->LabelDe()),
                         std::string(stage->LabelEn()),
                         clock_.Now(),
                         std::nullopt,
                         ""};
      sink.Emit(t.conversation_id, step, {});
      Status status = stage->Run(t, sink);
      step.finished_at = clock_.Now();
      step.status = status.ok() ? StepStatus::kDone : StepStatus::kFailed;
      if (!status.ok()) step.detail = std::string(StatusCodeName(status.code()));
      sink.Emit(t.conversation_id, std::move(step), {});
      if (!status.ok()) {
        tracker->Fail(status);
        break;  // later stages depend on this one: the turn stops here
      }
    }
  }  // the sink sends what it still holds
  tracker->Release();
}

}  // namespace candor
