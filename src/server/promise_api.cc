// "Promises kept" (P7): reply times promised to a customer become tracked
// commitments. They come from the queue's expected wait, from business hours
// when no one is on duty, from a person's words in a reply ("I'll get back
// to you by 4 pm") and from an explicit "promise a reply by". The promise
// keeper reminds people before a promise is due, and when one is missed it
// escalates the conversation and tells the customer honestly, with a new time.
#include "people/people.h"
#include "server/internal/api.h"

namespace candor {
namespace {

std::string Localised(Time t, const people::TimeZone& tz, std::string_view language, Time now) {
  return people::FormatLocalTime(t, tz, language, now);
}

}  // namespace

nlohmann::json Api::PromisesJson(const std::string& conversation_id) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : deps_.promises.Of(conversation_id)) {
    nlohmann::json item = {{"id", p.id},
                           {"source", CommitmentSourceName(p.source)},
                           {"made_at", FormatIso8601(p.made_at)},
                           {"due_at", FormatIso8601(p.first_due)},
                           {"missed", p.missed}};
    if (!p.agent.empty()) item["agent"] = p.agent;
    if (p.outcome) {
      item["state"] = CommitmentChangeName(*p.outcome);  // "kept" or "answered_late"
    } else {
      item["state"] = p.missed > 0 ? "missed" : "open";
    }
    if (p.missed > 0) item["new_due_at"] = FormatIso8601(p.due);
    if (p.answered_at) item["answered_at"] = FormatIso8601(*p.answered_at);
    list.push_back(std::move(item));
  }
  return list;
}

asio::awaitable<HttpResponse> Api::ListPromises(HttpRequest& request, const Caller&) {
  co_return HttpResponse::Json(200, {{"promises", PromisesJson(request.params[0])}});
}

asio::awaitable<HttpResponse> Api::MakeAgentPromise(std::string conversation_id, Time due,
                                                    std::string agent, Result<Event>* out) {
  const Time now = deps_.clock.Now();
  const auto& tz = deps_.time_zone;
  CommitmentEvent made{
      CommitmentChange::kMade,
      0,
      CommitmentSource::kAgent,
      due,
      agent,
      agent + " hat Ihnen eine Antwort bis " + Localised(due, tz, "de", now) + " versprochen.",
      agent + " promised you a reply by " + Localised(due, tz, "en", now) + "."};
  EventBody body = std::move(made);  // a named value: GCC 12 mishandles temporaries in co_await
  co_return co_await AppendEvent(std::move(conversation_id), std::move(body), out);
}

asio::awaitable<HttpResponse> Api::PromiseReply(HttpRequest& request, const Caller& caller) {
  const std::string id = request.params[0];
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/false, error);
  if (!body) co_return error;
  const Time now = deps_.clock.Now();
  const bool has_due = body->contains("due_at"), has_within = body->contains("within_minutes");
  if (has_due == has_within) {
    co_return ErrorResponse(ApiError::kMissingField,
                            "send either 'due_at' (an RFC 3339 time) or 'within_minutes'",
                            has_due ? "within_minutes" : "due_at");
  }
  Time due = now;
  if (has_due) {
    auto text = RequireString(*body, "due_at", 64, error);
    if (!text) co_return error;
    auto parsed = ParseIso8601(*text);
    if (!parsed.ok())
      co_return ErrorResponse(ApiError::kInvalidValue, parsed.status().message(), "due_at");
    due = *parsed;
  } else {
    const auto& value = (*body)["within_minutes"];
    if (!value.is_number_integer()) {
      co_return ErrorResponse(ApiError::kWrongType, "'within_minutes' must be a whole number",
                              "within_minutes");
    }
    const int64_t minutes = value.get<int64_t>();
    if (minutes < 1 || minutes > 60 * 24 * 30) {
      co_return ErrorResponse(ApiError::kInvalidValue,
                              "'within_minutes' must be between 1 and 43200 (30 days)",
                              "within_minutes");
    }
    due = now + std::chrono::minutes(minutes);
  }
  if (due <= now) {
    co_return ErrorResponse(ApiError::kInvalidValue, "the promised time has already passed",
                            "due_at");
  }
  if (due > now + std::chrono::hours(24 * 90)) {
    co_return ErrorResponse(ApiError::kInvalidValue,
                            "a promise more than 90 days ahead is no promise", "due_at");
  }
  Result<Event> event = Status::Internal("not appended");
  HttpResponse failed = co_await MakeAgentPromise(id, due, caller.agent.name, &event);
  if (!event.ok()) co_return failed;
  co_return HttpResponse::Json(
      201, {{"seq", event->seq}, {"id", event->seq}, {"due_at", FormatIso8601(due)}});
}

asio::awaitable<void> Api::PromiseFromReply(std::string conversation_id, std::string text,
                                            std::string agent) {
  const Time now = deps_.clock.Now();
  auto promise = people::FindPromise(text, now, deps_.time_zone, deps_.business_hours);
  if (!promise.ok()) co_return;  // no time promised in the reply (or only past ones)
  Result<Event> event = Status::Internal("not appended");
  co_await MakeAgentPromise(std::move(conversation_id), promise->due, std::move(agent), &event);
  if (!event.ok()) {
    deps_.logger.Warn("promise_not_recorded", {{"error", event.status().message()}});
  }
}

asio::awaitable<void> Api::AppendCommitment(std::string conversation_id, CommitmentEvent c,
                                            Precondition precondition) {
  Result<Event> event = Status::Internal("not appended");
  EventBody body = std::move(c);
  co_await AppendEvent(std::move(conversation_id), std::move(body), &event,
                       std::move(precondition));
  // A conflict is the book moving on (an answer came meanwhile): the next
  // round decides again on what is there then.
  if (!event.ok() && event.status().code() != StatusCode::kConflict) {
    deps_.logger.Warn("promise_keeper_append_failed", {{"error", event.status().message()}});
  }
}

// One round of the keeper: promises for new arrivals in the queue, places
// that moved, then what is due. Each outcome is an event, so the book moves on before the next
// round.
asio::awaitable<void> Api::KeepPromisesOnce() {
  const Time now = deps_.clock.Now();
  const auto& tz = deps_.time_zone;
  const auto* hours = deps_.business_hours;

  for (const std::string& id : deps_.promises.AwaitingQueuePromise()) {
    const Desk::Place place = deps_.desk.PlaceOf(id);
    if (!place.waiting) continue;
    const auto estimate = deps_.desk.ExpectedWait(place.position, now, hours);
    if (estimate.likely_within) {
      const Time due = now + std::max<std::chrono::seconds>(*estimate.likely_within,
                                                            deps_.options.queue_promise_floor);
      CommitmentEvent made{CommitmentChange::kMade,
                           0,
                           CommitmentSource::kQueue,
                           due,
                           "",
                           "Ein Mensch ist voraussichtlich bis " + Localised(due, tz, "de", now) +
                               " für Sie da (eine Schätzung aus der Warteschlange).",
                           "A person should be with you by " + Localised(due, tz, "en", now) +
                               " (an estimate from the queue)."};
      co_await AppendCommitment(id, std::move(made));
    } else if (hours != nullptr) {
      // No one is on duty: promise what the team's hours allow, never a guess.
      const Time due = hours->AddOpenTime(now, deps_.options.reply_within_business);
      CommitmentEvent made{CommitmentChange::kMade,
                           0,
                           CommitmentSource::kBusinessHours,
                           due,
                           "",
                           "Gerade ist niemand im Dienst. Ein Mensch antwortet Ihnen bis " +
                               Localised(due, tz, "de", now) + ".",
                           "No one is on duty right now. A person will reply by " +
                               Localised(due, tz, "en", now) + "."};
      co_await AppendCommitment(id, std::move(made));
    }
  }

  // A waiting customer's place moves when others are helped (or a late one
  // goes first): told as it happens, so the place on screen is true.
  for (const auto& [id, position] : deps_.desk.PlacesToTell()) {
    const std::string n = std::to_string(position);
    EventBody moved = QueueEvent{QueueChange::kMoved,
                                 "",
                                 "",
                                 "Sie sind jetzt Nummer " + n + " in der Warteschlange.",
                                 "You are now number " + n + " in the queue.",
                                 static_cast<int64_t>(position)};
    Result<Event> event = Status::Internal("not appended");
    co_await AppendEvent(id, std::move(moved), &event);
  }

  for (const auto& action : deps_.promises.Due(now, deps_.options.remind_before)) {
    const auto& p = action.promise;
    CommitmentEvent c{CommitmentChange::kKept, p.id, p.source, p.due, p.agent, "", ""};
    switch (action.kind) {
      case PromiseBook::Action::Kind::kKept:
        c.change = CommitmentChange::kKept;
        c.notice_de =
            "Versprechen gehalten: Antwort vor " + Localised(p.first_due, tz, "de", now) + ".";
        c.notice_en =
            "Promise kept: answered before " + Localised(p.first_due, tz, "en", now) + ".";
        break;
      case PromiseBook::Action::Kind::kAnsweredLate:
        c.change = CommitmentChange::kAnsweredLate;
        c.notice_de = "Die Antwort kam später als versprochen (" +
                      Localised(p.first_due, tz, "de", now) + "). Entschuldigung.";
        c.notice_en = "The answer came later than promised (" +
                      Localised(p.first_due, tz, "en", now) + "). We are sorry.";
        break;
      case PromiseBook::Action::Kind::kRemind:
        c.change = CommitmentChange::kReminder;
        c.notice_de = "Wir haben das Team an Ihre Antwort bis " + Localised(p.due, tz, "de", now) +
                      " erinnert.";
        c.notice_en =
            "We reminded the team of your reply due by " + Localised(p.due, tz, "en", now) + ".";
        break;
      case PromiseBook::Action::Kind::kMissed: {
        // A new time from what we know now: the queue's estimate for people in
        // it, else the late allowance counted in open hours.
        std::optional<Time> due;
        const Desk::Place place = deps_.desk.PlaceOf(action.conversation_id);
        if (place.waiting) {
          const auto estimate = deps_.desk.ExpectedWait(place.position, now, hours);
          if (estimate.likely_within) {
            due = now + std::max<std::chrono::seconds>(*estimate.likely_within,
                                                       deps_.options.queue_promise_floor);
          }
        }
        if (!due) {
          due = hours != nullptr ? hours->AddOpenTime(now, deps_.options.late_allowance)
                                 : now + deps_.options.late_allowance;
        }
        people::Commitment commitment{std::to_string(p.id), p.due, p.made_at, p.source};
        c.change = CommitmentChange::kMissed;
        c.due = *due;
        c.notice_de = people::LateNotice(commitment, *due, tz, "de");
        c.notice_en = people::LateNotice(commitment, *due, tz, "en");
        deps_.logger.Warn("promise_missed", {{"conversation", action.conversation_id},
                                             {"promise", p.id},
                                             {"source", CommitmentSourceName(p.source)}});
        break;
      }
    }
    auto unchanged = people::PromiseUnchanged(p.id, c.change, action.as_of_seq);
    co_await AppendCommitment(action.conversation_id, std::move(c), std::move(unchanged));
  }
}

asio::awaitable<void> Api::KeepPromises(std::function<bool()> stopping) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (!stopping()) {
    co_await KeepPromisesOnce();
    timer.expires_after(deps_.options.promise_check_interval);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace candor
