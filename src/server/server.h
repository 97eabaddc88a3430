// Server: candor's HTTP API, live event streams, health and metrics.
//
// JSON over HTTP/1.1 (Boost.Beast on Asio coroutines). Routes sit in one table
// (src/server/api.cc), which also produces /api/openapi.json. Every request is
// authenticated against the conversation or agent it touches, bad input gets a
// 4xx JSON error and changes nothing, and a 201 means the write is durable.
//
// Thread-safety: construct, Listen and Run from one thread; Stop may be called
// from any thread (and is, on SIGINT/SIGTERM).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/status.h"
#include "people/people.h"
#include "pipeline/pipeline.h"
#include "pipeline/protector.h"
#include "store/store.h"

namespace candor {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (Listen returns it)
  int io_threads = 2;
  // Open connections at most; kept below the open-file limit (see Listen).
  size_t max_connections = 20000;
  // Live streams at most per conversation and per client address: a stream
  // holds a connection, so one token or one client cannot take them all.
  size_t max_streams_per_conversation = 20;
  size_t max_streams_per_address = 200;
  size_t max_body_bytes = 64 * 1024;
  // A client must send a whole request head within this time (it also bounds
  // how long an idle keep-alive connection is kept), and a body within the next.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{10'000};
  // A response (or an event on a stream) must be taken by the client within this.
  std::chrono::milliseconds write_timeout{15'000};
  std::chrono::milliseconds stream_heartbeat{15'000};
  double login_attempts_per_minute = 10;
  double login_burst = 5;
  double conversations_per_minute_per_ip = 600;
  // An agent's session ends after session_ttl at the latest, and once unused
  // for session_idle_timeout; each request renews the idle time (streams do not).
  std::chrono::hours session_ttl{12};
  std::chrono::milliseconds session_idle_timeout{30 * 60 * 1000};
  bool access_log = false;  // one log line per request (never bodies, tokens or queries)
  // The built web front end (/chat, /agent, /admin); empty: none.
  std::string web_dir;
  // Promises (P7): how often they are checked, how long before a due time
  // people are reminded, what "a reply within N business minutes" is when no
  // one is on duty, and how much later the new time is when one was missed.
  std::chrono::milliseconds promise_check_interval{1000};
  std::chrono::minutes remind_before{10};
  std::chrono::minutes reply_within_business{60};
  std::chrono::minutes late_allowance{30};
  // The queue's promise is never sooner than this: even a free person needs
  // a moment to see and open the conversation.
  std::chrono::minutes queue_promise_floor{5};
  // The desk, promise book and trust figures save a snapshot after this many
  // events or this long, whichever comes first (and at shutdown), so a restart
  // folds only the events since.
  int64_t snapshot_every_events = 200'000;
  std::chrono::milliseconds snapshot_interval{5 * 60 * 1000};
};

// One passage of the knowledge base, as agents search it. The server does not
// know the knowledge module; the command line wires a search function in.
struct KnowledgeHit {
  std::string article;
  std::string title;
  std::string url;
  std::string heading;
  std::string passage;
  double score = 0;
};
using KnowledgeSearch = std::function<Result<std::vector<KnowledgeHit>>(
    const std::string& query, const std::string& language, size_t limit)>;

// An article of the knowledge base, as the admin dashboard lists it.
struct KnowledgeArticle {
  std::string id;
  std::string title;
  std::string language;
  std::string url;
  std::string reviewed_on;  // YYYY-MM-DD, or empty
  std::vector<std::string> tags;
};
using KnowledgeArticles = std::function<Result<std::vector<KnowledgeArticle>>()>;

// What the server works with; all must outlive it.
struct ServerDeps {
  Store& store;
  // Intake (receive, protect, understand) runs before a message's 201; the
  // answering runner (decide ... deliver) after it, in the background, one
  // turn at a time, and also delivers a person's replies.
  Runner& intake;
  Runner& answering;
  Protector& protector;
  LedgerService& ledger;
  const Clock& clock;
  Logger& logger;
  // Without it, GET /api/v1/kb/search answers 503.
  KnowledgeSearch knowledge_search = {};
  KnowledgeArticles knowledge_articles = {};
  // The team's opening hours (may be null: no hours, no business-hours
  // promises) and the deployment's time zone, for promises and waits.
  const people::BusinessHours* business_hours = nullptr;
  people::TimeZone time_zone = people::TimeZone::Utc();
  // The policy in force as JSON, for GET /api/v1/policy (may be empty).
  std::function<nlohmann::json()> policy_document = {};
};

class Server {
 public:
  Server(ServerOptions options, ServerDeps deps);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Raises the open-file limit as far as allowed and keeps max_connections
  // safely below it (both logged), rebuilds the projections, and binds the
  // listening socket; returns the port.
  Result<uint16_t> Listen();
  // Serves until Stop() or SIGINT/SIGTERM; then finishes the pipeline's queued
  // work before returning. The store must outlive this call.
  void Run();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor
