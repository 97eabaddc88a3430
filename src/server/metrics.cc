#include "server/internal/metrics.h"

#include <sstream>

namespace candor {

void Metrics::DefineRoutes(std::vector<std::string> route_names) {
  routes_.clear();
  route_names.push_back("unmatched");
  for (auto& name : route_names) {
    auto slot = std::make_unique<RouteSlot>();
    slot->name = std::move(name);
    routes_.push_back(std::move(slot));
  }
}

void Metrics::ObserveRequest(size_t route_index, const std::string& method, int status,
                             double seconds) {
  if (route_index >= routes_.size()) route_index = routes_.size() - 1;
  RouteSlot& slot = *routes_[route_index];
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  slot.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  slot.count.fetch_add(1, std::memory_order_relaxed);
  slot.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  std::lock_guard lock(slot.mu);
  ++slot.by_method_status[{method, status}];
}

std::string Metrics::Render() const {
  std::ostringstream out;
  out << "# HELP candor_http_requests_total HTTP requests by route, method and status.\n"
         "# TYPE candor_http_requests_total counter\n";
  for (const auto& slot : routes_) {
    std::lock_guard lock(slot->mu);
    for (const auto& [key, count] : slot->by_method_status) {
      out << "candor_http_requests_total{route=\"" << slot->name << "\",method=\"" << key.first
          << "\",status=\"" << key.second << "\"} " << count << "\n";
    }
  }
  out << "# HELP candor_http_request_duration_seconds Time from request read to response "
         "written.\n# TYPE candor_http_request_duration_seconds histogram\n";
  for (const auto& slot : routes_) {
    const uint64_t count = slot->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= kBuckets.size(); ++i) {
      cumulative += slot->buckets[i].load(std::memory_order_relaxed);
      out << "candor_http_request_duration_seconds_bucket{route=\"" << slot->name << "\",le=\"";
      if (i < kBuckets.size()) {
        out << kBuckets[i];
      } else {
        out << "+Inf";
      }
      out << "\"} " << cumulative << "\n";
    }
    out << "candor_http_request_duration_seconds_sum{route=\"" << slot->name << "\"} "
        << static_cast<double>(slot->sum_micros.load(std::memory_order_relaxed)) / 1e6 << "\n";
    out << "candor_http_request_duration_seconds_count{route=\"" << slot->name << "\"} " << count
        << "\n";
  }
  out << "# HELP candor_events_appended_total Events committed to the store.\n"
         "# TYPE candor_events_appended_total counter\n"
      << "candor_events_appended_total " << events_appended_.load() << "\n"
      << "# HELP candor_sse_streams_open Server-Sent Event streams open now.\n"
         "# TYPE candor_sse_streams_open gauge\n"
      << "candor_sse_streams_open " << streams_open_.load() << "\n"
      << "# HELP candor_connections_open HTTP connections open now.\n"
         "# TYPE candor_connections_open gauge\n"
      << "candor_connections_open " << connections_open_.load() << "\n"
      << "# HELP candor_connections_rejected_total Connections refused at the limit.\n"
         "# TYPE candor_connections_rejected_total counter\n"
      << "candor_connections_rejected_total " << connections_rejected_.load() << "\n";
  return out.str();
}

}  // namespace candor
