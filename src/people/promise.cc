// FindPromise: the phrases promise_grammar.cc finds, resolved into Times
// against now, the zone and the business hours. The rules are written down
// in people.h.
#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/text.h"
#include "people/internal/promise_grammar.h"
#include "people/people.h"

namespace candor::people {
namespace {

using internal::DaySpec;
using internal::Spec;
using internal::Token;

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::minutes;
using std::chrono::weekday;
using std::chrono::year_month_day;

constexpr int kEndOfDayDefault = 18 * 60;  // when no business hours are known

// ---- from words to a time -------------------------------------------------------

class Resolver {
 public:
  Resolver(Time now, const TimeZone& tz, const BusinessHours* hours)
      : now_(now), tz_(tz), hours_(hours), today_(std::chrono::floor<days>(tz.ToLocal(now))) {}

  Result<Time> Resolve(const Spec& spec) const {
    switch (spec.kind) {
      case Spec::kDuration:
        return now_ + spec.duration;
      case Spec::kOpenDuration:
        return hours_ != nullptr ? hours_->AddOpenTime(now_, spec.duration) : now_ + spec.duration;
      case Spec::kEndOfWeek: {
        const local_days monday =
            today_ - days((weekday(today_).c_encoding() + 6) % 7) + days(7 * spec.ahead);
        for (int d = 6; d >= 0; --d) {
          if (Workday(monday + days(d))) return EndOfDay(monday + days(d));
        }
        return EndOfDay(monday + days(4));
      }
      case Spec::kEndOfMonth: {
        const year_month_day ymd(today_);
        const auto ym =
            std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(spec.ahead);
        const local_days first{ym / 1};
        local_days day{ym / std::chrono::last};
        while (day > first && !Workday(day)) day -= days(1);
        return EndOfDay(day);
      }
      case Spec::kAt:
        break;
    }
    const DaySpec& d = spec.day;
    switch (d.kind) {
      case DaySpec::kNone: {  // a time alone: its next occurrence
        const Time t = AtDay(today_, spec.time);
        return t > now_ ? t : AtDay(today_ + days(1), spec.time);
      }
      case DaySpec::kOffset:
        return AtDay(today_ + days(d.count), spec.time);
      case DaySpec::kBusinessDays: {
        local_days day = today_;
        for (int counted = 0, guard = 0; counted < d.count && guard < 4000; ++guard) {
          day += days(1);
          if (Workday(day)) ++counted;
        }
        return AtDay(day, spec.time);
      }
      case DaySpec::kWeekday: {
        int delta =
            static_cast<int>((weekday(static_cast<unsigned>(d.weekday)) - weekday(today_)).count());
        if (delta == 0 && d.strictly_next) delta = 7;
        const Time t = AtDay(today_ + days(delta), spec.time);
        if (delta == 0 && t <= now_) return AtDay(today_ + days(7), spec.time);
        return t;
      }
      case DaySpec::kDate: {
        auto day = NearestDate(d);
        if (!day.ok()) return day.status();
        return AtDay(*day, spec.time);
      }
    }
    return Status::Internal("promise: unhandled day kind");
  }

 private:
  bool Workday(local_days day) const {
    const weekday wd(day);
    if (hours_ != nullptr) return hours_->OpenOn(wd);
    return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
  }
  Time EndOfDay(local_days day) const {
    if (hours_ != nullptr) {
      if (auto end = hours_->EndOfBusiness(year_month_day(day))) return *end;
    }
    return tz_.FromLocal(year_month_day(day), minutes(kEndOfDayDefault));
  }
  Time AtDay(local_days day, std::optional<int> time) const {
    return time ? tz_.FromLocal(year_month_day(day), minutes(*time)) : EndOfDay(day);
  }
  Result<local_days> NearestDate(const DaySpec& d) const {
    const year_month_day today(today_);
    std::vector<year_month_day> candidates;
    if (d.month == 0) {  // "bis zum 5.": this month's, the next or the last
      const std::chrono::year_month ym(today.year(), today.month());
      for (int m : {-1, 0, 1}) {
        candidates.push_back((ym + std::chrono::months(m)) / std::chrono::day(d.day));
      }
    } else if (d.year != 0) {
      candidates.push_back(std::chrono::year(d.year) / d.month / d.day);
    } else {
      for (int y : {-1, 0, 1}) {
        candidates.push_back((today.year() + std::chrono::years(y)) / std::chrono::month(d.month) /
                             std::chrono::day(d.day));
      }
    }
    std::optional<local_days> best;
    for (const year_month_day& c : candidates) {
      if (!c.ok()) continue;
      const local_days day(c);
      if (!best || std::chrono::abs(day - today_) < std::chrono::abs(*best - today_)) best = day;
    }
    if (!best) {
      return Status::InvalidArgument("promise: there is no day " + std::to_string(d.day) +
                                         (d.month ? "." + std::to_string(d.month) + "." : "."),
                                     "promise");
    }
    return *best;
  }

  Time now_;
  const TimeZone& tz_;
  const BusinessHours* hours_;
  local_days today_;
};

}  // namespace

Result<Promise> FindPromise(std::string_view agent_text, Time now, const TimeZone& tz,
                            const BusinessHours* hours) {
  if (!IsValidUtf8(agent_text)) {
    return Status::InvalidArgument("promise: the text is not valid UTF-8", "promise");
  }
  const std::vector<Token> tokens = internal::Tokenize(agent_text);
  const Resolver resolver(now, tz, hours);
  std::optional<Promise> best;
  std::optional<Status> first_error;
  for (size_t i = 0; i < tokens.size();) {
    size_t end = i;
    const std::optional<Spec> spec = internal::ParsePromiseAt(tokens, i, &end);
    if (!spec || internal::IsNoPromise(tokens, i, end)) {
      ++i;
      continue;
    }
    const std::string phrase(
        agent_text.substr(tokens[i].begin, tokens[end - 1].end - tokens[i].begin));
    i = end;
    Result<Time> due = resolver.Resolve(*spec);
    if (!due.ok()) {
      if (!first_error) first_error = due.status();
      continue;
    }
    if (*due <= now) {
      if (!first_error) {
        first_error = Status::InvalidArgument(
            "promise: \"" + phrase + "\" is already past (it means " + FormatIso8601(*due) + ")",
            "promise");
      }
      continue;
    }
    if (!best || *due < best->due) best = Promise{*due, phrase};
  }
  if (best) return *best;
  if (first_error) return *first_error;
  return Status::NotFound("promise: the text names no reply time");
}

}  // namespace candor::people
