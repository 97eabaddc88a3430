// The HTTP layer: accepts connections, reads requests under time and size
// limits, dispatches them to the Api, and serves live event streams.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <thread>

#include "server/internal/api.h"
#include "server/internal/asio.h"
#include "server/internal/errors.h"
#include "server/internal/hub.h"
#include "server/server.h"

namespace candor {
namespace {

constexpr int kStreamPage = 500;
constexpr size_t kMaxQueuedFrames = 1024;  // past this a slow stream re-reads from the store

// Raises the open-files limit to the hard limit (every connection is a
// file) and returns the limit in force, or 0 when it cannot be read.
uint64_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? 0 : static_cast<uint64_t>(limit.rlim_cur);
}

// Connections at most for a file limit: the database, its log, the
// knowledge index, the listening socket and connections being turned away
// need files too, so a tenth of the limit (at least 64) stays free for them.
// Then the server answers 503 itself before accept fails for want of files.
size_t ConnectionsWithin(uint64_t file_limit, size_t wanted) {
  if (file_limit == 0) return wanted;
  const uint64_t reserve = std::max<uint64_t>(64, file_limit / 10);
  const uint64_t room = file_limit > reserve * 2 ? file_limit - reserve : file_limit / 2;
  return static_cast<size_t>(std::min<uint64_t>(wanted, std::max<uint64_t>(room, 1)));
}

// Live streams per conversation and per client address. Taken before a
// stream starts, given back when it ends. Thread-safe.
class StreamSlots {
 public:
  StreamSlots(size_t per_conversation, size_t per_address)
      : per_conversation_(per_conversation), per_address_(per_address) {}

  // Empty when one of the limits is reached.
  std::shared_ptr<void> Take(const std::string& conversation_id, const std::string& address) {
    std::lock_guard lock(mu_);
    size_t& in_conversation = by_conversation_[conversation_id];
    size_t& from_address = by_address_[address];
    if (in_conversation >= per_conversation_ || from_address >= per_address_) {
      Release(conversation_id, address);
      return nullptr;
    }
    ++in_conversation;
    ++from_address;
    // Not null (an empty pointer would read as "no slot"); nothing is freed.
    return std::shared_ptr<void>(this, [this, conversation_id, address](void*) {
      std::lock_guard lock(mu_);
      --by_conversation_[conversation_id];
      --by_address_[address];
      Release(conversation_id, address);
    });
  }

 private:
  // Drops counts that have gone to zero, so the maps stay as small as what is open.
  void Release(const std::string& conversation_id, const std::string& address) {
    if (by_conversation_[conversation_id] == 0) by_conversation_.erase(conversation_id);
    if (by_address_[address] == 0) by_address_.erase(address);
  }

  const size_t per_conversation_;
  const size_t per_address_;
  std::mutex mu_;
  std::unordered_map<std::string, size_t> by_conversation_;  // guarded by mu_
  std::unordered_map<std::string, size_t> by_address_;       // guarded by mu_
};

// One live stream's mailbox. Frames arrive from the store's commit thread and
// are handed to the stream's strand. While the stream is idle (its coroutine
// waits for events and nothing is being written), the frames that follow its
// last sent one are written right there with one non-blocking send: most of
// a fan-out to thousands of streams is then one system call per stream,
// without waking the coroutine. Anything else (a gap to fill from the store,
// a full socket buffer, an overflow) wakes the coroutine, which handles it.
class StreamMailbox final : public StreamSubscriber,
                            public std::enable_shared_from_this<StreamMailbox> {
 public:
  using Render = std::function<const std::string&(const SseFrame&, std::string& scratch)>;

  StreamMailbox(asio::any_io_executor executor, tcp::socket& socket, Render render)
      : wake_(executor), executor_(executor), socket_(socket), render_(std::move(render)) {}

  void Deliver(std::shared_ptr<const SseFeed> feed, FanoutRound round) override {
    // The handler holds the fan-out's round until it has run.
    asio::post(executor_,
               [self = shared_from_this(), feed = std::move(feed), round = std::move(round)] {
                 if (self->closed_ || self->overflowed_ || self->ended_) return;
                 std::vector<std::shared_ptr<const SseFrame>> frames;
                 feed->FramesAfter(
                     self->frames_.empty() ? self->last_sent_ : self->frames_.back()->seq, frames);
                 if (frames.empty()) return;  // an earlier hand-over sent these already
                 if (self->idle_ && self->TrySendNow(frames)) return;
                 if (self->frames_.size() + frames.size() > kMaxQueuedFrames) {
                   self->frames_.clear();
                   self->overflowed_ = true;
                 } else {
                   self->frames_.insert(self->frames_.end(), frames.begin(), frames.end());
                 }
                 self->wake_.cancel();
               });
  }

  // Only touched on the stream's executor.
  std::vector<std::shared_ptr<const SseFrame>> frames_;
  bool overflowed_ = false;
  asio::steady_timer wake_;
  int64_t last_sent_ = 0;
  bool idle_ = false;    // the coroutine waits on wake_ and writes nothing
  bool closed_ = false;  // the stream has ended: the socket may be gone
  std::string unsent_;   // the rest of a direct send the socket did not take
  // The stream must end: its peer closed, or its session ended. Set on the
  // stream's executor, which is then woken.
  bool ended_ = false;
  void End() {
    ended_ = true;
    wake_.cancel();
  }

 private:
  // Sends the frames after last_sent_ now, if they follow it without a gap.
  bool TrySendNow(const std::vector<std::shared_ptr<const SseFrame>>& frames) {
    int64_t next = last_sent_;
    for (const auto& frame : frames) {
      if (frame->seq <= next) continue;
      if (frame->seq != next + 1) return false;  // a gap: the coroutine reads the store
      next = frame->seq;
    }
    if (next == last_sent_) return true;  // nothing new
    std::string chunk, scratch;
    for (const auto& frame : frames) {
      if (frame->seq <= last_sent_) continue;
      chunk += render_(*frame, scratch);
      last_sent_ = frame->seq;
    }
    boost::system::error_code ec;
    const size_t sent = socket_.write_some(asio::buffer(chunk), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
    if (ec) {
      // The coroutine finds the broken socket with its next write.
      unsent_ = ": \n\n";
      wake_.cancel();
      return true;
    }
    if (sent < chunk.size()) {
      unsent_ = chunk.substr(sent);
      wake_.cancel();
    }
    return true;
  }

  asio::any_io_executor executor_;
  tcp::socket& socket_;
  Render render_;
};

// A client connection with one deadline. When the deadline passes, the
// watchdog closes the socket, which ends whatever read or write is waiting.
// One timer per connection instead of beast::tcp_stream's three keeps idle
// event streams small. Used on one strand.
//
// Moving the deadline later only records it: the watchdog, woken at the old
// time, sleeps on until the new one. Only a deadline earlier than the timer
// re-arms it, so a keep-alive request, which moves the deadline four times,
// costs no timer work at all.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(tcp::socket socket)
      : socket_(std::move(socket)), timer_(socket_.get_executor()) {
    boost::system::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    remote_ip_ = ec ? "unknown" : peer.address().to_string();
  }

  tcp::socket& socket() { return socket_; }
  // Read once: the address does not change while the connection lives.
  const std::string& remote_ip() const { return remote_ip_; }
  void ExpiresAfter(std::chrono::milliseconds timeout) {
    deadline_ = Clock::now() + timeout;
    if (deadline_ < timer_.expiry()) timer_.expires_at(deadline_);  // wakes the watchdog
  }
  void NeverExpires() { deadline_ = Clock::time_point::max(); }
  void Close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
  }

  // Runs beside the connection's own coroutine, on the same strand.
  static asio::awaitable<void> Watch(std::shared_ptr<Connection> self) {
    while (self->socket_.is_open()) {
      boost::system::error_code ec;
      co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!self->socket_.is_open()) co_return;
      const auto now = Clock::now();
      if (self->deadline_ <= now) {
        self->Close();
        co_return;
      }
      // Woken at a deadline that has since moved later: sleep until the new
      // one. (Woken early by an earlier deadline: the timer is set already.)
      if (self->timer_.expiry() <= now) self->timer_.expires_at(self->deadline_);
    }
  }

 private:
  using Clock = asio::steady_timer::clock_type;
  tcp::socket socket_;
  asio::steady_timer timer_;  // expires at or before deadline_
  Clock::time_point deadline_ = Clock::time_point::max();
  std::string remote_ip_;
};

// The response head, written with its body in one gather write. Values come
// from candor's own code; a line break in one would split the response, so
// such a header is left out.
std::string ResponseHead(const HttpResponse& response, bool keep_alive) {
  std::string head;
  head.reserve(256);
  const auto status = static_cast<http::status>(response.status);
  head += "HTTP/1.1 ";
  head += std::to_string(response.status);
  head += ' ';
  head += std::string_view(http::obsolete_reason(status));
  head += "\r\nServer: candor\r\nContent-Type: ";
  head += response.content_type;
  head += "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  for (const auto& [name, value] : response.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "Content-Length: ";
  head += std::to_string(response.body.size());
  head += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  return head;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, ServerDeps deps)
      : options_(std::move(options)),
        store_(deps.store),
        clock_(deps.clock),
        logger_(deps.logger),
        stream_slots_(options_.max_streams_per_conversation, options_.max_streams_per_address),
        io_(options_.io_threads),
        pipeline_pool_(1),
        blocking_pool_(2),
        hub_([this](std::function<void()> task) { asio::post(io_, std::move(task)); }),
        api_(Api::Deps{options_,
                       deps.store,
                       deps.intake,
                       deps.answering,
                       deps.protector,
                       deps.ledger,
                       desk_,
                       pipeline_pool_,
                       blocking_pool_,
                       metrics_,
                       deps.clock,
                       deps.logger,
                       [this] { return !stopping_.load(); },
                       std::move(deps.knowledge_search),
                       promises_,
                       trust_,
                       std::move(deps.knowledge_articles),
                       deps.business_hours,
                       deps.time_zone,
                       std::move(deps.policy_document),
                       session_streams_}),
        acceptor_(io_) {
    // Answering is the work after the 201: under load it yields the CPU to
    // taking messages in, and catches up as soon as there is room.
    asio::post(pipeline_pool_, [] {
      (void)setpriority(PRIO_PROCESS, gettid(), 10);
      pthread_setname_np(pthread_self(), "answering");  // as top -H and perf show it
    });
    std::vector<std::string> route_names;
    for (const auto& route : api_.routes()) route_names.push_back(route.pattern);
    metrics_.DefineRoutes(std::move(route_names));
    store_.SetCommitListener([this, &ledger = deps.ledger](const Event& event) {
      ledger.OnCommit(event);  // the leaf joins the tree before anyone sees the event
      desk_.OnCommit(event);
      promises_.OnCommit(event);
      trust_.OnCommit(event);
      events_since_snapshot_.fetch_add(1, std::memory_order_relaxed);
      metrics_.EventAppended();
      hub_.Publish(event);
    });
  }

  Result<uint16_t> Listen() {
    const uint64_t file_limit = RaiseFileLimit();
    max_connections_ = ConnectionsWithin(file_limit, options_.max_connections);
    logger_.Info(
        "connection_limits",
        {{"open_files", static_cast<int64_t>(file_limit)},
         {"max_connections", static_cast<int64_t>(max_connections_)},
         {"configured_max_connections", static_cast<int64_t>(options_.max_connections)},
         {"max_streams_per_conversation",
          static_cast<int64_t>(options_.max_streams_per_conversation)},
         {"max_streams_per_address", static_cast<int64_t>(options_.max_streams_per_address)}});
    if (max_connections_ < options_.max_connections) {
      logger_.Warn("max_connections_lowered", {{"to", static_cast<int64_t>(max_connections_)},
                                               {"reason", "kept below the open-file limit"}});
    }
    auto restored = RestoreProjections(store_, projections());
    if (!restored.ok()) {
      return Status(restored.status().code(),
                    "reading the conversations' state: " + restored.status().message());
    }
    for (const auto& ignored : restored->ignored) {
      logger_.Warn("snapshot_ignored", {{"projection", ignored}});
    }
    logger_.Info("state_restored",
                 {{"from_snapshots", static_cast<int64_t>(restored->from_snapshot.size())},
                  {"events_folded", restored->events_folded}});
    // A long fold is not repeated if the process ends before the next snapshot.
    if (restored->events_folded >= options_.snapshot_every_events) SaveSnapshotsNow();
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.bind, ec);
    if (ec)
      return Status::InvalidArgument("bind address '" + options_.bind + "' is not an IP", "bind");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable("cannot listen on " + options_.bind + ":" +
                                 std::to_string(options_.port) + ": " + ec.message());
    }
    return acceptor_.local_endpoint().port();
  }

  void Run() {
    asio::signal_set signals(io_, SIGINT, SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) Stop();
    });
    asio::co_spawn(io_, Accept(), asio::detached);
    asio::co_spawn(io_, api_.KeepPromises([this] { return stopping_.load(); }), asio::detached);
    asio::co_spawn(io_, SaveSnapshots(), asio::detached);
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.io_threads; ++i) {
      threads.emplace_back([this] {
        pthread_setname_np(pthread_self(), "http");
        io_.run();
      });
    }
    pthread_setname_np(pthread_self(), "http");
    io_.run();
    for (auto& t : threads) t.join();
    // Turns already queued still run to the end, so their steps are not lost.
    pipeline_pool_.join();
    blocking_pool_.join();
    SaveSnapshotsNow();  // the store is still open: the next start folds nothing
    logger_.Info("stopped");
  }

  // The projections the commit listener feeds, in that order.
  std::vector<Projection*> projections() { return {&desk_, &promises_, &trust_}; }

  void SaveSnapshotsNow() {
    events_since_snapshot_ = 0;
    Status saved = SaveProjectionSnapshots(store_, projections(), clock_.Now());
    if (!saved.ok()) logger_.Error("snapshot_failed", {{"error", saved.message()}});
  }

  // After snapshot_every_events or snapshot_interval, on the blocking pool
  // (a snapshot holds each projection's lock while it is written out).
  asio::awaitable<void> SaveSnapshots() {
    const auto tick =
        std::min<std::chrono::milliseconds>(options_.snapshot_interval, std::chrono::seconds(5));
    asio::steady_timer timer(io_);
    auto last = std::chrono::steady_clock::now();
    while (!stopping_.load()) {
      timer.expires_after(tick);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping_.load()) break;
      const int64_t events = events_since_snapshot_.load();
      const auto now = std::chrono::steady_clock::now();
      if (events >= options_.snapshot_every_events ||
          (events > 0 && now - last >= options_.snapshot_interval)) {
        last = now;
        asio::post(blocking_pool_, [this] { SaveSnapshotsNow(); });
      }
    }
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    logger_.Info("stopping");
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      io_.stop();
    });
  }

 private:
  asio::awaitable<void> Accept() {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket(asio::make_strand(io_));
      co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        // Out of file descriptors or similar: back off instead of spinning.
        logger_.Warn("accept_failed", {{"error", ec.message()}});
        asio::steady_timer pause(io_, std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      if (static_cast<size_t>(metrics_.ConnectionsOpen()) >= max_connections_) {
        metrics_.ConnectionRejected();
        // Written before any session exists, so spelled out here; the code
        // is the error table's `unavailable`.
        static constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            "Connection: close\r\nRetry-After: 1\r\nContent-Length: 89\r\n\r\n"
            "{\"error\":{\"code\":\"unavailable\",\"message\":\"too many "
            "connections\",\"field\":null}}"
            "\n       ";
        socket.non_blocking(true, ec);
        socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ec);
        socket.close(ec);
        continue;
      }
      // Counted here, not when the session starts: a burst of connections
      // accepted before their sessions run must not slip past the limit.
      metrics_.ConnectionOpened();
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
    }
  }

  struct ReadOutcome {
    enum class Kind { kRequest, kClosed, kError } kind = Kind::kClosed;
    HttpRequest request;
    bool keep_alive = false;
    std::optional<HttpResponse> error;  // an error to send before closing
  };

  ReadOutcome TooLarge() const {
    ReadOutcome out;
    out.kind = ReadOutcome::Kind::kError;
    out.error = ErrorResponse(
        ApiError::kTooLarge,
        "the body is larger than " + std::to_string(options_.max_body_bytes) + " bytes", "body");
    return out;
  }

  // A parser error, not the peer going away.
  static bool IsMalformed(const boost::system::error_code& ec) {
    return ec.category() == make_error_code(http::error::bad_target).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
  }

  // Reads one request under the header and body time limits. Its own frame, so
  // the parser's memory is released before a long-lived stream starts.
  asio::awaitable<ReadOutcome> ReadRequest(Connection& conn, beast::flat_buffer& buffer) {
    ReadOutcome out;
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(options_.max_body_bytes);
    boost::system::error_code ec;
    conn.ExpiresAfter(options_.header_timeout);
    co_await http::async_read_header(conn.socket(), buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) {
      co_return TooLarge();
    }
    if (ec == http::error::header_limit) {
      out.kind = ReadOutcome::Kind::kError;
      out.error = ErrorResponse(ApiError::kHeadersTooLarge, "the request headers are too large");
      co_return out;
    }
    if (ec) {
      // A malformed request gets an answer; a closed or timed-out one does not.
      if (IsMalformed(ec)) {
        out.kind = ReadOutcome::Kind::kError;
        out.error = ErrorResponse(ApiError::kBadRequest, "the request is not valid HTTP/1.1");
      }
      co_return out;
    }
    if (parser.get()[http::field::expect] == "100-continue") {
      http::response<http::empty_body> proceed{http::status::continue_, parser.get().version()};
      conn.ExpiresAfter(options_.write_timeout);
      co_await http::async_write(conn.socket(), proceed,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return out;
    }
    conn.ExpiresAfter(options_.body_timeout);
    co_await http::async_read(conn.socket(), buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) {
      co_return TooLarge();
    }
    if (ec) {
      // A malformed body (a chunk size that overflows, say) gets an answer;
      // a timeout or a reset does not.
      if (IsMalformed(ec)) {
        out.kind = ReadOutcome::Kind::kError;
        out.error = ErrorResponse(ApiError::kBadRequest, "the request body is not valid HTTP/1.1");
      }
      co_return out;
    }

    auto& req = parser.get();
    HttpRequest& r = out.request;
    r.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const size_t q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
    r.body = std::move(req.body());
    r.authorization = std::string(req[http::field::authorization]);
    r.last_event_id = std::string(req["Last-Event-ID"]);
    r.content_type = std::string(req[http::field::content_type]);
    r.background = req["X-Candor-Background"] == "1";
    r.remote_ip = conn.remote_ip();
    out.keep_alive = req.keep_alive();
    out.kind = ReadOutcome::Kind::kRequest;
    co_return out;
  }

  asio::awaitable<bool> Write(Connection& conn, HttpResponse response, bool keep_alive) {
    const std::string head = ResponseHead(response, keep_alive);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                    asio::buffer(response.body)};
    boost::system::error_code ec;
    conn.ExpiresAfter(options_.write_timeout);
    co_await asio::async_write(conn.socket(), buffers,
                               asio::redirect_error(asio::use_awaitable, ec));
    conn.NeverExpires();  // what comes next sets its own deadline
    co_return !ec;
  }

  // The connection was counted as open when it was accepted.
  asio::awaitable<void> Session(tcp::socket socket) {
    struct Closed {
      Metrics& m;
      ~Closed() { m.ConnectionClosed(); }
    } closed{metrics_};
    auto connection = std::make_shared<Connection>(std::move(socket));
    Connection& conn = *connection;
    conn.ExpiresAfter(options_.header_timeout);
    asio::co_spawn(conn.socket().get_executor(), Connection::Watch(connection), asio::detached);
    beast::flat_buffer buffer;
    while (!stopping_) {
      ReadOutcome read = co_await ReadRequest(conn, buffer);
      if (read.kind == ReadOutcome::Kind::kClosed) break;
      if (read.kind == ReadOutcome::Kind::kError) {
        if (read.error) {
          metrics_.ObserveRequest(api_.routes().size(), "?", read.error->status, 0);
          co_await Write(conn, *read.error, /*keep_alive=*/false);
        }
        break;
      }
      const auto started = std::chrono::steady_clock::now();
      HttpRequest& request = read.request;
      auto match = api_.Find(request.method, request.path, request.params);
      HttpResponse response;
      Caller caller;
      if (match.route == Api::kNoRoute) {
        response = match.path_known ? ErrorResponse(ApiError::kMethodNotAllowed,
                                                    "this path does not take " + request.method)
                                    : ErrorResponse(ApiError::kNotFound, "no such route");
      } else if (auto denied = api_.Authorize(api_.routes()[match.route], request, caller)) {
        response = std::move(*denied);
      } else if (api_.routes()[match.route].stream) {
        metrics_.ObserveRequest(match.route, request.method, 200, 0);
        buffer.clear();
        buffer.shrink_to_fit();
        co_await ServeStream(connection, request, caller);
        break;
      } else {
        response = co_await api_.Handle(match.route, request, caller);
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics_.ObserveRequest(match.route == Api::kNoRoute ? api_.routes().size() : match.route,
                              request.method, response.status, seconds);
      if (options_.access_log) {
        // Route pattern, not the path; never the query (it may hold a token) or the body.
        logger_.Log(LogLevel::kInfo, "request",
                    {{"method", request.method},
                     {"route", match.route == Api::kNoRoute ? std::string("unmatched")
                                                            : api_.routes()[match.route].pattern},
                     {"status", response.status},
                     {"ms", seconds * 1000}});
      }
      const bool keep_alive = read.keep_alive && !stopping_;
      if (!co_await Write(conn, response, keep_alive) || !keep_alive) break;
      if (buffer.capacity() > 64 * 1024) buffer.shrink_to_fit();
    }
    conn.Close();
  }

  // Parameters by value: a coroutine must not hold references to its caller's temporaries.
  asio::awaitable<bool> WriteText(Connection& conn, std::string text) {
    boost::system::error_code ec;
    conn.ExpiresAfter(options_.write_timeout);
    co_await asio::async_write(conn.socket(), asio::buffer(text),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) logger_.Log(LogLevel::kDebug, "stream_write_failed", {{"error", ec.message()}});
    conn.NeverExpires();  // an idle stream may wait for events as long as it likes
    co_return !ec;
  }

  // Only the events the customer may not see whole (CustomerSeesWholeEvent),
  // and messages with placeholders in them, which the customer reads
  // unmasked, read differently for the customer; every other frame is shared
  // by all streams as rendered.
  static bool NeedsOwnFrame(const Event& event, const Caller& caller) {
    if (caller.kind != Caller::Kind::kCustomer) return false;
    if (!CustomerSeesWholeEvent(event.body)) return true;
    const auto* message = std::get_if<MessageEvent>(&event.body);
    return message != nullptr && message->text.find('[') != std::string::npos;
  }

  // The frame as this caller may see it (see Api::EventFor).
  std::string FrameFor(const Event& event, const Caller& caller) {
    return "id: " + std::to_string(event.seq) + "\nevent: " + std::string(EventKind(event.body)) +
           "\ndata: " + api_.EventFor(event, caller).dump() + "\n\n";
  }

  // Sends stored events with seq > *last_sent (up to `until`, 0: all), advancing *last_sent.
  asio::awaitable<bool> SendBacklog(Connection& conn, std::string conversation_id,
                                    int64_t* last_sent, int64_t until, const Caller& caller) {
    while (true) {
      auto events = store_.ReadEvents(conversation_id, *last_sent, kStreamPage);
      if (!events.ok()) {
        logger_.Error("stream_read_failed", {{"error", events.status().ToString()}});
        co_return false;
      }
      std::string chunk;
      for (const auto& event : *events) {
        if (until > 0 && event.seq > until) break;
        chunk +=
            NeedsOwnFrame(event, caller) ? FrameFor(event, caller) : RenderSseFrame(event)->text;
        *last_sent = event.seq;
      }
      if (!chunk.empty() && !co_await WriteText(conn, chunk)) co_return false;
      if (events->size() < static_cast<size_t>(kStreamPage) || (until > 0 && *last_sent >= until)) {
        co_return true;
      }
    }
  }

  // Reads from a stream's socket while the stream lives. A client sends
  // nothing on an event stream, so the read ends only when the peer closes
  // or resets the connection: the stream then ends at once, instead of at its
  // next write, up to a heartbeat later.
  static asio::awaitable<void> WatchPeer(std::shared_ptr<Connection> connection,
                                         std::shared_ptr<StreamMailbox> mailbox) {
    std::array<char, 256> scratch;
    while (true) {
      boost::system::error_code ec;
      co_await connection->socket().async_read_some(asio::buffer(scratch),
                                                    asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (!mailbox->closed_) mailbox->End();
  }

  asio::awaitable<void> ServeStream(std::shared_ptr<Connection> connection,
                                    const HttpRequest& request, Caller caller) {
    Connection& conn = *connection;
    const std::string& conversation_id = request.params[0];
    int64_t resume_after = 0;
    const std::string& resume =
        request.last_event_id.empty() ? request.QueryParam("last_event_id") : request.last_event_id;
    if (!resume.empty()) {
      auto [end, ec] = std::from_chars(resume.data(), resume.data() + resume.size(), resume_after);
      if (ec != std::errc() || end != resume.data() + resume.size() || resume_after < 0) {
        co_await Write(conn,
                       ErrorResponse(ApiError::kInvalidValue,
                                     "Last-Event-ID must be a whole number", "Last-Event-ID"),
                       false);
        co_return;
      }
    }
    auto slot = stream_slots_.Take(conversation_id, conn.remote_ip());
    if (!slot) {
      HttpResponse busy =
          ErrorResponse(ApiError::kTooManyStreams,
                        "too many live streams for this conversation or from this address");
      busy.headers.emplace_back("Retry-After", "1");
      co_await Write(conn, busy, false);
      co_return;
    }
    auto executor = co_await asio::this_coro::executor;
    // Writes without waiting never block the strand.
    boost::system::error_code nb_ec;
    conn.socket().non_blocking(true, nb_ec);
    auto mailbox = std::make_shared<StreamMailbox>(
        executor, conn.socket(),
        [this, &caller](const SseFrame& frame, std::string& scratch) -> const std::string& {
          if (!NeedsOwnFrame(*frame.event, caller)) return frame.text;
          if (caller.kind == Caller::Kind::kCustomer) {
            return frame.CustomerText([&] { return FrameFor(*frame.event, caller); });
          }
          scratch = FrameFor(*frame.event, caller);
          return scratch;
        });
    struct Ended {
      StreamMailbox& m;
      ~Ended() { m.closed_ = true; }
    } ended{*mailbox};
    // An agent's stream ends with its session: at once when it is ended here,
    // else when a check finds it ended (at its deadline, and every heartbeat).
    const bool agent = caller.kind == Caller::Kind::kAgent;
    struct Registered {
      SessionStreams& streams;
      uint64_t id = 0;
      ~Registered() {
        if (id != 0) streams.Remove(id);
      }
    } registered{session_streams_};
    if (agent) {
      registered.id =
          session_streams_.Add(caller.session_hash, caller.agent.id,
                               [executor, weak = std::weak_ptr<StreamMailbox>(mailbox)] {
                                 asio::post(executor, [weak] {
                                   if (auto m = weak.lock(); m && !m->closed_) m->End();
                                 });
                               });
    }
    int64_t& last_sent = mailbox->last_sent_;
    last_sent = resume_after;
    // Subscribe before reading the backlog, so nothing committed in between is missed;
    // frames already sent from the backlog are skipped by seq.
    auto subscription = hub_.Subscribe(conversation_id, mailbox);
    metrics_.StreamOpened();
    struct Closed {
      Metrics& m;
      ~Closed() { m.StreamClosed(); }
    } closed{metrics_};

    if (!co_await WriteText(conn,
                            "HTTP/1.1 200 OK\r\nServer: candor\r\n"
                            "Content-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                            "X-Content-Type-Options: nosniff\r\nConnection: keep-alive\r\n"
                            "X-Accel-Buffering: no\r\n\r\nretry: 2000\n\n")) {
      co_return;
    }
    asio::co_spawn(executor, WatchPeer(connection, mailbox), asio::detached);
    if (!co_await SendBacklog(conn, conversation_id, &last_sent, 0, caller)) co_return;

    std::string chunk;
    auto next_ping = std::chrono::steady_clock::now() + options_.stream_heartbeat;
    while (!stopping_ && !mailbox->ended_) {
      if (!mailbox->unsent_.empty()) {
        std::string rest = std::move(mailbox->unsent_);
        mailbox->unsent_.clear();
        if (!co_await WriteText(conn, std::move(rest))) co_return;
        continue;
      }
      if (mailbox->overflowed_) {
        mailbox->overflowed_ = false;
        mailbox->frames_.clear();
        if (!co_await SendBacklog(conn, conversation_id, &last_sent, 0, caller)) co_return;
        continue;
      }
      if (!mailbox->frames_.empty()) {
        auto frames = std::move(mailbox->frames_);
        mailbox->frames_.clear();
        chunk.clear();
        for (const auto& frame : frames) {
          if (frame->seq <= last_sent) continue;
          if (frame->seq > last_sent + 1) {
            // Something between was committed before we subscribed: fetch it first.
            if (!chunk.empty() && !co_await WriteText(conn, chunk)) co_return;
            chunk.clear();
            if (!co_await SendBacklog(conn, conversation_id, &last_sent, frame->seq - 1, caller))
              co_return;
          }
          if (!NeedsOwnFrame(*frame->event, caller)) {
            chunk += frame->text;
          } else if (caller.kind == Caller::Kind::kCustomer) {
            chunk += frame->CustomerText([&] { return FrameFor(*frame->event, caller); });
          } else {
            chunk += FrameFor(*frame->event, caller);
          }
          last_sent = frame->seq;
        }
        if (!chunk.empty() && !co_await WriteText(conn, chunk)) co_return;
        std::string().swap(chunk);
        continue;
      }
      // Sleep until the next heartbeat, or until the session's deadline if sooner.
      auto wake_at = next_ping;
      if (agent) {
        const auto left = caller.session_ends - clock_.Now();
        wake_at = std::min(
            wake_at, std::chrono::steady_clock::now() + std::max(left, decltype(left)::zero()));
      }
      boost::system::error_code ec;
      mailbox->wake_.expires_at(wake_at);
      mailbox->idle_ = true;
      co_await mailbox->wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      mailbox->idle_ = false;
      if (ec) continue;  // woken: frames, or the end
      if (agent && !api_.SessionHolds(caller)) co_return;
      if (std::chrono::steady_clock::now() >= next_ping) {
        next_ping = std::chrono::steady_clock::now() + options_.stream_heartbeat;
        if (!co_await WriteText(conn, ": ping\n\n")) co_return;  // also finds dead peers
      }
    }
  }

  const ServerOptions options_;
  Store& store_;
  const Clock& clock_;
  Logger& logger_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> events_since_snapshot_{0};  // committed since the last snapshot
  size_t max_connections_ = 0;                     // set by Listen
  // Before io_: streams still suspended when it is destroyed let go of these.
  SessionStreams session_streams_;
  StreamSlots stream_slots_;
  asio::io_context io_;
  asio::thread_pool pipeline_pool_;
  asio::thread_pool blocking_pool_;
  Desk desk_;
  PromiseBook promises_;
  TrustStats trust_;
  Hub hub_;
  Metrics metrics_;
  Api api_;
  tcp::acceptor acceptor_;
};

Server::Server(ServerOptions options, ServerDeps deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(deps))) {}

Server::~Server() = default;

Result<uint16_t> Server::Listen() { return impl_->Listen(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace candor
