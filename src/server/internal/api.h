// Api: the route table and the handlers behind it. Handlers are thin: they
// check who is asking, validate input, call the store or the pipeline, and
// shape JSON. Live streams are served by the HTTP layer (http_server.cc),
// which asks the Api to authorise them first.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/log.h"
#include "pipeline/pipeline.h"
#include "pipeline/protector.h"
#include "server/auth.h"
#include "server/internal/asio.h"
#include "server/internal/desk.h"
#include "server/internal/errors.h"
#include "server/internal/http_types.h"
#include "server/internal/metrics.h"
#include "server/internal/promises.h"
#include "server/internal/session_streams.h"
#include "server/internal/trust.h"
#include "server/server.h"
#include "store/store.h"

namespace candor {

class Api;

enum class Access {
  kPublic,
  kConversation,  // the conversation's customer token, or any agent token
  kCustomer,      // the conversation's customer token only
  kAgent,         // an agent token
  kAdmin,         // an agent token of an admin
};

// Who is asking, once authenticated.
struct Caller {
  enum class Kind { kAnonymous, kCustomer, kAgent } kind = Kind::kAnonymous;
  std::string conversation_id;  // for kCustomer
  AgentRecord agent;            // for kAgent
  std::string session_hash;     // for kAgent: the session's token hash
  Time session_ends;            // for kAgent: its idle deadline or expiry, whichever is first
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/conversations/{id}/messages"
  Access access;
  bool stream = false;  // served as Server-Sent Events by the HTTP layer
  asio::awaitable<HttpResponse> (Api::*handler)(HttpRequest&, const Caller&) = nullptr;
  // For /api/openapi.json.
  std::string summary;
  nlohmann::json request_schema;  // null: no body
  nlohmann::json responses;       // {"201": "description", ...}
};

class Api {
 public:
  struct Deps {
    const ServerOptions& options;
    Store& store;
    Runner& intake;
    Runner& answering;
    Protector& protector;
    LedgerService& ledger;
    Desk& desk;
    asio::thread_pool& pipeline_pool;  // runs turns, one at a time, in order
    asio::thread_pool& blocking_pool;  // password hashing
    Metrics& metrics;
    const Clock& clock;
    Logger& logger;
    std::function<bool()> ready;
    KnowledgeSearch knowledge_search;  // may be empty
    PromiseBook& promises;
    TrustStats& trust;
    KnowledgeArticles knowledge_articles;         // may be empty
    const people::BusinessHours* business_hours;  // may be null
    people::TimeZone time_zone;
    std::function<nlohmann::json()> policy_document;  // may be empty
    SessionStreams& session_streams;                  // closed when their session ends
  };

  explicit Api(Deps deps);

  const std::vector<Route>& routes() const { return routes_; }

  struct Match {
    size_t route = kNoRoute;
    bool path_known = false;  // the path exists, but not with this method
  };
  static constexpr size_t kNoRoute = static_cast<size_t>(-1);
  Match Find(const std::string& method, const std::string& path,
             std::vector<std::string>& params) const;

  // Checks the caller may use the route; nullopt when allowed.
  std::optional<HttpResponse> Authorize(const Route& route, const HttpRequest& request,
                                        Caller& caller);

  asio::awaitable<HttpResponse> Handle(size_t route, HttpRequest& request, const Caller& caller);

  // The promise keeper: every promise_check_interval until `stopping`, it
  // makes the queue's promises, reminds people and escalates missed ones.
  asio::awaitable<void> KeepPromises(std::function<bool()> stopping);
  asio::awaitable<void> KeepPromisesOnce();

  // The event as this caller may see it (EventToJsonForCustomer): the
  // customer sees their own data unmasked, everyone else the placeholders.
  nlohmann::json EventFor(const Event& event, const Caller& caller);

  // Whether an agent's session (as Authorize found it) still holds: not
  // ended, expired or idle too long, and its agent not disabled. Updates
  // `caller.session_ends`. Does not count as activity (streams are not).
  bool SessionHolds(Caller& caller);

 private:
  asio::awaitable<HttpResponse> Index(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> WebPage(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> WebAsset(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> Healthz(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> Readyz(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> MetricsText(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> OpenApi(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> CreateConversation(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> GetConversation(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> PostMessage(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> ListEvents(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> Login(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> Logout(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> DisableAgent(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> EnableAgent(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> RevokeAgentSessions(HttpRequest& request, const Caller& caller);
  // Runs `change` for the agent named in the path on the blocking pool, then
  // closes the agent's streams.
  asio::awaitable<HttpResponse> ChangeAgent(HttpRequest& request, const Caller& caller,
                                            std::string what,
                                            std::function<Status(const AgentRecord&)> change);
  asio::awaitable<HttpResponse> Inbox(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> KnowledgeSearchRoute(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> PostReply(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> MessageWhy(HttpRequest& request, const Caller& caller);
  // people_api.cc
  asio::awaitable<HttpResponse> AskForPerson(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> GetQueueStatus(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> ListQueue(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> TakeConversation(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> HandBack(HttpRequest& request, const Caller& caller);
  // 409 "held_by_other" naming the holder (error.agent).
  static HttpResponse HeldByOther(const std::string& agent, const std::string& detail);
  asio::awaitable<HttpResponse> ReviewDraft(HttpRequest& request, const Caller& caller);
  nlohmann::json QueueStatus(const std::string& conversation_id);
  // promise_api.cc
  asio::awaitable<HttpResponse> ListPromises(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> PromiseReply(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> MakeAgentPromise(std::string conversation_id, Time due,
                                                 std::string agent, Result<Event>* out);
  // A reply that promises a time in words becomes a promise.
  asio::awaitable<void> PromiseFromReply(std::string conversation_id, std::string text,
                                         std::string agent);
  nlohmann::json PromisesJson(const std::string& conversation_id);
  asio::awaitable<void> AppendCommitment(std::string conversation_id, CommitmentEvent c,
                                         Precondition precondition = {});
  // insight_api.cc
  asio::awaitable<HttpResponse> Summary(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> TrustReport(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> PolicyInForce(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> KnowledgeArticles(HttpRequest& request, const Caller& caller);
  // Appends `body`; on failure returns the error response (and *out holds the status).
  // Appends one event (only if `precondition` still holds when it is written)
  // and answers with the error response when it could not be.
  asio::awaitable<HttpResponse> AppendEvent(std::string conversation_id, EventBody body,
                                            Result<Event>* out, Precondition precondition = {});
  asio::awaitable<HttpResponse> Reveal(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> ExportConversation(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> LedgerCheckpoint(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> InclusionProof(HttpRequest& request, const Caller& caller);
  asio::awaitable<HttpResponse> ConsistencyProof(HttpRequest& request, const Caller& caller);

  // Answers the customer message in the background (decide ... deliver).
  void StartAnswering(Turn turn);

  // `activity`: the request renews the session's idle time.
  std::optional<HttpResponse> AuthenticateAgent(const std::string& token, bool activity,
                                                Caller& caller);
  // Sets `id` to the conversation the route's path names ({id}, or a message
  // id's conversation); false when it names none. A 404 when it names one
  // that does not exist.
  std::optional<HttpResponse> NamedConversation(const Route& route, const HttpRequest& request,
                                                bool* names, std::string* id);
  const std::string& DummyPasswordHash();

  Deps deps_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> route_segments_;  // routes_[i] split at '/'
  std::string openapi_;                                   // rendered once
  // Login attempts: from an address the agent has no device token for, per
  // address and per name; from a device the agent logged in from before,
  // per device only, so a stranger's tries cannot lock the agent out.
  RateLimiter login_by_ip_;
  RateLimiter login_by_name_;
  RateLimiter login_by_device_;
  RateLimiter conversations_by_ip_;
  std::once_flag dummy_hash_once_;
  std::string dummy_hash_;  // verified against for unknown names, so timing does not tell
};

// The largest message text accepted, in bytes.
inline constexpr size_t kMaxMessageBytes = 16 * 1024;
// A positive sequence number from a path segment.
bool ParseSeq(const std::string& text, int64_t* seq);

// The OpenAPI 3.0 document for the route table.
nlohmann::json BuildOpenApi(const std::vector<Route>& routes, const std::string& version);

}  // namespace candor
