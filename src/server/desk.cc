#include "server/internal/desk.h"
#include <algorithm>

namespace candor {
namespace {
constexpr size_t kRecentWaits = 50;
constexpr int kPage = 1000;
}  // namespace

Status Desk::Load(Store& store) {
  auto conversations = store.ListConversations(1'000'000);
  if (!conversations.ok()) return conversations.status();
  std::lock_guard lock(mu_);
  for (const auto& conversation : *conversations) {
    int64_t after = 0;
    while (true) {
      auto events = store.ReadEvents(conversation.conversation_id, after, kPage);
      if (!events.ok()) return events.status();
      for (const auto& event : *events) Apply(event);
      if (events->size() < static_cast<size_t>(kPage)) break;
      after = events->back().seq;
    }
  }
  return Status::Ok();
}

void Desk::OnCommit(const Event& event) {
  if (!std::holds_alternative<QueueEvent>(event.body) &&
      !std::holds_alternative<DraftEvent>(event.body) &&
      !std::holds_alternative<ReviewEvent>(event.body)) {
    return;
  }
  std::lock_guard lock(mu_);
  Apply(event);
}

void Desk::Apply(const Event& event) {
  const std::string& id = event.conversation_id;
  if (const auto* q = std::get_if<QueueEvent>(&event.body)) {
    auto joined = joined_.find(id);
    if (q->change == "joined") {
      if (joined != joined_.end() || taken_.count(id)) return;  // already with people
      joined_[id] = event.at;
      queue_[{ToUnixMillis(event.at), id}] = {id, event.at, q->requested_by};
    } else if (q->change == "taken") {
      if (joined != joined_.end()) {
        recent_waits_.push_back(
            std::chrono::duration_cast<std::chrono::seconds>(event.at - joined->second));
        if (recent_waits_.size() > kRecentWaits) recent_waits_.erase(recent_waits_.begin());
        queue_.erase({ToUnixMillis(joined->second), id});
        joined_.erase(joined);
      }
      taken_[id] = q->agent;
    } else if (q->change == "handed_back") {
      if (joined != joined_.end()) {
        queue_.erase({ToUnixMillis(joined->second), id});
        joined_.erase(joined);
      }
      taken_.erase(id);
    }
  } else if (const auto* d = std::get_if<DraftEvent>(&event.body)) {
    (void)d;
    drafts_[{id, event.seq}] = event.at;
  } else if (const auto* r = std::get_if<ReviewEvent>(&event.body)) {
    drafts_.erase({id, r->draft_seq});
  }
}

bool Desk::WithPeople(const std::string& conversation_id) const {
  std::lock_guard lock(mu_);
  return joined_.count(conversation_id) > 0 || taken_.count(conversation_id) > 0;
}

Desk::Place Desk::PlaceOf(const std::string& conversation_id) const {
  std::lock_guard lock(mu_);
  Place place;
  if (auto taken = taken_.find(conversation_id); taken != taken_.end()) {
    place.agent = taken->second;
    return place;
  }
  auto joined = joined_.find(conversation_id);
  if (joined == joined_.end()) return place;
  place.waiting = true;
  place.since = joined->second;
  for (const auto& [key, entry] : queue_) {
    ++place.position;
    if (entry.conversation_id == conversation_id) break;
  }
  return place;
}

std::vector<Desk::Waiting> Desk::Queue() const {
  std::lock_guard lock(mu_);
  std::vector<Waiting> out;
  for (const auto& [key, entry] : queue_) out.push_back(entry);
  return out;
}

std::vector<Desk::PendingDraft> Desk::Drafts() const {
  std::lock_guard lock(mu_);
  std::vector<PendingDraft> out;
  for (const auto& [key, at] : drafts_) out.push_back({key.first, key.second, at});
  std::sort(out.begin(), out.end(),
            [](const PendingDraft& a, const PendingDraft& b) { return a.at < b.at; });
  return out;
}

bool Desk::DraftPending(const std::string& conversation_id, int64_t seq) const {
  std::lock_guard lock(mu_);
  return drafts_.count({conversation_id, seq}) > 0;
}

std::vector<std::chrono::seconds> Desk::RecentWaits() const {
  std::lock_guard lock(mu_);
  return recent_waits_;
}

}  // namespace candor
