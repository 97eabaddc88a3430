#include "server/internal/api.h"

#include "core/conversation.h"
#include "core/text.h"
#include "core/version.h"
#include "server/internal/web_files.h"

namespace candor {
namespace {

constexpr int64_t kMaxPage = 1000;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    parts.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

// Ids we hand out are short and plain; anything else cannot name a conversation.
bool LooksLikeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// What a customer keeps to check later that this event is in the ledger.
nlohmann::json Receipt(const Event& event) {
  nlohmann::json receipt = {{"leaf_index", event.log_index}};
  auto hash = ledger::HashFromBytes(event.leaf_hash);
  receipt["leaf_hash"] = hash.ok() ? nlohmann::json(ledger::HashToHex(*hash)) : nullptr;
  return receipt;
}

nlohmann::json HashList(const std::vector<ledger::Hash>& hashes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& h : hashes) list.push_back(ledger::HashToHex(h));
  return list;
}

nlohmann::json Schema(std::initializer_list<std::pair<std::string, std::string>> fields,
                      std::vector<std::string> required) {
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [name, type] : fields) properties[name] = {{"type", type}};
  return {{"type", "object"}, {"properties", properties}, {"required", required}};
}

}  // namespace

Api::Api(Deps deps)
    : deps_(std::move(deps)),
      login_by_ip_(deps_.options.login_attempts_per_minute, deps_.options.login_burst, deps_.clock),
      login_by_name_(deps_.options.login_attempts_per_minute, deps_.options.login_burst,
                     deps_.clock),
      login_by_device_(deps_.options.login_attempts_per_minute, deps_.options.login_burst,
                       deps_.clock),
      conversations_by_ip_(deps_.options.conversations_per_minute_per_ip,
                           deps_.options.conversations_per_minute_per_ip / 6, deps_.clock) {
  const nlohmann::json error = "error: {\"error\": {\"code\", \"message\", \"field\"}}";
  routes_ = {
      {"GET",
       "/",
       Access::kPublic,
       false,
       &Api::Index,
       "What this server is",
       nullptr,
       {{"200", "an HTML page with links"}}},
      {"GET",
       "/chat",
       Access::kPublic,
       false,
       &Api::WebPage,
       "The customer chat (?embed=1: inside the widget's frame)",
       nullptr,
       {{"200", "an HTML page"}, {"404", "the front end is not built"}}},
      {"GET",
       "/agent",
       Access::kPublic,
       false,
       &Api::WebPage,
       "The agent console",
       nullptr,
       {{"200", "an HTML page"}, {"404", "the front end is not built"}}},
      {"GET",
       "/admin",
       Access::kPublic,
       false,
       &Api::WebPage,
       "The trust dashboard",
       nullptr,
       {{"200", "an HTML page"}, {"404", "the front end is not built"}}},
      {"GET",
       "/widget.js",
       Access::kPublic,
       false,
       &Api::WebPage,
       "The chat widget: one <script src> on any page opens /chat in a frame",
       nullptr,
       {{"200", "JavaScript"}, {"404", "the front end is not built"}}},
      {"GET",
       "/assets/{file}",
       Access::kPublic,
       false,
       &Api::WebAsset,
       "The front end's scripts and styles",
       nullptr,
       {{"200", "a file"}, {"404", "no such file"}}},
      {"GET",
       "/healthz",
       Access::kPublic,
       false,
       &Api::Healthz,
       "The process is alive",
       nullptr,
       {{"200", "ok"}}},
      {"GET",
       "/readyz",
       Access::kPublic,
       false,
       &Api::Readyz,
       "Ready to serve: the database answers",
       nullptr,
       {{"200", "ready"}, {"503", "not ready"}}},
      {"GET",
       "/metrics",
       Access::kPublic,
       false,
       &Api::MetricsText,
       "Prometheus metrics: requests by route and status, latency, events, streams",
       nullptr,
       {{"200", "Prometheus text format 0.0.4"}}},
      {"GET",
       "/api/openapi.json",
       Access::kPublic,
       false,
       &Api::OpenApi,
       "This document",
       nullptr,
       {{"200", "OpenAPI 3.0"}}},
      {"POST",
       "/api/v1/conversations",
       Access::kPublic,
       false,
       &Api::CreateConversation,
       "Start a conversation; returns its id and the customer's token (shown once)",
       Schema({}, {}),
       {{"201", "{id, customer_token}"}, {"400", error}, {"429", error}}},
      {"GET",
       "/api/v1/conversations/{id}",
       Access::kConversation,
       false,
       &Api::GetConversation,
       "A conversation's state",
       nullptr,
       {{"200", "{id, created_at, last_seq, awaiting_reply}"},
        {"401", error},
        {"403", error},
        {"404", error}}},
      {"POST",
       "/api/v1/conversations/{id}/messages",
       Access::kCustomer,
       false,
       &Api::PostMessage,
       "The customer (or their assistant) writes; 201 once the message is on disk",
       Schema({{"text", "string"}, {"author", "string"}}, {"text"}),
       {{"201", "{seq, at, receipt: {leaf_index, leaf_hash}}"},
        {"400", error},
        {"401", error},
        {"403", error},
        {"404", error},
        {"413", error}}},
      {"GET",
       "/api/v1/conversations/{id}/events",
       Access::kConversation,
       false,
       &Api::ListEvents,
       "Events with seq > after, in order (query: after, limit)",
       nullptr,
       {{"200", "{events: [...], last_seq}"},
        {"400", error},
        {"401", error},
        {"403", error},
        {"404", error}}},
      {"GET",
       "/api/v1/conversations/{id}/stream",
       Access::kConversation,
       true,
       nullptr,
       "Server-Sent Events: id is the event's seq; resume with Last-Event-ID",
       nullptr,
       {{"200", "text/event-stream"}, {"401", error}, {"403", error}, {"404", error}}},
      {"POST",
       "/api/v1/agents/login",
       Access::kPublic,
       false,
       &Api::Login,
       "An agent logs in with name and password (and the device token of an earlier login "
       "from this device, if any); rate limited per address and name, or per known device",
       Schema({{"name", "string"}, {"password", "string"}, {"device", "string"}},
              {"name", "password"}),
       {{"200", "{token, expires_at, idle_expires_at, device, agent}"},
        {"400", error},
        {"401", error},
        {"415", error},
        {"429", error}}},
      {"POST",
       "/api/v1/agents/logout",
       Access::kAgent,
       false,
       &Api::Logout,
       "The agent's session ends (with everywhere: true, every session of the agent), and "
       "so do its live streams",
       Schema({{"everywhere", "boolean"}}, {}),
       {{"200", "{ended}"}, {"401", error}}},
      {"POST",
       "/api/v1/agents/{name}/disable",
       Access::kAdmin,
       false,
       &Api::DisableAgent,
       "The agent can no longer log in; its sessions and streams end now",
       nullptr,
       {{"200", "{name, disabled}"}, {"401", error}, {"403", error}, {"404", error}}},
      {"POST",
       "/api/v1/agents/{name}/enable",
       Access::kAdmin,
       false,
       &Api::EnableAgent,
       "A disabled agent may log in again",
       nullptr,
       {{"200", "{name, disabled}"}, {"401", error}, {"403", error}, {"404", error}}},
      {"POST",
       "/api/v1/agents/{name}/revoke",
       Access::kAdmin,
       false,
       &Api::RevokeAgentSessions,
       "Every session of the agent ends now, and so do its streams",
       nullptr,
       {{"200", "{name, ended}"}, {"401", error}, {"403", error}, {"404", error}}},
      {"GET",
       "/api/v1/inbox",
       Access::kAgent,
       false,
       &Api::Inbox,
       "Conversations, most recently active first (query: limit)",
       nullptr,
       {{"200", "{conversations: [...]}"}, {"401", error}}},
      {"GET",
       "/api/v1/kb/search",
       Access::kAgent,
       false,
       &Api::KnowledgeSearchRoute,
       "The knowledge base's best passages for a question (query: q, lang de|en, limit <= 20)",
       nullptr,
       {{"200", "{hits: [{article, title, url, heading, passage, score}]}"},
        {"400", error},
        {"401", error},
        {"503", error}}},
      {"POST",
       "/api/v1/conversations/{id}/replies",
       Access::kAgent,
       false,
       &Api::PostReply,
       "A person replies; 201 once the reply is on disk",
       Schema({{"text", "string"}}, {"text"}),
       {{"201", "{seq, at, receipt}"}, {"400", error}, {"401", error}, {"404", error}}},
      {"GET",
       "/api/v1/messages/{message}/why",
       Access::kConversation,
       false,
       &Api::MessageWhy,
       "Why the AI wrote a message: the intent and its confidence, the policy rule and its "
       "reason, the composer and the sources it cites",
       nullptr,
       {{"200",
         "{id, author, in_reply_to, why: {intent, intent_confidence, language, action, "
         "rule, reason, composer, confidence, dont_know, explanation, sources}}"},
        {"401", error},
        {"403", error},
        {"404", error}}},
      {"POST",
       "/api/v1/conversations/{id}/handoff",
       Access::kCustomer,
       false,
       &Api::AskForPerson,
       "Talk to a person: the conversation joins the people's queue (in any state); the AI "
       "stays silent until a person hands it back",
       nullptr,
       {{"200", "{with_people, waiting, position, since, expected_wait_seconds}"},
        {"401", error},
        {"403", error},
        {"404", error}}},
      {"GET",
       "/api/v1/conversations/{id}/queue",
       Access::kConversation,
       false,
       &Api::GetQueueStatus,
       "Where the conversation stands with people: queue position, expected wait",
       nullptr,
       {{"200", "{with_people, waiting, position, since, expected_wait_seconds, agent}"},
        {"401", error},
        {"403", error},
        {"404", error}}},
      {"GET",
       "/api/v1/queue",
       Access::kAgent,
       false,
       &Api::ListQueue,
       "Who waits for a person, next first, and the AI drafts waiting for approval",
       nullptr,
       {{"200", "{waiting: [...], drafts: [...]}"}, {"401", error}}},
      {"POST",
       "/api/v1/conversations/{id}/take",
       Access::kAgent,
       false,
       &Api::TakeConversation,
       "A person takes the conversation from the queue",
       nullptr,
       {{"200", "{seq, agent}"}, {"401", error}, {"404", error}}},
      {"POST",
       "/api/v1/conversations/{id}/handback",
       Access::kAgent,
       false,
       &Api::HandBack,
       "A person hands the conversation back to the AI",
       nullptr,
       {{"200", "{seq}"}, {"401", error}, {"404", error}, {"409", error}}},
      {"POST",
       "/api/v1/conversations/{id}/drafts/{seq}",
       Access::kAgent,
       false,
       &Api::ReviewDraft,
       "A person approves an AI draft (optionally edited: sent as ai_approved, the edit's size "
       "recorded) or rejects it with a reason",
       Schema({{"decision", "string"}, {"text", "string"}, {"reason", "string"}}, {"decision"}),
       {{"200", "{outcome, edit_chars, seq, id}"},
        {"400", error},
        {"401", error},
        {"404", error},
        {"409", error}}},
      {"GET",
       "/api/v1/conversations/{id}/summary",
       Access::kAgent,
       false,
       &Api::Summary,
       "What a person taking over needs: intent, signals, the policy's decision, the masked "
       "transcript, what the AI already said, the queue place and the promises",
       nullptr,
       {{"200",
         "{id, language, intent, intent_confidence, signals: {distress, out_of_scope}, "
         "decision, asked_for_person, waiting, position, waiting_since, agent, "
         "transcript, ai_said, promises}"},
        {"401", error},
        {"404", error}}},
      {"GET",
       "/api/v1/conversations/{id}/promises",
       Access::kConversation,
       false,
       &Api::ListPromises,
       "The reply times promised in this conversation and what became of them",
       nullptr,
       {{"200",
         "{promises: [{id, source, made_at, due_at, state: open|missed|kept|"
         "answered_late, new_due_at?, answered_at?, agent?}]}"},
        {"401", error},
        {"403", error},
        {"404", error}}},
      {"POST",
       "/api/v1/conversations/{id}/promises",
       Access::kAgent,
       false,
       &Api::PromiseReply,
       "A person promises the customer a reply by a time (due_at, RFC 3339) or within N "
       "minutes; people are reminded before it is due and a missed promise is escalated",
       Schema({{"due_at", "string"}, {"within_minutes", "integer"}}, {}),
       {{"201", "{seq, id, due_at}"}, {"400", error}, {"401", error}, {"404", error}}},
      {"GET",
       "/api/v1/metrics/trust",
       Access::kAdmin,
       false,
       &Api::TrustReport,
       "Trust metrics over [from, to) (RFC 3339; default the last 24 hours) in buckets of a "
       "minute, hour (default) or day: AI-alone share, handoffs, drafts approved unchanged / "
       "edited / rejected, \"I don't know\" rate, time to a person p50/p90, promises",
       nullptr,
       {{"200", "{from, to, bucket_seconds, totals, series: [{start, ...}]}"},
        {"400", error},
        {"401", error},
        {"403", error}}},
      {"GET",
       "/api/v1/policy",
       Access::kAdmin,
       false,
       &Api::PolicyInForce,
       "The policy in force: its rules in order, each with its action and reasons",
       nullptr,
       {{"200", "{file, rules: [{name, line, action, when, reason: {de, en}}]}"},
        {"401", error},
        {"403", error},
        {"503", error}}},
      {"GET",
       "/api/v1/kb/articles",
       Access::kAgent,
       false,
       &Api::KnowledgeArticles,
       "The knowledge base's articles with their review dates",
       nullptr,
       {{"200", "{articles: [{id, title, language, url, reviewed_on, tags}]}"},
        {"401", error},
        {"503", error}}},
      {"POST",
       "/api/v1/conversations/{id}/reveal",
       Access::kAgent,
       false,
       &Api::Reveal,
       "A person views the original behind a placeholder, giving a reason; the customer is told "
       "who looked, at what, and why",
       Schema({{"placeholder", "string"}, {"reason", "string"}}, {"placeholder", "reason"}),
       {{"200", "{placeholder, pii_type, original, seq}"},
        {"400", error},
        {"401", error},
        {"404", error}}},
      {"GET",
       "/api/v1/conversations/{id}/export",
       Access::kConversation,
       false,
       &Api::ExportConversation,
       "The conversation with every event's ledger receipt and inclusion proof, to keep and "
       "to check with 'candor audit verify --export'",
       nullptr,
       {{"200", "candor-conversation-export/1"}, {"401", error}, {"403", error}}},
      {"GET",
       "/api/v1/ledger/checkpoint",
       Access::kPublic,
       false,
       &Api::LedgerCheckpoint,
       "The newest signed checkpoint (C2SP tlog-checkpoint) and the key to verify it",
       nullptr,
       {{"200", "{checkpoint, tree_size, root_hash, verifier_key}"}, {"404", error}}},
      {"GET",
       "/api/v1/ledger/proof/inclusion",
       Access::kPublic,
       false,
       &Api::InclusionProof,
       "Proof that leaf `index` is in the tree of `size` leaves (query: index, size)",
       nullptr,
       {{"200", "{index, tree_size, leaf_hash, root_hash, proof}"}, {"400", error}}},
      {"GET",
       "/api/v1/ledger/proof/consistency",
       Access::kPublic,
       false,
       &Api::ConsistencyProof,
       "Proof that the tree of `from` leaves is a prefix of the tree of `to` (query: from, to)",
       nullptr,
       {{"200", "{from, to, proof}"}, {"400", error}}},
  };
  for (const auto& route : routes_) route_segments_.push_back(SplitPath(route.pattern));
  openapi_ = BuildOpenApi(routes_, std::string(kVersion)).dump(2);
}

Api::Match Api::Find(const std::string& method, const std::string& path,
                     std::vector<std::string>& params) const {
  Match match;
  const auto segments = SplitPath(path);
  for (size_t i = 0; i < routes_.size(); ++i) {
    const auto& pattern = route_segments_[i];
    if (pattern.size() != segments.size()) continue;
    std::vector<std::string> found;
    bool ok = true;
    for (size_t k = 0; ok && k < pattern.size(); ++k) {
      if (pattern[k].size() > 2 && pattern[k].front() == '{') {
        found.push_back(segments[k]);
      } else {
        ok = pattern[k] == segments[k];
      }
    }
    if (!ok) continue;
    match.path_known = true;
    if (routes_[i].method == method) {
      match.route = i;
      params = std::move(found);
      return match;
    }
  }
  return match;
}

std::optional<HttpResponse> Api::AuthenticateAgent(const std::string& token, bool activity,
                                                   Caller& caller) {
  caller.session_hash = HashToken(token);
  caller.kind = Caller::Kind::kAgent;
  if (!SessionHolds(caller)) {
    caller = Caller{};
    return ErrorResponse(ApiError::kUnauthenticated,
                         "the session has ended (logged out, expired or revoked); log in again");
  }
  // Sliding renewal: a request moves the idle deadline on. Written only once
  // half of the idle time has passed, and in the background: should the write
  // be lost, the session merely ends sooner.
  const Time now = deps_.clock.Now();
  const auto idle =
      std::chrono::duration_cast<std::chrono::milliseconds>(deps_.options.session_idle_timeout);
  if (activity && caller.session_ends - now < idle / 2) {
    auto session = deps_.store.FindSession(caller.session_hash);
    if (session.ok() && session->idle_until < session->expires_at) {
      const Time renewed = std::min(now + idle, session->expires_at);
      caller.session_ends = renewed;
      asio::post(deps_.blocking_pool, [this, hash = caller.session_hash, renewed] {
        Status status = deps_.store.RenewSession(hash, renewed);
        if (!status.ok()) {
          deps_.logger.Warn("session_renewal_failed", {{"code", StatusCodeName(status.code())}});
        }
      });
    }
  }
  deps_.desk.AgentSeen(caller.agent.name, now);  // online, for the expected wait
  return std::nullopt;
}

bool Api::SessionHolds(Caller& caller) {
  auto session = deps_.store.FindSession(caller.session_hash);
  const Time now = deps_.clock.Now();
  if (!session.ok()) return false;
  const Time ends = std::min(session->expires_at, session->idle_until);
  if (ends <= now) return false;
  auto agent = deps_.store.GetAgent(session->agent_id);
  if (!agent.ok() || agent->disabled) return false;
  caller.agent = std::move(*agent);
  caller.session_ends = ends;
  return true;
}

std::optional<HttpResponse> Api::NamedConversation(const Route& route, const HttpRequest& request,
                                                   bool* names, std::string* id) {
  *names = false;
  if (request.params.empty()) return std::nullopt;
  if (route.pattern.find("{message}") != std::string::npos) {
    int64_t seq = 0;
    if (!ParseMessageId(request.params[0], id, &seq)) {
      return ErrorResponse(ApiError::kNotFound, "no such message");
    }
  } else if (route.pattern.find("/{id}") != std::string::npos) {
    *id = request.params[0];
  } else {
    return std::nullopt;  // the path names something else (an agent, a file)
  }
  *names = true;
  if (!LooksLikeId(*id)) return ErrorResponse(ApiError::kNotFound, "no such conversation");
  return std::nullopt;
}

std::optional<HttpResponse> Api::Authorize(const Route& route, const HttpRequest& request,
                                           Caller& caller) {
  if (route.access == Access::kPublic) return std::nullopt;
  const std::string token = request.BearerToken(/*allow_query=*/route.stream);
  if (token.empty()) {
    return ErrorResponse(ApiError::kUnauthenticated, "send a token: Authorization: Bearer <token>");
  }
  const TokenKind kind = KindOfToken(token);
  if (kind == TokenKind::kMalformed || kind == TokenKind::kDevice) {
    return ErrorResponse(ApiError::kUnauthenticated, "this is not a token candor gave out");
  }
  bool names_conversation = false;
  std::string id;
  if (auto missing = NamedConversation(route, request, &names_conversation, &id)) return missing;
  if (kind == TokenKind::kAgent) {
    // Who it is first: an ended session is a 401 wherever it is used.
    // A stream is not activity, nor is a page refreshing itself.
    if (auto failure = AuthenticateAgent(token, !route.stream && !request.background, caller)) {
      return failure;
    }
    if (route.access == Access::kCustomer) {
      return ErrorResponse(ApiError::kForbidden, "only the customer may write here; agents reply");
    }
    if (route.access == Access::kAdmin && caller.agent.role != AgentRole::kAdmin) {
      return ErrorResponse(ApiError::kForbidden, "only admins may do this");
    }
    if (names_conversation) {
      auto conversation = deps_.store.GetConversation(id);
      if (!conversation.ok()) return ErrorFromStatus(conversation.status());
    }
    return std::nullopt;
  }
  if (route.access == Access::kAgent || route.access == Access::kAdmin) {
    return ErrorResponse(ApiError::kForbidden, "only agents may do this");
  }
  if (!names_conversation) return ErrorResponse(ApiError::kForbidden, "only agents may do this");
  auto conversation = deps_.store.GetConversation(id);
  if (!conversation.ok()) return ErrorFromStatus(conversation.status());
  if (!TokenMatchesHash(token, conversation->token_hash)) {
    return ErrorResponse(ApiError::kForbidden,
                         "this token does not grant access to this conversation");
  }
  caller.kind = Caller::Kind::kCustomer;
  caller.conversation_id = id;
  return std::nullopt;
}

asio::awaitable<HttpResponse> Api::Handle(size_t route, HttpRequest& request,
                                          const Caller& caller) {
  // A body sent as a form or as text is not read as JSON: a browser sends
  // those to any origin without asking first.
  if (!routes_[route].request_schema.is_null() && !request.body.empty() && !request.HasJsonBody()) {
    co_return ErrorResponse(ApiError::kUnsupportedMediaType,
                            "send the body with Content-Type: application/json", "Content-Type");
  }
  co_return co_await (this->*routes_[route].handler)(request, caller);
}

nlohmann::json Api::EventFor(const Event& event, const Caller& caller) {
  if (caller.kind != Caller::Kind::kCustomer) return EventToJson(event);
  nlohmann::json json = EventToJsonForCustomer(event);
  // Only what the customer (or their assistant) wrote is theirs to read
  // unmasked. A placeholder in anyone else's words, say an article the AI
  // quotes that says "[IBAN_1]", would otherwise turn into their IBAN.
  const auto* message = std::get_if<MessageEvent>(&event.body);
  if (message != nullptr &&
      (message->author == Author::kCustomer || message->author == Author::kCustomerAssistant)) {
    auto unmasked = deps_.protector.Unmask(event.conversation_id, message->text);
    if (unmasked.ok()) json["text"] = *unmasked;
  }
  return json;
}

asio::awaitable<HttpResponse> Api::Index(HttpRequest&, const Caller&) {
  HttpResponse response;
  response.content_type = "text/html; charset=utf-8";
  response.body =
      "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>candor</title>"
      "<h1>candor is running</h1><ul>"
      "<li><a href=\"/chat\">customer chat</a> &middot; <a href=\"/agent\">agent console</a> "
      "&middot; <a href=\"/admin\">trust dashboard</a></li>"
      "<li><a href=\"/api/openapi.json\">API (OpenAPI)</a></li>"
      "<li><a href=\"/healthz\">health</a> &middot; <a href=\"/readyz\">ready</a> &middot; "
      "<a href=\"/metrics\">metrics</a></li></ul></html>\n";
  co_return response;
}

asio::awaitable<HttpResponse> Api::WebPage(HttpRequest& request, const Caller&) {
  // "/chat" -> chat.html, "/widget.js" -> widget.js
  std::string name = request.path.substr(1);
  if (name.find('.') == std::string::npos) name += ".html";
  co_return ServeWebFile(deps_.options.web_dir, name);
}

asio::awaitable<HttpResponse> Api::WebAsset(HttpRequest& request, const Caller&) {
  co_return ServeWebFile(deps_.options.web_dir, "assets/" + request.params.at(0));
}

asio::awaitable<HttpResponse> Api::Healthz(HttpRequest&, const Caller&) {
  co_return HttpResponse::Json(200, {{"status", "ok"}});
}

asio::awaitable<HttpResponse> Api::Readyz(HttpRequest&, const Caller&) {
  if (!deps_.ready()) co_return HttpResponse::Json(503, {{"status", "stopping"}});
  Status db = deps_.store.Ping();
  if (!db.ok()) co_return HttpResponse::Json(503, {{"status", "database unavailable"}});
  co_return HttpResponse::Json(200, {{"status", "ready"}});
}

asio::awaitable<HttpResponse> Api::MetricsText(HttpRequest&, const Caller&) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4";
  response.body = deps_.metrics.Render() + deps_.trust.PrometheusText();
  co_return response;
}

asio::awaitable<HttpResponse> Api::OpenApi(HttpRequest&, const Caller&) {
  HttpResponse response;
  response.body = openapi_;
  co_return response;
}

asio::awaitable<HttpResponse> Api::CreateConversation(HttpRequest& request, const Caller&) {
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/true, error);
  if (!body) co_return error;
  if (!conversations_by_ip_.Allow(request.remote_ip)) {
    HttpResponse limited = ErrorResponse(ApiError::kRateLimited, "too many new conversations");
    limited.headers.emplace_back(
        "Retry-After", std::to_string(conversations_by_ip_.RetryAfterSeconds(request.remote_ip)));
    co_return limited;
  }
  const std::string token = NewToken("ct");
  const std::string id = NewId("c");
  ConversationRecord record{id, HashToken(token), deps_.clock.Now(), 0,
                            deps_.protector.NewConversationKey(id)};
  auto create = [&](auto done) {
    asio::post(deps_.blocking_pool,
               [&, done]() mutable { done(deps_.store.CreateConversation(record)); });
  };
  Status created = co_await AwaitCallback<Status>(create);
  if (!created.ok()) co_return ErrorFromStatus(created);
  co_return HttpResponse::Json(201, {{"id", record.id}, {"customer_token", token}});
}

asio::awaitable<HttpResponse> Api::GetConversation(HttpRequest& request, const Caller&) {
  auto events = deps_.store.ReadEvents(request.params[0], 0, 100000);
  if (!events.ok()) co_return ErrorFromStatus(events.status());
  const ConversationState state = Fold(*events);
  auto conversation = deps_.store.GetConversation(request.params[0]);
  if (!conversation.ok()) co_return ErrorFromStatus(conversation.status());
  co_return HttpResponse::Json(200, {{"id", conversation->id},
                                     {"created_at", FormatIso8601(conversation->created_at)},
                                     {"last_seq", state.last_seq},
                                     {"messages", state.messages},
                                     {"awaiting_reply", state.AwaitingReply()},
                                     {"person_joined", state.person_joined}});
}

asio::awaitable<HttpResponse> Api::PostMessage(HttpRequest& request, const Caller& caller) {
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/false, error);
  if (!body) co_return error;
  auto text = RequireString(*body, "text", kMaxMessageBytes, error);
  if (!text) co_return error;
  auto author_name = OptionalString(*body, "author", 64, "customer", error);
  if (!author_name) co_return error;
  auto author = ParseAuthor(*author_name);
  if (!author.ok() || (*author != Author::kCustomer && *author != Author::kCustomerAssistant)) {
    co_return ErrorResponse(ApiError::kInvalidValue,
                            "'author' must be 'customer' or 'customer_assistant'", "author");
  }
  if (text->find('\0') != std::string::npos) {
    co_return ErrorResponse(ApiError::kInvalidValue, "'text' must not contain NUL characters",
                            "text");
  }
  // Intake: "receive" takes the message in, "protect" masks it and stores the
  // masked text with its sealed originals. Only then is it acknowledged.
  Turn turn;
  turn.conversation_id = caller.conversation_id;
  turn.incoming = true;
  turn.author = *author;
  turn.text = std::move(*text);
  // Runs right here: intake is microseconds of work, and the protector's
  // per-conversation lock keeps one conversation's messages in order.
  struct Outcome {
    Status status;
    std::optional<Result<Event>> stored;
    Turn answering;  // what the answering stages start from
  };
  auto intake = [&](auto done) {
    deps_.intake.Run(std::move(turn), [done](Status status, const Turn& t) mutable {
      Outcome outcome{status, t.stored->result, {}};
      outcome.answering.conversation_id = t.conversation_id;
      outcome.answering.author = t.author;
      outcome.answering.masked_text = t.masked_text;
      outcome.answering.understanding = t.understanding;
      done(std::move(outcome));
    });
  };
  Outcome outcome = co_await AwaitCallback<Outcome>(intake);
  const auto& stored = outcome.stored;
  if (stored && !stored->ok()) co_return ErrorFromStatus(stored->status());
  if (!outcome.status.ok()) co_return ErrorFromStatus(outcome.status);
  if (!stored) co_return ErrorFromStatus(Status::Internal("message not stored"));
  const Event* event = &stored->value();
  outcome.answering.message_seq = event->seq;
  // With people, the AI keeps silent until a person hands back (P4).
  if (!deps_.desk.WithPeople(event->conversation_id)) StartAnswering(std::move(outcome.answering));
  co_return HttpResponse::Json(201, {{"id", MessageId(event->conversation_id, event->seq)},
                                     {"seq", event->seq},
                                     {"conversation_id", event->conversation_id},
                                     {"at", FormatIso8601(event->at)},
                                     {"receipt", Receipt(*event)}});
}

void Api::StartAnswering(Turn turn) {
  if (!turn.understanding) return;
  // In order on the pipeline's thread: one conversation's turns never overlap.
  asio::post(deps_.pipeline_pool, [this, turn = std::move(turn)]() mutable {
    deps_.answering.Run(std::move(turn), [this](Status status, const Turn& t) {
      if (status.ok()) return;
      deps_.logger.Warn("answering_failed", {{"conversation", t.conversation_id},
                                             {"seq", t.message_seq},
                                             {"code", StatusCodeName(status.code())}});
    });
  });
}

bool ParseSeq(const std::string& text, int64_t* seq) {
  if (text.empty() || text.size() > 18) return false;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *seq = value;
  return value > 0;
}

asio::awaitable<HttpResponse> Api::MessageWhy(HttpRequest& request, const Caller& caller) {
  int64_t seq = 0;
  std::string conversation;
  if (!ParseMessageId(request.params[0], &conversation, &seq)) {
    co_return ErrorResponse(ApiError::kNotFound, "no such message");
  }
  auto events = deps_.store.ReadEvents(conversation, seq - 1, 1);
  if (!events.ok()) co_return ErrorFromStatus(events.status());
  const MessageEvent* message =
      events->empty() ? nullptr : std::get_if<MessageEvent>(&events->front().body);
  if (message == nullptr) co_return ErrorResponse(ApiError::kNotFound, "no such message");
  if (!message->why) {
    co_return ErrorResponse(ApiError::kNoWhy,
                            "only the AI's messages carry a why; this one was written by the " +
                                std::string(AuthorName(message->author)));
  }
  nlohmann::json why = WhyToJson(*message->why);
  (void)caller;  // the why holds no personal data: customers and agents see the same
  co_return HttpResponse::Json(200, {{"id", request.params[0]},
                                     {"author", AuthorName(message->author)},
                                     {"in_reply_to", message->in_reply_to},
                                     {"why", why}});
}

asio::awaitable<HttpResponse> Api::ListEvents(HttpRequest& request, const Caller& caller) {
  HttpResponse error;
  auto after = QueryInt(request, "after", 0, INT64_MAX, error);
  if (!after) co_return error;
  auto limit = QueryInt(request, "limit", 500, kMaxPage, error);
  if (!limit) co_return error;
  auto events = deps_.store.ReadEvents(request.params[0], *after, static_cast<int>(*limit));
  if (!events.ok()) co_return ErrorFromStatus(events.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : *events) list.push_back(EventFor(e, caller));
  const int64_t last = events->empty() ? *after : events->back().seq;
  co_return HttpResponse::Json(200, {{"events", list}, {"last_seq", last}});
}

const std::string& Api::DummyPasswordHash() {
  std::call_once(dummy_hash_once_, [this] {
    auto hash = HashPassword(NewToken("dummy"));
    if (hash.ok()) dummy_hash_ = *hash;
  });
  return dummy_hash_;
}

asio::awaitable<HttpResponse> Api::Login(HttpRequest& request, const Caller&) {
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/false, error);
  if (!body) co_return error;
  auto name = RequireString(*body, "name", 100, error);
  if (!name) co_return error;
  auto password = RequireString(*body, "password", 1024, error);
  if (!password) co_return error;
  auto device = OptionalString(*body, "device", 100, "", error);
  if (!device) co_return error;
  auto agent = deps_.store.FindAgentByName(*name);
  if (!agent.ok() && agent.status().code() != StatusCode::kNotFound) {
    co_return ErrorFromStatus(agent.status());
  }
  // A device the agent logged in from before is held only by its own limit:
  // a stranger guessing this name elsewhere cannot lock the agent out.
  std::string device_hash;
  if (agent.ok() && KindOfToken(*device) == TokenKind::kDevice) {
    auto owner = deps_.store.FindAgentDevice(HashToken(*device));
    if (owner.ok() && *owner == agent->id) device_hash = HashToken(*device);
  }
  bool allowed = false;
  int retry = 0;
  if (!device_hash.empty()) {
    allowed = login_by_device_.Allow(device_hash);
    if (!allowed) retry = login_by_device_.RetryAfterSeconds(device_hash);
  } else {
    const bool ip_ok = login_by_ip_.Allow(request.remote_ip);
    const bool name_ok = login_by_name_.Allow(*name);
    allowed = ip_ok && name_ok;
    if (!allowed) {
      retry = std::max(login_by_ip_.RetryAfterSeconds(request.remote_ip),
                       login_by_name_.RetryAfterSeconds(*name));
    }
  }
  if (!allowed) {
    HttpResponse limited =
        ErrorResponse(ApiError::kRateLimited, "too many login attempts; try again later");
    limited.headers.emplace_back("Retry-After", std::to_string(std::max(retry, 1)));
    deps_.logger.Warn("login_rate_limited",
                      {{"remote_ip", request.remote_ip}, {"known_device", !device_hash.empty()}});
    co_return limited;
  }
  // Unknown names are checked against a dummy hash, so both take as long.
  const std::string stored = agent.ok() ? agent->password_hash : DummyPasswordHash();
  auto verify = [&](auto done) {
    asio::post(deps_.blocking_pool,
               [&, done]() mutable { done(VerifyPassword(stored, *password)); });
  };
  const bool verified = co_await AwaitCallback<bool>(verify);
  if (!agent.ok() || !verified || agent->disabled) {
    deps_.logger.Warn("login_failed", {{"remote_ip", request.remote_ip}});
    co_return ErrorResponse(ApiError::kInvalidCredentials, "the name or the password is wrong");
  }
  const std::string token = NewToken("at");
  const Time now = deps_.clock.Now();
  const Time expires = now + deps_.options.session_ttl;
  const Time idle_until =
      std::min(expires, now + std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deps_.options.session_idle_timeout));
  // A new device gets its token with this login, to send with the next one.
  const std::string device_token = device_hash.empty() ? NewToken("dt") : *device;
  auto create_session = [&](auto done) {
    asio::post(deps_.blocking_pool, [&, done]() mutable {
      Status created =
          deps_.store.CreateSession({HashToken(token), agent->id, expires, idle_until});
      if (created.ok() && device_hash.empty()) {
        created = deps_.store.AddAgentDevice(HashToken(device_token), agent->id, now);
      }
      done(created);
    });
  };
  Status created = co_await AwaitCallback<Status>(create_session);
  if (created.code() == StatusCode::kPermissionDenied) {
    co_return ErrorResponse(ApiError::kInvalidCredentials, "the name or the password is wrong");
  }
  if (!created.ok()) co_return ErrorFromStatus(created);
  deps_.logger.Info("login", {{"agent", agent->name}, {"known_device", !device_hash.empty()}});
  deps_.desk.AgentSeen(agent->name, now);
  co_return HttpResponse::Json(
      200, {{"token", token},
            {"expires_at", FormatIso8601(expires)},
            {"idle_expires_at", FormatIso8601(idle_until)},
            {"idle_timeout_seconds",
             std::chrono::duration_cast<std::chrono::seconds>(deps_.options.session_idle_timeout)
                 .count()},
            {"device", device_token},
            {"agent", {{"name", agent->name}, {"role", AgentRoleName(agent->role)}}}});
}

asio::awaitable<HttpResponse> Api::Logout(HttpRequest& request, const Caller& caller) {
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/true, error);
  if (!body) co_return error;
  const auto everywhere_field = body->find("everywhere");
  if (everywhere_field != body->end() && !everywhere_field->is_boolean()) {
    co_return ErrorResponse(ApiError::kWrongType, "'everywhere' must be true or false",
                            "everywhere");
  }
  const bool everywhere = everywhere_field != body->end() && everywhere_field->get<bool>();
  auto end = [&](auto done) {
    asio::post(deps_.blocking_pool, [&, done]() mutable {
      if (everywhere) {
        done(deps_.store.EndAgentSessions(caller.agent.id));
      } else {
        Status ended = deps_.store.EndSession(caller.session_hash);
        done(ended.ok() ? Result<int64_t>(1) : Result<int64_t>(ended));
      }
    });
  };
  auto ended = co_await AwaitCallback<Result<int64_t>>(end);
  if (!ended.ok()) co_return ErrorFromStatus(ended.status());
  if (everywhere) {
    deps_.session_streams.EndAgent(caller.agent.id);
  } else {
    deps_.session_streams.EndSession(caller.session_hash);
  }
  deps_.logger.Info("logout", {{"agent", caller.agent.name}, {"everywhere", everywhere}});
  co_return HttpResponse::Json(200, {{"ended", *ended}});
}

asio::awaitable<HttpResponse> Api::ChangeAgent(HttpRequest& request, const Caller& caller,
                                               std::string what,
                                               std::function<Status(const AgentRecord&)> change) {
  auto agent = deps_.store.FindAgentByName(request.params[0]);
  if (!agent.ok()) co_return ErrorFromStatus(agent.status());
  auto apply = [&](auto done) {
    asio::post(deps_.blocking_pool, [&, done]() mutable { done(change(*agent)); });
  };
  Status changed = co_await AwaitCallback<Status>(apply);
  if (!changed.ok()) co_return ErrorFromStatus(changed);
  deps_.session_streams.EndAgent(agent->id);
  deps_.logger.Info(what, {{"agent", agent->name}, {"by", caller.agent.name}});
  auto now = deps_.store.GetAgent(agent->id);
  co_return HttpResponse::Json(
      200, {{"name", agent->name}, {"disabled", now.ok() ? now->disabled : agent->disabled}});
}

asio::awaitable<HttpResponse> Api::DisableAgent(HttpRequest& request, const Caller& caller) {
  co_return co_await ChangeAgent(request, caller, "agent_disabled", [this](const AgentRecord& a) {
    return deps_.store.SetAgentDisabled(a.id, true);
  });
}

asio::awaitable<HttpResponse> Api::EnableAgent(HttpRequest& request, const Caller& caller) {
  co_return co_await ChangeAgent(request, caller, "agent_enabled", [this](const AgentRecord& a) {
    return deps_.store.SetAgentDisabled(a.id, false);
  });
}

asio::awaitable<HttpResponse> Api::RevokeAgentSessions(HttpRequest& request, const Caller& caller) {
  co_return co_await ChangeAgent(
      request, caller, "agent_sessions_revoked",
      [this](const AgentRecord& a) { return deps_.store.EndAgentSessions(a.id).status(); });
}

asio::awaitable<HttpResponse> Api::Inbox(HttpRequest& request, const Caller&) {
  HttpResponse error;
  auto limit = QueryInt(request, "limit", 50, 500, error);
  if (!limit) co_return error;
  auto entries = deps_.store.ListConversations(static_cast<int>(*limit));
  if (!entries.ok()) co_return ErrorFromStatus(entries.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : *entries) {
    nlohmann::json item = {{"id", e.conversation_id},
                           {"created_at", FormatIso8601(e.created_at)},
                           {"last_seq", e.last_seq},
                           {"last_message", e.last_message},
                           {"awaiting_reply", e.last_author == Author::kCustomer ||
                                                  e.last_author == Author::kCustomerAssistant},
                           {"waiting_for_person", deps_.desk.PlaceOf(e.conversation_id).waiting}};
    item["last_author"] = e.last_author ? nlohmann::json(AuthorName(*e.last_author)) : nullptr;
    item["last_message_at"] =
        e.last_message_at ? nlohmann::json(FormatIso8601(*e.last_message_at)) : nullptr;
    list.push_back(std::move(item));
  }
  co_return HttpResponse::Json(200, {{"conversations", list}});
}

asio::awaitable<HttpResponse> Api::KnowledgeSearchRoute(HttpRequest& request, const Caller&) {
  if (!deps_.knowledge_search) {
    co_return ErrorResponse(ApiError::kUnavailable, "this server has no knowledge base");
  }
  const std::string query = request.QueryParam("q");
  if (query.find_first_not_of(" \t") == std::string::npos) {
    co_return ErrorResponse(ApiError::kMissingField, "q: the question is missing", "q");
  }
  if (query.size() > 2000) {
    co_return ErrorResponse(ApiError::kTooLong, "q: at most 2000 bytes", "q");
  }
  if (!IsValidUtf8(query)) co_return ErrorResponse(ApiError::kInvalidUtf8, "q: not UTF-8", "q");
  std::string language = request.QueryParam("lang");
  if (language.empty()) language = "de";
  if (language != "de" && language != "en") {
    co_return ErrorResponse(ApiError::kInvalidValue, "lang: de or en", "lang");
  }
  HttpResponse error;
  auto limit = QueryInt(request, "limit", 5, 20, error);
  if (!limit) co_return error;
  // Search reads the index from disk: off the I/O threads.
  auto search = [&](auto done) {
    asio::post(deps_.blocking_pool, [&, done]() mutable {
      done(deps_.knowledge_search(query, language,
                                  static_cast<size_t>(std::max<int64_t>(*limit, 1))));
    });
  };
  auto hits = co_await AwaitCallback<Result<std::vector<KnowledgeHit>>>(search);
  if (!hits.ok()) co_return ErrorFromStatus(hits.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& hit : *hits) {
    list.push_back({{"article", hit.article},
                    {"title", hit.title},
                    {"url", hit.url},
                    {"heading", hit.heading},
                    {"passage", hit.passage},
                    {"score", hit.score}});
  }
  co_return HttpResponse::Json(200, {{"hits", list}});
}

asio::awaitable<HttpResponse> Api::PostReply(HttpRequest& request, const Caller& caller) {
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/false, error);
  if (!body) co_return error;
  auto text = RequireString(*body, "text", kMaxMessageBytes, error);
  if (!text) co_return error;
  Turn turn;
  turn.conversation_id = request.params[0];
  turn.reply = MessageEvent{Author::kPerson, *text, caller.agent.name};
  // The reply goes through the pipeline's "deliver" stage, so the customer sees
  // it being sent; we answer once it is on disk.
  auto deliver = [&](auto done) {
    asio::post(deps_.pipeline_pool, [this, turn = std::move(turn), done]() mutable {
      deps_.answering.Run(std::move(turn), [done](Status status, const Turn& t) mutable {
        done(std::make_pair(status, t.delivered));
      });
    });
  };
  auto outcome = co_await AwaitCallback<std::pair<Status, std::optional<Event>>>(deliver);
  if (!outcome.first.ok() || !outcome.second) {
    co_return ErrorFromStatus(outcome.first.ok() ? Status::Internal("reply not delivered")
                                                 : outcome.first);
  }
  const Event& event = *outcome.second;
  // "I'll get back to you by 4 pm" is a promise the customer can hold us to.
  co_await PromiseFromReply(event.conversation_id, *text, caller.agent.name);
  co_return HttpResponse::Json(201, {{"seq", event.seq},
                                     {"conversation_id", event.conversation_id},
                                     {"at", FormatIso8601(event.at)},
                                     {"receipt", Receipt(event)}});
}

asio::awaitable<HttpResponse> Api::ExportConversation(HttpRequest& request, const Caller& caller) {
  // Each event as the events API and the streams show it to this caller. What
  // the customer may not see goes without its stored body: its commitment
  // still proves that it is in the ledger, unchanged.
  ExportView view = [&](const Event& event) {
    return ExportedEvent{EventFor(event, caller), caller.kind != Caller::Kind::kCustomer ||
                                                      CustomerSeesWholeEvent(event.body)};
  };
  auto exported = candor::ExportConversation(deps_.store, deps_.ledger, request.params[0], view);
  if (!exported.ok()) co_return ErrorFromStatus(exported.status());
  HttpResponse response = HttpResponse::Json(200, *exported);
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + request.params[0] + ".json\"");
  co_return response;
}

asio::awaitable<HttpResponse> Api::LedgerCheckpoint(HttpRequest&, const Caller&) {
  auto latest = deps_.ledger.Latest();
  if (!latest) co_return ErrorResponse(ApiError::kNotFound, "no checkpoint has been issued yet");
  auto root = ledger::HashFromBytes(latest->root_hash);
  co_return HttpResponse::Json(200, {{"checkpoint", latest->note},
                                     {"tree_size", latest->tree_size},
                                     {"root_hash", root.ok() ? ledger::HashToHex(*root) : ""},
                                     {"issued_at", FormatIso8601(latest->created_at)},
                                     {"verifier_key", deps_.ledger.verifier_key()}});
}

asio::awaitable<HttpResponse> Api::InclusionProof(HttpRequest& request, const Caller&) {
  HttpResponse error;
  auto index = QueryInt(request, "index", -1, INT64_MAX, error);
  if (!index) co_return error;
  auto size =
      QueryInt(request, "size", static_cast<int64_t>(deps_.ledger.Size()), INT64_MAX, error);
  if (!size) co_return error;
  if (*index < 0) co_return ErrorResponse(ApiError::kMissingField, "'index' is required", "index");
  auto proof = deps_.ledger.Inclusion(static_cast<uint64_t>(*index), static_cast<uint64_t>(*size));
  if (!proof.ok()) {
    co_return ErrorResponse(ApiError::kInvalidValue, proof.status().message(), "index");
  }
  co_return HttpResponse::Json(200, {{"index", proof->index},
                                     {"tree_size", proof->tree_size},
                                     {"leaf_hash", ledger::HashToHex(proof->leaf_hash)},
                                     {"root_hash", ledger::HashToHex(proof->root)},
                                     {"proof", HashList(proof->proof)}});
}

asio::awaitable<HttpResponse> Api::ConsistencyProof(HttpRequest& request, const Caller&) {
  HttpResponse error;
  auto from = QueryInt(request, "from", -1, INT64_MAX, error);
  if (!from) co_return error;
  auto to = QueryInt(request, "to", static_cast<int64_t>(deps_.ledger.Size()), INT64_MAX, error);
  if (!to) co_return error;
  if (*from < 0) co_return ErrorResponse(ApiError::kMissingField, "'from' is required", "from");
  auto proof = deps_.ledger.Consistency(static_cast<uint64_t>(*from), static_cast<uint64_t>(*to));
  if (!proof.ok()) {
    co_return ErrorResponse(ApiError::kInvalidValue, proof.status().message(), "from");
  }
  co_return HttpResponse::Json(200, {{"from", *from}, {"to", *to}, {"proof", HashList(*proof)}});
}

asio::awaitable<HttpResponse> Api::Reveal(HttpRequest& request, const Caller& caller) {
  HttpResponse error;
  auto body = ParseJsonObject(request.body, /*allow_empty=*/false, error);
  if (!body) co_return error;
  auto placeholder = RequireString(*body, "placeholder", 64, error);
  if (!placeholder) co_return error;
  auto reason = RequireString(*body, "reason", 500, error);
  if (!reason) co_return error;
  const std::string& id = request.params[0];
  auto revealed = deps_.protector.Reveal(id, *placeholder);
  if (!revealed.ok()) co_return ErrorFromStatus(revealed.status());
  std::string bare = *placeholder;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']')
    bare = bare.substr(1, bare.size() - 2);
  // Recorded before the original is shown: no look without a trace.
  AppendRequest append{id, RevealEvent{caller.agent.name, bare, revealed->pii_type, *reason},
                       std::nullopt};
  auto record = [&](auto done) { deps_.store.Append(std::move(append), std::move(done)); };
  Result<Event> event = co_await AwaitCallback<Result<Event>>(record);
  if (!event.ok()) co_return ErrorFromStatus(event.status());
  deps_.logger.Info("reveal",
                    {{"agent", caller.agent.name}, {"conversation", id}, {"placeholder", bare}});
  co_return HttpResponse::Json(200, {{"placeholder", bare},
                                     {"pii_type", revealed->pii_type},
                                     {"original", revealed->original},
                                     {"seq", event->seq}});
}

}  // namespace candor
