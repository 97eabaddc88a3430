// The access matrix: every route and stream the server has (read from its own
// /api/openapi.json, which is generated from the route table, so a new route
// cannot be left out) against every kind of caller, each with the status the
// route's access level demands.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "harness.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

struct Credential {
  std::string label;
  std::string token;
};

// What a caller may do, from the route's access level.
enum class Expect { kAllowed, k401, k403 };

Expect Expected(const std::string& access, const std::string& caller) {
  if (access == "public") return Expect::kAllowed;
  if (caller == "no token" || caller == "garbage token" || caller == "logged-out session" ||
      caller == "expired session" || caller == "disabled agent") {
    return Expect::k401;
  }
  if (caller == "another conversation's customer") return Expect::k403;
  if (caller == "customer") {
    return access == "conversation" || access == "customer" ? Expect::kAllowed : Expect::k403;
  }
  if (caller == "agent") {
    return access == "conversation" || access == "agent" ? Expect::kAllowed : Expect::k403;
  }
  if (caller == "admin") return access == "customer" ? Expect::k403 : Expect::kAllowed;
  ADD_FAILURE() << "no rule for " << caller;
  return Expect::k403;
}

// The path with its parameters filled in.
std::string Fill(std::string path, const std::string& conversation) {
  auto put = [&](const std::string& name, const std::string& value) {
    for (size_t at; (at = path.find(name)) != std::string::npos;)
      path.replace(at, name.size(), value);
  };
  put("{id}", conversation);
  put("{message}", conversation + ".1");
  put("{seq}", "1");
  put("{name}", "zed");
  put("{file}", "nothing.js");
  return path;
}

class Server {
 public:
  Server(const std::string& dir, std::vector<std::pair<std::string, std::string>> env)
      : data_(dir) {
    env.emplace_back("CANDOR_LOGIN_ATTEMPTS_PER_MINUTE", "100000");
    process_ = CandorProcess::Start({data_, std::move(env), {"--demo"}});
  }
  bool ok() const { return process_ != nullptr; }
  uint16_t port() const { return process_->port(); }
  const std::string& data() const { return data_; }
  std::string Login(const std::string& name, const std::string& password) {
    auto login = Http(port(), "POST", "/api/v1/agents/login",
                      nlohmann::json({{"name", name}, {"password", password}}).dump());
    EXPECT_EQ(login.status, 200) << login.body;
    return login.Json().value("token", "");
  }
  std::string AddAgent(const std::string& name) {
    auto added =
        RunCandor({"agent", "add", name, "--role", "agent", "--data", data_}, "a-long-password\n");
    EXPECT_EQ(added.exit_code, 0) << added.out;
    return Login(name, "a-long-password");
  }
  std::pair<std::string, std::string> NewConversation() {
    auto made = Http(port(), "POST", "/api/v1/conversations").Json();
    const std::string id = made["id"], token = made["customer_token"];
    EXPECT_EQ(Http(port(), "POST", "/api/v1/conversations/" + id + "/messages",
                   R"({"text":"Hallo"})", token)
                  .status,
              201);
    return {id, token};
  }
  // One request; streams are opened, their status read, and closed.
  int Call(const std::string& method, const std::string& path, bool stream,
           const std::string& token) {
    if (stream) return SseReader(port(), path, token).status();
    return Http(port(), method, path, method == "POST" ? "{}" : "", token).status;
  }

 private:
  std::string data_;
  std::unique_ptr<CandorProcess> process_;
};

TEST(AccessMatrixTest, EveryRouteAndStreamRefusesEveryWrongCaller) {
  const std::string dir = MakeTempDir("AccessMatrix");
  Server server(dir + "/data", {});
  ASSERT_TRUE(server.ok());
  // The expired session comes from a second server whose sessions idle out in a second.
  Server short_lived(dir + "/short", {{"CANDOR_SESSION_IDLE_TIMEOUT_MS", "1000"}});
  ASSERT_TRUE(short_lived.ok());

  const auto [conversation, customer] = server.NewConversation();
  const auto [other_conversation, other_customer] = server.NewConversation();
  (void)other_conversation;
  const std::string agent = server.AddAgent("anna");
  const std::string admin = server.Login("demo", "candor-demo");
  server.AddAgent("zed");  // the agent the admin routes act on
  const std::string logged_out = server.AddAgent("lou");
  ASSERT_EQ(Http(server.port(), "POST", "/api/v1/agents/logout", "", logged_out).status, 200);
  const std::string disabled = server.AddAgent("dora");
  ASSERT_EQ(RunCandor({"agent", "disable", "dora", "--data", server.data()}).exit_code, 0);

  const auto [short_conversation, short_customer] = short_lived.NewConversation();
  (void)short_customer;
  const std::string expired = short_lived.Login("demo", "candor-demo");
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {
    // Asked as a background refresh, which does not renew the session.
    ended = Http(short_lived.port(), "GET", "/api/v1/inbox", "", expired,
                 {{"X-Candor-Background", "1"}})
                .status == 401;
    if (!ended) std::this_thread::sleep_for(100ms);  // until the idle time has passed
  }
  ASSERT_TRUE(ended) << "the short-lived session never expired";

  std::vector<Credential> callers = {{"no token", ""},
                                     {"garbage token", "garbage-token"},
                                     {"another conversation's customer", other_customer},
                                     {"customer", customer},
                                     {"agent", agent},
                                     {"admin", admin},
                                     {"logged-out session", logged_out},
                                     {"disabled agent", disabled},
                                     {"expired session", expired}};

  auto doc = Http(server.port(), "GET", "/api/openapi.json").Json();
  ASSERT_TRUE(doc["paths"].is_object());
  int routes = 0, cells = 0, streams = 0;
  for (const auto& [pattern, operations] : doc["paths"].items()) {
    for (const auto& [method_lower, operation] : operations.items()) {
      ++routes;
      std::string method = method_lower;
      for (auto& ch : method) ch = static_cast<char>(std::toupper(ch));
      ASSERT_TRUE(operation.contains("x-candor-access")) << method << " " << pattern;
      const std::string access = operation["x-candor-access"];
      const bool stream = operation.value("x-candor-stream", false);
      if (stream) ++streams;
      for (auto& caller : callers) {
        const bool on_short = caller.label == "expired session";
        Server& target = on_short ? short_lived : server;
        const std::string path = Fill(pattern, on_short ? short_conversation : conversation);
        const int status = target.Call(method, path, stream, caller.token);
        ++cells;
        const std::string cell =
            method + " " + pattern + " × " + caller.label + " → " + std::to_string(status);
        EXPECT_GT(status, 0) << cell << ": no answer";
        EXPECT_LT(status, 500) << cell;
        switch (Expected(access, caller.label)) {
          case Expect::k401:
            EXPECT_EQ(status, 401) << cell;
            break;
          case Expect::k403:
            EXPECT_EQ(status, 403) << cell;
            break;
          case Expect::kAllowed:
            EXPECT_NE(status, 401) << cell;
            EXPECT_NE(status, 403) << cell;
            break;
        }
        // A route that ends sessions (logout) ends the one it was called with.
        if ((caller.label == "agent" || caller.label == "admin") &&
            Http(server.port(), "GET", "/api/v1/inbox", "", caller.token).status == 401) {
          caller.token = caller.label == "agent" ? server.Login("anna", "a-long-password")
                                                 : server.Login("demo", "candor-demo");
        }
      }
    }
  }
  EXPECT_GT(routes, 40);
  EXPECT_GE(streams, 1);
  std::cout << routes << " routes (" << streams << " streams) × " << callers.size()
            << " callers = " << cells << " cells checked\n";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::testing
