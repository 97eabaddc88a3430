// Desk: where each conversation stands with people, kept from the committed
// events (principle P4): who waits for a person and since when, who is being
// helped by whom, and which AI drafts wait for approval. The AI stays silent
// in a conversation that is with people until a person hands it back.
//
// Thread-safety: thread-safe; OnCommit runs on the store's commit thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "people/people.h"
#include "store/store.h"

namespace candor {

class Desk final : public Projection {
 public:
  // An agent counts as online for `online_window` after their last request.
  explicit Desk(people::WaitOptions wait = {},
                std::chrono::seconds online_window = std::chrono::minutes(5),
                std::chrono::seconds pickup_prior = std::chrono::minutes(2));

  // Projection: every event (those about people change the desk).
  void OnCommit(const Event& event) override;
  std::string ProjectionName() const override { return "desk"; }
  ProjectionSnapshot Snapshot() const override;
  Status Restore(const ProjectionSnapshot& snapshot) override;

  // An agent made an authenticated request at `at`.
  void AgentSeen(const std::string& agent, Time at);
  size_t AgentsOnline(Time now) const;

  // The expected wait of the customer at `position` (1: next) from the
  // agents online, the conversations they hold and the handling times seen
  // (hand-back minus take); `hours` (may be null) for the next opening.
  // Even a free person needs a moment to see and open a conversation, so the
  // wait is never below the recent real pickup times (joining to taken: the
  // median for the wait, the 80th percentile for "likely within"), or
  // `pickup_prior` before any were seen.
  people::WaitEstimate ExpectedWait(size_t position, Time now,
                                    const people::BusinessHours* hours) const;

  // Queued for a person or being helped by one: the AI keeps silent.
  bool WithPeople(const std::string& conversation_id) const;

  struct Place {
    bool waiting = false;  // in the queue
    size_t position = 0;   // 1: next
    std::string agent;     // being helped by this person
    Time since;            // joined the queue
  };
  Place PlaceOf(const std::string& conversation_id) const;

  // Who holds the conversation ("" for no one) as of the conversation's event
  // `as_of_seq`: the state a take or hand-back decides on, and the seq its
  // precondition (people::HolderUnchanged) starts from.
  struct Holder {
    std::string agent;
    int64_t as_of_seq = 0;
  };
  Holder HolderOf(const std::string& conversation_id) const;

  struct Waiting {
    std::string conversation_id;
    Time since;
    std::string requested_by;
    bool escalated = false;  // a promise to them was missed: served first
  };
  std::vector<Waiting> Queue() const;  // in order, next first

  // Waiting conversations whose place differs from the one they were last
  // told (at joining, or by a "moved" event), with their place now.
  std::vector<std::pair<std::string, size_t>> PlacesToTell() const;

  struct PendingDraft {
    std::string conversation_id;
    int64_t seq = 0;
    Time at;
  };
  std::vector<PendingDraft> Drafts() const;  // oldest first
  bool DraftPending(const std::string& conversation_id, int64_t seq) const;

  // Recent time from joining to being taken, for the expected wait.
  std::vector<std::chrono::seconds> RecentWaits() const;

 private:
  void Apply(const Event& event);  // mu_ held
  void ClearLocked();              // mu_ held: as new
  size_t AgentsOnlineLocked(Time now) const;
  size_t PositionLocked(const std::string& id) const;  // 0: not waiting

  // Constant after construction.
  const std::chrono::seconds online_window_;
  const std::chrono::seconds pickup_prior_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  mutable people::WaitEstimator estimator_;  // learns from takes and hand-backs
  std::unordered_map<std::string, Time> agents_seen_;
  // (0 if escalated else 1, the join's log index, id) -> entry: escalated
  // first, then in the order the joins were committed (two joins within one
  // millisecond keep their order).
  using QueueKey = std::tuple<int, int64_t, std::string>;
  QueueKey KeyOf(const std::string& id) const;  // mu_ held
  std::map<QueueKey, Waiting> queue_;
  std::unordered_map<std::string, Time> joined_;         // id -> joined at
  std::unordered_map<std::string, int64_t> join_order_;  // id -> the join's log index
  std::unordered_map<std::string, std::string> taken_;   // id -> agent
  std::map<std::pair<std::string, int64_t>, Time> drafts_;
  std::vector<std::chrono::seconds> recent_waits_;  // newest last, bounded
  std::set<std::string> escalated_;
  std::unordered_map<std::string, size_t> told_;          // waiting id -> place last told
  std::unordered_map<std::string, int64_t> applied_seq_;  // id -> seq of the last event applied
  FoldPosition position_;
  const people::WaitOptions wait_options_;
};

}  // namespace candor
