// WaitEstimator: a multi-server queue, run forward many times on handling
// times drawn from what has been observed.
//
// The handling-time distribution is a mixture: the last `window` handling
// times h_i (i = 0 newest) with weights w_i = 2^(-i / half_life), and an
// exponential with the prior mean m0 weighing `prior_weight`. Its mean is
//     m = (prior_weight * m0 + sum w_i h_i) / (prior_weight + sum w_i).
// A conversation that has run for e has a remaining time drawn from the same
// mixture conditioned on being longer than e: some h_i > e (by weight) minus
// e, or the exponential (memoryless, so e does not matter). With log-normal
// handling times a conversation 20 minutes in still has a long way to go;
// with uniform ones it is nearly done. The data decides.
//
// One run: c = agents * conversations_per_agent places, b of them held
// (conversations of agents who went offline hold places that will not be
// reused). Free places take the first customers at once; then each place
// that frees goes to the next customer in line, who holds it for a drawn
// handling time. Customer k's wait is the time of the k-th hand-over.
// The estimate is the median over `draws` runs (the typical wait, and the
// number that minimises the absolute error), with the 80th percentile beside
// it. Taking expected values instead would overstate short waits: the first
// of four agents to finish is sooner than the soonest expected finish. The
// runs use a fixed seed, so an estimate is a pure function of the state.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
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

std::vector<seconds> WaitEstimator::HandlingTimes() const {
  std::vector<seconds> out;
  for (double handling : handling_) out.emplace_back(static_cast<int64_t>(handling));
  return out;
}

std::vector<std::pair<std::string, Time>> WaitEstimator::InProgress() const {
  std::vector<std::pair<std::string, Time>> out(in_progress_.begin(), in_progress_.end());
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  return out;
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

seconds WaitEstimator::MeanHandling() const { return seconds(std::llround(MeanHandlingSeconds())); }

namespace {

// splitmix64: a small, fixed generator so that estimates repeat exactly.
class Draws {
 public:
  double Uniform() {  // in (0, 1)
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
  }
  double Exponential(double mean) { return -mean * std::log(Uniform()); }

 private:
  uint64_t state_ = 0x5EED;
};

}  // namespace

WaitEstimate WaitEstimator::ExpectedWait(size_t position, Time now,
                                         const BusinessHours* hours) const {
  WaitEstimate estimate;
  estimate.agents_online = agents_online_;
  estimate.mean_handling = MeanHandling();
  estimate.handling_samples = handling_.size();
  std::vector<double> elapsed;
  for (const auto& [id, taken] : in_progress_) {
    const auto e = now - taken;
    if (e > options_.max_handling) continue;
    elapsed.push_back(std::max(0.0, std::chrono::duration<double>(e).count()));
  }
  estimate.conversations_in_progress = elapsed.size();
  if (agents_online_ == 0) {
    // No honest number exists. During business hours nobody knows when
    // someone comes back; outside them the next opening is the answer.
    if (hours != nullptr && !hours->IsOpen(now)) estimate.next_opening = hours->NextOpening(now);
    return estimate;
  }
  const size_t places = agents_online_ * options_.conversations_per_agent;
  const size_t k = std::max<size_t>(position, 1);
  if (elapsed.size() + k <= places) {  // a free place for everyone up to k
    estimate.wait = estimate.likely_within = seconds(0);
    return estimate;
  }

  // The mixture: samples newest first with their weights, then the prior.
  const double prior_mean = static_cast<double>(options_.prior_handling.count());
  std::vector<double> samples(handling_.rbegin(), handling_.rend());
  std::vector<double> weights(samples.size());
  const double decay = std::exp2(-1.0 / options_.half_life);
  double w = 1;
  for (double& weight : weights) {
    weight = w;
    w *= decay;
  }
  Draws draws;
  // A handling time longer than `e`, minus `e`.
  auto remaining = [&](double e) {
    double total = options_.prior_weight;
    for (size_t i = 0; i < samples.size(); ++i) total += samples[i] > e ? weights[i] : 0;
    double pick = draws.Uniform() * total;
    for (size_t i = 0; i < samples.size(); ++i) {
      if (samples[i] <= e) continue;
      if ((pick -= weights[i]) < 0) return samples[i] - e;
    }
    return draws.Exponential(prior_mean);
  };
  std::vector<double> cumulative(weights.size());
  double all = 0;
  for (size_t i = 0; i < weights.size(); ++i) cumulative[i] = (all += weights[i]);
  auto handling = [&] {
    const double pick = draws.Uniform() * (all + options_.prior_weight);
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), pick);
    return it == cumulative.end() ? draws.Exponential(prior_mean)
                                  : samples[static_cast<size_t>(it - cumulative.begin())];
  };

  const size_t runs = std::clamp<size_t>(options_.draws * 50 / (k + elapsed.size() + 50), 32,
                                         std::max<size_t>(options_.draws, 32));
  std::vector<double> waits;
  waits.reserve(runs);
  std::vector<double> frees;
  for (size_t run = 0; run < runs; ++run) {
    frees.clear();
    for (double e : elapsed) frees.push_back(remaining(e));
    std::make_heap(frees.begin(), frees.end(), std::greater<>());
    size_t held = elapsed.size();
    size_t ahead = k;
    double wait = 0;
    while (held < places && --ahead > 0) {  // free places right now
      ++held;
      frees.push_back(handling());
      std::push_heap(frees.begin(), frees.end(), std::greater<>());
    }
    while (ahead > 0 && !frees.empty()) {
      std::pop_heap(frees.begin(), frees.end(), std::greater<>());
      const double at = frees.back();
      frees.pop_back();
      if (--held >= places) continue;  // an agent gone offline finished: no place frees
      if (--ahead == 0) {
        wait = at;
        break;
      }
      ++held;
      frees.push_back(at + handling());
      std::push_heap(frees.begin(), frees.end(), std::greater<>());
    }
    waits.push_back(wait);
  }
  std::sort(waits.begin(), waits.end());
  estimate.wait = seconds(std::llround(waits[waits.size() / 2]));
  estimate.likely_within = seconds(std::llround(waits[waits.size() * 8 / 10]));
  return estimate;
}

}  // namespace candor::people
