#include "server/internal/promises.h"

#include <algorithm>

namespace candor {

void PromiseBook::OnCommit(const Event& event) {
  const bool relevant = std::holds_alternative<CommitmentEvent>(event.body) ||
                        std::holds_alternative<QueueEvent>(event.body) ||
                        (std::holds_alternative<MessageEvent>(event.body) &&
                         (std::get<MessageEvent>(event.body).author == Author::kPerson ||
                          std::get<MessageEvent>(event.body).author == Author::kAiApproved));
  if (!relevant) return;
  std::lock_guard lock(mu_);
  Apply(event);
}

void PromiseBook::Apply(const Event& event) {
  const std::string& id = event.conversation_id;
  applied_seq_[id] = event.seq;
  auto answer = [&](bool queue_only) {
    auto found = promises_.find(id);
    if (found == promises_.end()) return;
    for (auto& p : found->second) {
      if (!Open(p) || p.answered_at) continue;
      if (queue_only && p.source == "agent") continue;
      p.answered_at = event.at;
    }
  };
  if (const auto* c = std::get_if<CommitmentEvent>(&event.body)) {
    if (c->change == "made") {
      Promise p;
      p.id = event.seq;
      p.source = c->source;
      p.agent = c->agent;
      p.made_at = event.at;
      p.due = p.first_due = c->due;
      promises_[id].push_back(std::move(p));
      if (c->source != "agent") awaiting_queue_promise_.erase(id);
      return;
    }
    auto found = promises_.find(id);
    if (found == promises_.end()) return;
    for (auto& p : found->second) {
      if (p.id != c->commitment) continue;
      if (c->change == "reminder") {
        p.reminded = true;
      } else if (c->change == "missed") {
        ++p.missed;
        p.due = c->due;
        p.reminded = false;
      } else if (c->change == "kept" || c->change == "answered_late") {
        p.outcome = c->change;
        if (!p.answered_at) p.answered_at = event.at;
      }
    }
  } else if (const auto* q = std::get_if<QueueEvent>(&event.body)) {
    if (q->change == "joined") {
      awaiting_queue_promise_.insert(id);
    } else if (q->change == "taken") {
      awaiting_queue_promise_.erase(id);
      answer(/*queue_only=*/true);
    } else if (q->change == "handed_back") {
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
