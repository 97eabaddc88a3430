#include "demo_deployment.h"

#include <atomic>
#include <filesystem>

namespace candor::testing {

DemoDeployment::~DemoDeployment() {
  server_.reset();
  std::filesystem::remove_all(dir_);
}

bool DemoDeployment::Start() {
  server_.reset();
  server_ = CandorProcess::Start({data_, env_, {"--demo"}});
  return server_ != nullptr;
}

void DemoDeployment::Stop() {
  if (server_) server_->Stop();
}

void DemoDeployment::Crash() {
  if (server_) server_->Crash();
}

std::string DemoDeployment::DemoAgentToken() {
  return Http(port(), "POST", "/api/v1/agents/login", R"({"name":"demo","password":"candor-demo"})")
      .Json()
      .value("token", "");
}

std::string DemoDeployment::NewAgentToken(const std::string& name) {
  auto added = RunCandor({"agent", "add", name, "--data", data_}, "a-long-password\n");
  if (added.exit_code != 0) return "";
  return Http(port(), "POST", "/api/v1/agents/login",
              nlohmann::json({{"name", name}, {"password", "a-long-password"}}).dump())
      .Json()
      .value("token", "");
}

DemoDeployment::Conversation DemoDeployment::NewConversation() { return OpenConversation(port()); }

HttpResult DemoDeployment::Say(const Conversation& c, const std::string& text) {
  return SayAs(port(), c, text);
}

nlohmann::json DemoDeployment::Events(const std::string& id, const std::string& token) {
  return Http(port(), "GET", "/api/v1/conversations/" + id + "/events", "", token)
      .Json()
      .value("events", nlohmann::json::array());
}

nlohmann::json DemoDeployment::WaitFor(const std::string& id, const std::string& token,
                                       const std::function<bool(const SseEvent&)>& until,
                                       std::chrono::milliseconds timeout) {
  SseReader stream(port(), "/api/v1/conversations/" + id + "/stream", token, 0);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = stream.Next(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!event) break;
    if (until(*event)) {
      nlohmann::json data = event->data;
      data["_id"] = event->id;
      return data;
    }
  }
  return nullptr;
}

int64_t DemoDeployment::SayAndAwaitDraft(const Conversation& c, const std::string& text,
                                         const std::string& agent_token) {
  const size_t drafts_before = [&] {
    size_t n = 0;
    for (const auto& e : Events(c.id, agent_token)) n += e.value("type", "") == "draft";
    return n;
  }();
  if (Say(c, text).status != 201) return 0;
  size_t seen = 0;
  auto draft = WaitFor(c.id, agent_token, [&](const SseEvent& e) {
    return e.event == "draft" && ++seen > drafts_before;
  });
  return draft.is_null() ? 0 : draft.value("seq", int64_t{0});
}

std::vector<HttpResult> DemoDeployment::AllAtOnce(int calls,
                                                  const std::function<HttpResult(int)>& call) {
  std::vector<HttpResult> results(static_cast<size_t>(calls));
  std::atomic<int> ready = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < calls; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < calls) std::this_thread::yield();  // all start together
      results[static_cast<size_t>(i)] = call(i);
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

}  // namespace candor::testing
