// libFuzzer target: HTTP requests and their JSON bodies through candor's real
// server: Beast's parser, the route table, authentication and every handler,
// on a real SQLite store, over a loopback socket. The intake runs receive and
// protect, the answering runner handoff, review and deliver (the stages that
// need no language models).
//
// An input is the raw bytes a client sends. Before sending, the harness puts
// real credentials in for these markers, so inputs reach past the checks of
// who is asking: {conversation} (a conversation of the harness), {customer}
// (its customer's token), {agent} (an admin's session token).
//
// Beyond not crashing, every response must be HTTP with a status below 500:
// bad input gets a 4xx that names the problem, never a server error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/log.h"
#include "pipeline/pipeline.h"
#include "pipeline/protector.h"
#include "privacy/privacy.h"
#include "privacy/vault.h"
#include "server/auth.h"
#include "server/server.h"
#include "store/store.h"

namespace candor {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
  std::abort();
}

template <typename T>
T Must(Result<T> result, const char* what) {
  if (!result.ok()) Fail(std::string(what) + ": " + result.status().message());
  return std::move(result).value();
}

// The whole deployment, built once per process and never torn down: the
// server thread runs until the process exits.
struct Deployment {
  SystemClock clock;
  Logger logger{stderr, LogLevel::kOff, clock};
  std::unique_ptr<Store> store;
  std::unique_ptr<LedgerService> ledger;
  std::unique_ptr<privacy::PiiScanner> scanner;
  std::unique_ptr<Protector> protector;
  std::unique_ptr<StoreEventSink> sink;
  std::unique_ptr<Runner> intake;
  std::unique_ptr<Runner> answering;
  std::unique_ptr<Server> server;
  uint16_t port = 0;
  std::string conversation;
  std::string customer_token;
  std::string agent_token;
};

Deployment* Deploy() {
  if (!InitCrypto().ok()) Fail("libsodium did not start");
  auto* d = new Deployment;
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("candor-http-fuzz-" + std::to_string(getpid())))
          .string();
  std::filesystem::create_directories(dir);
  // Removed at exit (the open database's files go with it; Linux keeps them
  // readable for the server thread until the process ends).
  static std::string scratch_dir = dir;
  std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_dir, ignored);
  });
  d->store = Must(OpenSqliteStore(dir + "/candor.db", d->clock), "store");
  d->ledger = Must(LedgerService::Open(*d->store, ledger::SigningKey::Generate(), LedgerOptions{},
                                       d->clock, d->logger),
                   "ledger");
  d->scanner =
      std::make_unique<privacy::PiiScanner>(Must(privacy::PiiScanner::Create(), "scanner"));
  d->protector = std::make_unique<Protector>(*d->store, *d->scanner, vault::SecretKey::Random());
  d->sink = std::make_unique<StoreEventSink>(*d->store);
  std::vector<std::unique_ptr<Stage>> intake_stages;
  intake_stages.push_back(MakeReceiveStage(*d->store));
  intake_stages.push_back(MakeProtectStage(*d->protector));
  d->intake = std::make_unique<Runner>(std::move(intake_stages), *d->sink, d->clock);
  // The answering stages that need no models: people's replies and approved
  // drafts are delivered through them.
  std::vector<std::unique_ptr<Stage>> answering_stages;
  answering_stages.push_back(MakeHandoffStage());
  answering_stages.push_back(MakeReviewStage());
  answering_stages.push_back(MakeDeliverStage());
  d->answering = std::make_unique<Runner>(std::move(answering_stages), *d->sink, d->clock);

  // A conversation and an admin's session, as the API would have made them.
  d->conversation = "c_fuzz";
  d->customer_token = NewToken("ct");
  const ConversationRecord conversation{d->conversation, HashToken(d->customer_token),
                                        d->clock.Now(), 0,
                                        d->protector->NewConversationKey(d->conversation)};
  if (!d->store->CreateConversation(conversation).ok()) Fail("cannot create the conversation");
  auto agent =
      Must(d->store->AddAgent({0, "fuzz", AgentRole::kAdmin,
                               Must(HashPassword("fuzz-password"), "hash"), d->clock.Now()}),
           "agent");
  d->agent_token = NewToken("at");
  if (!d->store
           ->CreateSession(
               {HashToken(d->agent_token), agent.id, d->clock.Now() + std::chrono::hours(24)})
           .ok()) {
    Fail("cannot create the session");
  }

  ServerOptions options;
  options.port = 0;
  options.io_threads = 1;
  // Short limits: an input that stops half-way must not hold the next one up.
  options.header_timeout = std::chrono::milliseconds(500);
  options.body_timeout = std::chrono::milliseconds(500);
  options.write_timeout = std::chrono::milliseconds(500);
  options.login_attempts_per_minute = 1e9;
  options.login_burst = 1e9;
  options.conversations_per_minute_per_ip = 1e9;
  ServerDeps deps{*d->store,  *d->intake, *d->answering, *d->protector,
                  *d->ledger, d->clock,   d->logger};
  d->server = std::make_unique<Server>(options, std::move(deps));
  d->port = Must(d->server->Listen(), "listen");
  std::thread([d] { d->server->Run(); }).detach();
  return d;
}

void ReplaceAll(std::string& text, std::string_view marker, const std::string& value) {
  for (size_t at = text.find(marker); at != std::string::npos;
       at = text.find(marker, at + value.size())) {
    text.replace(at, marker.size(), value);
  }
}

// Sends `request`, half-closes, and reads until the server closes.
std::string Exchange(uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) Fail("no socket");
  // The server closes first, so each exchange leaves its address pair in
  // TIME_WAIT for a minute: one source address would run out of ports within
  // 30,000 inputs. Every 127/8 address is loopback; take turns over 65,536.
  static std::atomic<uint32_t> exchanges{0};
  const uint32_t n = exchanges++;
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl((127u << 24) | (1u << 16) | (n & 0xffff));
  if (bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
    Fail("cannot bind a loopback source address");
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // libFuzzer's timer signal may interrupt the calls below; each is resumed.
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINTR) Fail(std::string("cannot connect to the server: ") + std::strerror(errno));
    pollfd p{fd, POLLOUT, 0};
    while (poll(&p, 1, 10'000) < 0 && errno == EINTR) {
    }
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) Fail(std::string("cannot connect to the server: ") + std::strerror(error));
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server answered early and closed: fine
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string response;
  char buffer[16384];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return response;
}

// Every response in `bytes` (several when requests were pipelined) is HTTP
// with a status below 500.
void CheckResponses(std::string_view bytes) {
  for (size_t at = bytes.find("HTTP/1.1 "); at != std::string_view::npos;
       at = bytes.find("\r\n\r\nHTTP/1.1 ", at + 1)) {
    if (bytes.substr(at, 4) == "\r\n\r\n") at += 4;
    const std::string_view status = bytes.substr(at + 9, 3);
    if (status.size() == 3 && status[0] == '5' && status != "503") {
      Fail("a request got a server error: " + std::string(bytes.substr(at, 400)));
    }
  }
}

}  // namespace
}  // namespace candor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static candor::Deployment* deployment = candor::Deploy();
  std::string request(reinterpret_cast<const char*>(data), size);
  // Streams stay open by design; the integration tests cover them.
  if (request.find("/stream") != std::string::npos) return 0;
  candor::ReplaceAll(request, "{conversation}", deployment->conversation);
  candor::ReplaceAll(request, "{customer}", deployment->customer_token);
  candor::ReplaceAll(request, "{agent}", deployment->agent_token);
  candor::CheckResponses(candor::Exchange(deployment->port, request));
  return 0;
}
