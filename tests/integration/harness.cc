#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace candor::testing {
namespace {

int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
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
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Reads what is available until close or deadline. False on deadline.
bool ReadUntilClose(int fd, std::string& out, std::chrono::steady_clock::time_point deadline) {
  char chunk[16384];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return true;
    out.append(chunk, static_cast<size_t>(n));
  }
}

HttpResult ParseResponse(const std::string& raw) {
  HttpResult result;
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) return result;
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  result.status = std::atoi(line.c_str() + line.find(' ') + 1);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(c));
    result.headers[name] = line.substr(colon + 2);
  }
  result.body = raw.substr(head_end + 4);
  return result;
}

}  // namespace

nlohmann::json HttpResult::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

CustomerConversation OpenConversation(uint16_t port) {
  auto made = Http(port, "POST", "/api/v1/conversations");
  if (made.status != 201) return {};
  auto json = made.Json();
  return {json.value("id", ""), json.value("customer_token", "")};
}

HttpResult SayAs(uint16_t port, const CustomerConversation& c, const std::string& text) {
  return Http(port, "POST", "/api/v1/conversations/" + c.id + "/messages",
              nlohmann::json({{"text", text}}).dump(), c.token);
}

HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const std::string& bearer,
                const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "Connection: close\r\n";
  if (!bearer.empty()) request += "Authorization: Bearer " + bearer + "\r\n";
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    request += name + ": " + value + "\r\n";
    if (name == "Content-Type") has_type = true;
  }
  if (!body.empty() && !has_type) request += "Content-Type: application/json\r\n";
  if (method != "GET") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  return ParseResponse(RawExchange(port, request, std::chrono::seconds(20)));
}

std::string RawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds timeout) {
  int fd = Connect(port);
  if (fd < 0) return {};
  std::string out;
  if (SendAll(fd, bytes)) ReadUntilClose(fd, out, std::chrono::steady_clock::now() + timeout);
  ::close(fd);
  return out;
}

RawConnection::RawConnection(uint16_t port) : fd_(Connect(port)) {}
RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}
bool RawConnection::Send(const std::string& bytes) { return SendAll(fd_, bytes); }
bool RawConnection::WaitForClose(std::chrono::milliseconds timeout, std::string* received) {
  std::string out;
  const bool closed = ReadUntilClose(fd_, out, std::chrono::steady_clock::now() + timeout);
  if (received) *received = out;
  return closed;
}

SseReader::SseReader(uint16_t port, const std::string& target, const std::string& bearer,
                     std::optional<int64_t> last_event_id) {
  fd_ = Connect(port);
  if (fd_ < 0) return;
  std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  if (!bearer.empty()) request += "Authorization: Bearer " + bearer + "\r\n";
  if (last_event_id) request += "Last-Event-ID: " + std::to_string(*last_event_id) + "\r\n";
  request += "\r\n";
  if (!SendAll(fd_, request)) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (buffer_.find("\r\n\r\n") == std::string::npos) {
    if (!Fill(deadline)) break;
  }
  const size_t head_end = buffer_.find("\r\n\r\n");
  if (head_end == std::string::npos) return;
  HttpResult head = ParseResponse(buffer_.substr(0, head_end + 4));
  status_ = head.status;
  buffer_.erase(0, head_end + 4);
}

SseReader::~SseReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool SseReader::Fill(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (fd_ < 0 || left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

bool SseReader::WaitForClose(std::chrono::milliseconds timeout, std::vector<SseEvent>* events) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto event = Next(left);
    if (event && events != nullptr) events->push_back(*event);
    if (!event && !closed_) return false;
  }
  return true;
}

std::optional<SseEvent> SseReader::Next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t end;
    while ((end = buffer_.find("\n\n")) != std::string::npos) {
      const std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      SseEvent event;
      bool has_data = false;
      std::istringstream lines(block);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.rfind("id: ", 0) == 0) event.id = std::stoll(line.substr(4));
        if (line.rfind("event: ", 0) == 0) event.event = line.substr(7);
        if (line.rfind("data: ", 0) == 0) {
          event.data = nlohmann::json::parse(line.substr(6), nullptr, false);
          has_data = true;
        }
      }
      if (has_data) return event;  // comments (": ping") and "retry:" carry no event
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

std::optional<std::vector<SseEvent>> SseReader::ReadUntil(bool (*until)(const SseEvent&),
                                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<SseEvent> events;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto event = Next(left);
    if (!event) return std::nullopt;
    events.push_back(*event);
    if (until(*event)) return events;
  }
}

std::unique_ptr<CandorProcess> CandorProcess::Start(const Options& options) {
  auto process = std::unique_ptr<CandorProcess>(new CandorProcess());
  const std::filesystem::path data(options.data_dir);
  process->stderr_path_ =
      (data.parent_path() / (data.filename().string() + ".stderr.log")).string();
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return nullptr;
  const std::string binary = options.binary.empty() ? CANDOR_BINARY : options.binary;
  std::vector<std::string> args = {binary, "serve", "--port", "0", "--data", options.data_dir};
  args.insert(args.end(), options.args.begin(), options.args.end());
  const int pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    int err = ::open(process->stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    for (const auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
    if (options.open_files > 0) {
      rlimit limit{options.open_files, options.open_files};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  process->pid_ = pid;
  // The first stdout line names the port.
  std::string line;
  char c;
  pollfd p{out_pipe[0], POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::poll(&p, 1, 100) <= 0) continue;
    if (::read(out_pipe[0], &c, 1) != 1) break;
    if (c == '\n') break;
    line += c;
  }
  ::close(out_pipe[0]);
  const size_t colon = line.rfind(':');
  if (line.rfind("candor listening on", 0) != 0 || colon == std::string::npos) return nullptr;
  process->port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
  return process;
}

CandorProcess::~CandorProcess() {
  if (pid_ > 0) Stop();
  std::filesystem::remove(stderr_path_);
}

std::string CandorProcess::Stderr() const {
  std::ifstream in(stderr_path_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int CandorProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void CandorProcess::Crash() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

CommandResult RunCandor(const std::vector<std::string>& args, const std::string& stdin_text,
                        const std::vector<std::pair<std::string, std::string>>& env) {
  return RunProgram(CANDOR_BINARY, args, stdin_text, env);
}

CommandResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& stdin_text,
                         const std::vector<std::pair<std::string, std::string>>& env) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) return {};
  const int pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(out_pipe[1], STDERR_FILENO);
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> all = {binary};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::signal(SIGPIPE, SIG_IGN);  // the command may exit without reading its input
  for (size_t written = 0; written < stdin_text.size();) {
    ssize_t n = ::write(in_pipe[1], stdin_text.data() + written, stdin_text.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  ::close(in_pipe[1]);
  CommandResult result;
  char chunk[4096];
  ssize_t n;
  while ((n = ::read(out_pipe[0], chunk, sizeof chunk)) > 0) result.out.append(chunk, n);
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string MakeTempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("candor-it-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace candor::testing
