// http_load: the load client behind bench/http, for the measurements of the
// candor HTTP API that wrk cannot make.
//
//   http_load conversations --port P --count N
//       creates N conversations and prints "id token" per line (wrk's input).
//   http_load rate --port P --rate R --duration S --connections C
//       open-loop POST message load over C conversations. Request i is due at start + i/R whether
//       or not the server kept up, and its latency runs from that due time, so a stall is charged
//       to every request it delayed (no coordinated omission).
//   http_load streams --port P --pid PID --streams N
//       N idle SSE streams on one conversation: the server's RSS per stream,
//       then the time from a POST until every stream has that message.
//
// Each figure is printed as a human-readable line, followed by one line
// "#kv key=value ..." that bench/http reads for its summary.
//
// Threading: one io_context on the main thread, nothing shared. One thread is plenty
// for 5,000 requests/s or 10,000 idle streams and keeps the client off the server's CPU.

// Includes kept by hand: <utility> must come before any Asio header (GCC 12, -std=c++20).
// clang-format off
#include <utility>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
// clang-format on

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
// A socket bound to the concrete executor: smaller than the type-erased
// default, which matters with 10,000 of them.
using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;

struct Conversation {
  std::string id;
  std::string token;
};

tcp::endpoint Loopback(uint16_t port) { return {asio::ip::address_v4::loopback(), port}; }

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Nearest-rank percentile of an ascending vector; 0 when empty.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// 10,000 streams need more descriptors than the usual soft limit of 1024.
rlim_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

// CPU time this process has used: how much of a fan-out round was the client's own work.
double CpuMs() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](timeval t) { return static_cast<double>(t.tv_sec) * 1e3 + t.tv_usec / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// CPU time another process has used (user + system), from /proc; 0 if it is gone.
double ProcessCpuMs(int pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) {
      stime = std::stod(field);
      break;
    }
  }
  return (utime + stime) * 1e3 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmRSS of a process in KiB, or nullopt if it is gone.
std::optional<long> RssKib(int pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return std::nullopt;
}

// The bytes of one POST message request, serialised once and sent many times.
std::string MessageRequest(uint16_t port, const Conversation& conversation, std::string_view text) {
  std::string body = nlohmann::json{{"text", text}}.dump();
  return fmt::format(
      "POST /api/v1/conversations/{}/messages HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n"
      "Authorization: Bearer {}\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\n\r\n{}",
      conversation.id, port, conversation.token, body.size(), body);
}

// POST /api/v1/conversations on a fresh connection, blocking: setup outside
// the timed parts. bench/http bounds the whole process with `timeout`.
std::optional<Conversation> CreateConversation(asio::io_context& io, uint16_t port) {
  beast::error_code ec;
  Socket socket(io.get_executor());
  socket.connect(Loopback(port), ec);
  http::request<http::string_body> request{http::verb::post, "/api/v1/conversations", 11};
  request.set(http::field::host, fmt::format("127.0.0.1:{}", port));
  request.set(http::field::content_type, "application/json");
  request.body() = "{}";
  request.prepare_payload();
  if (!ec) http::write(socket, request, ec);
  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  if (!ec) http::read(socket, buffer, response, ec);
  auto json = nlohmann::json::parse(response.body(), nullptr, false);
  if (ec || response.result_int() != 201 || !json.is_object() || !json.contains("id") ||
      !json.contains("customer_token")) {
    fmt::print(
        stderr, "http_load: POST /api/v1/conversations: {}\n",
        ec ? ec.message() : fmt::format("HTTP {} {}", response.result_int(), response.body()));
    return std::nullopt;
  }
  return Conversation{json["id"].get<std::string>(), json["customer_token"].get<std::string>()};
}

std::optional<std::vector<Conversation>> CreateConversations(asio::io_context& io, uint16_t port,
                                                             int count) {
  std::vector<Conversation> conversations;
  for (int i = 0; i < count; ++i) {
    auto conversation = CreateConversation(io, port);
    if (!conversation) return std::nullopt;
    conversations.push_back(std::move(*conversation));
  }
  return conversations;
}

// ---------------------------------------------------------------------------
// rate: open-loop POST message load.

struct RateOptions {
  uint16_t port = 0;
  double rate = 5000;
  double duration_s = 10;
  double warmup_s = 1;  // scheduled and sent, but not measured
  double drain_s = 5;   // how long to wait for answers after the last due time
  int connections = 64;
  std::string text = "How do I change my PIN?";  // what each message says
};

class OpenLoop {
 public:
  OpenLoop(asio::io_context& io, const RateOptions& options, std::vector<std::string> requests)
      : io_(io), options_(options), requests_(std::move(requests)), timer_(io.get_executor()) {
    for (int i = 0; i < options_.connections; ++i) {
      connections_.push_back(std::make_unique<Connection>(io));
    }
    total_ = static_cast<uint64_t>(options_.rate * (options_.warmup_s + options_.duration_s));
    latencies_ms_.reserve(static_cast<size_t>(options_.rate * options_.duration_s) + 1);
  }

  // Connects every connection, then runs the schedule; returns when all
  // requests are answered or the drain time is over.
  void Run() {
    for (size_t c = 0; c < connections_.size(); ++c) {
      connections_[c]->socket.async_connect(
          Loopback(options_.port), [this, c](beast::error_code ec) {
            if (ec) {
              fmt::print(stderr, "http_load: connect: {}\n", ec.message());
              return io_.stop();
            }
            idle_.push_back(c);
            if (idle_.size() == connections_.size()) Begin();
          });
    }
    io_.run();
  }

  // Returns false if not a single measured request succeeded.
  bool Report() {
    std::sort(latencies_ms_.begin(), latencies_ms_.end());
    uint64_t unanswered = total_ - std::min(total_, answered_);
    uint64_t errors = status_errors_ + io_errors_ + unanswered;
    double window_s = std::max(Ms(last_answer_ - measure_from_) / 1000.0, options_.duration_s);
    double achieved = static_cast<double>(latencies_ms_.size()) / window_s;
    double p50 = Percentile(latencies_ms_, 50), p90 = Percentile(latencies_ms_, 90);
    double p99 = Percentile(latencies_ms_, 99), max = Percentile(latencies_ms_, 100);
    fmt::print(
        "candor POST message (durable) at a fixed {:.0f} msg/s, open loop, {} connections: "
        "achieved {:.0f} msg/s, p50 {:.2f} ms, p90 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms, "
        "errors {}\n",
        options_.rate, options_.connections, achieved, p50, p90, p99, max, errors);
    if (longest_queue_ > 0) {
      fmt::print(
          "  the server fell behind: up to {} due requests waited for one of the {} busy "
          "connections\n",
          longest_queue_, options_.connections);
    }
    if (errors > 0) {
      fmt::print(
          "  errors: {} non-201 answers (first: {}), {} connection errors (first: {}), {} "
          "unanswered after {:.0f} s\n",
          status_errors_, first_status_error_, io_errors_, first_io_error_, unanswered,
          options_.drain_s);
    }
    fmt::print(
        "#kv rate_target={:.0f} rate_achieved={:.0f} rate_p50_ms={:.3f} rate_p90_ms={:.3f} "
        "rate_p99_ms={:.3f} rate_max_ms={:.3f} rate_errors={} rate_accepted={}\n",
        options_.rate, achieved, p50, p90, p99, max, errors, accepted_);
    return !latencies_ms_.empty();
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io.get_executor()) {}
    Socket socket;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    Clock::time_point due;
  };

  Clock::time_point Due(uint64_t i) const {
    return start_ + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * i / options_.rate));
  }

  void Begin() {
    start_ = Clock::now() + std::chrono::milliseconds(10);
    measure_from_ =
        start_ + std::chrono::nanoseconds(static_cast<int64_t>(options_.warmup_s * 1e9));
    last_answer_ = measure_from_;
    Tick();
  }

  // Moves every request that is due into the queue, then sleeps until the
  // next one is due. Requests wait in the queue while all connections are busy.
  void Tick() {
    Clock::time_point now = Clock::now();
    while (issued_ < total_ && Due(issued_) <= now) queue_.push_back(Due(issued_++));
    Dispatch();
    longest_queue_ = std::max(longest_queue_, queue_.size());
    auto drain = std::chrono::milliseconds(static_cast<int>(options_.drain_s * 1000));
    timer_.expires_at(issued_ < total_ ? Due(issued_) : Due(total_) + drain);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      if (issued_ < total_) return Tick();
      io_.stop();  // drain time over; the rest count as unanswered
    });
  }

  void Dispatch() {
    while (!queue_.empty() && !idle_.empty()) {
      // Oldest idle first: every connection stays in use, so none sits idle
      // long enough for the server to close it as an idle keep-alive.
      size_t c = idle_.front();
      idle_.pop_front();
      Send(c, queue_.front());
      queue_.pop_front();
    }
  }

  void Send(size_t c, Clock::time_point due) {
    Connection& connection = *connections_[c];
    connection.due = due;
    connection.response = {};
    const std::string& request = requests_[sent_++ % requests_.size()];
    asio::async_write(connection.socket, asio::buffer(request),
                      [this, c](beast::error_code ec, size_t) {
                        if (ec) return Failed(c, ec);
                        Connection& connection = *connections_[c];
                        http::async_read(connection.socket, connection.buffer, connection.response,
                                         [this, c](beast::error_code ec, size_t) {
                                           if (ec) return Failed(c, ec);
                                           Answered(c);
                                         });
                      });
  }

  void Answered(size_t c) {
    Connection& connection = *connections_[c];
    Clock::time_point now = Clock::now();
    ++answered_;
    if (connection.response.result_int() != 201) {
      if (status_errors_++ == 0) {
        first_status_error_ = fmt::format("HTTP {} {}", connection.response.result_int(),
                                          connection.response.body().substr(0, 200));
      }
    } else if (++accepted_; connection.due >= measure_from_) {
      latencies_ms_.push_back(Ms(now - connection.due));
      last_answer_ = std::max(last_answer_, now);
    }
    if (answered_ == total_) return io_.stop();
    if (!connection.response.keep_alive()) return Reconnect(c);
    idle_.push_back(c);
    Dispatch();
  }

  // The request on this connection failed; count it and start over on a new
  // connection. A connection that cannot reconnect is retired.
  void Failed(size_t c, beast::error_code ec) {
    ++answered_;
    if (io_errors_++ == 0) first_io_error_ = ec.message();
    if (answered_ == total_) return io_.stop();
    Reconnect(c);
  }

  void Reconnect(size_t c) {
    Connection& connection = *connections_[c];
    beast::error_code ignored;
    connection.socket.close(ignored);
    connection.buffer.clear();
    connection.socket.async_connect(Loopback(options_.port), [this, c](beast::error_code ec) {
      if (ec) {
        if (io_errors_++ == 0) first_io_error_ = "reconnect: " + ec.message();
        return;
      }
      idle_.push_back(c);
      Dispatch();
    });
  }

  asio::io_context& io_;
  const RateOptions options_;
  const std::vector<std::string> requests_;  // cycled through, one per conversation
  std::vector<std::unique_ptr<Connection>> connections_;
  asio::steady_timer timer_;

  Clock::time_point start_;
  Clock::time_point measure_from_;
  Clock::time_point last_answer_;
  uint64_t total_ = 0;                   // requests in the whole schedule
  uint64_t issued_ = 0;                  // requests that have become due
  uint64_t sent_ = 0;                    // requests handed to a connection
  uint64_t answered_ = 0;                // requests finished, with success or not
  uint64_t accepted_ = 0;                // of those, answered 201: messages stored
  std::deque<Clock::time_point> queue_;  // due times of requests waiting for a connection
  size_t longest_queue_ = 0;
  std::deque<size_t> idle_;           // connections ready for a request, oldest first
  std::vector<double> latencies_ms_;  // successful measured requests, from due time
  uint64_t status_errors_ = 0;
  uint64_t io_errors_ = 0;
  std::string first_status_error_;
  std::string first_io_error_;
};

// ---------------------------------------------------------------------------
// streams: many idle SSE streams, memory per stream and fan-out time.

// Incremental parser for one SSE response: status line and headers, then
// "id:" lines of a body that runs until the connection ends (candor does not
// chunk its streams; a chunked one is refused rather than misread). Compact
// on purpose (48 bytes) because there are 10,000 of them: lines are kept only
// as far as needed to recognise them.
class SseParser {
 public:
  // kFailed: not answered with 200 or chunked; kLost: the stream ended.
  enum class State : uint8_t { kStatusLine, kHeaders, kBody, kFailed, kLost };

  State state() const { return state_; }
  // The id of the last event that was fully received (its blank line seen).
  int64_t last_id() const { return last_id_; }
  void Lose() {
    state_ = State::kLost;
    last_id_ = 0;
  }

  // Feeds received bytes; returns true if an event was completed.
  bool Feed(const char* data, size_t size) {
    bool completed = false;
    size_t i = 0;
    while (i < size && state_ < State::kBody) HeaderByte(data[i++]);
    if (state_ != State::kBody) return false;
    // Most bytes are the middle of a line: skip to its end with memchr, so the
    // client spends its CPU on line ends, not on every byte of a 10,000-stream
    // fan-out (it shares the machine with the server it measures).
    while (i < size) {
      const char* start = data + i;
      size_t run = size - i;
      if (const void* lf = std::memchr(start, '\n', run))
        run = static_cast<const char*>(lf) - start;
      if (const void* cr = std::memchr(start, '\r', run))
        run = static_cast<const char*>(cr) - start;
      if (run > 0) {
        KeepRun(start, run);
        i += run;
      }
      if (i < size) completed |= BodyByte(data[i++]);
    }
    return completed;
  }

 private:
  static constexpr size_t kKeep = 29;  // "transfer-encoding: chunked" fits

  void Keep(char c) {
    if (line_len_ < kKeep) line_[line_len_] = c;
    if (line_len_ < 255) ++line_len_;
  }
  // Keep for a run of bytes that holds no line end.
  void KeepRun(const char* run, size_t n) {
    last_cr_ = false;
    if (line_len_ < kKeep) std::memcpy(line_ + line_len_, run, std::min(n, kKeep - line_len_));
    line_len_ = static_cast<uint8_t>(std::min<size_t>(255, line_len_ + n));
  }
  std::string_view Line() const { return {line_, std::min<size_t>(line_len_, kKeep)}; }

  void HeaderByte(char c) {
    if (c == '\r') return;
    if (c != '\n') return Keep(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    std::string_view line = Line();
    if (state_ == State::kStatusLine) {
      state_ = line.substr(0, 12) == "http/1.1 200" || line.substr(0, 12) == "http/1.0 200"
                   ? State::kHeaders
                   : State::kFailed;
    } else if (line_len_ == 0) {
      state_ = State::kBody;
    } else if (line.rfind("transfer-encoding:", 0) == 0 &&
               line.find("chunked") != std::string_view::npos) {
      state_ = State::kFailed;
    }
    line_len_ = 0;
  }

  // One byte of the event stream. Lines end in LF, CRLF or CR.
  bool BodyByte(char c) {
    if (c == '\n' && last_cr_) {
      last_cr_ = false;
      return false;
    }
    last_cr_ = c == '\r';
    if (c != '\n' && c != '\r') {
      Keep(c);
      return false;
    }
    bool completed = false;
    if (line_len_ == 0) {  // blank line: the event is complete
      if (pending_id_ > last_id_) {
        last_id_ = pending_id_;
        completed = true;
      }
    } else if (Line().rfind("id:", 0) == 0) {
      std::string_view digits = Line().substr(3);
      if (!digits.empty() && digits[0] == ' ') digits.remove_prefix(1);
      int64_t id = 0;
      for (char d : digits) {
        if (d < '0' || d > '9') break;
        id = id * 10 + (d - '0');
      }
      pending_id_ = id;
    }
    line_len_ = 0;
    return completed;
  }

  int64_t last_id_ = 0;
  int64_t pending_id_ = 0;
  State state_ = State::kStatusLine;
  uint8_t line_len_ = 0;
  bool last_cr_ = false;
  char line_[kKeep];
};

struct StreamsOptions {
  uint16_t port = 0;
  int pid = 0;  // the server, for its RSS
  int streams = 10000;
  int connect_window = 200;  // handshakes in flight; more overflow the listen backlog
  int rounds = 3;            // messages posted, one after another; the worst counts
  double open_timeout_s = 60;
  double round_timeout_s = 10;
};

class StreamFanout {
 public:
  StreamFanout(asio::io_context& io, const StreamsOptions& options,
               const Conversation& conversation)
      : io_(io),
        options_(options),
        post_request_(MessageRequest(options.port, conversation, "fan-out probe")),
        stream_request_(
            fmt::format("GET /api/v1/conversations/{}/stream HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n"
                        "Authorization: Bearer {}\r\nAccept: text/event-stream\r\n\r\n",
                        conversation.id, options.port, conversation.token)),
        timer_(io.get_executor()),
        post_socket_(io.get_executor()) {
    streams_.reserve(static_cast<size_t>(options_.streams));
  }

  // Returns false if the run could not be completed; what happened is printed.
  bool Run() {
    beast::error_code ec;
    post_socket_.connect(Loopback(options_.port), ec);
    auto rss_before = RssKib(options_.pid);
    if (ec || !rss_before) {
      fmt::print(stderr, "http_load: {}\n", ec ? ec.message() : "server process not found");
      return false;
    }
    rss_before_kib_ = *rss_before;
    open_started_ = Clock::now();
    OpenMore();
    Poll(
        Clock::now() + Seconds(options_.open_timeout_s),
        [this] { return established_ + failed_ == options_.streams; }, [this] { Settle(); });
    io_.run();
    return Report();
  }

 private:
  struct Stream {
    explicit Stream(asio::io_context& io) : socket(io.get_executor()) {}
    Socket socket;
    SseParser parser;
  };

  static Clock::duration Seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }

  // Checks `done` every 20 ms until it holds or the deadline passes, then
  // calls `next`. The only waiting loop here, bounded by its deadline.
  template <typename Done, typename Next>
  void Poll(Clock::time_point deadline, Done done, Next next) {
    if (done() || Clock::now() >= deadline) return next();
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([this, deadline, done, next](beast::error_code ec) {
      if (!ec) Poll(deadline, done, next);
    });
  }

  void OpenMore() {
    while (opened_ < options_.streams &&
           opened_ - established_ - failed_ < options_.connect_window) {
      uint32_t s = static_cast<uint32_t>(opened_++);
      streams_.emplace_back(io_);
      streams_[s].socket.async_connect(Loopback(options_.port), [this, s](beast::error_code ec) {
        Stream& stream = streams_[s];
        // The request is 200 bytes on a fresh socket: a plain write never blocks.
        if (!ec) asio::write(stream.socket, asio::buffer(stream_request_), ec);
        if (!ec) stream.socket.non_blocking(true, ec);
        if (ec) return Lost(s, "connect: " + ec.message());
        WaitReadable(s);
      });
    }
  }

  void WaitReadable(uint32_t s) {
    streams_[s].socket.async_wait(Socket::wait_read, [this, s](beast::error_code ec) {
      if (ec) return Lost(s, ec.message());
      Readable(s);
    });
  }

  // Reads what is there into the one shared buffer: waiting for readiness
  // instead of posting reads keeps idle streams free of buffers.
  void Readable(uint32_t s) {
    Stream& stream = streams_[s];
    for (int reads = 0; reads < 16; ++reads) {
      beast::error_code ec;
      size_t n = stream.socket.read_some(asio::buffer(buffer_), ec);
      if (ec == asio::error::would_block) break;
      if (ec) return Lost(s, ec.message());
      bytes_received_ += n;
      bool was_body = stream.parser.state() == SseParser::State::kBody;
      int64_t before = stream.parser.last_id();
      bool completed = stream.parser.Feed(buffer_.data(), n);
      switch (stream.parser.state()) {
        case SseParser::State::kFailed:
          return Lost(s, "stream not answered with 200 and an unchunked body");
        case SseParser::State::kBody:
          if (!was_body) {
            ++established_;
            OpenMore();
          }
          break;
        default:
          break;
      }
      if (completed) EventCompleted(before, stream.parser.last_id());
      if (n < buffer_.size()) break;
    }
    WaitReadable(s);
  }

  void Lost(uint32_t s, const std::string& why) {
    Stream& stream = streams_[s];
    SseParser::State state = stream.parser.state();
    if (state == SseParser::State::kLost) return;
    if (state == SseParser::State::kBody) {
      ++closed_;
    } else {
      ++failed_;
      OpenMore();
    }
    if (first_loss_.empty()) first_loss_ = why;
    beast::error_code ignored;
    stream.socket.close(ignored);
    stream.parser.Lose();
    if (round_active_) CheckRoundDone();
  }

  int Live() const { return established_ - closed_; }

  // Waits until the server has sent the backlog and gone quiet (no bytes for
  // 1 s, at most 10 s), so the RSS reading sees the steady state.
  void Settle() {
    open_seconds_ = Ms(Clock::now() - open_started_) / 1000;
    quiet_since_ = Clock::now();
    quiet_bytes_ = bytes_received_;
    Poll(
        Clock::now() + std::chrono::seconds(10),
        [this] {
          if (bytes_received_ != quiet_bytes_) {
            quiet_bytes_ = bytes_received_;
            quiet_since_ = Clock::now();
          }
          return Clock::now() - quiet_since_ >= std::chrono::seconds(1);
        },
        [this] {
          rss_after_kib_ = RssKib(options_.pid).value_or(0);
          if (Live() == 0) return io_.stop();
          StartRound();
        });
  }

  void StartRound() {
    round_active_ = true;
    target_id_ = 0;
    reached_ = 0;
    round_start_ = last_event_ = Clock::now();
    first_event_.reset();
    round_cpu_ms_ = CpuMs();
    round_server_cpu_ms_ = ProcessCpuMs(options_.pid);
    post_response_ = {};
    asio::async_write(
        post_socket_, asio::buffer(post_request_), [this](beast::error_code ec, size_t) {
          if (ec) return PostFailed(ec.message());
          http::async_read(
              post_socket_, post_buffer_, post_response_, [this](beast::error_code ec, size_t) {
                if (ec) return PostFailed(ec.message());
                auto json = nlohmann::json::parse(post_response_.body(), nullptr, false);
                if (post_response_.result_int() != 201 || !json.is_object() ||
                    !json.contains("seq")) {
                  return PostFailed(fmt::format("HTTP {} {}", post_response_.result_int(),
                                                post_response_.body().substr(0, 200)));
                }
                target_id_ = json["seq"].get<int64_t>();
                post_answered_ = Clock::now();
                for (const Stream& stream : streams_)
                  reached_ += stream.parser.last_id() >= target_id_;
                CheckRoundDone();
              });
        });
    Poll(
        round_start_ + Seconds(options_.round_timeout_s), [this] { return !round_active_; },
        [this] {
          if (round_active_) {
            round_active_ = false;
            fmt::print(stderr,
                       "http_load: fan-out round timed out: {} of {} streams got the message\n",
                       reached_, Live());
            timed_out_rounds_++;
          }
          NextRound();
        });
  }

  void PostFailed(const std::string& why) {
    fmt::print(stderr, "http_load: POST message during fan-out: {}\n", why);
    round_active_ = false;
    post_failed_ = true;
  }

  void EventCompleted(int64_t before, int64_t after) {
    last_event_ = Clock::now();
    if (round_active_ && !first_event_) first_event_ = last_event_;
    if (!round_active_ || target_id_ == 0) return;
    if (before < target_id_ && after >= target_id_) {
      ++reached_;
      CheckRoundDone();
    }
  }

  void CheckRoundDone() {
    if (target_id_ == 0 || reached_ < Live()) return;
    round_active_ = false;
    rounds_.push_back({Ms(post_answered_ - round_start_),
                       Ms(first_event_.value_or(last_event_) - round_start_),
                       Ms(last_event_ - round_start_), CpuMs() - round_cpu_ms_,
                       ProcessCpuMs(options_.pid) - round_server_cpu_ms_});
  }

  void NextRound() {
    if (post_failed_ || static_cast<int>(rounds_.size()) + timed_out_rounds_ >= options_.rounds) {
      return io_.stop();
    }
    // A short pause so rounds do not overlap with late work of the previous one.
    timer_.expires_after(std::chrono::milliseconds(200));
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) StartRound();
    });
  }

  bool Report() {
    int n = established_;
    double per_stream = n > 0 ? static_cast<double>(rss_after_kib_ - rss_before_kib_) / n : 0;
    fmt::print(
        "candor SSE, {} idle streams on one conversation: {} open after {:.1f} s ({} failed, {} "
        "lost after opening); server RSS {:.1f} MiB -> {:.1f} MiB: {:.1f} KiB per stream\n",
        options_.streams, Live(), open_seconds_, failed_, closed_, rss_before_kib_ / 1024.0,
        rss_after_kib_ / 1024.0, per_stream);
    if (!first_loss_.empty()) fmt::print("  first lost stream: {}\n", first_loss_);
    Round worst{};
    std::string all;
    for (const Round& round : rounds_) {
      if (round.last_ms > worst.last_ms) worst = round;
      all += fmt::format("{}{:.1f}", all.empty() ? "" : ", ", round.last_ms);
    }
    if (!rounds_.empty()) {
      fmt::print(
          "candor SSE fan-out, POST until the last of {} streams has the message: {:.1f} ms "
          "(worst of {} rounds: {} ms)\n"
          "  in the worst round the POST was answered after {:.1f} ms, the first stream had the "
          "message after {:.1f} ms; this client used {:.1f} ms of CPU, the server about {:.0f} "
          "ms\n",
          Live(), worst.last_ms, rounds_.size(), all, worst.post_ms, worst.first_ms,
          worst.client_cpu_ms, worst.server_cpu_ms);
    }
    if (timed_out_rounds_ > 0 || post_failed_) {
      fmt::print("candor SSE fan-out: {} rounds timed out after {:.0f} s{}\n", timed_out_rounds_,
                 options_.round_timeout_s, post_failed_ ? ", POST failed" : "");
    }
    bool ok = !rounds_.empty() && !post_failed_ && timed_out_rounds_ == 0;
    fmt::print(
        "#kv streams_open={} streams_failed={} streams_closed={} fanout_ms={:.2f} fanout_ok={}{}\n",
        Live(), failed_, closed_, worst.last_ms, ok ? 1 : 0,
        n > 0 ? fmt::format(" kib_per_stream={:.2f}", per_stream) : "");
    return ok;
  }

  asio::io_context& io_;
  const StreamsOptions options_;
  const std::string post_request_;
  const std::string stream_request_;  // the same bytes for every stream
  std::vector<Stream> streams_;       // reserved up front: elements never move
  std::array<char, 16384> buffer_{};  // shared by all streams, see Readable
  asio::steady_timer timer_;
  Socket post_socket_;
  beast::flat_buffer post_buffer_;
  http::response<http::string_body> post_response_;

  int opened_ = 0;
  int established_ = 0;  // answered with 200 and headers complete
  int failed_ = 0;       // never established
  int closed_ = 0;       // established, then lost
  std::string first_loss_;
  uint64_t bytes_received_ = 0;
  Clock::time_point open_started_;
  double open_seconds_ = 0;
  Clock::time_point quiet_since_;
  uint64_t quiet_bytes_ = 0;
  long rss_before_kib_ = 0;
  long rss_after_kib_ = 0;

  bool round_active_ = false;
  bool post_failed_ = false;
  int timed_out_rounds_ = 0;
  int64_t target_id_ = 0;  // the posted message's seq, once the POST is answered
  int reached_ = 0;        // live streams that have the target event
  Clock::time_point round_start_;
  Clock::time_point last_event_;  // the latest completed event on any stream
  // Where a round's time went, to tell a slow commit from a slow fan-out.
  struct Round {
    double post_ms;   // until the POST was answered
    double first_ms;  // until the first stream had the message
    double last_ms;   // until the last one had it: the figure
    double client_cpu_ms;
    double server_cpu_ms;  // at the kernel's tick resolution (10 ms)
  };
  double round_cpu_ms_ = 0;
  double round_server_cpu_ms_ = 0;
  std::optional<Clock::time_point> first_event_;
  Clock::time_point post_answered_;
  std::vector<Round> rounds_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Load client for bench/http: open-loop POST latency and idle SSE streams."};
  app.require_subcommand(1);
  uint16_t port = 0;

  auto* conversations =
      app.add_subcommand("conversations", "Create conversations, print id and token");
  int count = 64;
  conversations->add_option("--port", port, "candor's port")->required();
  conversations->add_option("--count", count, "How many")->check(CLI::Range(1, 100000));

  auto* rate = app.add_subcommand("rate", "Open-loop POST message load at a fixed rate");
  RateOptions rate_options;
  rate->add_option("--port", rate_options.port, "candor's port")->required();
  rate->add_option("--rate", rate_options.rate, "Messages per second")->check(CLI::Range(1.0, 1e6));
  rate->add_option("--duration", rate_options.duration_s, "Measured seconds")
      ->check(CLI::Range(1.0, 600.0));
  rate->add_option("--text", rate_options.text, "What each message says");
  rate->add_option("--connections", rate_options.connections, "Keep-alive connections")
      ->check(CLI::Range(1, 10000));

  auto* streams =
      app.add_subcommand("streams", "Idle SSE streams: memory per stream, fan-out time");
  StreamsOptions streams_options;
  streams->add_option("--port", streams_options.port, "candor's port")->required();
  streams->add_option("--pid", streams_options.pid, "candor's process id, for its RSS")->required();
  streams->add_option("--streams", streams_options.streams, "How many streams")
      ->check(CLI::Range(1, 1000000));
  streams
      ->add_option("--rounds", streams_options.rounds,
                   "Messages posted one after another; the worst round counts")
      ->check(CLI::Range(1, 100));

  CLI11_PARSE(app, argc, argv);

  asio::io_context io(1);
  if (*conversations) {
    auto created = CreateConversations(io, port, count);
    if (!created) return 1;
    for (const Conversation& c : *created) fmt::print("{} {}\n", c.id, c.token);
    return 0;
  }
  if (*rate) {
    // As many conversations as connections; the messages go to them in turn.
    auto created = CreateConversations(io, rate_options.port, rate_options.connections);
    if (!created) return 1;
    std::vector<std::string> requests;
    for (const Conversation& c : *created) {
      requests.push_back(MessageRequest(rate_options.port, c, rate_options.text));
    }
    OpenLoop load(io, rate_options, std::move(requests));
    load.Run();
    return load.Report() ? 0 : 1;
  }
  rlim_t files = RaiseFileLimit();
  if (files < static_cast<rlim_t>(streams_options.streams) + 16) {
    fmt::print(stderr, "http_load: open files limit is {}, too low for {} streams\n", files,
               streams_options.streams);
    return 1;
  }
  auto conversation = CreateConversation(io, streams_options.port);
  if (!conversation) return 1;
  StreamFanout fanout(io, streams_options, *conversation);
  return fanout.Run() ? 0 : 1;
}
