// Test harness: starts the real candor binary on an ephemeral port against a
// real SQLite file, and talks plain HTTP/1.1 to it over loopback sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace candor::testing {

struct HttpResult {
  int status = 0;                              // 0: no response (connection failed or closed)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json Json() const;
};

// One request on a fresh connection ("Connection: close").
HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = "", const std::string& bearer = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {});

// A customer's conversation: its id and the customer's token.
struct CustomerConversation {
  std::string id;
  std::string token;
};
// Opens one as a new customer would (id and token empty when that failed).
CustomerConversation OpenConversation(uint16_t port);
// The customer says `text` in it.
HttpResult SayAs(uint16_t port, const CustomerConversation& c, const std::string& text);

// Raw bytes out, everything back until the server closes or `timeout` passes.
std::string RawExchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout);

// A connected socket the test controls byte by byte (slow clients).
class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  bool connected() const { return fd_ >= 0; }
  bool Send(const std::string& bytes);
  // Waits up to `timeout` for the server to close the connection (reading and
  // discarding what it sends). True when it closed.
  bool WaitForClose(std::chrono::milliseconds timeout, std::string* received = nullptr);

 private:
  int fd_ = -1;
};

struct SseEvent {
  int64_t id = 0;
  std::string event;
  nlohmann::json data;
};

// Reads a live event stream.
class SseReader {
 public:
  SseReader(uint16_t port, const std::string& target, const std::string& bearer,
            std::optional<int64_t> last_event_id = std::nullopt);
  ~SseReader();
  int status() const { return status_; }
  // The next event, or nullopt when none arrives within `timeout`.
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout);
  // Events until one satisfies `until` (included), or nullopt on timeout.
  std::optional<std::vector<SseEvent>> ReadUntil(bool (*until)(const SseEvent&),
                                                 std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the server to end the stream, collecting the
  // events it sends until then into `events` (if given). True when it ended.
  bool WaitForClose(std::chrono::milliseconds timeout, std::vector<SseEvent>* events = nullptr);

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  bool closed_ = false;  // the server closed the connection
  int status_ = 0;
  std::string buffer_;
};

// The candor binary running as a child process.
class CandorProcess {
 public:
  struct Options {
    std::string data_dir;
    std::vector<std::pair<std::string, std::string>> env;
    std::vector<std::string> args;  // after "serve --port 0 --data DIR"
    uint64_t open_files = 0;        // the child's open-file limit, soft and hard (0: inherited)
    std::string binary = {};        // empty: the candor of this build
  };
  // Starts and waits for "candor listening on ..."; nullptr if it did not start.
  static std::unique_ptr<CandorProcess> Start(const Options& options);
  ~CandorProcess();

  uint16_t port() const { return port_; }
  const std::string& stderr_path() const { return stderr_path_; }
  std::string Stderr() const;
  // SIGTERM and wait; returns the exit status.
  int Stop();
  // SIGKILL and wait: a crash.
  void Crash();

 private:
  int pid_ = -1;
  uint16_t port_ = 0;
  std::string stderr_path_;
};

// Runs `candor ARGS...` to completion with `stdin_text` on its stdin.
struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};
CommandResult RunCandor(const std::vector<std::string>& args, const std::string& stdin_text = "",
                        const std::vector<std::pair<std::string, std::string>>& env = {});
// The same for any program (`binary` an absolute path).
CommandResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& stdin_text = "",
                         const std::vector<std::pair<std::string, std::string>>& env = {});

// A fresh, empty directory under the system temp dir, removed by the caller.
std::string MakeTempDir(const std::string& name);

}  // namespace candor::testing
