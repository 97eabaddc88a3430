#include "server/internal/promises.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace candor {

void PromiseBook::OnCommit(const Event& event) {
  const bool relevant = std::holds_alternative<CommitmentEvent>(event.body) ||
                        std::holds_alternative<QueueEvent>(event.body) ||
                        (std::holds_alternative<MessageEvent>(event.body) &&
                         (std::get<MessageEvent>(event.body).author == Author::kPerson ||
                          std::get<MessageEvent>(event.body).author == Author::kAiApproved));
  std::lock_guard lock(mu_);
  position_.Advance(event);
  if (relevant) Apply(event);
}

void PromiseBook::ClearLocked() {
  promises_.clear(), awaiting_queue_promise_.clear(), applied_seq_.clear();
  position_ = {};
}

ProjectionSnapshot PromiseBook::Snapshot() const {
  std::lock_guard lock(mu_);
  nlohmann::json promises = nlohmann::json::object(), applied = nlohmann::json::object();
  for (const auto& [id, list] : promises_) {
    auto& out = promises[id] = nlohmann::json::array();
    for (const auto& p : list) {
      out.push_back({p.id, CommitmentSourceName(p.source), p.agent, ToUnixMillis(p.made_at),
                     ToUnixMillis(p.due), ToUnixMillis(p.first_due), p.missed, p.reminded,
                     p.answered_at ? nlohmann::json(ToUnixMillis(*p.answered_at)) : nullptr,
                     p.outcome ? CommitmentChangeName(*p.outcome) : ""});
    }
  }
  for (const auto& [id, seq] : applied_seq_) applied[id] = seq;
  const nlohmann::json state = {{"v", 1},
                                {"promises", std::move(promises)},
                                {"awaiting_queue_promise", awaiting_queue_promise_},
                                {"applied_seq", std::move(applied)}};
  return {ProjectionName(), position_.log_index, position_.leaf_hash, state.dump(), {}};
}

Status PromiseBook::Restore(const ProjectionSnapshot& snapshot) {
  std::lock_guard lock(mu_);
  ClearLocked();
  try {
    const auto state = nlohmann::json::parse(snapshot.state);
    if (state.at("v") != 1) return Status::InvalidArgument("unknown promise snapshot format");
    for (const auto& [id, list] : state.at("promises").items()) {
      auto& out = promises_[id];
      for (const auto& p : list) {
        Promise promise;
        promise.id = p.at(0).get<int64_t>();
        auto source = ParseCommitmentSource(p.at(1).get<std::string>());
        if (!source.ok()) return source.status();
        promise.source = *source;
        promise.agent = p.at(2).get<std::string>();
        promise.made_at = FromUnixMillis(p.at(3).get<int64_t>());
        promise.due = FromUnixMillis(p.at(4).get<int64_t>());
        promise.first_due = FromUnixMillis(p.at(5).get<int64_t>());
        promise.missed = p.at(6).get<int>();
        promise.reminded = p.at(7).get<bool>();
        if (!p.at(8).is_null()) promise.answered_at = FromUnixMillis(p.at(8).get<int64_t>());
        if (const auto outcome = p.at(9).get<std::string>(); !outcome.empty()) {
          auto change = ParseCommitmentChange(outcome);
          if (!change.ok()) return change.status();
          promise.outcome = *change;
        }
        out.push_back(std::move(promise));
      }
    }
    for (const auto& id : state.at("awaiting_queue_promise")) {
      awaiting_queue_promise_.insert(id.get<std::string>());
    }
    for (const auto& [id, seq] : state.at("applied_seq").items())
      applied_seq_[id] = seq.get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    ClearLocked();
    return Status::InvalidArgument(std::string("unreadable promise snapshot: ") + e.what());
  }
  position_ = {snapshot.through_log_index, snapshot.through_leaf_hash};
  return Status::Ok();
}

void PromiseBook::Apply(const Event& event) {
  const std::string& id = event.conversation_id;
  applied_seq_[id] = event.seq;
  auto answer = [&](bool queue_only) {
    auto found = promises_.find(id);
    if (found == promises_.end()) return;
    for (auto& p : found->second) {
      if (!Open(p) || p.answered_at) continue;
      if (queue_only && p.source == CommitmentSource::kAgent) continue;
      p.answered_at = event.at;
    }
  };
  if (const auto* c = std::get_if<CommitmentEvent>(&event.body)) {
    if (c->change == CommitmentChange::kMade) {
      Promise p;
      p.id = event.seq;
      p.source = c->source;
      p.agent = c->agent;
      p.made_at = event.at;
      p.due = p.first_due = c->due;
      promises_[id].push_back(std::move(p));
      if (c->source != CommitmentSource::kAgent) awaiting_queue_promise_.erase(id);
      return;
    }
    auto found = promises_.find(id);
    if (found == promises_.end()) return;
    for (auto& p : found->second) {
      if (p.id != c->commitment) continue;
      if (c->change == CommitmentChange::kReminder) {
        p.reminded = true;
      } else if (c->change == CommitmentChange::kMissed) {
        ++p.missed;
        p.due = c->due;
        p.reminded = false;
      } else if (c->change == CommitmentChange::kKept ||
                 c->change == CommitmentChange::kAnsweredLate) {
        p.outcome = c->change;
        if (!p.answered_at) p.answered_at = event.at;
      }
    }
  } else if (const auto* q = std::get_if<QueueEvent>(&event.body)) {
    if (q->change == QueueChange::kJoined) {
      awaiting_queue_promise_.insert(id);
    } else if (q->change == QueueChange::kTaken) {
      awaiting_queue_promise_.erase(id);
      answer(/*queue_only=*/true);
    } else if (q->change == QueueChange::kHandedBack) {
      awaiting_queue_promise_.erase(id);
      answer(/*queue_only=*/false);
    }
  } else if (std::holds_alternative<MessageEvent>(event.body)) {
    answer(/*queue_only=*/false);  // a person's reply or an approved draft
  }
}

std::vector<PromiseBook::Promise> PromiseBook::Of(const std::string& conversation_id) const {
  std::lock_guard lock(mu_);
  auto found = promises_.find(conversation_id);
  return found == promises_.end() ? std::vector<Promise>{} : found->second;
}

std::vector<PromiseBook::Action> PromiseBook::Due(Time now,
                                                  std::chrono::minutes remind_before) const {
  std::lock_guard lock(mu_);
  std::vector<Action> actions;
  for (const auto& [conversation, list] : promises_) {
    const int64_t as_of = applied_seq_.count(conversation) ? applied_seq_.at(conversation) : 0;
    for (const auto& p : list) {
      if (!Open(p)) continue;
      if (p.answered_at) {
        // Kept when answered by the time first promised; a promise once
        // missed stays broken even when the new time is met.
        const bool kept = p.missed == 0 && *p.answered_at <= p.first_due;
        actions.push_back(
            {kept ? Action::Kind::kKept : Action::Kind::kAnsweredLate, conversation, p, as_of});
        continue;
      }
      if (now > p.due) {
        actions.push_back({Action::Kind::kMissed, conversation, p, as_of});
        continue;
      }
      // A promise shorter than the reminder lead is reminded halfway, not the
      // moment it is made.
      const auto lead = std::min<std::chrono::milliseconds>(remind_before, (p.due - p.made_at) / 2);
      if (!p.reminded && p.due - now <= lead) {
        actions.push_back({Action::Kind::kRemind, conversation, p, as_of});
      }
    }
  }
  return actions;
}

std::vector<PromiseBook::Action> PromiseBook::Late(Time now) const {
  std::lock_guard lock(mu_);
  std::vector<Action> late;
  for (const auto& [conversation, list] : promises_) {
    for (const auto& p : list) {
      if (Open(p) && !p.answered_at && (p.missed > 0 || now > p.due)) {
        late.push_back({Action::Kind::kMissed, conversation, p});
      }
    }
  }
  return late;
}

std::vector<std::string> PromiseBook::AwaitingQueuePromise() const {
  std::lock_guard lock(mu_);
  return {awaiting_queue_promise_.begin(), awaiting_queue_promise_.end()};
}

}  // namespace candor
