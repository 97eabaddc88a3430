// Metrics: counters and histograms rendered as Prometheus text at /metrics.
// Routes are fixed at construction (one slot each, plus "unmatched"), so the
// hot path touches only atomics. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace candor {

class Metrics {
 public:
  // Names the route slots; call once, before any request is observed.
  void DefineRoutes(std::vector<std::string> route_names);

  // route_index == route count means "unmatched".
  void ObserveRequest(size_t route_index, const std::string& method, int status, double seconds);
  void EventAppended() { events_appended_.fetch_add(1, std::memory_order_relaxed); }
  void StreamOpened() { streams_open_.fetch_add(1, std::memory_order_relaxed); }
  void StreamClosed() { streams_open_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionOpened() { connections_open_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_open_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRejected() { connections_rejected_.fetch_add(1, std::memory_order_relaxed); }
  int64_t ConnectionsOpen() const { return connections_open_.load(std::memory_order_relaxed); }

  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  struct RouteSlot {
    std::string name;
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_micros{0};
    std::mutex mu;
    std::map<std::pair<std::string, int>, uint64_t> by_method_status;  // guarded by mu
  };

  std::vector<std::unique_ptr<RouteSlot>> routes_;
  std::atomic<int64_t> events_appended_{0};
  std::atomic<int64_t> streams_open_{0};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<int64_t> connections_rejected_{0};
};

}  // namespace candor
