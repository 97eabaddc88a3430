#include "core/clock.h"

#include <ctime>

namespace candor {

Result<Time> ParseIso8601(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument("'" + std::string(text.substr(0, 40)) +
                                   "' is not an RFC 3339 time such as 2026-12-02T14:30:00Z");
  };
  size_t pos = 0;
  auto digits = [&](size_t n, int* out) {
    if (pos + n > text.size()) return false;
    int value = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = text[pos + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    pos += n;
    *out = value;
    return true;
  };
  auto expect = [&](char c) {
    if (pos >= text.size() ||
        (text[pos] != c && !(c == 'T' && (text[pos] == 't' || text[pos] == ' '))))
      return false;
    ++pos;
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!digits(4, &year) || !expect('-') || !digits(2, &month) || !expect('-') || !digits(2, &day) ||
      !expect('T') || !digits(2, &hour) || !expect(':') || !digits(2, &minute) || !expect(':') ||
      !digits(2, &second)) {
    return bad();
  }
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100, count = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++count;
    }
    if (count == 0) return bad();
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!digits(2, &oh) || !expect(':') || !digits(2, &om) || oh > 23 || om > 59) return bad();
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return bad();
  const auto t = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                 std::chrono::minutes(minute - offset_minutes) +
                 std::chrono::seconds(std::min(second, 59)) + std::chrono::milliseconds(millis);
  return Time(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()));
}

std::string FormatIso8601(Time t) {
  const int64_t ms = ToUnixMillis(t);
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

}  // namespace candor
