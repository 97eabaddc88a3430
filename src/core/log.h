// Logger: structured JSON log lines, one object per line.
//
// Callers pass an event name and fields; they must never pass message text,
// tokens, passwords or other personal data (principle P8). Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace candor {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };
Result<LogLevel> ParseLogLevel(std::string_view name);

class Logger {
 public:
  // Writes to `out` (not owned), e.g. stderr.
  Logger(std::FILE* out, LogLevel level, const Clock& clock)
      : out_(out), level_(level), clock_(clock) {}

  bool Enabled(LogLevel level) const { return level >= level_; }
  void Log(LogLevel level, std::string_view event,
           nlohmann::json fields = nlohmann::json::object());
  void Info(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
    Log(LogLevel::kInfo, event, std::move(fields));
  }
  void Warn(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
    Log(LogLevel::kWarn, event, std::move(fields));
  }
  void Error(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
    Log(LogLevel::kError, event, std::move(fields));
  }

 private:
  std::FILE* const out_;
  const LogLevel level_;
  const Clock& clock_;
  std::mutex mu_;  // one line at a time
};

}  // namespace candor
