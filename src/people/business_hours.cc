// BusinessHours: parsing the weekly spec and walking open periods. Every walk
// converts through local wall time, so DST days have 23 or 25 hours and an
// opening at 08:00 stays 08:00.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "people/people.h"

namespace candor::people {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr int kDayMinutes = 24 * 60;
constexpr std::string_view kField = "business_hours";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    parts.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// Replaces en and em dashes by '-', so "08:00–18:00" reads like "08:00-18:00".
std::string NormalizeDashes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE2 &&
        static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0x93 ||
         static_cast<unsigned char>(s[i + 2]) == 0x94)) {
      out += '-';
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Weekday by c_encoding (0 = Sunday), or -1.
int DayIndex(std::string_view word) {
  std::string w;
  for (char c : Trim(word)) w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!w.empty() && w.back() == '.') w.pop_back();
  struct Name {
    std::string_view name;
    int day;
  };
  static constexpr Name kNames[] = {
      {"mo", 1},        {"mon", 1},        {"monday", 1}, {"montag", 1},    {"di", 2},
      {"tu", 2},        {"tue", 2},        {"tues", 2},   {"tuesday", 2},   {"dienstag", 2},
      {"mi", 3},        {"we", 3},         {"wed", 3},    {"wednesday", 3}, {"mittwoch", 3},
      {"do", 4},        {"th", 4},         {"thu", 4},    {"thur", 4},      {"thurs", 4},
      {"thursday", 4},  {"donnerstag", 4}, {"fr", 5},     {"fri", 5},       {"friday", 5},
      {"freitag", 5},   {"sa", 6},         {"sat", 6},    {"saturday", 6},  {"samstag", 6},
      {"sonnabend", 6}, {"so", 0},         {"su", 0},     {"sun", 0},       {"sunday", 0},
      {"sonntag", 0},
  };
  for (const Name& n : kNames) {
    if (n.name == w) return n.day;
  }
  return -1;
}

// "8:00" or "08:00" to minutes since midnight; 24:00 allowed; -1 when bad.
int ParseClock(std::string_view s) {
  s = Trim(s);
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) {
    return -1;
  }
  int h = 0;
  for (size_t i = 0; i < colon; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    h = h * 10 + (s[i] - '0');
  }
  if (!std::isdigit(static_cast<unsigned char>(s[colon + 1])) ||
      !std::isdigit(static_cast<unsigned char>(s[colon + 2]))) {
    return -1;
  }
  const int m = (s[colon + 1] - '0') * 10 + (s[colon + 2] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::chrono::weekday WeekdayOf(std::chrono::local_days day) { return std::chrono::weekday(day); }

}  // namespace

Result<BusinessHours> BusinessHours::Parse(std::string_view spec_in, TimeZone tz) {
  const std::string spec = NormalizeDashes(spec_in);
  std::array<std::vector<Range>, 7> days_ranges;
  int rule_number = 0;
  for (std::string_view rule : Split(spec, ';')) {
    rule = Trim(rule);
    if (rule.empty()) continue;
    ++rule_number;
    const std::string where =
        "business hours: rule " + std::to_string(rule_number) + " (" + Quote(rule) + "): ";
    const size_t first_digit = rule.find_first_of("0123456789");
    if (first_digit == std::string_view::npos) {
      return Status::InvalidArgument(where + "no opening times; write e.g. \"Sa 09:00-13:00\"",
                                     std::string(kField));
    }
    std::string_view day_part = Trim(rule.substr(0, first_digit));
    if (!day_part.empty() && day_part.back() == ':')
      day_part = Trim(day_part.substr(0, day_part.size() - 1));
    const std::string_view range_part = Trim(rule.substr(first_digit));
    if (day_part.empty()) {
      return Status::InvalidArgument(
          where + "no days before the times; write e.g. \"Mo-Fr " + std::string(range_part) + "\"",
          std::string(kField));
    }
    std::array<bool, 7> on{};
    for (std::string_view item : Split(day_part, ',')) {
      item = Trim(item);
      if (item.empty()) {
        return Status::InvalidArgument(where + "an empty day in " + Quote(day_part),
                                       std::string(kField));
      }
      const size_t dash = item.find('-');
      if (dash == std::string_view::npos) {
        const int d = DayIndex(item);
        if (d < 0) {
          return Status::InvalidArgument(where + "unknown day " + Quote(item) +
                                             " (use Mo Di Mi Do Fr Sa So or Mon Tue Wed Thu "
                                             "Fri Sat Sun)",
                                         std::string(kField));
        }
        on[d] = true;
        continue;
      }
      const std::string_view from_name = Trim(item.substr(0, dash));
      const std::string_view to_name = Trim(item.substr(dash + 1));
      const int from = DayIndex(from_name);
      const int to = DayIndex(to_name);
      if (from < 0 || to < 0) {
        return Status::InvalidArgument(
            where + "unknown day " + Quote(from < 0 ? from_name : to_name) + " in " + Quote(item) +
                " (use Mo Di Mi Do Fr Sa So or Mon Tue Wed Thu Fri "
                "Sat Sun)",
            std::string(kField));
      }
      for (int d = from;; d = (d + 1) % 7) {
        on[d] = true;
        if (d == to) break;
      }
    }
    for (std::string_view range : Split(range_part, ',')) {
      range = Trim(range);
      const size_t dash = range.find('-');
      if (dash == std::string_view::npos) {
        return Status::InvalidArgument(
            where + "the time range " + Quote(range) + " is not \"HH:MM-HH:MM\"",
            std::string(kField));
      }
      const int begin = ParseClock(range.substr(0, dash));
      const int end = ParseClock(range.substr(dash + 1));
      if (begin < 0 || end < 0 || begin == kDayMinutes) {
        return Status::InvalidArgument(where + "the time range " + Quote(range) +
                                           " is not \"HH:MM-HH:MM\" with times from 00:00 to "
                                           "24:00",
                                       std::string(kField));
      }
      if (begin == end) {
        return Status::InvalidArgument(where + "the time range " + Quote(range) + " is empty",
                                       std::string(kField));
      }
      for (int d = 0; d < 7; ++d) {
        if (!on[d]) continue;
        if (end > begin) {
          days_ranges[d].push_back({begin, end});
        } else {  // past midnight: the rest belongs to the next day
          days_ranges[d].push_back({begin, kDayMinutes});
          if (end > 0) days_ranges[(d + 1) % 7].push_back({0, end});
        }
      }
    }
  }
  if (rule_number == 0) {
    return Status::InvalidArgument(
        "business hours: empty; write e.g. \"Mo-Fr 08:00-18:00; Sa 09:00-13:00\"",
        std::string(kField));
  }
  for (auto& ranges : days_ranges) {
    std::sort(ranges.begin(), ranges.end(),
              [](const Range& a, const Range& b) { return a.begin < b.begin; });
    std::vector<Range> merged;
    for (const Range& r : ranges) {
      if (!merged.empty() && r.begin <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, r.end);
      } else {
        merged.push_back(r);
      }
    }
    ranges = std::move(merged);
  }
  return BusinessHours(std::move(tz), std::move(days_ranges));
}

const BusinessHours::Range* BusinessHours::RangeAt(std::chrono::weekday day,
                                                   milliseconds since_midnight) const {
  for (const Range& r : days_[day.c_encoding()]) {
    if (since_midnight >= minutes(r.begin) && since_midnight < minutes(r.end)) return &r;
  }
  return nullptr;
}

bool BusinessHours::OpenOn(std::chrono::weekday day) const {
  return !days_[day.c_encoding()].empty();
}

bool BusinessHours::IsOpen(Time t) const {
  const LocalTime local = tz_.ToLocal(t);
  const auto day = std::chrono::floor<days>(local);
  return RangeAt(WeekdayOf(day), local - day) != nullptr;
}

Time BusinessHours::NextOpening(Time t) const {
  if (IsOpen(t)) return t;
  const auto today = std::chrono::floor<days>(tz_.ToLocal(t));
  for (int d = 0; d <= 8; ++d) {
    const std::chrono::local_days day = today + days(d);
    for (const Range& r : days_[WeekdayOf(day).c_encoding()]) {
      const Time candidate = tz_.FromLocal(std::chrono::year_month_day(day), minutes(r.begin));
      if (candidate > t) return candidate;
    }
  }
  return t;  // unreachable: Parse rejects hours that are never open
}

Time BusinessHours::NextClosing(Time t) const {
  Time at = t;
  // Follows periods that touch across midnight; a week of them is "always open".
  for (int step = 0; step < 8; ++step) {
    const LocalTime local = tz_.ToLocal(at);
    const auto day = std::chrono::floor<days>(local);
    const Range* r = RangeAt(WeekdayOf(day), local - day);
    if (r == nullptr) return at;
    Time end = tz_.FromLocal(std::chrono::year_month_day(day), minutes(r->end));
    if (end <= at) end = at + (minutes(r->end) - (local - day));  // the repeated hour in autumn
    at = end;
  }
  return at;
}

Time BusinessHours::AddOpenTime(Time start, minutes duration) const {
  Time t = NextOpening(start);
  if (duration <= minutes(0)) return t;
  milliseconds remaining = duration;
  while (true) {
    const Time closing = NextClosing(t);
    if (closing - t >= remaining) return t + remaining;
    remaining -= closing - t;
    t = NextOpening(closing);
  }
}

std::optional<Time> BusinessHours::EndOfBusiness(std::chrono::year_month_day date) const {
  const auto& ranges = days_[std::chrono::weekday(std::chrono::local_days(date)).c_encoding()];
  if (ranges.empty()) return std::nullopt;
  const Time last_open = tz_.FromLocal(date, minutes(ranges.back().begin));
  return IsOpen(last_open) ? NextClosing(last_open)
                           : tz_.FromLocal(date, minutes(ranges.back().end));
}

}  // namespace candor::people
