// stream_burst: one client with one customer token opens and closes live
// streams as fast as it can, then asks how long the server takes to let go.
//
//   stream_burst --port P --streams N [--in-flight K]
//
// Each stream: connect, GET /api/v1/conversations/{id}/stream, read the
// response head, close. K streams are kept in flight at once. Afterwards the
// client polls /healthz and /metrics every 5 ms and reports how long until
// /healthz answers 200 and candor_sse_streams_open is back to 0: the time the
// server holds connections its clients have already closed.
//
// Prints human-readable lines and one "#kv key=value ..." line.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// The status of the response on `fd` once its head is in; 0 when none came.
int ReadStatus(int fd, std::string& buffer) {
  char chunk[4096];
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (buffer.find("\r\n\r\n") == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return 0;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return 0;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  if (buffer.size() < 12 || buffer.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::stoi(buffer.substr(9, 3));
}

struct Response {
  int status = 0;
  std::string body;
};

Response Request(uint16_t port, const std::string& method, const std::string& target) {
  Response response;
  const int fd = Connect(port);
  if (fd < 0) return response;
  std::string buffer;
  if (SendAll(fd, method + " " + target +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      "Content-Length: 0\r\n\r\n")) {
    response.status = ReadStatus(fd, buffer);
    char chunk[16384];
    for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;)
      buffer.append(chunk, static_cast<size_t>(n));
    const size_t head = buffer.find("\r\n\r\n");
    if (head != std::string::npos) response.body = buffer.substr(head + 4);
  }
  ::close(fd);
  return response;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "stream_burst: open and close live streams fast, then time how long the server "
      "holds them"};
  int port = 0;
  int streams = 2100;
  int in_flight = 32;
  app.add_option("--port", port, "candor's port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--streams", streams, "streams to open and close")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--in-flight", in_flight, "streams being opened at once")
      ->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  const auto p = static_cast<uint16_t>(port);

  Response made = Request(p, "POST", "/api/v1/conversations");
  if (made.status != 201) {
    fmt::print(stderr, "stream_burst: could not start a conversation ({})\n", made.status);
    return 1;
  }
  const auto conversation = nlohmann::json::parse(made.body);
  const std::string request = "GET /api/v1/conversations/" + conversation["id"].get<std::string>() +
                              "/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              conversation["customer_token"].get<std::string>() + "\r\n\r\n";

  std::map<int, int> statuses;  // status (0: no response) -> count
  const auto start = Clock::now();
  for (int done = 0; done < streams;) {
    const int batch = std::min(in_flight, streams - done);
    std::vector<int> fds;
    for (int i = 0; i < batch; ++i) {
      const int fd = Connect(p);
      if (fd >= 0 && !SendAll(fd, request)) {
        ::close(fd);
        fds.push_back(-1);
      } else {
        fds.push_back(fd);
      }
    }
    for (int fd : fds) {
      std::string buffer;
      ++statuses[fd < 0 ? 0 : ReadStatus(fd, buffer)];
      if (fd >= 0) ::close(fd);
    }
    done += batch;
  }
  const auto burst = Clock::now() - start;

  // How long until the server answers again and holds no stream.
  const auto closed = Clock::now();
  std::optional<double> healthy_ms, released_ms;
  while ((!healthy_ms || !released_ms) && Clock::now() - closed < std::chrono::seconds(60)) {
    if (!healthy_ms && Request(p, "GET", "/healthz").status == 200) {
      healthy_ms = Ms(Clock::now() - closed);
    }
    if (!released_ms) {
      Response metrics = Request(p, "GET", "/metrics");
      if (metrics.status == 200 &&
          metrics.body.find("candor_sse_streams_open 0\n") != std::string::npos) {
        released_ms = Ms(Clock::now() - closed);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  fmt::print("stream burst: {} streams opened and closed in {:.0f} ms ({:.0f}/s), {} in flight\n",
             streams, Ms(burst), streams / (Ms(burst) / 1000.0), in_flight);
  std::string kv;
  for (const auto& [status, count] : statuses) {
    fmt::print(
        "  {:>5} {}\n", count,
        status == 0 ? std::string("no answer or reset") : "answered " + std::to_string(status));
    kv += fmt::format(" status_{}={}", status, count);
  }
  const auto shown = [](const std::optional<double>& ms) {
    return ms ? fmt::format("{:.0f} ms", *ms) : std::string("not within 60 s");
  };
  fmt::print("  after the burst: /healthz answered 200 after {}; streams open back to 0 after {}\n",
             shown(healthy_ms), shown(released_ms));
  fmt::print("#kv streams={} burst_ms={:.0f} healthz_ms={:.0f} released_ms={:.0f}{}\n", streams,
             Ms(burst), healthy_ms.value_or(-1), released_ms.value_or(-1), kv);
  return healthy_ms && released_ms ? 0 : 1;
}
