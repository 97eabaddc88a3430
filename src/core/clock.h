// Clock: where every module gets the time, so tests can control it.
// SystemClock is thread-safe. FakeClock is for tests; it is thread-safe too.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace candor {

// Wall-clock time in milliseconds since the Unix epoch (UTC).
using Time = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Time Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : ms_(start_ms) {}
  Time Now() const override { return Time(std::chrono::milliseconds(ms_.load())); }
  void Advance(std::chrono::milliseconds by) { ms_ += by.count(); }

 private:
  std::atomic<int64_t> ms_;
};

inline int64_t ToUnixMillis(Time t) { return t.time_since_epoch().count(); }
inline Time FromUnixMillis(int64_t ms) { return Time(std::chrono::milliseconds(ms)); }

// "2026-11-23T15:07:09.123Z"
std::string FormatIso8601(Time t);
// An RFC 3339 time: "2026-12-02T14:30:00Z", with optional fractions of a
// second and a "+01:00"-style offset instead of "Z". Anything else is
// InvalidArgument.
Result<Time> ParseIso8601(std::string_view text);

}  // namespace candor
