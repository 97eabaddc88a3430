// "Promises kept" and "people in charge" from the outside: promised reply
// times become tracked promises, missed ones are escalated and told to the
// customer honestly; a person taking over gets the whole context; admins see
// the trust metrics.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

bool IsCommitment(const SseEvent& e, const char* change) {
  return e.event == "commitment" && e.data.value("change", "") == change;
}
bool IsMade(const SseEvent& e) { return IsCommitment(e, "made"); }
bool IsKept(const SseEvent& e) { return IsCommitment(e, "kept"); }
bool IsMissed(const SseEvent& e) { return IsCommitment(e, "missed"); }
bool IsAiMessage(const SseEvent& e) {
  return e.event == "message" && e.data.value("author", "") == "ai";
}

class PromisesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("PromisesApi");
    data_ = dir_ + "/data";
    // Always open, checked often: the test's outcome does not depend on the
    // hour it runs at, and it waits on events, not on sleeps.
    server_ = CandorProcess::Start({data_,
                                    {{"CANDOR_BUSINESS_HOURS", "Mo-So 00:00-24:00"},
                                     {"CANDOR_PROMISE_CHECK_INTERVAL_MS", "100"}},
                                    {"--demo"}});
    ASSERT_NE(server_, nullptr);
    port_ = server_->port();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  struct Conversation {
    std::string id, token;
  };
  Conversation Start() {
    auto created = Http(port_, "POST", "/api/v1/conversations").Json();
    return {created["id"], created["customer_token"]};
  }
  std::string Login(const std::string& name = "demo", const std::string& password = "candor-demo") {
    auto login = Http(port_, "POST", "/api/v1/agents/login",
                      nlohmann::json({{"name", name}, {"password", password}}).dump());
    EXPECT_EQ(login.status, 200) << login.body;
    return login.Json().value("token", "");
  }
  std::string Path(const Conversation& c, const std::string& rest) {
    return "/api/v1/conversations/" + c.id + rest;
  }
  nlohmann::json Promises(const Conversation& c, const std::string& token) {
    auto response = Http(port_, "GET", Path(c, "/promises"), "", token);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.Json()["promises"];
  }

  std::string dir_, data_;
  std::unique_ptr<CandorProcess> server_;
  uint16_t port_ = 0;
};

TEST_F(PromisesApiTest, NoOneOnDutyGivesABusinessHoursPromiseKeptWhenAPersonTakesOver) {
  auto c = Start();
  SseReader stream(port_, Path(c, "/stream"), c.token);
  ASSERT_EQ(Http(port_, "POST", Path(c, "/handoff"), "", c.token).status, 200);
  // No agent has been seen: the promise comes from the team's hours, not a guess.
  auto made = stream.ReadUntil(IsMade, 10s);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->back().data["source"], "business_hours");
  EXPECT_NE(made->back().data["notice"]["en"].get<std::string>().find("No one is on duty"),
            std::string::npos);
  auto promises = Promises(c, c.token);
  ASSERT_EQ(promises.size(), 1u);
  EXPECT_EQ(promises[0]["state"], "open");

  const std::string agent = Login();
  auto queue = Http(port_, "GET", Path(c, "/queue"), "", c.token).Json();
  EXPECT_EQ(queue["agents_online"], 1);
  EXPECT_FALSE(queue["expected_wait_seconds"].is_null()) << queue.dump();
  ASSERT_EQ(Http(port_, "POST", Path(c, "/take"), "", agent).status, 200);
  auto kept = stream.ReadUntil(IsKept, 10s);
  ASSERT_TRUE(kept);
  EXPECT_EQ(Promises(c, c.token)[0]["state"], "kept");
}

TEST_F(PromisesApiTest, APersonsWordsBecomeAPromiseTheCustomerCanHoldThemTo) {
  const std::string agent = Login();
  auto c = Start();
  SseReader stream(port_, Path(c, "/stream"), c.token);
  ASSERT_EQ(Http(port_, "POST", Path(c, "/handoff"), "", c.token).status, 200);
  ASSERT_TRUE(stream.ReadUntil(IsMade, 10s));  // the queue's estimate
  ASSERT_EQ(Http(port_, "POST", Path(c, "/take"), "", agent).status, 200);
  ASSERT_TRUE(stream.ReadUntil(IsKept, 10s));

  auto reply =
      Http(port_, "POST", Path(c, "/replies"),
           R"({"text":"Ich kläre das mit der Buchhaltung und melde mich in 2 Stunden."})", agent);
  ASSERT_EQ(reply.status, 201) << reply.body;
  auto made = stream.ReadUntil(IsMade, 10s);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->back().data["source"], "agent");
  EXPECT_EQ(made->back().data["agent"], "demo");
  auto promises = Promises(c, c.token);
  ASSERT_EQ(promises.size(), 2u);
  EXPECT_EQ(promises[1]["source"], "agent");
  EXPECT_EQ(promises[1]["state"], "open");
  // The next reply answers it in time.
  ASSERT_EQ(Http(port_, "POST", Path(c, "/replies"),
                 R"({"text":"Erledigt: die Gebühr ist erstattet."})", agent)
                .status,
            201);
  ASSERT_TRUE(stream.ReadUntil(IsKept, 10s));
  EXPECT_EQ(Promises(c, c.token)[1]["state"], "kept");

  // A reply that names no time promises nothing.
  ASSERT_EQ(Http(port_, "POST", Path(c, "/replies"), R"({"text":"Gern geschehen."})", agent).status,
            201);
  ASSERT_EQ(Http(port_, "POST", Path(c, "/handback"), "", agent).status, 200);
  EXPECT_EQ(Promises(c, agent).size(), 2u);
}

TEST_F(PromisesApiTest, AMissedPromiseIsEscalatedAndTheCustomerIsToldWithANewTime) {
  const std::string agent = Login();
  auto first = Start();
  auto late = Start();
  ASSERT_EQ(Http(port_, "POST", Path(first, "/handoff"), "", first.token).status, 200);
  ASSERT_EQ(Http(port_, "POST", Path(late, "/handoff"), "", late.token).status, 200);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/queue", "", agent).Json()["waiting"][0]["conversation_id"],
            first.id);

  SseReader stream(port_, Path(late, "/stream"), late.token);
  const auto soon = std::chrono::system_clock::now() + 1500ms;
  const std::time_t t = std::chrono::system_clock::to_time_t(soon);
  char due[32];
  std::strftime(due, sizeof due, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  auto promised =
      Http(port_, "POST", Path(late, "/promises"), nlohmann::json({{"due_at", due}}).dump(), agent);
  ASSERT_EQ(promised.status, 201) << promised.body;

  auto missed = stream.ReadUntil(IsMissed, 15s);
  ASSERT_TRUE(missed);
  bool reminded = false;
  for (const auto& e : *missed) reminded |= IsCommitment(e, "reminder");
  EXPECT_TRUE(reminded) << "people are reminded before a promise is due";
  const std::string notice = missed->back().data["notice"]["en"];
  EXPECT_NE(notice.find("late"), std::string::npos) << notice;
  // Escalated: served before the customer who came first.
  auto queue = Http(port_, "GET", "/api/v1/queue", "", agent).Json();
  EXPECT_EQ(queue["waiting"][0]["conversation_id"], late.id) << queue.dump();
  EXPECT_TRUE(queue["waiting"][0]["escalated"].get<bool>());
  ASSERT_FALSE(queue["late"].empty());
  EXPECT_EQ(Http(port_, "GET", Path(late, "/queue"), "", late.token).Json()["position"], 1);
  auto promises = Promises(late, late.token);
  bool found_missed = false;
  for (const auto& p : promises) found_missed |= p["state"] == "missed" && p.contains("new_due_at");
  EXPECT_TRUE(found_missed) << promises.dump();

  // Answered now: late, and counted as broken.
  ASSERT_EQ(Http(port_, "POST", Path(late, "/take"), "", agent).status, 200);
  ASSERT_EQ(Http(port_, "POST", Path(late, "/replies"), R"({"text":"Sorry for the wait."})", agent)
                .status,
            201);
  auto answered =
      stream.ReadUntil([](const SseEvent& e) { return IsCommitment(e, "answered_late"); }, 10s);
  ASSERT_TRUE(answered);
  auto trust = Http(port_, "GET", "/api/v1/metrics/trust?bucket=minute&from=2000-01-01T00:00:00Z",
                    "", agent);
  EXPECT_EQ(trust.status, 400) << "too many buckets is a clear error";
  trust = Http(port_, "GET", "/api/v1/metrics/trust", "", agent);
  ASSERT_EQ(trust.status, 200) << trust.body;
  EXPECT_GE(trust.Json()["totals"]["promises"]["broken"].get<int>(), 1) << trust.body;

  // All of it is a fold over the stored events: a restart changes nothing.
  server_.reset();
  server_ = CandorProcess::Start({data_,
                                  {{"CANDOR_BUSINESS_HOURS", "Mo-So 00:00-24:00"},
                                   {"CANDOR_PROMISE_CHECK_INTERVAL_MS", "100"}},
                                  {"--demo"}});
  ASSERT_NE(server_, nullptr);
  port_ = server_->port();
  const std::string again = Login();
  bool late_after_restart = false;
  for (const auto& p : Promises(late, late.token))
    late_after_restart |= p["state"] == "answered_late";
  EXPECT_TRUE(late_after_restart);
  auto rebuilt = Http(port_, "GET", "/api/v1/metrics/trust", "", again).Json();
  // (The queue's own promise may have been recorded kept just after the figures above.)
  EXPECT_EQ(rebuilt["totals"]["promises"]["made"], trust.Json()["totals"]["promises"]["made"]);
  EXPECT_EQ(rebuilt["totals"]["promises"]["broken"], trust.Json()["totals"]["promises"]["broken"]);
  EXPECT_EQ(rebuilt["totals"]["handoffs"], trust.Json()["totals"]["handoffs"]);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/queue", "", again).Json()["waiting"][0]["conversation_id"],
            first.id);
}

bool IsMoved(const SseEvent& e) {
  return e.event == "queue" && e.data.value("change", "") == "moved";
}

TEST_F(PromisesApiTest, AWaitingCustomerIsToldLiveWhenTheirPlaceMoves) {
  const std::string agent = Login();
  auto first = Start();
  auto second = Start();
  ASSERT_EQ(Http(port_, "POST", Path(first, "/handoff"), "", first.token).status, 200);
  auto joined = Http(port_, "POST", Path(second, "/handoff"), "", second.token).Json();
  EXPECT_EQ(joined["position"], 2)
      << joined.dump() << Http(port_, "GET", "/api/v1/queue", "", agent).body;
  SseReader stream(port_, Path(second, "/stream"), second.token);
  ASSERT_EQ(Http(port_, "POST", Path(first, "/take"), "", agent).status, 200);
  auto moved = stream.ReadUntil(IsMoved, 10s);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->back().data["position"], 1);
  EXPECT_EQ(moved->back().data["reason"]["en"], "You are now number 1 in the queue.");
  // Told once: no further move while nothing changes.
  EXPECT_FALSE(stream.ReadUntil(IsMoved, 1500ms));
}

TEST_F(PromisesApiTest, BadPromisesAreRefusedAndOnlyPeopleMakeThem) {
  const std::string agent = Login();
  auto c = Start();
  auto post = [&](const std::string& body, const std::string& token) {
    return Http(port_, "POST", Path(c, "/promises"), body, token);
  };
  EXPECT_EQ(post(R"({"due_at":"2001-01-01T00:00:00Z"})", agent).status, 400);
  EXPECT_EQ(post(R"({"due_at":"tomorrow-ish"})", agent).Json()["error"]["field"], "due_at");
  EXPECT_EQ(post(R"({"within_minutes":0})", agent).status, 400);
  EXPECT_EQ(post(R"({"within_minutes":"ten"})", agent).status, 400);
  EXPECT_EQ(post(R"({})", agent).status, 400);
  EXPECT_EQ(post(R"({"within_minutes":30,"due_at":"2030-01-01T00:00:00Z"})", agent).status, 400);
  EXPECT_EQ(post(R"({"within_minutes":30})", c.token).status, 403);
  EXPECT_TRUE(Promises(c, c.token).empty()) << "nothing stored";
  auto made = post(R"({"within_minutes":30})", agent);
  ASSERT_EQ(made.status, 201) << made.body;
  auto other = Start();
  EXPECT_EQ(Http(port_, "GET", Path(c, "/promises"), "", other.token).status, 403);
}

TEST_F(PromisesApiTest, APersonTakingOverSeesTheWholeContextMasked) {
  const std::string agent = Login();
  auto c = Start();
  SseReader stream(port_, Path(c, "/stream"), c.token);
  auto said = Http(
      port_, "POST", Path(c, "/messages"),
      R"({"text":"I was charged twice for the same payment, my IBAN is DE89 3704 0044 0532 0130 00"})",
      c.token);
  ASSERT_EQ(said.status, 201) << said.body;
  ASSERT_TRUE(stream.ReadUntil(IsAiMessage, 20s));

  auto summary = Http(port_, "GET", Path(c, "/summary"), "", agent);
  ASSERT_EQ(summary.status, 200) << summary.body;
  auto s = summary.Json();
  EXPECT_EQ(s["language"], "en");
  EXPECT_FALSE(s["intent"].is_null());
  EXPECT_EQ(s["decision"]["action"], "person") << s.dump();
  EXPECT_TRUE(s["waiting"].get<bool>());
  EXPECT_EQ(s["position"], 1);
  ASSERT_GE(s["transcript"].size(), 2u);
  EXPECT_EQ(s["transcript"][0]["author"], "customer");
  EXPECT_EQ(s.dump().find("0532 0130"), std::string::npos) << "the IBAN stays masked";
  EXPECT_NE(s["transcript"][0]["text"].get<std::string>().find("[IBAN"), std::string::npos)
      << s["transcript"][0]["text"];
  ASSERT_EQ(s["ai_said"].size(), 1u);
  EXPECT_TRUE(s["signals"].contains("distress"));
  EXPECT_EQ(Http(port_, "GET", Path(c, "/summary"), "", c.token).status, 403);
}

TEST_F(PromisesApiTest, AdminsSeeTheTrustMetricsAgentsDoNot) {
  const std::string admin = Login();
  auto c = Start();
  SseReader stream(port_, Path(c, "/stream"), c.token);
  ASSERT_EQ(
      Http(port_, "POST", Path(c, "/messages"), R"({"text":"How do I change my PIN?"})", c.token)
          .status,
      201);
  ASSERT_TRUE(stream.ReadUntil(IsAiMessage, 20s));
  ASSERT_EQ(Http(port_, "POST", Path(c, "/messages"),
                 R"({"text":"What is the best lasagna recipe?"})", c.token)
                .status,
            201);
  ASSERT_TRUE(stream.ReadUntil(IsAiMessage, 20s));

  auto report = Http(port_, "GET", "/api/v1/metrics/trust?bucket=hour", "", admin);
  ASSERT_EQ(report.status, 200) << report.body;
  auto totals = report.Json()["totals"];
  EXPECT_EQ(totals["turns"], 2) << totals.dump();
  EXPECT_EQ(totals["ai_alone"], 1) << totals.dump();
  EXPECT_EQ(totals["dont_know"], 1) << totals.dump();
  EXPECT_DOUBLE_EQ(totals["dont_know_rate"].get<double>(), 0.5);
  // The last 24 hours in whole hours, the current one included.
  EXPECT_GE(report.Json()["series"].size(), 24u);
  EXPECT_LE(report.Json()["series"].size(), 25u);

  auto metrics = Http(port_, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("candor_trust_turns_total 2"), std::string::npos);
  EXPECT_NE(metrics.body.find("candor_trust_time_to_person_seconds_bucket"), std::string::npos);

  auto added =
      RunCandor({"agent", "add", "ben", "--role", "agent", "--data", data_}, "a-long-password\n");
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const std::string plain = Login("ben", "a-long-password");
  EXPECT_EQ(Http(port_, "GET", "/api/v1/metrics/trust", "", plain).status, 403);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/policy", "", plain).status, 403);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/metrics/trust", "", c.token).status, 403);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/metrics/trust?from=yesterday", "", admin).status, 400);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/metrics/trust?bucket=week", "", admin).status, 400);

  auto policy = Http(port_, "GET", "/api/v1/policy", "", admin);
  ASSERT_EQ(policy.status, 200) << policy.body;
  EXPECT_GE(policy.Json()["rules"].size(), 5u);
  auto articles = Http(port_, "GET", "/api/v1/kb/articles", "", plain);
  ASSERT_EQ(articles.status, 200) << articles.body;
  EXPECT_GE(articles.Json()["articles"].size(), 40u);
  EXPECT_FALSE(articles.Json()["articles"][0]["title"].get<std::string>().empty());
}

TEST(WebPagesTest, PagesComeWithAStrictContentSecurityPolicyAndNoPathLeavesTheirFolder) {
  const std::string dir = MakeTempDir("WebPages");
  std::filesystem::create_directories(dir + "/web/assets");
  {
    std::FILE* f = std::fopen((dir + "/web/chat.html").c_str(), "w");
    std::fputs("<!doctype html><title>chat</title>", f);
    std::fclose(f);
    f = std::fopen((dir + "/web/assets/app-1.js").c_str(), "w");
    std::fputs("console.log(1)", f);
    std::fclose(f);
    f = std::fopen((dir + "/secret.txt").c_str(), "w");
    std::fputs("secret", f);
    std::fclose(f);
  }
  auto server = CandorProcess::Start({dir + "/data", {}, {"--web", dir + "/web"}});
  ASSERT_NE(server, nullptr);
  auto chat = Http(server->port(), "GET", "/chat");
  ASSERT_EQ(chat.status, 200);
  EXPECT_NE(chat.headers["content-type"].find("text/html"), std::string::npos);
  EXPECT_NE(chat.headers["content-security-policy"].find("script-src 'self'"), std::string::npos);
  auto script = Http(server->port(), "GET", "/assets/app-1.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_NE(script.headers["content-type"].find("javascript"), std::string::npos);
  EXPECT_EQ(Http(server->port(), "GET", "/agent").status, 404) << "not built is a clear 404";
  EXPECT_EQ(Http(server->port(), "GET", "/assets/..%2f..%2fsecret.txt").status, 404);
  EXPECT_EQ(Http(server->port(), "GET", "/assets/.hidden").status, 404);
  server.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::testing
