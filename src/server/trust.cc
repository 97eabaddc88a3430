#include "server/internal/trust.h"

#include <algorithm>

namespace candor {
namespace {

int64_t MinuteOf(Time t) { return ToUnixMillis(t) / 60'000; }

std::optional<int64_t> Percentile(std::vector<int64_t> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p of all at or below it.
  size_t rank = static_cast<size_t>(p * static_cast<double>(values.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

double Share(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

void TrustStats::Counts::Add(const Counts& o) {
  turns += o.turns;
  ai_alone += o.ai_alone;
  handoffs += o.handoffs;
  dont_know += o.dont_know;
  approved += o.approved;
  edited += o.edited;
  rejected += o.rejected;
  promises_made += o.promises_made;
  promises_kept += o.promises_kept;
  promises_broken += o.promises_broken;
  promises_answered += o.promises_answered;
  waits_ms.insert(waits_ms.end(), o.waits_ms.begin(), o.waits_ms.end());
}

void TrustStats::OnCommit(const Event& event) {
  std::lock_guard lock(mu_);
  position_.Advance(event);
  // Most events are work steps and understandings, which count for nothing here.
  if (std::holds_alternative<WorkStepEvent>(event.body) ||
      std::holds_alternative<UnderstandingEvent>(event.body)) {
    return;
  }
  Counts delta;
  const std::string& id = event.conversation_id;
  if (std::holds_alternative<DecisionEvent>(event.body)) {
    delta.turns = 1;
  } else if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
    if (m->author != Author::kAi || !m->why) return;
    if (m->why->dont_know) {
      delta.dont_know = 1;
    } else if (m->why->action == DecisionAction::kAnswer) {
      delta.ai_alone = 1;
    } else {
      return;  // the AI telling the customer a person takes over
    }
  } else if (const auto* q = std::get_if<QueueEvent>(&event.body)) {
    if (q->change == QueueChange::kJoined) {
      if (joined_.count(id)) return;
      joined_[id] = event.at;
      delta.handoffs = 1;
    } else if (q->change == QueueChange::kTaken || q->change == QueueChange::kHandedBack) {
      auto joined = joined_.find(id);
      if (joined == joined_.end()) return;
      if (q->change == QueueChange::kTaken)
        delta.waits_ms.push_back(ToUnixMillis(event.at) - ToUnixMillis(joined->second));
      joined_.erase(joined);
      if (delta.waits_ms.empty()) return;
    } else {
      return;
    }
  } else if (const auto* r = std::get_if<ReviewEvent>(&event.body)) {
    if (r->outcome == ReviewOutcome::kApproved)
      delta.approved = 1;
    else if (r->outcome == ReviewOutcome::kEdited)
      delta.edited = 1;
    else if (r->outcome == ReviewOutcome::kRejected)
      delta.rejected = 1;
    else
      return;
  } else if (const auto* c = std::get_if<CommitmentEvent>(&event.body)) {
    if (c->change == CommitmentChange::kMade) {
      delta.promises_made = 1;
    } else if (c->change == CommitmentChange::kKept) {
      delta.promises_kept = 1;
      delta.promises_answered = 1;
    } else if (c->change == CommitmentChange::kAnsweredLate) {
      delta.promises_answered = 1;
      // Late without a miss written first (answered between two checks): broken all the same.
      if (broken_.insert({id, c->commitment}).second) delta.promises_broken = 1;
    } else if (c->change == CommitmentChange::kMissed) {
      if (!broken_.insert({id, c->commitment}).second) return;  // counted at its first miss
      delta.promises_broken = 1;
    } else {
      return;
    }
  } else {
    return;
  }
  by_minute_[MinuteOf(event.at)].Add(delta);
  all_.Add(delta);
}

namespace {
constexpr const char* kCountNames[] = {"turns",    "ai_alone", "handoffs", "dont_know",
                                       "approved", "edited",   "rejected", "promises_made",
                                       "kept",     "broken",   "answered"};
}  // namespace

// by_minute_ as {minute: [the counts in kCountNames order, [waits]]}; all_ is
// their sum.
void TrustStats::ClearLocked() {
  by_minute_.clear(), joined_.clear(), broken_.clear();
  all_ = {};
  position_ = {};
}

ProjectionSnapshot TrustStats::Snapshot() const {
  std::lock_guard lock(mu_);
  nlohmann::json minutes = nlohmann::json::object(), joined = nlohmann::json::object(),
                 broken = nlohmann::json::array();
  for (const auto& [minute, c] : by_minute_) {
    minutes[std::to_string(minute)] = {c.turns,           c.ai_alone,          c.handoffs,
                                       c.dont_know,       c.approved,          c.edited,
                                       c.rejected,        c.promises_made,     c.promises_kept,
                                       c.promises_broken, c.promises_answered, c.waits_ms};
  }
  for (const auto& [id, at] : joined_) joined[id] = ToUnixMillis(at);
  for (const auto& [id, promise] : broken_) broken.push_back({id, promise});
  const nlohmann::json state = {{"v", 1},
                                {"counts", kCountNames},
                                {"by_minute", std::move(minutes)},
                                {"joined", std::move(joined)},
                                {"broken", std::move(broken)}};
  return {ProjectionName(), position_.log_index, position_.leaf_hash, state.dump(), {}};
}

Status TrustStats::Restore(const ProjectionSnapshot& snapshot) {
  std::lock_guard lock(mu_);
  ClearLocked();
  try {
    const auto state = nlohmann::json::parse(snapshot.state);
    if (state.at("v") != 1) return Status::InvalidArgument("unknown trust snapshot format");
    for (const auto& [minute, c] : state.at("by_minute").items()) {
      Counts counts;
      int64_t* fields[] = {&counts.turns,           &counts.ai_alone,         &counts.handoffs,
                           &counts.dont_know,       &counts.approved,         &counts.edited,
                           &counts.rejected,        &counts.promises_made,    &counts.promises_kept,
                           &counts.promises_broken, &counts.promises_answered};
      for (size_t i = 0; i < std::size(fields); ++i) *fields[i] = c.at(i).get<int64_t>();
      counts.waits_ms = c.at(std::size(fields)).get<std::vector<int64_t>>();
      all_.Add(counts);
      by_minute_[std::stoll(minute)] = std::move(counts);
    }
    for (const auto& [id, at] : state.at("joined").items()) {
      joined_[id] = FromUnixMillis(at.get<int64_t>());
    }
    for (const auto& entry : state.at("broken")) {
      broken_.insert({entry.at(0).get<std::string>(), entry.at(1).get<int64_t>()});
    }
  } catch (const std::exception& e) {  // json errors, and stoll on a bad minute
    ClearLocked();
    return Status::InvalidArgument(std::string("unreadable trust snapshot: ") + e.what());
  }
  position_ = {snapshot.through_log_index, snapshot.through_leaf_hash};
  return Status::Ok();
}

nlohmann::json TrustStats::ToJson(const Counts& c) {
  auto p50 = Percentile(c.waits_ms, 0.5), p90 = Percentile(c.waits_ms, 0.9);
  auto seconds = [](std::optional<int64_t> ms) {
    return ms ? nlohmann::json(static_cast<double>(*ms) / 1000.0) : nlohmann::json(nullptr);
  };
  // Neither kept nor broken yet (exact over all time; per window, promises
  // made before it and settled in it make this an estimate, never below 0).
  const int64_t open = std::max<int64_t>(0, c.promises_made - c.promises_kept - c.promises_broken);
  return {{"turns", c.turns},
          {"ai_alone", c.ai_alone},
          {"ai_alone_share", Share(c.ai_alone, c.turns)},
          {"handoffs", c.handoffs},
          {"handoff_share", Share(c.handoffs, c.turns)},
          {"drafts",
           {{"approved_unchanged", c.approved}, {"edited", c.edited}, {"rejected", c.rejected}}},
          {"dont_know", c.dont_know},
          {"dont_know_rate", Share(c.dont_know, c.turns)},
          {"time_to_person_seconds",
           {{"p50", seconds(p50)},
            {"p90", seconds(p90)},
            {"count", static_cast<int64_t>(c.waits_ms.size())}}},
          {"promises",
           {{"made", c.promises_made},
            {"kept", c.promises_kept},
            {"broken", c.promises_broken},
            {"open", open}}}};
}

nlohmann::json TrustStats::Report(Time from, Time to, std::chrono::minutes bucket) const {
  // Buckets start on whole multiples of their width (whole hours, whole UTC
  // days), and the last one reaches past `to`, so "now" is always in it.
  const int64_t width = std::max<int64_t>(1, bucket.count());
  const int64_t first = MinuteOf(from) / width * width;
  const int64_t last = (MinuteOf(to) + width) / width * width;  // [first, last)
  std::lock_guard lock(mu_);
  Counts totals;
  nlohmann::json series = nlohmann::json::array();
  for (int64_t start = first; start < last; start += width) {
    Counts counts;
    const int64_t end = std::min(start + width, last);
    for (auto it = by_minute_.lower_bound(start); it != by_minute_.end() && it->first < end; ++it) {
      counts.Add(it->second);
    }
    totals.Add(counts);
    nlohmann::json point = ToJson(counts);
    point["start"] = FormatIso8601(FromUnixMillis(start * 60'000));
    series.push_back(std::move(point));
  }
  return {{"from", FormatIso8601(FromUnixMillis(first * 60'000))},
          {"to", FormatIso8601(FromUnixMillis(last * 60'000))},
          {"bucket_seconds", width * 60},
          {"totals", ToJson(totals)},
          {"series", std::move(series)}};
}

std::string TrustStats::PrometheusText() const {
  std::lock_guard lock(mu_);
  const Counts& c = all_;
  std::string out;
  auto counter = [&](const std::string& name, const std::string& help,
                     std::vector<std::pair<std::string, int64_t>> values) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n";
    for (const auto& [labels, value] : values) {
      out += name + labels + " " + std::to_string(value) + "\n";
    }
  };
  counter("candor_trust_turns_total", "Customer messages the policy decided on.", {{"", c.turns}});
  counter("candor_trust_ai_alone_total", "AI answers sent without a person.", {{"", c.ai_alone}});
  counter("candor_trust_handoffs_total", "Conversations handed to people.", {{"", c.handoffs}});
  counter("candor_trust_dont_know_total", "Honest \"I don't know\" answers.", {{"", c.dont_know}});
  counter("candor_trust_drafts_total", "AI drafts reviewed by a person, by outcome.",
          {{"{outcome=\"approved_unchanged\"}", c.approved},
           {"{outcome=\"edited\"}", c.edited},
           {"{outcome=\"rejected\"}", c.rejected}});
  counter("candor_trust_promises_total", "Promised reply times, by what became of them.",
          {{"{outcome=\"made\"}", c.promises_made},
           {"{outcome=\"kept\"}", c.promises_kept},
           {"{outcome=\"broken\"}", c.promises_broken}});
  // Time to a person as a histogram, as Prometheus expects for latencies.
  static constexpr double kBounds[] = {30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};
  out +=
      "# HELP candor_trust_time_to_person_seconds From joining the queue to a person taking "
      "the conversation.\n# TYPE candor_trust_time_to_person_seconds histogram\n";
  double sum = 0;
  for (int64_t ms : c.waits_ms) sum += static_cast<double>(ms) / 1000.0;
  for (double bound : kBounds) {
    const auto below = std::count_if(c.waits_ms.begin(), c.waits_ms.end(),
                                     [&](int64_t ms) { return ms <= bound * 1000; });
    out += "candor_trust_time_to_person_seconds_bucket{le=\"" +
           std::to_string(static_cast<int>(bound)) + "\"} " + std::to_string(below) + "\n";
  }
  out += "candor_trust_time_to_person_seconds_bucket{le=\"+Inf\"} " +
         std::to_string(c.waits_ms.size()) + "\n";
  out += "candor_trust_time_to_person_seconds_sum " + std::to_string(sum) + "\n";
  out += "candor_trust_time_to_person_seconds_count " + std::to_string(c.waits_ms.size()) + "\n";
  return out;
}

}  // namespace candor
