#include "server/internal/desk.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace candor {
namespace {
constexpr size_t kRecentWaits = 50;
}  // namespace

Desk::Desk(people::WaitOptions wait, std::chrono::seconds online_window,
           std::chrono::seconds pickup_prior)
    : online_window_(online_window),
      pickup_prior_(pickup_prior),
      estimator_(wait),
      wait_options_(wait) {}

void Desk::AgentSeen(const std::string& agent, Time at) {
  std::lock_guard lock(mu_);
  Time& seen = agents_seen_[agent];
  if (at > seen) seen = at;
}

size_t Desk::AgentsOnlineLocked(Time now) const {
  size_t online = 0;
  for (const auto& [agent, seen] : agents_seen_) {
    if (now - seen <= online_window_) ++online;
  }
  return online;
}

size_t Desk::AgentsOnline(Time now) const {
  std::lock_guard lock(mu_);
  return AgentsOnlineLocked(now);
}

people::WaitEstimate Desk::ExpectedWait(size_t position, Time now,
                                        const people::BusinessHours* hours) const {
  std::lock_guard lock(mu_);
  estimator_.SetAgentsOnline(AgentsOnlineLocked(now), now);
  people::WaitEstimate estimate = estimator_.ExpectedWait(position, now, hours);
  if (!estimate.wait) return estimate;  // no one online: no number, honestly
  std::chrono::seconds typical = pickup_prior_, likely = pickup_prior_;
  if (!recent_waits_.empty()) {
    std::vector<std::chrono::seconds> sorted = recent_waits_;
    std::sort(sorted.begin(), sorted.end());
    typical = sorted[sorted.size() / 2];
    likely = sorted[std::min(sorted.size() - 1, sorted.size() * 4 / 5)];
  }
  estimate.wait = std::max(*estimate.wait, typical);
  estimate.likely_within = std::max(estimate.likely_within.value_or(likely), likely);
  return estimate;
}

void Desk::OnCommit(const Event& event) {
  std::lock_guard lock(mu_);
  position_.Advance(event);
  if (std::holds_alternative<QueueEvent>(event.body) ||
      std::holds_alternative<CommitmentEvent>(event.body) ||
      std::holds_alternative<DraftEvent>(event.body) ||
      std::holds_alternative<ReviewEvent>(event.body)) {
    Apply(event);
  }
}

void Desk::ClearLocked() {
  queue_.clear(), joined_.clear(), join_order_.clear(), taken_.clear(), drafts_.clear();
  recent_waits_.clear(), escalated_.clear(), told_.clear(), applied_seq_.clear();
  estimator_ = people::WaitEstimator(wait_options_);
  position_ = {};
}

// Times as Unix milliseconds; "v" names the format.
ProjectionSnapshot Desk::Snapshot() const {
  std::lock_guard lock(mu_);
  nlohmann::json queue = nlohmann::json::array(), drafts = nlohmann::json::array();
  for (const auto& [key, entry] : queue_) {
    queue.push_back(
        {entry.conversation_id, ToUnixMillis(entry.since), entry.requested_by, std::get<1>(key)});
  }
  for (const auto& [key, at] : drafts_) drafts.push_back({key.first, key.second, ToUnixMillis(at)});
  nlohmann::json waits = nlohmann::json::array(), handling = nlohmann::json::array(),
                 in_progress = nlohmann::json::array();
  for (auto wait : recent_waits_) waits.push_back(wait.count());
  for (auto time : estimator_.HandlingTimes()) handling.push_back(time.count());
  for (const auto& [id, at] : estimator_.InProgress())
    in_progress.push_back({id, ToUnixMillis(at)});
  nlohmann::json told = nlohmann::json::object(), taken = nlohmann::json::object(),
                 applied = nlohmann::json::object();
  for (const auto& [id, place] : told_) told[id] = place;
  for (const auto& [id, agent] : taken_) taken[id] = agent;
  for (const auto& [id, seq] : applied_seq_) applied[id] = seq;
  const nlohmann::json state = {{"v", 1},
                                {"queue", std::move(queue)},
                                {"escalated", escalated_},
                                {"told", std::move(told)},
                                {"taken", std::move(taken)},
                                {"drafts", std::move(drafts)},
                                {"recent_waits", std::move(waits)},
                                {"handling", std::move(handling)},
                                {"in_progress", std::move(in_progress)},
                                {"applied_seq", std::move(applied)}};
  return {ProjectionName(), position_.log_index, position_.leaf_hash, state.dump(), {}};
}

Status Desk::Restore(const ProjectionSnapshot& snapshot) {
  std::lock_guard lock(mu_);
  ClearLocked();
  try {
    const auto state = nlohmann::json::parse(snapshot.state);
    if (state.at("v") != 1) return Status::InvalidArgument("unknown desk snapshot format");
    for (const auto& id : state.at("escalated")) escalated_.insert(id.get<std::string>());
    for (const auto& entry : state.at("queue")) {
      const auto id = entry.at(0).get<std::string>();
      joined_[id] = FromUnixMillis(entry.at(1).get<int64_t>());
      join_order_[id] = entry.at(3).get<int64_t>();
      queue_[KeyOf(id)] = {id, joined_[id], entry.at(2).get<std::string>(),
                           escalated_.count(id) > 0};
    }
    for (const auto& [id, place] : state.at("told").items()) told_[id] = place.get<size_t>();
    for (const auto& [id, agent] : state.at("taken").items()) taken_[id] = agent.get<std::string>();
    for (const auto& draft : state.at("drafts")) {
      drafts_[{draft.at(0).get<std::string>(), draft.at(1).get<int64_t>()}] =
          FromUnixMillis(draft.at(2).get<int64_t>());
    }
    for (const auto& wait : state.at("recent_waits")) {
      recent_waits_.emplace_back(wait.get<int64_t>());
    }
    for (const auto& time : state.at("handling")) {
      estimator_.AddHandlingTime(std::chrono::seconds(time.get<int64_t>()));
    }
    for (const auto& entry : state.at("in_progress")) {
      estimator_.Taken(entry.at(0).get<std::string>(), FromUnixMillis(entry.at(1).get<int64_t>()));
    }
    for (const auto& [id, seq] : state.at("applied_seq").items())
      applied_seq_[id] = seq.get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    ClearLocked();
    return Status::InvalidArgument(std::string("unreadable desk snapshot: ") + e.what());
  }
  position_ = {snapshot.through_log_index, snapshot.through_leaf_hash};
  return Status::Ok();
}

Desk::QueueKey Desk::KeyOf(const std::string& id) const {
  auto order = join_order_.find(id);
  return {escalated_.count(id) ? 0 : 1, order == join_order_.end() ? 0 : order->second, id};
}

void Desk::Apply(const Event& event) {
  const std::string& id = event.conversation_id;
  applied_seq_[id] = event.seq;
  if (const auto* q = std::get_if<QueueEvent>(&event.body)) {
    auto joined = joined_.find(id);
    if (q->change == QueueChange::kJoined) {
      if (joined != joined_.end() || taken_.count(id)) return;  // already with people
      joined_[id] = event.at;
      join_order_[id] = event.log_index;
      queue_[KeyOf(id)] = {id, event.at, q->requested_by, escalated_.count(id) > 0};
      told_[id] = PositionLocked(id);  // the join's answer names the place
    } else if (q->change == QueueChange::kMoved) {
      if (joined != joined_.end()) told_[id] = static_cast<size_t>(q->position);
    } else if (q->change == QueueChange::kTaken) {
      if (joined != joined_.end()) {
        recent_waits_.push_back(
            std::chrono::duration_cast<std::chrono::seconds>(event.at - joined->second));
        if (recent_waits_.size() > kRecentWaits) recent_waits_.erase(recent_waits_.begin());
        queue_.erase(KeyOf(id));
        joined_.erase(joined);
        join_order_.erase(id);
      }
      escalated_.erase(id);
      told_.erase(id);
      taken_[id] = q->agent;
      estimator_.Taken(id, event.at);
    } else if (q->change == QueueChange::kHandedBack) {
      if (joined != joined_.end()) {
        queue_.erase(KeyOf(id));
        joined_.erase(joined);
        join_order_.erase(id);
      }
      escalated_.erase(id);
      told_.erase(id);
      if (taken_.erase(id) > 0) estimator_.Finished(id, event.at);
    }
  } else if (const auto* c = std::get_if<CommitmentEvent>(&event.body)) {
    // A missed promise to someone still waiting moves them to the front.
    auto joined = joined_.find(id);
    if (c->change != CommitmentChange::kMissed || joined == joined_.end() || escalated_.count(id))
      return;
    auto entry = queue_.extract(KeyOf(id));
    escalated_.insert(id);
    if (!entry.empty()) {
      entry.mapped().escalated = true;
      entry.key() = KeyOf(id);
      queue_.insert(std::move(entry));
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

size_t Desk::PositionLocked(const std::string& id) const {
  size_t position = 0;
  for (const auto& [key, entry] : queue_) {
    ++position;
    if (entry.conversation_id == id) return position;
  }
  return 0;
}

std::vector<std::pair<std::string, size_t>> Desk::PlacesToTell() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, size_t>> changed;
  size_t position = 0;
  for (const auto& [key, entry] : queue_) {
    ++position;
    auto told = told_.find(entry.conversation_id);
    if (told == told_.end() || told->second != position) {
      changed.emplace_back(entry.conversation_id, position);
    }
  }
  return changed;
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

Desk::Holder Desk::HolderOf(const std::string& conversation_id) const {
  std::lock_guard lock(mu_);
  Holder holder;
  if (auto taken = taken_.find(conversation_id); taken != taken_.end())
    holder.agent = taken->second;
  if (auto seq = applied_seq_.find(conversation_id); seq != applied_seq_.end()) {
    holder.as_of_seq = seq->second;
  }
  return holder;
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
