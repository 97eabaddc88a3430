// Commitments: states, and what we tell a customer when we are late.
#include <cstdio>
#include <string>

#include "people/people.h"

namespace candor::people {
namespace {

constexpr std::string_view kGermanDays[] = {"Sonntag",    "Montag",  "Dienstag", "Mittwoch",
                                            "Donnerstag", "Freitag", "Samstag"};
constexpr std::string_view kEnglishDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                             "Thursday", "Friday", "Saturday"};
constexpr std::string_view kGermanMonths[] = {"Januar",    "Februar", "März",     "April",
                                              "Mai",       "Juni",    "Juli",     "August",
                                              "September", "Oktober", "November", "Dezember"};
constexpr std::string_view kEnglishMonths[] = {"January",   "February", "March",    "April",
                                               "May",       "June",     "July",     "August",
                                               "September", "October",  "November", "December"};

bool IsGerman(std::string_view language) {
  return language == "de" || language.starts_with("de-") || language.starts_with("de_");
}

}  // namespace

std::string_view CommitmentStateName(CommitmentState state) {
  switch (state) {
    case CommitmentState::kPending:
      return "pending";
    case CommitmentState::kRemindAgent:
      return "remind_agent";
    case CommitmentState::kMissed:
      return "missed";
  }
  return "pending";
}

CommitmentState Evaluate(const Commitment& commitment, Time now,
                         std::chrono::minutes remind_before) {
  if (now > commitment.due) return CommitmentState::kMissed;
  if (now >= commitment.due - remind_before) return CommitmentState::kRemindAgent;
  return CommitmentState::kPending;
}

bool Kept(const Commitment& commitment, Time replied_at) { return replied_at <= commitment.due; }

std::string FormatLocalTime(Time t, const TimeZone& tz, std::string_view language,
                            std::optional<Time> reference) {
  const LocalFields f = tz.Fields(t);
  const bool with_date = reference && std::chrono::abs(t - *reference) >= std::chrono::days(6);
  char clock[16];
  if (IsGerman(language)) {
    std::string out(kGermanDays[f.weekday.c_encoding()]);
    if (with_date) {
      out += ", " + std::to_string(f.day) + ". " + std::string(kGermanMonths[f.month - 1]);
    }
    std::snprintf(clock, sizeof clock, "%02d:%02d", f.hour, f.minute);
    return out + ", " + clock;
  }
  std::string out(kEnglishDays[f.weekday.c_encoding()]);
  if (with_date) {
    out += ", " + std::string(kEnglishMonths[f.month - 1]) + " " + std::to_string(f.day) + ",";
  }
  const int hour12 = f.hour % 12 == 0 ? 12 : f.hour % 12;
  std::snprintf(clock, sizeof clock, "%d:%02d %s", hour12, f.minute, f.hour < 12 ? "am" : "pm");
  return out + " " + clock;
}

std::string LateNotice(const Commitment& commitment, Time new_due, const TimeZone& tz,
                       std::string_view language) {
  const std::string promised = FormatLocalTime(commitment.due, tz, language, commitment.made_at);
  const std::string next = FormatLocalTime(new_due, tz, language, commitment.due);
  if (IsGerman(language)) {
    switch (commitment.source) {
      case CommitmentSource::kQueue:
        return "Wir hatten geschätzt, dass bis " + promised +
               " eine Person für Sie da ist. Das hat nicht gestimmt, das tut uns leid. "
               "Unsere neue Schätzung: " +
               next + ".";
      case CommitmentSource::kBusinessHours:
        return "Wir hatten Ihnen eine Antwort innerhalb unserer Geschäftszeiten zugesagt, bis " +
               promised + ". Wir sind damit zu spät, das tut uns leid. Sie hören bis " + next +
               " von uns.";
      case CommitmentSource::kAgent:
        break;
    }
    return "Wir hatten Ihnen eine Antwort bis " + promised +
           " zugesagt und sind damit zu spät. Das tut uns leid. Sie hören bis " + next +
           " von uns.";
  }
  switch (commitment.source) {
    case CommitmentSource::kQueue:
      return "We estimated that a person would be with you by " + promised +
             ". That estimate was wrong, and we are sorry. Our new estimate: " + next + ".";
    case CommitmentSource::kBusinessHours:
      return "We promised you a reply within our business hours, by " + promised +
             ", and we are late. We are sorry. You will hear from us by " + next + ".";
    case CommitmentSource::kAgent:
      break;
  }
  return "We promised you a reply by " + promised +
         ", and we are late. We are sorry. You will hear from us by " + next + ".";
}

}  // namespace candor::people
