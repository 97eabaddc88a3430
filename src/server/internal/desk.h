// Desk: where each conversation stands with people, kept from the committed
// events (principle P4): who waits for a person and since when, who is being
// helped by whom, and which AI drafts wait for approval. The AI stays silent
// in a conversation that is with people until a person hands it back.
//
// Thread-safety: thread-safe; OnCommit runs on the store's writer thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "store/store.h"

namespace candor {

class Desk {
 public:
  // Rebuilds the state from the stored conversations (at start).
  Status Load(Store& store);
  void OnCommit(const Event& event);

  // Queued for a person or being helped by one: the AI keeps silent.
  bool WithPeople(const std::string& conversation_id) const;

  struct Place {
    bool waiting = false;       // in the queue
    size_t position = 0;        // 1: next
    std::string agent;          // being helped by this person
    Time since;                 // joined the queue
  };
  Place PlaceOf(const std::string& conversation_id) const;

  struct Waiting {
    std::string conversation_id;
    Time since;
    std::string requested_by;
  };
  std::vector<Waiting> Queue() const;  // in order, next first

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

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::pair<int64_t, std::string>, Waiting> queue_;  // (joined ms, id) -> entry
  std::unordered_map<std::string, Time> joined_;              // id -> joined at
  std::unordered_map<std::string, std::string> taken_;        // id -> agent
  std::map<std::pair<std::string, int64_t>, Time> drafts_;
  std::vector<std::chrono::seconds> recent_waits_;             // newest last, bounded
};

}  // namespace candor
