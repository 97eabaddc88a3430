// The demo deployment as a newcomer starts it (`candor serve --demo`: its
// models, knowledge base, policy and seed data), with the calls the tests of
// people's work and of the audit make on it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace candor::testing {

class DemoDeployment {
 public:
  using Conversation = CustomerConversation;

  explicit DemoDeployment(const std::string& name,
                          std::vector<std::pair<std::string, std::string>> env = {})
      : dir_(MakeTempDir(name)), env_(std::move(env)) {}
  ~DemoDeployment();

  // Starts (or restarts) the server on the same data; false if it did not start.
  bool Start();
  CandorProcess& server() { return *server_; }
  void Stop();   // SIGTERM
  void Crash();  // SIGKILL
  uint16_t port() const { return server_->port(); }
  const std::string& data_dir() const { return data_; }

  // The demo's admin ("demo"), or a new agent added with `candor agent add`.
  std::string DemoAgentToken();
  std::string NewAgentToken(const std::string& name);

  Conversation NewConversation();
  HttpResult Say(const Conversation& c, const std::string& text);
  nlohmann::json Events(const std::string& id, const std::string& token);
  // Waits on the conversation's live stream (from its start) for the first
  // event that satisfies `until`; its data, or null after `timeout`.
  nlohmann::json WaitFor(const std::string& id, const std::string& token,
                         const std::function<bool(const SseEvent&)>& until,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Says `text` and waits for the draft it leads to; the draft's seq or 0.
  int64_t SayAndAwaitDraft(const Conversation& c, const std::string& text,
                           const std::string& agent_token);

  // Runs `calls` copies of `call` at the same moment, each on its own thread.
  static std::vector<HttpResult> AllAtOnce(int calls, const std::function<HttpResult(int)>& call);

 private:
  std::string dir_;
  std::string data_ = dir_ + "/data";
  std::vector<std::pair<std::string, std::string>> env_;
  std::unique_ptr<CandorProcess> server_;
};

}  // namespace candor::testing
