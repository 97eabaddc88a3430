// PromiseBook: every reply time candor promised a customer (principle P7),
// kept from the committed events: when it was made and by whom, when it is
// due, and what it became. The promise keeper (Api::KeepPromises) asks it
// what is due now and writes the outcome as events; the book only folds.
//
// A promise is answered by what it promised: a queue promise when a person
// takes the conversation, a person's promise when a person (or an approved
// AI draft) replies after it was made. Handing back to the AI closes every
// open promise as answered. An answer at or before the due time keeps it; a
// promise missed is escalated once per miss, with a new time, until answered.
//
// Thread-safety: thread-safe; OnCommit runs on the store's commit thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "store/store.h"

namespace candor {

class PromiseBook final : public Projection {
 public:
  // Projection: every event (promises, queue changes and replies matter).
  void OnCommit(const Event& event) override;
  std::string ProjectionName() const override { return "promises"; }
  ProjectionSnapshot Snapshot() const override;
  Status Restore(const ProjectionSnapshot& snapshot) override;

  struct Promise {
    int64_t id = 0;  // the seq of the event that made it
    CommitmentSource source = CommitmentSource::kQueue;
    std::string agent;
    Time made_at;
    Time due;        // the current due time (moved when missed)
    Time first_due;  // as first promised
    int missed = 0;  // times the due time passed without an answer
    bool reminded = false;
    std::optional<Time> answered_at;
    std::optional<CommitmentChange> outcome;  // kKept or kAnsweredLate once settled
  };
  // The conversation's promises, oldest first.
  std::vector<Promise> Of(const std::string& conversation_id) const;

  // What the keeper must write now.
  struct Action {
    enum class Kind { kKept, kAnsweredLate, kRemind, kMissed } kind;
    std::string conversation_id;
    Promise promise;
    int64_t as_of_seq = 0;  // the conversation's event the book had folded (for the precondition)
  };
  std::vector<Action> Due(Time now, std::chrono::minutes remind_before) const;

  // Open promises missed at least once or past due now, unanswered.
  std::vector<Action> Late(Time now) const;

  // Conversations that joined the queue and have no promise for it yet.
  std::vector<std::string> AwaitingQueuePromise() const;

 private:
  void Apply(const Event& event);  // mu_ held
  void ClearLocked();              // mu_ held: as new
  static bool Open(const Promise& p) { return !p.outcome; }

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::unordered_map<std::string, std::vector<Promise>> promises_;
  std::set<std::string> awaiting_queue_promise_;
  std::unordered_map<std::string, int64_t> applied_seq_;  // id -> seq of the last event applied
  FoldPosition position_;
};

}  // namespace candor
