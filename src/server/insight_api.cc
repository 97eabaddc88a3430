// What people need to see to be in charge: the summary a person gets when
// taking over (so the customer never repeats themselves), the trust metrics,
// the policy in force and the knowledge base's articles.
#include "server/internal/api.h"

namespace candor {
namespace {

constexpr int kPage = 1000;
constexpr int64_t kMaxBuckets = 2000;

}  // namespace

asio::awaitable<HttpResponse> Api::Summary(HttpRequest& request, const Caller&) {
  const std::string& id = request.params[0];
  nlohmann::json transcript = nlohmann::json::array();
  nlohmann::json ai_said = nlohmann::json::array();
  std::optional<UnderstandingEvent> understood;
  std::optional<DecisionEvent> decision;
  bool asked_for_person = false;
  int64_t after = 0;
  while (true) {
    auto events = deps_.store.ReadEvents(id, after, kPage);
    if (!events.ok()) co_return ErrorFromStatus(events.status());
    for (const auto& event : *events) {
      if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
        // Stored text is masked: the person sees placeholders and reveals
        // an original only with a reason.
        nlohmann::json line = {{"seq", event.seq},
                               {"author", AuthorName(m->author)},
                               {"text", m->text},
                               {"at", FormatIso8601(event.at)}};
        if (!m->agent.empty()) line["agent"] = m->agent;
        if (m->author == Author::kAi || m->author == Author::kAiApproved) ai_said.push_back(line);
        transcript.push_back(std::move(line));
      } else if (const auto* u = std::get_if<UnderstandingEvent>(&event.body)) {
        understood = *u;
      } else if (const auto* d = std::get_if<DecisionEvent>(&event.body)) {
        decision = *d;
      } else if (const auto* q = std::get_if<QueueEvent>(&event.body)) {
        if (q->change == QueueChange::kJoined && q->requested_by == "customer")
          asked_for_person = true;
      }
    }
    if (events->size() < static_cast<size_t>(kPage)) break;
    after = events->back().seq;
  }
  const Desk::Place place = deps_.desk.PlaceOf(id);
  nlohmann::json summary = {{"id", id},
                            {"transcript", transcript},
                            {"ai_said", ai_said},
                            {"asked_for_person", asked_for_person},
                            {"waiting", place.waiting},
                            {"promises", PromisesJson(id)}};
  if (understood) {
    summary["language"] = understood->language;
    summary["intent"] = understood->intent;
    summary["intent_confidence"] = understood->confidence;
    summary["signals"] = {{"distress", understood->distress},
                          {"out_of_scope", !understood->in_scope}};
  } else {
    summary["language"] = nullptr;
    summary["intent"] = nullptr;
    summary["intent_confidence"] = nullptr;
    summary["signals"] = nullptr;
  }
  summary["decision"] =
      decision
          ? nlohmann::json{{"action", DecisionActionName(decision->action)},
                           {"rule", decision->rule},
                           {"reason", {{"de", decision->reason_de}, {"en", decision->reason_en}}}}
          : nlohmann::json(nullptr);
  summary["position"] = place.waiting ? nlohmann::json(place.position) : nlohmann::json(nullptr);
  summary["waiting_since"] =
      place.waiting ? nlohmann::json(FormatIso8601(place.since)) : nlohmann::json(nullptr);
  summary["agent"] = place.agent.empty() ? nlohmann::json(nullptr) : nlohmann::json(place.agent);
  co_return HttpResponse::Json(200, summary);
}

asio::awaitable<HttpResponse> Api::TrustReport(HttpRequest& request, const Caller&) {
  const Time now = deps_.clock.Now();
  auto time_param = [&](std::string_view name, Time fallback,
                        HttpResponse& error) -> std::optional<Time> {
    const std::string text = request.QueryParam(name);
    if (text.empty()) return fallback;
    auto parsed = ParseIso8601(text);
    if (!parsed.ok()) {
      error = ErrorResponse(ApiError::kInvalidValue, parsed.status().message(), name);
      return std::nullopt;
    }
    return *parsed;
  };
  HttpResponse error;
  auto to = time_param("to", now, error);
  if (!to) co_return error;
  auto from = time_param("from", *to - std::chrono::hours(24), error);
  if (!from) co_return error;
  if (*from >= *to)
    co_return ErrorResponse(ApiError::kInvalidValue, "'from' must be before 'to'", "from");
  const std::string bucket_name = request.QueryParam("bucket");
  std::chrono::minutes bucket{60};
  if (bucket_name == "minute")
    bucket = std::chrono::minutes(1);
  else if (bucket_name == "day")
    bucket = std::chrono::minutes(60 * 24);
  else if (!bucket_name.empty() && bucket_name != "hour")
    co_return ErrorResponse(ApiError::kInvalidValue, "'bucket' must be minute, hour or day",
                            "bucket");
  const auto span = std::chrono::duration_cast<std::chrono::minutes>(*to - *from);
  if (span / bucket > kMaxBuckets) {
    co_return ErrorResponse(ApiError::kInvalidValue,
                            "at most 2000 buckets: choose a larger bucket or a shorter window",
                            "bucket");
  }
  co_return HttpResponse::Json(200, deps_.trust.Report(*from, *to, bucket));
}

asio::awaitable<HttpResponse> Api::PolicyInForce(HttpRequest&, const Caller&) {
  if (!deps_.policy_document) {
    co_return ErrorResponse(ApiError::kUnavailable, "no policy is configured");
  }
  co_return HttpResponse::Json(200, deps_.policy_document());
}

asio::awaitable<HttpResponse> Api::KnowledgeArticles(HttpRequest&, const Caller&) {
  if (!deps_.knowledge_articles) {
    co_return ErrorResponse(ApiError::kUnavailable, "no knowledge base is configured");
  }
  auto articles = deps_.knowledge_articles();
  if (!articles.ok()) co_return ErrorFromStatus(articles.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : *articles) {
    list.push_back({{"id", a.id},
                    {"title", a.title},
                    {"language", a.language},
                    {"url", a.url},
                    {"reviewed_on", a.reviewed_on.empty() ? nlohmann::json(nullptr)
                                                          : nlohmann::json(a.reviewed_on)},
                    {"tags", a.tags}});
  }
  co_return HttpResponse::Json(200, {{"articles", list}});
}

}  // namespace candor
