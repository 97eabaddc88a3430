// TrustStats: the trust metrics (issue "people in charge"), folded from the
// committed events into one-minute counts so any window can be asked for:
//
//   turns            customer messages the policy decided on (decision events)
//   ai_alone         AI answers sent without a person (not "I don't know")
//   handoffs         conversations that joined the queue for a person
//   drafts           AI drafts a person approved unchanged / edited / rejected
//   dont_know        AI messages that honestly said "I don't know"
//   time to person   from joining the queue to a person taking it (p50, p90)
//   promises         made; kept (answered by the time first promised);
//                    broken (missed at least once); still open
//
// Shares divide by turns. Times are the events' commit times.
//
// Thread-safety: thread-safe; OnCommit runs on the store's commit thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "store/store.h"

namespace candor {

class TrustStats final : public Projection {
 public:
  // Projection: every event (decisions, answers, queue, reviews, promises count).
  void OnCommit(const Event& event) override;
  std::string ProjectionName() const override { return "trust"; }
  ProjectionSnapshot Snapshot() const override;
  Status Restore(const ProjectionSnapshot& snapshot) override;

  // {from, to, bucket_seconds, totals: {...}, series: [{start, ...}]} over
  // [from, to), in buckets of `bucket` (a whole number of minutes).
  nlohmann::json Report(Time from, Time to, std::chrono::minutes bucket) const;
  // The all-time totals as Prometheus text (candor_trust_* series).
  std::string PrometheusText() const;

 private:
  void ClearLocked();  // mu_ held: as new
  struct Counts {
    int64_t turns = 0, ai_alone = 0, handoffs = 0, dont_know = 0;
    int64_t approved = 0, edited = 0, rejected = 0;
    int64_t promises_made = 0, promises_kept = 0, promises_broken = 0, promises_answered = 0;
    std::vector<int64_t> waits_ms;  // joining the queue -> taken
    void Add(const Counts& other);
  };
  static nlohmann::json ToJson(const Counts& counts);

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<int64_t, Counts> by_minute_;  // minute since the epoch -> counts
  Counts all_;
  std::unordered_map<std::string, Time> joined_;      // conversation -> joined queue
  std::set<std::pair<std::string, int64_t>> broken_;  // (conversation, promise)
  FoldPosition position_;
};

}  // namespace candor
