// The HTTP API as a client sees it: the real binary, a real SQLite file.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "harness.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

// The last event of a message's intake: after it, the pipeline is quiet.
bool IsProtectDone(const SseEvent& e) {
  return e.event == "work_step" && e.data["stage"] == "protect" && e.data["status"] == "done";
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    data_ = dir_ + "/data";
    Start({});
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(std::vector<std::pair<std::string, std::string>> env) {
    server_.reset();
    env.emplace_back("CANDOR_ACCESS_LOG", "true");
    server_ = CandorProcess::Start({data_, env, {}});
    ASSERT_NE(server_, nullptr) << "candor did not start";
    port_ = server_->port();
  }
  using Conversation = CustomerConversation;
  Conversation NewConversation() {
    Conversation made = OpenConversation(port_);
    EXPECT_FALSE(made.id.empty()) << "no conversation opened";
    return made;
  }
  HttpResult Say(const Conversation& c, const std::string& text) { return SayAs(port_, c, text); }
  nlohmann::json Events(const Conversation& c, int64_t after = 0) {
    auto response = Http(port_, "GET",
                         "/api/v1/conversations/" + c.id + "/events?after=" + std::to_string(after),
                         "", c.token);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.Json()["events"];
  }
  std::string AgentToken(const std::string& name = "anna", const std::string& role = "agent") {
    auto added =
        RunCandor({"agent", "add", name, "--role", role, "--data", data_}, "a-long-password\n");
    EXPECT_EQ(added.exit_code, 0) << added.out;
    auto login = Http(port_, "POST", "/api/v1/agents/login",
                      nlohmann::json({{"name", name}, {"password", "a-long-password"}}).dump());
    EXPECT_EQ(login.status, 200) << login.body;
    return login.Json().value("token", "");
  }

  std::string dir_, data_;
  std::unique_ptr<CandorProcess> server_;
  uint16_t port_ = 0;
};

TEST_F(ApiTest, ConversationGivesAnIdAndA256BitToken) {
  auto c = NewConversation();
  EXPECT_EQ(c.id.rfind("c_", 0), 0u);
  EXPECT_EQ(c.token.rfind("ct_", 0), 0u);
  EXPECT_GE(c.token.size(), 3u + 43u);
  auto again = NewConversation();
  EXPECT_NE(c.id, again.id);
  EXPECT_NE(c.token, again.token);
}

TEST_F(ApiTest, MessagesAreStoredInOrderWithTheirAuthor) {
  auto c = NewConversation();
  SseReader stream(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
  auto first = Say(c, "Meine Karte ist weg");
  ASSERT_EQ(first.status, 201) << first.body;
  auto second =
      Http(port_, "POST", "/api/v1/conversations/" + c.id + "/messages",
           R"({"text":"Ich schreibe für meine Mutter","author":"customer_assistant"})", c.token);
  ASSERT_EQ(second.status, 201) << second.body;
  // Wait until the pipeline has taken both in, so the list below is complete.
  ASSERT_TRUE(stream.ReadUntil(IsProtectDone, 10s));
  ASSERT_TRUE(stream.ReadUntil(IsProtectDone, 10s));

  auto events = Events(c);
  std::vector<std::string> texts;
  int64_t expected_seq = 1;
  for (const auto& e : events) {
    EXPECT_EQ(e["seq"], expected_seq++) << "sequence numbers have no gaps";
    // The customer's side only: the AI's answers follow in the background.
    if (e["type"] == "message" && e["author"] != "ai") {
      texts.push_back(e["author"].get<std::string>() + ":" + e["text"].get<std::string>());
    }
  }
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0], "customer:Meine Karte ist weg");
  int64_t first_seq = 0;
  for (const auto& e : events)
    if (e["type"] == "message" && first_seq == 0) first_seq = e["seq"];
  EXPECT_EQ(first.Json()["seq"], first_seq) << "the 201 names the stored message";
  EXPECT_EQ(texts[1], "customer_assistant:Ich schreibe für meine Mutter");
  // `after` reads on from a seq: anything later (the AI's answers) comes after it.
  for (const auto& e : Events(c, first_seq)) EXPECT_GT(e["seq"].get<int64_t>(), first_seq);
}

TEST_F(ApiTest, TrackerShowsTheIntakeStepsWithRealTimes) {
  auto c = NewConversation();
  SseReader stream(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
  ASSERT_EQ(stream.status(), 200);
  ASSERT_EQ(Say(c, "Hallo").status, 201);
  auto events = stream.ReadUntil(IsProtectDone, 10s);
  ASSERT_TRUE(events) << "the intake never finished";
  std::vector<std::string> order;
  for (const auto& e : *events) {
    order.push_back(e.event == "message" ? "message"
                                         : e.data["stage"].get<std::string>() + ":" +
                                               e.data["status"].get<std::string>());
  }
  // The message is stored, masked, while "protect" runs.
  EXPECT_EQ(order, (std::vector<std::string>{"receive:started", "receive:done", "protect:started",
                                             "message", "protect:done"}));
  const auto& received = events->at(1).data;
  EXPECT_EQ(received["label"]["de"], "Nachricht empfangen");
  EXPECT_EQ(received["label"]["en"], "Message received");
  EXPECT_LE(received["started_at"].get<std::string>(), received["finished_at"].get<std::string>());
  EXPECT_EQ(events->back().data["label"]["en"], "Personal data protected");
  // Then the AI answers ("I don't know": there is no knowledge base here).
  // Only work that happened is shown: one deliver for its one reply, and no
  // review or hand-over, which did not happen.
  auto delivered = stream.ReadUntil(
      [](const SseEvent& e) {
        return e.event == "work_step" && e.data["stage"] == "deliver" && e.data["status"] == "done";
      },
      10s);
  ASSERT_TRUE(delivered) << "the answer was never delivered";
  int deliver_steps = 0, ai_messages = 0;
  for (const auto& e : Events(c)) {
    const std::string stage = e.value("stage", "");
    deliver_steps += stage == "deliver" && e["status"] == "done";
    ai_messages += e["type"] == "message" && e["author"] == "ai";
    EXPECT_NE(stage, "review");
    EXPECT_NE(stage, "handoff");
  }
  EXPECT_EQ(deliver_steps, 1);
  EXPECT_EQ(ai_messages, 1);
}

TEST_F(ApiTest, StreamResumesFromLastEventIdWithoutGapsOrDuplicates) {
  auto c = NewConversation();
  {
    SseReader watcher(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(Say(c, "m" + std::to_string(i)).status, 201);
      // The AI's answer is the last thing the pipeline writes for it.
      ASSERT_TRUE(watcher.ReadUntil(
          [](const SseEvent& e) { return e.event == "message" && e.data["author"] == "ai"; }, 10s));
    }
  }
  const int64_t stored = Events(c).back()["seq"];
  const int64_t resume_at = 4;
  SseReader stream(port_, "/api/v1/conversations/" + c.id + "/stream", c.token, resume_at);
  ASSERT_EQ(stream.status(), 200);
  int64_t expected = resume_at + 1;
  while (expected <= stored) {
    auto e = stream.Next(5s);
    ASSERT_TRUE(e) << "missing backlog event " << expected;
    EXPECT_EQ(e->id, expected++);
  }
  // Live events continue the same sequence, the message among them.
  ASSERT_EQ(Say(c, "live").status, 201);
  while (true) {
    auto live = stream.Next(5s);
    ASSERT_TRUE(live) << "the live message never came";
    EXPECT_EQ(live->id, expected++);
    if (live->event == "message" && live->data["author"] == "customer") {
      EXPECT_EQ(live->data["text"], "live");
      break;
    }
  }
}

TEST_F(ApiTest, StreamSurvivesManyWritersWithoutGapsOrDuplicates) {
  auto c = NewConversation();
  SseReader stream(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
  ASSERT_EQ(stream.status(), 200);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) Say(c, "w" + std::to_string(t) + "-" + std::to_string(i));
    });
  }
  for (auto& w : writers) w.join();
  int messages = 0;
  int64_t expected = 1;
  while (messages < 40) {
    auto e = stream.Next(10s);
    ASSERT_TRUE(e) << "stream stalled after " << messages << " messages";
    ASSERT_EQ(e->id, expected++) << "gap or duplicate";
    if (e->event == "message") ++messages;
  }
}

TEST_F(ApiTest, BadInputIsRejectedWithTheFieldAndChangesNothing) {
  auto c = NewConversation();
  ASSERT_EQ(Say(c, "before").status, 201);
  auto other = NewConversation();
  const std::string path = "/api/v1/conversations/" + c.id + "/messages";
  struct Case {
    std::string name, body, token;
    int status;
    std::string code, field;
  };
  const std::vector<Case> cases = {
      {"malformed json", "{\"text\": ", c.token, 400, "invalid_json", "body"},
      {"not an object", "[\"text\"]", c.token, 400, "not_an_object", "body"},
      {"wrong type", "{\"text\": 42}", c.token, 400, "wrong_type", "text"},
      {"missing field", "{\"txt\": \"hi\"}", c.token, 400, "missing_field", "text"},
      {"empty text", "{\"text\": \"   \"}", c.token, 400, "empty_field", "text"},
      {"invalid utf-8", "{\"text\": \"caf\xC3\"}", c.token, 400, "invalid_utf8", "body"},
      {"unknown author", "{\"text\": \"hi\", \"author\": \"ai\"}", c.token, 400, "invalid_value",
       "author"},
      {"too large", "{\"text\": \"" + std::string(70 * 1024, 'a') + "\"}", c.token, 413,
       "too_large", "body"},
      {"missing token", "{\"text\": \"hi\"}", "", 401, "unauthenticated", ""},
      {"not a token", "{\"text\": \"hi\"}", "ct_forged", 401, "unauthenticated", ""},
      {"wrong token", "{\"text\": \"hi\"}", "ct_" + std::string(43, 'x'), 403, "forbidden", ""},
      {"other conversation's token", "{\"text\": \"hi\"}", other.token, 403, "forbidden", ""},
  };
  for (const auto& test : cases) {
    auto response = Http(port_, "POST", path, test.body, test.token);
    EXPECT_EQ(response.status, test.status) << test.name << ": " << response.body;
    auto json = response.Json();
    ASSERT_TRUE(json.is_object()) << test.name << ": " << response.body;
    EXPECT_EQ(json["error"]["code"], test.code) << test.name;
    if (!test.field.empty()) {
      EXPECT_EQ(json["error"]["field"], test.field) << test.name;
    }
    EXPECT_FALSE(json["error"]["message"].get<std::string>().empty()) << test.name;
  }
  auto unknown = Http(port_, "POST", "/api/v1/conversations/c_doesnotexist/messages",
                      R"({"text":"hi"})", c.token);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Json()["error"]["code"], "not_found");
  auto bad_after =
      Http(port_, "GET", "/api/v1/conversations/" + c.id + "/events?after=-1", "", c.token);
  EXPECT_EQ(bad_after.status, 400);
  EXPECT_EQ(bad_after.Json()["error"]["field"], "after");
  EXPECT_EQ(Http(port_, "DELETE", path, "", c.token).status, 405);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/nothing-here").status, 404);

  // Nothing of the above was stored, in either conversation.
  int messages = 0;
  for (const auto& e : Events(c))
    if (e["type"] == "message" && e["author"] == "customer") ++messages;
  EXPECT_EQ(messages, 1);
  EXPECT_TRUE(Events(other).empty());
}

TEST_F(ApiTest, ATokenOpensOnlyItsOwnConversationIncludingTheStream) {
  auto mine = NewConversation();
  auto theirs = NewConversation();
  ASSERT_EQ(Say(theirs, "private").status, 201);
  auto events =
      Http(port_, "GET", "/api/v1/conversations/" + theirs.id + "/events", "", mine.token);
  EXPECT_EQ(events.status, 403);
  EXPECT_EQ(events.body.find("private"), std::string::npos);
  SseReader stream(port_, "/api/v1/conversations/" + theirs.id + "/stream", mine.token);
  EXPECT_EQ(stream.status(), 403);
  SseReader anonymous(port_, "/api/v1/conversations/" + theirs.id + "/stream", "");
  EXPECT_EQ(anonymous.status(), 401);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/inbox", "", mine.token).status, 403);
}

TEST_F(ApiTest, AgentLogsInSeesTheInboxAndRepliesAsAPerson) {
  auto c = NewConversation();
  {
    // A double charge is for people: the AI says so and the conversation waits for one.
    SseReader handed(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
    ASSERT_EQ(Say(c, "Ich wurde doppelt belastet").status, 201);
    ASSERT_TRUE(handed.ReadUntil(
        [](const SseEvent& e) { return e.event == "message" && e.data["author"] == "ai"; }, 10s));
  }
  const std::string token = AgentToken();
  ASSERT_EQ(token.rfind("at_", 0), 0u);

  auto inbox = Http(port_, "GET", "/api/v1/inbox", "", token);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  auto list = inbox.Json()["conversations"];
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0]["id"], c.id);
  EXPECT_EQ(list[0]["waiting_for_person"], true) << list[0].dump();
  EXPECT_EQ(list[0]["last_author"], "ai");

  SseReader stream(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
  auto reply = Http(port_, "POST", "/api/v1/conversations/" + c.id + "/replies",
                    R"({"text":"Guten Tag, ich sehe mir das an."})", token);
  ASSERT_EQ(reply.status, 201) << reply.body;
  auto seen = stream.ReadUntil(
      [](const SseEvent& e) { return e.event == "message" && e.data["author"] == "person"; }, 10s);
  ASSERT_TRUE(seen) << "the customer never saw the person's reply";
  EXPECT_EQ(seen->back().data["agent"], "anna");
  EXPECT_EQ(seen->back().id, reply.Json()["seq"]);
  // The reply went through the tracker's "deliver" step around it.
  auto events = Events(c);
  bool deliver_done = false;
  for (const auto& e : events)
    if (e.value("stage", "") == "deliver" && e["status"] == "done") deliver_done = true;
  EXPECT_TRUE(deliver_done);
  // An agent may read any conversation; a customer may not reply as a person.
  EXPECT_EQ(Http(port_, "GET", "/api/v1/conversations/" + c.id + "/events", "", token).status, 200);
  EXPECT_EQ(
      Http(port_, "POST", "/api/v1/conversations/" + c.id + "/replies", R"({"text":"x"})", c.token)
          .status,
      403);
  EXPECT_EQ(
      Http(port_, "POST", "/api/v1/conversations/c_nope/replies", R"({"text":"x"})", token).status,
      404);
}

TEST_F(ApiTest, WrongPasswordsAreRefusedAndThenRateLimited) {
  AgentToken("ben");
  int refused = 0, limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto login = Http(port_, "POST", "/api/v1/agents/login",
                      R"({"name":"ben","password":"wrong-password"})");
    if (login.status == 401) ++refused;
    if (login.status == 429) {
      ++limited;
      EXPECT_FALSE(login.headers["retry-after"].empty());
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(limited, 0) << "login must be rate limited";
  auto right =
      Http(port_, "POST", "/api/v1/agents/login", R"({"name":"ben","password":"a-long-password"})");
  EXPECT_EQ(right.status, 429) << "the limit holds even for the right password";
  auto missing = Http(port_, "POST", "/api/v1/agents/login", R"({"name":"ben"})");
  EXPECT_EQ(missing.status, 400);
}

TEST_F(ApiTest, LogsNeverContainMessageTextOrTokens) {
  auto c = NewConversation();
  const std::string secret_text = "Mein Passwort ist Sonnenblume4711";
  ASSERT_EQ(Say(c, secret_text).status, 201);
  const std::string agent = AgentToken();
  Http(port_, "GET", "/api/v1/conversations/" + c.id + "/events?access_token=" + c.token);
  Http(port_, "POST", "/api/v1/agents/login", R"({"name":"anna","password":"Geheim-Falsch-99"})");
  SseReader stream(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
  ASSERT_TRUE(stream.Next(5s));
  server_->Stop();
  const std::string log = server_->Stderr();
  EXPECT_NE(log.find("\"event\":\"request\""), std::string::npos) << "access log expected";
  EXPECT_EQ(log.find("Sonnenblume4711"), std::string::npos);
  EXPECT_EQ(log.find(c.token), std::string::npos);
  EXPECT_EQ(log.find(c.token.substr(3, 20)), std::string::npos);
  EXPECT_EQ(log.find(agent.substr(3, 20)), std::string::npos);
  EXPECT_EQ(log.find("a-long-password"), std::string::npos);
  EXPECT_EQ(log.find("Geheim-Falsch-99"), std::string::npos);
}

TEST_F(ApiTest, HealthReadinessMetricsAndOpenApiDescribeTheServer) {
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 200);
  auto ready = Http(port_, "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.Json()["status"], "ready");
  auto c = NewConversation();
  ASSERT_EQ(Say(c, "hi").status, 201);
  SseReader stream(port_, "/api/v1/conversations/" + c.id + "/stream", c.token);
  ASSERT_TRUE(stream.Next(5s));

  auto metrics = Http(port_, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("candor_http_requests_total{route=\"/api/v1/conversations/{id}/"
                              "messages\",method=\"POST\",status=\"201\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("candor_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("candor_sse_streams_open 1"), std::string::npos);
  EXPECT_EQ(metrics.body.find("candor_events_appended_total 0"), std::string::npos);

  auto openapi = Http(port_, "GET", "/api/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  auto doc = openapi.Json();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const auto& [path, method] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/conversations", "post"},
           {"/api/v1/conversations/{id}/messages", "post"},
           {"/api/v1/conversations/{id}/events", "get"},
           {"/api/v1/conversations/{id}/stream", "get"},
           {"/api/v1/agents/login", "post"},
           {"/api/v1/inbox", "get"},
           {"/api/v1/conversations/{id}/replies", "post"},
           {"/healthz", "get"},
           {"/readyz", "get"},
           {"/metrics", "get"}}) {
    EXPECT_TRUE(doc["paths"].contains(path) && doc["paths"][path].contains(method))
        << method << " " << path;
  }
}

TEST_F(ApiTest, StalledClientsAreCutOffAndConnectionsAreCapped) {
  Start({{"CANDOR_HEADER_TIMEOUT_MS", "300"},
         {"CANDOR_BODY_TIMEOUT_MS", "300"},
         {"CANDOR_MAX_CONNECTIONS", "6"}});
  {
    RawConnection slow_head(port_);
    ASSERT_TRUE(slow_head.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // never finishes
    EXPECT_TRUE(slow_head.WaitForClose(3s)) << "a half-sent request head must time out";
    RawConnection slow_body(port_);
    ASSERT_TRUE(
        slow_body.Send("POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n"
                       "Content-Length: 100\r\n\r\n{"));
    EXPECT_TRUE(slow_body.WaitForClose(3s)) << "a stalled body must time out";
    RawConnection idle(port_);
    EXPECT_TRUE(idle.WaitForClose(3s)) << "an idle connection must be closed";
    // A keep-alive client that keeps asking is served for longer than one
    // time limit, and closed once it goes quiet.
    RawConnection busy(port_);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(busy.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
      std::this_thread::sleep_for(200ms);
    }
    std::string answers;
    EXPECT_TRUE(busy.WaitForClose(3s, &answers)) << "a quiet keep-alive connection must be closed";
    size_t served = 0;
    for (size_t at = answers.find("200 OK"); at != std::string::npos;
         at = answers.find("200 OK", at + 1)) {
      ++served;
    }
    EXPECT_EQ(served, 5u) << answers;
  }
  std::vector<std::unique_ptr<RawConnection>> hogs;
  for (int i = 0; i < 6; ++i) hogs.push_back(std::make_unique<RawConnection>(port_));
  std::string refused;
  RawConnection extra(port_);
  extra.WaitForClose(2s, &refused);
  EXPECT_NE(refused.find("503"), std::string::npos) << "over the limit: " << refused;
  hogs.clear();
  // Once they are gone the server serves again.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = Http(port_, "GET", "/healthz").status == 200;
    if (!served) std::this_thread::sleep_for(20ms);  // the server notices the closes
  }
  EXPECT_TRUE(served);
}

TEST_F(ApiTest, AcknowledgedMessagesSurviveARestart) {
  auto c = NewConversation();
  ASSERT_EQ(Say(c, "vor dem Neustart").status, 201);
  EXPECT_EQ(server_->Stop(), 0);
  Start({});
  auto events = Events(c);
  std::vector<std::string> texts;
  for (const auto& e : events)
    if (e["type"] == "message" && e["author"] == "customer") texts.push_back(e["text"]);
  EXPECT_EQ(texts, std::vector<std::string>{"vor dem Neustart"});
  auto next = Say(c, "danach");
  ASSERT_EQ(next.status, 201);
  EXPECT_GT(next.Json()["seq"].get<int64_t>(), events.back()["seq"].get<int64_t>());
}

}  // namespace
}  // namespace candor::testing
