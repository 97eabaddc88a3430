// The routes of "a person, always" (P4) and "people in charge" (P5): the
// customer asks for a person and sees their true place in the queue; agents
// take conversations, hand them back to the AI, and approve, edit or reject
// the AI's drafts.
#include <algorithm>

#include "people/people.h"
#include "server/internal/api.h"

namespace candor {
namespace {

// Characters changed between the draft and what the person sent: a
// Levenshtein distance over bytes, bounded so a huge edit costs little.
int64_t EditSize(const std::string& a, const std::string& b) {
  constexpr size_t kMax = 4000;
  if (a.size() > kMax || b.size() > kMax) {
    return static_cast<int64_t>(std::max(a.size(), b.size()));
  }
  std::vector<int64_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int64_t>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int64_t diagonal = row[0];
    row[0] = static_cast<int64_t>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int64_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// A review that lost to another one: the same answer as when it came second.
HttpResponse AlreadyReviewed(const Status& status, HttpResponse failed) {
  if (status.code() != StatusCode::kConflict) return failed;
  return ErrorResponse(ApiError::kAlreadyReviewed, status.message());
}

}  // namespace

nlohmann::json Api::QueueStatus(const std::string& conversation_id) {
  const Desk::Place place = deps_.desk.PlaceOf(conversation_id);
  nlohmann::json status = {{"with_people", place.waiting || !place.agent.empty()},
                           {"waiting", place.waiting}};
  if (!place.agent.empty()) status["agent"] = place.agent;
  if (!place.waiting) return status;
  status["position"] = place.position;
  status["since"] = FormatIso8601(place.since);
  // From the agents online now, the conversations they hold and how long
  // people took with the last ones; null when no one is online, with the
  // team's next opening instead.
  const Time now = deps_.clock.Now();
  const auto estimate = deps_.desk.ExpectedWait(place.position, now, deps_.business_hours);
  auto seconds = [](const std::optional<std::chrono::seconds>& s) {
    return s ? nlohmann::json(s->count()) : nlohmann::json(nullptr);
  };
  status["expected_wait_seconds"] = seconds(estimate.wait);
  status["likely_within_seconds"] = seconds(estimate.likely_within);
  status["agents_online"] = estimate.agents_online;
  status["mean_handling_seconds"] = estimate.mean_handling.count();
  status["handling_samples"] = estimate.handling_samples;
  status["next_opening"] = estimate.next_opening
                               ? nlohmann::json(FormatIso8601(*estimate.next_opening))
                               : nlohmann::json(nullptr);
  status["escalated"] = false;
  for (const auto& entry : deps_.desk.Queue()) {
    if (entry.conversation_id == conversation_id) status["escalated"] = entry.escalated;
  }
  return status;
}

asio::awaitable<HttpResponse> Api::AppendEvent(std::string conversation_id, EventBody body,
                                               Result<Event>* out, Precondition precondition) {
  AppendRequest append{std::move(conversation_id), std::move(body), std::nullopt,
                       std::move(precondition)};
  auto record = [&](auto done) { deps_.store.Append(std::move(append), std::move(done)); };
  *out = co_await AwaitCallback<Result<Event>>(record);
  if (!out->ok()) co_return ErrorFromStatus(out->status());
  co_return HttpResponse{};
}

asio::awaitable<HttpResponse> Api::AskForPerson(HttpRequest& request, const Caller&) {
  const std::string& id = request.params[0];
  if (!deps_.desk.WithPeople(id)) {
    Result<Event> event = Status::Internal("not appended");
    EventBody body1 =
        QueueEvent{QueueChange::kJoined, "customer", "", "Sie haben nach einem Menschen gefragt.",
                   "You asked for a person."};
    HttpResponse failed = co_await AppendEvent(id, std::move(body1), &event);
    if (!event.ok()) co_return failed;
  }
  co_return HttpResponse::Json(200, QueueStatus(id));
}

asio::awaitable<HttpResponse> Api::GetQueueStatus(HttpRequest& request, const Caller&) {
  co_return HttpResponse::Json(200, QueueStatus(request.params[0]));
}

asio::awaitable<HttpResponse> Api::ListQueue(HttpRequest&, const Caller&) {
  nlohmann::json waiting = nlohmann::json::array();
  size_t position = 0;
  for (const auto& entry : deps_.desk.Queue()) {
    waiting.push_back({{"conversation_id", entry.conversation_id},
                       {"position", ++position},
                       {"since", FormatIso8601(entry.since)},
                       {"requested_by", entry.requested_by},
                       {"escalated", entry.escalated}});
  }
  nlohmann::json drafts = nlohmann::json::array();
  for (const auto& draft : deps_.desk.Drafts()) {
    drafts.push_back({{"conversation_id", draft.conversation_id},
                      {"seq", draft.seq},
                      {"at", FormatIso8601(draft.at)}});
  }
  // Promises past due that no one has answered yet, whoever holds them.
  nlohmann::json late = nlohmann::json::array();
  for (const auto& action : deps_.promises.Late(deps_.clock.Now())) {
    late.push_back({{"conversation_id", action.conversation_id},
                    {"promise", action.promise.id},
                    {"source", CommitmentSourceName(action.promise.source)},
                    {"due_at", FormatIso8601(action.promise.first_due)},
                    {"agent", action.promise.agent}});
  }
  co_return HttpResponse::Json(200, {{"waiting", waiting}, {"drafts", drafts}, {"late", late}});
}

// One person holds a conversation at a time. Taking one that someone else
// holds needs {"reassign": true}; both the take and the hand-back are written
// only if no one took or handed the conversation back meanwhile.
asio::awaitable<HttpResponse> Api::TakeConversation(HttpRequest& request, const Caller& caller) {
  const std::string& id = request.params[0];
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/true, error);
  if (!body) co_return error;
  bool reassign = false;
  if (body->contains("reassign")) {
    if (!(*body)["reassign"].is_boolean()) {
      co_return ErrorResponse(ApiError::kWrongType, "'reassign' must be true or false", "reassign");
    }
    reassign = (*body)["reassign"].get<bool>();
  }
  const Desk::Holder holder = deps_.desk.HolderOf(id);
  if (holder.agent == caller.agent.name) {
    co_return HttpResponse::Json(200, {{"seq", holder.as_of_seq}, {"agent", caller.agent.name}});
  }
  if (!holder.agent.empty() && !reassign) {
    co_return HeldByOther(holder.agent, "send {\"reassign\": true} to take it over");
  }
  Result<Event> event = Status::Internal("not appended");
  EventBody taken = QueueEvent{QueueChange::kTaken, "", caller.agent.name,
                               caller.agent.name + " ist jetzt für Sie da.",
                               caller.agent.name + " is with you now."};
  HttpResponse failed =
      co_await AppendEvent(id, std::move(taken), &event, people::HolderUnchanged(holder.as_of_seq));
  if (!event.ok()) {
    if (event.status().code() != StatusCode::kConflict) co_return failed;
    co_return HeldByOther(deps_.desk.HolderOf(id).agent, event.status().message());
  }
  co_return HttpResponse::Json(200, {{"seq", event->seq}, {"agent", caller.agent.name}});
}

HttpResponse Api::HeldByOther(const std::string& agent, const std::string& detail) {
  const std::string who =
      agent.empty() ? std::string("the conversation changed hands") : agent + " holds it";
  nlohmann::json body = ErrorBody(ApiError::kHeldByOther, who + ": " + detail);
  if (!agent.empty()) body["error"]["agent"] = agent;
  return HttpResponse::Json(InfoOf(ApiError::kHeldByOther).http_status, body);
}

asio::awaitable<HttpResponse> Api::HandBack(HttpRequest& request, const Caller& caller) {
  const std::string& id = request.params[0];
  if (!deps_.desk.WithPeople(id)) {
    co_return ErrorResponse(ApiError::kNotWithPeople, "the AI already answers this conversation");
  }
  const Desk::Holder holder = deps_.desk.HolderOf(id);
  if (!holder.agent.empty() && holder.agent != caller.agent.name) {
    co_return HeldByOther(holder.agent, "only they can hand it back");
  }
  Result<Event> event = Status::Internal("not appended");
  EventBody handed_back =
      QueueEvent{QueueChange::kHandedBack, "", caller.agent.name,
                 "Die KI antwortet wieder; ein Mensch ist jederzeit einen Klick entfernt.",
                 "The AI answers again; a person is always one click away."};
  HttpResponse failed = co_await AppendEvent(id, std::move(handed_back), &event,
                                             people::HolderUnchanged(holder.as_of_seq));
  if (!event.ok()) {
    if (event.status().code() != StatusCode::kConflict) co_return failed;
    co_return HeldByOther(deps_.desk.HolderOf(id).agent, event.status().message());
  }
  co_return HttpResponse::Json(200, {{"seq", event->seq}});
}

asio::awaitable<HttpResponse> Api::ReviewDraft(HttpRequest& request, const Caller& caller) {
  const std::string& id = request.params[0];
  HttpResponse error;
  int64_t draft_seq = 0;
  if (!ParseSeq(request.params[1], &draft_seq)) {
    co_return ErrorResponse(ApiError::kNotFound, "no such draft");
  }
  auto body = ParseJsonObject(request.body, /*allow_empty=*/false, error);
  if (!body) co_return error;
  auto decision = RequireString(*body, "decision", 16, error);
  if (!decision) co_return error;
  if (*decision != "approve" && *decision != "reject") {
    co_return ErrorResponse(ApiError::kInvalidValue, "'decision' must be 'approve' or 'reject'",
                            "decision");
  }
  auto events = deps_.store.ReadEvents(id, draft_seq - 1, 1);
  if (!events.ok()) co_return ErrorFromStatus(events.status());
  const DraftEvent* draft =
      events->empty() ? nullptr : std::get_if<DraftEvent>(&events->front().body);
  if (draft == nullptr) co_return ErrorResponse(ApiError::kNotFound, "no such draft");
  if (!deps_.desk.DraftPending(id, draft_seq)) {
    co_return ErrorResponse(ApiError::kAlreadyReviewed, "a person has already reviewed this draft");
  }

  if (*decision == "reject") {
    auto reason = RequireString(*body, "reason", 500, error);
    if (!reason) co_return error;
    Result<Event> event = Status::Internal("not appended");
    EventBody body4 =
        ReviewEvent{draft_seq, ReviewOutcome::kRejected, caller.agent.name, *reason, 0};
    HttpResponse failed =
        co_await AppendEvent(id, std::move(body4), &event, people::DraftStillUnreviewed(draft_seq));
    if (!event.ok()) co_return AlreadyReviewed(event.status(), std::move(failed));
    co_return HttpResponse::Json(200, {{"outcome", "rejected"}, {"seq", event->seq}});
  }

  auto text = OptionalString(*body, "text", kMaxMessageBytes, draft->text, error);
  if (!text) co_return error;
  if (text->empty()) co_return ErrorResponse(ApiError::kInvalidValue, "'text' is empty", "text");
  const int64_t edit = EditSize(draft->text, *text);
  const ReviewOutcome outcome = edit == 0 ? ReviewOutcome::kApproved : ReviewOutcome::kEdited;
  Result<Event> reviewed = Status::Internal("not appended");
  EventBody body5 = ReviewEvent{draft_seq, outcome, caller.agent.name, "", edit};
  HttpResponse failed = co_await AppendEvent(id, std::move(body5), &reviewed,
                                             people::DraftStillUnreviewed(draft_seq));
  if (!reviewed.ok()) co_return AlreadyReviewed(reviewed.status(), std::move(failed));
  // Sent through "deliver", labelled as the AI's words a person approved.
  Turn turn;
  turn.conversation_id = id;
  turn.reply =
      MessageEvent{Author::kAiApproved, *text, caller.agent.name, draft->message_seq, draft->why};
  auto deliver = [&](auto done) {
    asio::post(deps_.pipeline_pool, [this, turn = std::move(turn), done]() mutable {
      deps_.answering.Run(std::move(turn), [done](Status status, const Turn& t) mutable {
        done(std::make_pair(status, t.delivered));
      });
    });
  };
  auto sent = co_await AwaitCallback<std::pair<Status, std::optional<Event>>>(deliver);
  if (!sent.first.ok() || !sent.second) {
    co_return ErrorFromStatus(sent.first.ok() ? Status::Internal("reply not delivered")
                                              : sent.first);
  }
  co_return HttpResponse::Json(200, {{"outcome", ReviewOutcomeName(outcome)},
                                     {"edit_chars", edit},
                                     {"seq", sent.second->seq},
                                     {"id", MessageId(id, sent.second->seq)}});
}

}  // namespace candor
