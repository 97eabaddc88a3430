// people: "a person, always" and "promises kept" (DESIGN.md P4, P7), as pure
// logic over times the caller supplies. Nothing here reads the system clock,
// keeps global state or throws across this header.
//
//   TimeZone       an IANA zone (ICU): UTC <-> local wall time, DST-correct
//   BusinessHours  "Mo-Fr 08:00-18:00; Sa 09:00-13:00" in a zone: open or
//                  not, the next opening, a duration counted in open time
//   FindPromise    the reply time an agent promised in words ("bis morgen
//                  14 Uhr", "within 2 hours"), resolved to a Time
//   WaitEstimator  the expected wait for a queue position from the agents
//                  online, their current conversations and recent handling
//                  times (a multi-server queue), or "no one is online"
//   Commitment     a promised time and what it has become: pending, remind
//                  the agent, missed; kept or broken; the honest late notice
//   Preconditions  what a person's state change depends on (a draft still
//                  unreviewed, the conversation's holder unchanged, a promise
//                  still open), checked by the store in its writer's transaction
//
// Thread-safety: TimeZone and BusinessHours are immutable values; their const
// methods may be called from any number of threads at once (ICU's const zone
// lookups are thread-safe). FindPromise, Evaluate, Kept and LateNotice are
// pure functions. A WaitEstimator is not thread-safe: one owner (the queue)
// feeds it and asks it under its own lock.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/status.h"

namespace candor::people {

// ---- time zones -------------------------------------------------------------

// Wall-clock time in a zone, without the zone (std::chrono's local_time).
using LocalTime = std::chrono::local_time<std::chrono::milliseconds>;

// A local time broken into calendar fields.
struct LocalFields {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
  std::chrono::weekday weekday;
  int hour = 0;                        // 0..23
  int minute = 0;                      // 0..59
  int second = 0;                      // 0..59
  std::chrono::minutes utc_offset{0};  // local - UTC, DST included

  std::chrono::year_month_day date() const;
};

class TimeZone {
 public:
  // `iana_name` such as "Europe/Berlin" or "UTC". An unknown name (ICU would
  // quietly fall back to "Etc/Unknown", i.e. GMT) is InvalidArgument with
  // field "time_zone".
  static Result<TimeZone> Load(std::string_view iana_name);
  static TimeZone Utc();

  const std::string& name() const;

  LocalTime ToLocal(Time t) const;
  LocalFields Fields(Time t) const;
  std::chrono::minutes UtcOffset(Time t) const;

  // Local wall time back to a Time. A time skipped by a DST change (02:30 on
  // the last Sunday of March in Berlin) moves forward by the gap (03:30
  // CEST); a time that occurs twice (02:30 on the last Sunday of October)
  // means its first occurrence (CEST).
  Time FromLocal(LocalTime local) const;
  // `time_of_day` may be 24:00, the next day's midnight.
  Time FromLocal(std::chrono::year_month_day date, std::chrono::minutes time_of_day) const;

 private:
  struct Impl;
  explicit TimeZone(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // shared, immutable
};

// ---- business hours ---------------------------------------------------------

// The weekly opening hours of a team, in its time zone. Public holidays are
// not modelled: a deployment that closes on them adds them elsewhere.
class BusinessHours {
 public:
  // Rules separated by ';', each "DAYS RANGES":
  //   DAYS    a day, a range "Mo-Fr" (wrapping "Fr-Mo" allowed) or a comma
  //           list of both; German (Mo Di Mi Do Fr Sa So), English (Mon Tue
  //           Wed Thu Fri Sat Sun, or Mo Tu We Th Fr Sa Su) and full names,
  //           any case
  //   RANGES  "HH:MM-HH:MM", several separated by ',' ("08:00-12:00,
  //           13:00-17:00"); an end of 24:00 is midnight; a range ending
  //           before it starts runs past midnight into the next day
  // Overlapping ranges merge. Errors are InvalidArgument with field
  // "business_hours" and name the rule and the part that is wrong.
  static Result<BusinessHours> Parse(std::string_view spec, TimeZone tz);

  const TimeZone& time_zone() const { return tz_; }

  bool IsOpen(Time t) const;
  // `t` itself when open, else the start of the next open period.
  Time NextOpening(Time t) const;
  // `t` itself when closed, else the end of the open period `t` is in
  // (periods that touch across midnight count as one).
  Time NextClosing(Time t) const;
  // The time at which `duration` of open time has passed, counting from
  // `start` (from the next opening when `start` is closed). A promise of
  // "within 2 business hours" made Friday 17:30 with Mo-Fr 08:00-18:00 lands
  // Monday 09:30. A duration of zero or less gives NextOpening(start).
  Time AddOpenTime(Time start, std::chrono::minutes duration) const;
  // The last closing time of the local `date`, or nullopt when closed all day.
  std::optional<Time> EndOfBusiness(std::chrono::year_month_day date) const;
  bool OpenOn(std::chrono::weekday day) const;

 private:
  struct Range {
    int begin;  // minutes since local midnight
    int end;    // exclusive; up to 1440
  };
  BusinessHours(TimeZone tz, std::array<std::vector<Range>, 7> days)
      : tz_(std::move(tz)), days_(std::move(days)) {}
  const Range* RangeAt(std::chrono::weekday day, std::chrono::milliseconds since_midnight) const;

  // Constant after construction.
  TimeZone tz_;
  std::array<std::vector<Range>, 7> days_;  // by weekday c_encoding (0 = Sunday), sorted
};

// ---- promised reply times ---------------------------------------------------

struct Promise {
  Time due;
  std::string phrase;  // the matched words, as written in the text
};

// Finds the reply time an agent promises in `agent_text` (German or English),
// relative to `now` in `tz`. NotFound when the text promises no time;
// InvalidArgument (field "promise") when every time it names is already past.
// When the text names several, the earliest time still ahead wins: it is the
// one the customer can hold us to.
//
// How words become times:
//   - A time with a day ("bis morgen 14 Uhr", "by 3:30 pm today") is that
//     local time. A time alone ("bis 17 Uhr", "by 9am") is its next
//     occurrence, today or tomorrow.
//   - A day without a time ("bis Freitag", "by December 5") is the end of
//     business that day when `hours` are given and open that day, else 18:00
//     local. "Morgens"/"morning" is 12:00, "Mittag"/"noon" 12:00,
//     "nachmittags"/"afternoon" 17:00, "abends"/"evening"/"tonight" 20:00.
//   - A weekday is the next such day; today's weekday means today while the
//     resolved time is still ahead, else a week later ("bis Freitag" on
//     Friday morning is Friday's end of business). "Nächsten"/"next Friday"
//     never means today.
//   - A date without a year ("bis 05.12.", "by 5 Dec") is the occurrence
//     nearest to `now`; if that is past, the promise is InvalidArgument (a
//     slip of the pen is better reported than pushed a year ahead).
//   - "In 2 Stunden", "within 30 minutes", "innerhalb von 24 Stunden" count
//     calendar time from `now`; "2 business hours"/"Geschäftsstunden" count
//     open time when `hours` are given. Days and weeks ("in 2 Tagen") name a
//     day and end like one; business days ("2 Werktage") skip closed days
//     (Saturday and Sunday without `hours`). A range ("1-2 Tage") means its
//     upper end.
//   - "Ende der Woche"/"end of the week" is the end of business on the last
//     open day of this week (Monday to Sunday; Friday 18:00 without `hours`);
//     "Ende nächster Woche", "Monatsende"/"end of the month" likewise.
// Heuristics against false promises: words stating opening hours ("wir sind
// bis 18 Uhr erreichbar", "we are open until") and negations in the same
// clause ("bis Freitag schaffen wir das nicht") make a phrase no promise.
Result<Promise> FindPromise(std::string_view agent_text, Time now, const TimeZone& tz,
                            const BusinessHours* hours /* may be null */);

// ---- expected wait ----------------------------------------------------------

struct WaitOptions {
  // Assumed mean handling time before any has been observed.
  std::chrono::seconds prior_handling{std::chrono::minutes(8)};
  // The prior counts as this many observations; it fades as data arrives.
  double prior_weight = 5;
  // Handling times kept; the mean weighs recent ones more (see half_life).
  size_t window = 100;
  // A handling time this many observations old counts half.
  double half_life = 30;
  // Conversations one agent handles at once.
  size_t conversations_per_agent = 1;
  // A conversation taken longer ago than this is treated as abandoned.
  std::chrono::seconds max_handling{std::chrono::hours(4)};
  // Runs of the queue an estimate is the median of (fewer for long queues).
  size_t draws = 256;
};

struct WaitEstimate {
  // The typical wait (the median); nullopt when no agent is online (there is
  // no honest number then: say so, and when the team is back).
  std::optional<std::chrono::seconds> wait;
  // Four in five customers at this position are served within this.
  std::optional<std::chrono::seconds> likely_within;
  // When no one is online and business hours were given: the next opening.
  std::optional<Time> next_opening;
  // What the estimate rests on, for explanations.
  size_t agents_online = 0;
  size_t conversations_in_progress = 0;
  std::chrono::seconds mean_handling{0};
  size_t handling_samples = 0;
};

// The expected wait in a first-come, first-served queue served by the agents
// online (a multi-server queue). Each conversation in progress ends after a
// remaining time drawn from the handling times seen so far given how long it
// has already run (a long conversation is not "almost done" when handling
// times have a long tail); each freed place goes to the next customer in
// line, who then holds it for a drawn handling time. The customer at position
// k is served when the k-th place frees. Conversations still held by agents
// who went offline free no place. The queue is run forward a few hundred
// times from the same seed; the estimate is the median (wait.cc has the
// details). It knows nothing of agents who will come online later.
class WaitEstimator {
 public:
  explicit WaitEstimator(WaitOptions options = {});

  // The number of agents online now (an agent going offline lowers it).
  void SetAgentsOnline(size_t agents, Time at);
  // An agent took the conversation at `at`.
  void Taken(std::string_view conversation_id, Time at);
  // The agent finished handling it; its handling time is learnt. A
  // conversation never seen taken is ignored.
  void Finished(std::string_view conversation_id, Time at);
  // A handling time known from elsewhere (history at start-up).
  void AddHandlingTime(std::chrono::seconds handling);

  // `position` 1 is the next customer to be served (0 counts as 1).
  // `hours` (may be null) supplies the next opening when no one is online.
  WaitEstimate ExpectedWait(size_t position, Time now, const BusinessHours* hours = nullptr) const;

  // The weighted mean handling time (the prior before data).
  std::chrono::seconds MeanHandling() const;

  // What it has learnt, to be saved and fed back (AddHandlingTime, Taken)
  // after a restart: handling times oldest first, conversations in progress.
  std::vector<std::chrono::seconds> HandlingTimes() const;
  std::vector<std::pair<std::string, Time>> InProgress() const;

 private:
  double MeanHandlingSeconds() const;

  // Constant after construction.
  WaitOptions options_;
  // Mutable state (not thread-safe, see above).
  size_t agents_online_ = 0;
  std::map<std::string, Time, std::less<>> in_progress_;  // conversation -> taken at
  std::deque<double> handling_;                           // seconds, newest last
};

// ---- commitments ------------------------------------------------------------

// The commitment event's source (core/event.h): queue, agent, business hours.
using candor::CommitmentSource;
using candor::CommitmentSourceName;
using candor::ParseCommitmentSource;

struct Commitment {
  std::string id;
  Time due;
  Time made_at;
  CommitmentSource source = CommitmentSource::kAgent;
};

enum class CommitmentState {
  kPending,      // more than `remind_before` ahead
  kRemindAgent,  // due within `remind_before`: remind the agent
  kMissed,       // past due without a reply: escalate, tell the customer
};
std::string_view CommitmentStateName(CommitmentState state);  // "pending", "remind_agent", "missed"

// The state of an open commitment (one not yet answered) at `now`. A reply at
// exactly `due` is in time, so it is missed only once `now` is after `due`.
CommitmentState Evaluate(const Commitment& commitment, Time now,
                         std::chrono::minutes remind_before);

// Whether a reply at `replied_at` kept the commitment (at or before due).
bool Kept(const Commitment& commitment, Time replied_at);

// "Dienstag, 14:30" (de) / "Tuesday 2:30 pm" (en) in `tz`; with the date when
// `t` is six days or more from `reference` ("Dienstag, 15. Dezember, 14:30").
// `language` "de" or "de-*" is German; anything else English.
std::string FormatLocalTime(Time t, const TimeZone& tz, std::string_view language,
                            std::optional<Time> reference = std::nullopt);

// The customer-facing notice that a commitment was missed, with its new time,
// in German or English (as FormatLocalTime). It says what was promised, that
// we are late, and the new time; the queue's times are called estimates.
std::string LateNotice(const Commitment& commitment, Time new_due, const TimeZone& tz,
                       std::string_view language);

// ---- preconditions of state changes -----------------------------------------

// A review of the draft at `draft_seq` holds only while no other review of
// that draft has been written: two people approving at once send it once.
Precondition DraftStillUnreviewed(int64_t draft_seq);

// Taking or handing back a conversation decided on its holder as of
// `based_on_seq` holds only while no one took or handed it back since; the
// conflict names who did.
Precondition HolderUnchanged(int64_t based_on_seq);

// A promise's outcome (kept, answered late, missed, reminded) decided on the
// conversation as of `based_on_seq` holds only while no other outcome of that
// promise was written since and, for "missed" and "reminder", no answer came
// (a person's reply, an approved draft, a take or a hand-back).
Precondition PromiseUnchanged(int64_t promise_seq, CommitmentChange change, int64_t based_on_seq);

}  // namespace candor::people
