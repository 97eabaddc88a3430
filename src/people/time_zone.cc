// TimeZone over ICU. ICU's own Calendar is not used: it is mutable and not
// thread-safe, while the zone's offset lookups are const and are all we need;
// calendar arithmetic is std::chrono's.
#include <unicode/basictz.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <memory>
#include <string>

#include "people/people.h"

namespace candor::people {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::minutes;

struct TimeZone::Impl {
  std::string name;
  std::unique_ptr<icu::TimeZone> zone;
};

std::chrono::year_month_day LocalFields::date() const {
  return std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day));
}

Result<TimeZone> TimeZone::Load(std::string_view iana_name) {
  const std::string name(iana_name);
  if (name.empty()) {
    return Status::InvalidArgument(
        "time zone: the name is empty; use an IANA name such as "
        "\"Europe/Berlin\"",
        "time_zone");
  }
  const icu::UnicodeString id = icu::UnicodeString::fromUTF8(name);
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString canonical;
  UBool is_system = false;
  icu::TimeZone::getCanonicalID(id, canonical, is_system, status);
  if (U_FAILURE(status) || !is_system) {
    return Status::InvalidArgument(
        "time zone: unknown zone \"" + name + "\"; use an IANA name such as \"Europe/Berlin\"",
        "time_zone");
  }
  auto impl = std::make_shared<Impl>();
  impl->name = name;
  impl->zone.reset(icu::TimeZone::createTimeZone(id));
  icu::UnicodeString got;
  impl->zone->getID(got);
  icu::UnicodeString unknown_id;
  icu::TimeZone::getUnknown().getID(unknown_id);
  if (got == unknown_id || canonical == unknown_id) {
    return Status::InvalidArgument(
        "time zone: unknown zone \"" + name + "\"; use an IANA name such as \"Europe/Berlin\"",
        "time_zone");
  }
  return TimeZone(std::move(impl));
}

TimeZone TimeZone::Utc() {
  auto impl = std::make_shared<Impl>();
  impl->name = "UTC";
  impl->zone.reset(icu::TimeZone::getGMT()->clone());
  return TimeZone(std::move(impl));
}

const std::string& TimeZone::name() const { return impl_->name; }

minutes TimeZone::UtcOffset(Time t) const {
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0;
  int32_t dst = 0;
  impl_->zone->getOffset(static_cast<UDate>(ToUnixMillis(t)), false, raw, dst, status);
  if (U_FAILURE(status)) return minutes(0);
  return std::chrono::duration_cast<minutes>(milliseconds(raw + dst));
}

LocalTime TimeZone::ToLocal(Time t) const {
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0;
  int32_t dst = 0;
  impl_->zone->getOffset(static_cast<UDate>(ToUnixMillis(t)), false, raw, dst, status);
  if (U_FAILURE(status)) raw = dst = 0;
  return LocalTime(t.time_since_epoch() + milliseconds(raw + dst));
}

LocalFields TimeZone::Fields(Time t) const {
  const LocalTime local = ToLocal(t);
  const auto day = std::chrono::floor<days>(local);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss<milliseconds> hms(local - day);
  LocalFields f;
  f.year = static_cast<int>(ymd.year());
  f.month = static_cast<unsigned>(ymd.month());
  f.day = static_cast<unsigned>(ymd.day());
  f.weekday = std::chrono::weekday(day);
  f.hour = static_cast<int>(hms.hours().count());
  f.minute = static_cast<int>(hms.minutes().count());
  f.second = static_cast<int>(hms.seconds().count());
  f.utc_offset = UtcOffset(t);
  return f;
}

Time TimeZone::FromLocal(LocalTime local) const {
  const int64_t local_ms = local.time_since_epoch().count();
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0;
  int32_t dst = 0;
  if (const auto* basic = dynamic_cast<const icu::BasicTimeZone*>(impl_->zone.get())) {
    // FORMER for both: a skipped time is read with the offset before the
    // change (so it lands after the gap), a repeated one as its first
    // occurrence.
    basic->getOffsetFromLocal(static_cast<UDate>(local_ms), UCAL_TZ_LOCAL_FORMER,
                              UCAL_TZ_LOCAL_FORMER, raw, dst, status);
  } else {
    impl_->zone->getOffset(static_cast<UDate>(local_ms), true, raw, dst, status);
  }
  if (U_FAILURE(status)) raw = dst = 0;
  return FromUnixMillis(local_ms - raw - dst);
}

Time TimeZone::FromLocal(std::chrono::year_month_day date, minutes time_of_day) const {
  return FromLocal(LocalTime(std::chrono::local_days(date).time_since_epoch() + time_of_day));
}

}  // namespace candor::people
