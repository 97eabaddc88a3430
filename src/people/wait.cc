// WaitEstimator: a multi-server queue run forward on expected values.
//
// Mean handling time m: the prior m0 counted as `prior_weight` observations,
// plus the last `window` handling times h_i (i = 0 newest) with weights
// w_i = 2^(-i / half_life):
//     m = (prior_weight * m0 + sum w_i h_i) / (prior_weight + sum w_i)
//
// Remaining time of a conversation that has run for e: the mean residual
// life, from the handling times longer than e, with `prior_weight` pseudo
// observations of an exponential tail (whose residual is m whatever e is):
//     r(e) = (prior_weight * m + sum_{h_i > e} w_i (h_i - e))
//            / (prior_weight + sum_{h_i > e} w_i)
// With log-normal handling times a conversation 20 minutes in still has a
// long way to go; with uniform ones it is nearly done. The data decides.
//
// Position k: the c = agents * conversations_per_agent places, b of them held
// (conversations of agents who went offline hold places that will not be
// reused). Free places take the first customers at once; then each place that
// frees, at its expected time, goes to the next customer, who holds it for m.
// Customer k's wait is the time of the k-th hand-over.
#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

#include "people/people.h"

namespace candor::people {

using std::chrono::seconds;

WaitEstimator::WaitEstimator(WaitOptions options) : options_(options) {
  if (options_.conversations_per_agent == 0) options_.conversations_per_agent = 1;
  if (options_.window == 0) options_.window = 1;
  if (options_.half_life <= 0) options_.half_life = 1;
  if (options_.prior_weight < 0) options_.prior_weight = 0;
}

void WaitEstimator::SetAgentsOnline(size_t agents, Time /*at*/) { agents_online_ = agents; }

void WaitEstimator::Taken(std::string_view conversation_id, Time at) {
  in_progress_.insert_or_assign(std::string(conversation_id), at);
  // Conversations never reported finished would hold places for ever.
  std::erase_if(in_progress_,
                [&](const auto& entry) { return at - entry.second > options_.max_handling; });
}

void WaitEstimator::Finished(std::string_view conversation_id, Time at) {
  const auto it = in_progress_.find(conversation_id);
  if (it == in_progress_.end()) return;
  const auto handling = at - it->second;
  in_progress_.erase(it);
  if (handling >= std::chrono::milliseconds(0)) {
    AddHandlingTime(std::chrono::duration_cast<seconds>(handling));
  }
}

void WaitEstimator::AddHandlingTime(seconds handling) {
  handling = std::clamp(handling, seconds(0), options_.max_handling);
  handling_.push_back(static_cast<double>(handling.count()));
  while (handling_.size() > options_.window) handling_.pop_front();
}

double WaitEstimator::MeanHandlingSeconds() const {
  double weighted = options_.prior_weight * static_cast<double>(options_.prior_handling.count());
  double weight = options_.prior_weight;
  double w = 1;
  const double decay = std::exp2(-1.0 / options_.half_life);
  for (auto it = handling_.rbegin(); it != handling_.rend(); ++it, w *= decay) {
    weighted += w * *it;
    weight += w;
  }
  return weight > 0 ? weighted / weight : static_cast<double>(options_.prior_handling.count());
}

seconds WaitEstimator::MeanHandling() const {
  return seconds(std::llround(MeanHandlingSeconds()));
}

double WaitEstimator::ExpectedRemainingSeconds(double elapsed) const {
  const double mean = MeanHandlingSeconds();
  double weighted = options_.prior_weight * mean;
  double weight = options_.prior_weight;
  double w = 1;
  const double decay = std::exp2(-1.0 / options_.half_life);
  for (auto it = handling_.rbegin(); it != handling_.rend(); ++it, w *= decay) {
    if (*it > elapsed) {
      weighted += w * (*it - elapsed);
      weight += w;
    }
  }
  return weight > 0 ? weighted / weight : mean;
}

WaitEstimate WaitEstimator::ExpectedWait(size_t position, Time now,
                                         const BusinessHours* hours) const {
  WaitEstimate estimate;
  estimate.agents_online = agents_online_;
  estimate.mean_handling = MeanHandling();
  estimate.handling_samples = handling_.size();
  std::vector<double> remaining;
  for (const auto& [id, taken] : in_progress_) {
    const auto elapsed = now - taken;
    if (elapsed > options_.max_handling) continue;
    const double e = std::max(0.0, std::chrono::duration<double>(elapsed).count());
    remaining.push_back(ExpectedRemainingSeconds(e));
  }
  estimate.conversations_in_progress = remaining.size();
  if (agents_online_ == 0) {
    // No honest number exists. During business hours nobody knows when
    // someone comes back; outside them the next opening is the answer.
    if (hours != nullptr && !hours->IsOpen(now)) estimate.next_opening = hours->NextOpening(now);
    return estimate;
  }
  const double mean = MeanHandlingSeconds();
  const size_t places = agents_online_ * options_.conversations_per_agent;
  size_t held = remaining.size();
  size_t ahead = std::max<size_t>(position, 1);  // customers to hand a place to, this one included
  std::priority_queue<double, std::vector<double>, std::greater<>> frees(remaining.begin(),
                                                                         remaining.end());
  while (held < places) {  // free places right now
    if (--ahead == 0) {
      estimate.wait = seconds(0);
      return estimate;
    }
    ++held;
    frees.push(mean);
  }
  while (!frees.empty()) {
    const double at = frees.top();
    frees.pop();
    if (--held >= places) continue;  // an agent gone offline finished: no place frees
    if (--ahead == 0) {
      estimate.wait = seconds(std::llround(at));
      return estimate;
    }
    ++held;
    frees.push(at + mean);
  }
  estimate.wait = seconds(0);  // unreachable: places > 0 keeps the heap filled
  return estimate;
}

}  // namespace candor::people
