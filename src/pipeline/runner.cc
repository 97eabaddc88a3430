#include <atomic>
#include <mutex>

#include "pipeline/pipeline.h"

namespace candor {
namespace {

// Collects the outcome of a turn's asynchronous appends and reports once the
// last one is durable. The first error wins.
class TurnTracker {
 public:
  TurnTracker(Turn turn, Runner::Done done) : turn_(std::move(turn)), done_(std::move(done)) {}

  Turn& turn() { return turn_; }

  AppendCallback Track(std::shared_ptr<TurnTracker> self) {
    pending_.fetch_add(1);
    return [self = std::move(self)](Result<Event> result) {
      if (!result.ok()) self->Fail(result.status());
      self->Release();
    };
  }
  void Fail(const Status& status) {
    std::lock_guard lock(mu_);
    if (status_.ok()) status_ = status;
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
  for (const auto& stage : stages_) {
    if (!stage->AppliesTo(t)) continue;
    WorkStepEvent step{std::string(stage->Name()), StepStatus::kStarted,
                       std::string(stage->LabelDe()), std::string(stage->LabelEn()),
                       clock_.Now(), std::nullopt, ""};
    sink_.Emit(t.conversation_id, step, tracker->Track(tracker));
    Status status = stage->Run(t);
    step.finished_at = clock_.Now();
    step.status = status.ok() ? StepStatus::kDone : StepStatus::kFailed;
    if (!status.ok()) step.detail = std::string(StatusCodeName(status.code()));
    sink_.Emit(t.conversation_id, step, tracker->Track(tracker));
    if (!status.ok()) {
      tracker->Fail(status);
      break;  // later stages depend on this one: the turn stops here
    }
  }
  tracker->Release();
}

}  // namespace candor
