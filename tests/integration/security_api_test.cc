// What an auditor probes from outside: exports that show a customer no more
// than the API does, streams that let go of closed connections, sessions that
// end, logins that cannot be used to lock an agent out, strict requests, and
// look-alike placeholders that never pass for real ones.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "harness.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kIban = "DE89370400440532013000";

class SecurityApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    data_ = dir_ + "/data";
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(std::vector<std::pair<std::string, std::string>> env = {}, uint64_t open_files = 0) {
    server_.reset();
    CandorProcess::Options options{data_, std::move(env), {"--demo"}};
    options.open_files = open_files;
    server_ = CandorProcess::Start(options);
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
  HttpResult Login(const std::string& name, const std::string& password,
                   const std::string& device = "") {
    nlohmann::json body = {{"name", name}, {"password", password}};
    if (!device.empty()) body["device"] = device;
    return Http(port_, "POST", "/api/v1/agents/login", body.dump());
  }
  // Adds an agent with the command line (the server may be running) and logs in.
  nlohmann::json AddAndLogin(const std::string& name, const std::string& role = "agent") {
    auto added =
        RunCandor({"agent", "add", name, "--role", role, "--data", data_}, "a-long-password\n");
    EXPECT_EQ(added.exit_code, 0) << added.out;
    auto login = Login(name, "a-long-password");
    EXPECT_EQ(login.status, 200) << login.body;
    return login.Json();
  }
  std::string Stream(const Conversation& c) { return "/api/v1/conversations/" + c.id + "/stream"; }
  int Inbox(const std::string& token) {
    return Http(port_, "GET", "/api/v1/inbox", "", token).status;
  }

  std::string dir_, data_;
  std::unique_ptr<CandorProcess> server_;
  uint16_t port_ = 0;
};

// ---- 1. The export shows the customer what the API and the stream show ----

TEST_F(SecurityApiTest, CustomerExportShowsWhatTheEventsApiAndTheStreamShowForEveryKind) {
  Start();
  const std::string agent = Login("demo", "candor-demo").Json()["token"];
  auto c = NewConversation();
  {
    // A fee question is drafted for a person: understanding, decision, draft.
    SseReader stream(port_, Stream(c), c.token);
    ASSERT_EQ(Say(c, "Welche Gebühren kostet eine Ersatzkarte?").status, 201);
    ASSERT_TRUE(stream.ReadUntil([](const SseEvent& e) { return e.event == "draft"; }, 20s));
  }
  const std::string base = "/api/v1/conversations/" + c.id;
  ASSERT_EQ(Http(port_, "POST", base + "/handoff", "", c.token).status, 200);  // queue
  ASSERT_EQ(Http(port_, "POST", base + "/take", "", agent).status, 200);
  int64_t draft_seq = 0;
  const nlohmann::json staff_view = Http(port_, "GET", base + "/events", "", agent).Json();
  for (const auto& e : staff_view["events"])
    if (e["type"] == "draft") draft_seq = e["seq"];
  ASSERT_GT(draft_seq, 0);
  auto reviewed = Http(port_, "POST", base + "/drafts/" + std::to_string(draft_seq),
                       R"({"decision":"approve"})", agent);
  ASSERT_EQ(reviewed.status, 200) << reviewed.body;  // review, ai_approved message
  ASSERT_EQ(Http(port_, "POST", base + "/promises", R"({"within_minutes":30})", agent).status,
            201);  // commitment
  ASSERT_EQ(Say(c, std::string("Meine IBAN ist ") + kIban).status, 201);
  ASSERT_EQ(Http(port_, "POST", base + "/reveal",
                 R"({"placeholder":"IBAN_1","reason":"Rückbuchung prüfen"})", agent)
                .status,
            200);  // reveal

  auto listed = Http(port_, "GET", base + "/events?limit=1000", "", c.token);
  ASSERT_EQ(listed.status, 200);
  const nlohmann::json api_events = listed.Json()["events"];
  const int64_t last = listed.Json()["last_seq"];
  std::map<int64_t, nlohmann::json> streamed;
  {
    SseReader stream(port_, Stream(c), c.token, 0);
    while (streamed.size() < static_cast<size_t>(last)) {
      auto event = stream.Next(10s);
      ASSERT_TRUE(event) << "the stream stopped at " << streamed.size() << " of " << last;
      streamed[event->id] = event->data;
    }
  }
  auto exported = Http(port_, "GET", base + "/export", "", c.token);
  ASSERT_EQ(exported.status, 200);
  std::map<int64_t, nlohmann::json> export_items;
  const nlohmann::json exported_json = exported.Json();
  for (const auto& item : exported_json["events"]) export_items[item["seq"]] = item;

  std::set<std::string> kinds;
  for (const auto& event : api_events) {
    const int64_t seq = event["seq"];
    const std::string kind = event["type"];
    kinds.insert(kind);
    EXPECT_EQ(streamed[seq], event) << "stream and API differ at " << seq << " (" << kind << ")";
    ASSERT_TRUE(export_items.count(seq)) << seq;
    EXPECT_EQ(export_items[seq]["event"], event)
        << "export and API differ at " << seq << " (" << kind << ")";
    for (const char* hidden : {"distress", "model", "trace"}) EXPECT_FALSE(event.contains(hidden));
    const std::string body = export_items[seq]["body"];
    const bool people_only = kind == "understanding" || kind == "decision" || kind == "draft";
    EXPECT_EQ(body.empty(), people_only) << kind << ": " << body;
    if (kind == "draft") {
      EXPECT_FALSE(event.contains("text"));
    }
    if (kind == "message" && event["author"] == "customer" &&
        event["text"].get<std::string>().find("IBAN") != std::string::npos) {
      EXPECT_EQ(event["text"], std::string("Meine IBAN ist ") + kIban) << "the customer's own";
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"message", "work_step", "reveal", "understanding",
                                          "decision", "draft", "review", "queue", "commitment"}))
      << "every kind of event is compared";
  EXPECT_EQ(exported.body.find("Unapproved"), std::string::npos);

  // The customer's export still verifies offline, and the agent's has it all.
  const std::string file = dir_ + "/export.json";
  std::ofstream(file) << exported.body;
  auto verified = RunCandor({"audit", "verify", "--export", file, "--data", data_});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  auto full = Http(port_, "GET", base + "/export", "", agent).Json();
  bool draft_text = false;
  for (const auto& item : full["events"])
    if (item["kind"] == "draft") draft_text = item["event"].contains("text");
  EXPECT_TRUE(draft_text);
}

// ---- 2. Streams ----

TEST_F(SecurityApiTest, ABurstOfOpenedAndClosedStreamsLeavesHealthzAnswering) {
  Start({{"CANDOR_MAX_CONNECTIONS", "40"}, {"CANDOR_STREAM_HEARTBEAT_MS", "15000"}});
  auto c = NewConversation();
  int opened = 0;
  for (int i = 0; i < 300; ++i) {
    SseReader stream(port_, Stream(c), c.token);  // closed again at the end of the block
    if (stream.status() == 200) ++opened;
  }
  // Each closed stream gives its connection back at once, not at its next
  // heartbeat 15 s later: the server keeps answering during and after.
  EXPECT_GT(opened, 150) << "closed streams kept their connections";
  bool healthy = false;
  for (int i = 0; i < 40 && !healthy; ++i) {
    healthy =
        Http(port_, "GET", "/healthz").status == 200 &&
        Http(port_, "GET", "/metrics").body.find("candor_sse_streams_open 0") != std::string::npos;
    if (!healthy) std::this_thread::sleep_for(50ms);  // the server notices the last closes
  }
  EXPECT_TRUE(healthy) << "closed streams still held after 2 s";
}

TEST_F(SecurityApiTest, StreamsAreCappedPerConversationAndPerAddress) {
  Start({{"CANDOR_MAX_STREAMS_PER_CONVERSATION", "3"}, {"CANDOR_MAX_STREAMS_PER_ADDRESS", "5"}});
  auto a = NewConversation();
  auto b = NewConversation();
  auto c = NewConversation();
  std::vector<std::unique_ptr<SseReader>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<SseReader>(port_, Stream(a), a.token));
    ASSERT_EQ(open.back()->status(), 200);
  }
  SseReader fourth(port_, Stream(a), a.token);
  EXPECT_EQ(fourth.status(), 429) << "a fourth stream of one conversation";
  for (int i = 0; i < 2; ++i) {
    open.push_back(std::make_unique<SseReader>(port_, Stream(b), b.token));
    ASSERT_EQ(open.back()->status(), 200);
  }
  SseReader sixth(port_, Stream(c), c.token);
  EXPECT_EQ(sixth.status(), 429) << "a sixth stream from one address";
  open.erase(open.begin());
  int status = 0;
  for (int i = 0; i < 40 && status != 200; ++i) {
    SseReader again(port_, Stream(c), c.token);
    status = again.status();
    if (status != 200) std::this_thread::sleep_for(50ms);  // the close is being noticed
  }
  EXPECT_EQ(status, 200) << "a closed stream gives its place back";
}

TEST_F(SecurityApiTest, ConnectionsStayBelowTheOpenFileLimitSoTheServerAnswers503) {
  Start({}, /*open_files=*/256);
  EXPECT_NE(server_->Stderr().find("\"max_connections\":192"), std::string::npos)
      << "256 files, 64 kept free: " << server_->Stderr();
  std::vector<std::unique_ptr<RawConnection>> hogs;
  for (int i = 0; i < 192; ++i) hogs.push_back(std::make_unique<RawConnection>(port_));
  int answered_busy = 0;
  for (int i = 0; i < 20; ++i) {
    RawConnection extra(port_);
    std::string received;
    extra.WaitForClose(3s, &received);
    if (received.find("503") != std::string::npos) ++answered_busy;
  }
  EXPECT_EQ(answered_busy, 20) << "past the limit each connection gets a 503, not a reset";
  hogs.clear();
  bool served = false;
  for (int i = 0; i < 40 && !served; ++i) {
    served = Http(port_, "GET", "/healthz").status == 200;
    if (!served) std::this_thread::sleep_for(50ms);  // the server notices the closes
  }
  EXPECT_TRUE(served);
}

// ---- 3. Sessions end ----

TEST_F(SecurityApiTest, LogoutEndsTheSessionAndClosesItsStreams) {
  Start();
  auto c = NewConversation();
  const std::string token = AddAndLogin("anna")["token"];
  const std::string other = Login("anna", "a-long-password").Json()["token"];
  SseReader stream(port_, Stream(c), token);
  ASSERT_EQ(stream.status(), 200);
  ASSERT_EQ(Inbox(token), 200);
  ASSERT_EQ(Http(port_, "POST", "/api/v1/agents/logout", "", token).status, 200);
  EXPECT_EQ(Inbox(token), 401);
  EXPECT_TRUE(stream.WaitForClose(5s)) << "the stream outlived its session";
  EXPECT_EQ(Inbox(other), 200) << "only this session ended";
  ASSERT_EQ(Http(port_, "POST", "/api/v1/agents/logout", R"({"everywhere":true})", other).status,
            200);
  EXPECT_EQ(Inbox(other), 401);
}

TEST_F(SecurityApiTest, AdminRevokesAndDisablesAndTheCommandLineDisables) {
  Start({{"CANDOR_STREAM_HEARTBEAT_MS", "200"}, {"CANDOR_LOGIN_ATTEMPTS_PER_MINUTE", "1000"}});
  auto c = NewConversation();
  const std::string admin = Login("demo", "candor-demo").Json()["token"];
  const std::string anna = AddAndLogin("anna")["token"];
  SseReader stream(port_, Stream(c), anna);
  ASSERT_EQ(stream.status(), 200);
  auto revoked = Http(port_, "POST", "/api/v1/agents/anna/revoke", "", admin);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(Inbox(anna), 401);
  EXPECT_TRUE(stream.WaitForClose(5s));
  EXPECT_EQ(Http(port_, "POST", "/api/v1/agents/anna/revoke", "", anna).status, 401);

  const std::string again = Login("anna", "a-long-password").Json()["token"];
  EXPECT_EQ(Http(port_, "POST", "/api/v1/agents/demo/disable", "", again).status, 403)
      << "agents cannot disable anyone";
  ASSERT_EQ(Http(port_, "POST", "/api/v1/agents/anna/disable", "", admin).status, 200);
  EXPECT_EQ(Inbox(again), 401);
  EXPECT_EQ(Login("anna", "a-long-password").status, 401) << "a disabled agent cannot log in";
  EXPECT_EQ(Http(port_, "POST", "/api/v1/agents/nobody/disable", "", admin).status, 404);
  ASSERT_EQ(Http(port_, "POST", "/api/v1/agents/anna/enable", "", admin).status, 200);
  const std::string third = Login("anna", "a-long-password").Json()["token"];
  ASSERT_EQ(Inbox(third), 200);

  // From the command line, beside the running server: requests at once,
  // streams at their next session check.
  SseReader watched(port_, Stream(c), third);
  ASSERT_EQ(watched.status(), 200);
  auto disabled = RunCandor({"agent", "disable", "anna", "--data", data_});
  ASSERT_EQ(disabled.exit_code, 0) << disabled.out;
  EXPECT_EQ(Inbox(third), 401);
  EXPECT_TRUE(watched.WaitForClose(5s)) << "the stream of a disabled agent stayed open";
  EXPECT_EQ(RunCandor({"agent", "disable", "nobody", "--data", data_}).exit_code, 2);
}

TEST_F(SecurityApiTest, APasswordChangeEndsEverySession) {
  Start();
  const std::string token = AddAndLogin("anna")["token"];
  auto changed =
      RunCandor({"agent", "password", "anna", "--data", data_}, "another-long-password\n");
  ASSERT_EQ(changed.exit_code, 0) << changed.out;
  EXPECT_EQ(Inbox(token), 401);
  EXPECT_EQ(Login("anna", "a-long-password").status, 401);
  EXPECT_EQ(Login("anna", "another-long-password").status, 200);
}

TEST_F(SecurityApiTest, AnIdleSessionEndsAndClosesItsStreamWhileUseRenewsIt) {
  Start({{"CANDOR_SESSION_IDLE_TIMEOUT_MS", "4000"}});
  auto c = NewConversation();
  auto login = AddAndLogin("anna");
  const std::string idle = login["token"];
  EXPECT_EQ(login["idle_timeout_seconds"], 4);
  const std::string busy = Login("anna", "a-long-password").Json()["token"];
  SseReader stream(port_, Stream(c), idle);
  ASSERT_EQ(stream.status(), 200);
  // The busy session asks every 300 ms, for more than twice the idle time;
  // the idle one only refreshes a page in the background, which is not use.
  const auto start = std::chrono::steady_clock::now();
  bool stream_closed = false;
  int background = 0;
  while (std::chrono::steady_clock::now() - start < 9s) {
    ASSERT_EQ(Inbox(busy), 200) << "a session in use must be renewed";
    background =
        Http(port_, "GET", "/api/v1/inbox", "", idle, {{"X-Candor-Background", "1"}}).status;
    if (!stream_closed) {
      stream_closed = stream.WaitForClose(300ms);
    } else {
      std::this_thread::sleep_for(300ms);
    }
  }
  EXPECT_TRUE(stream_closed) << "the idle session's stream must close at its deadline";
  EXPECT_EQ(background, 401) << "background refreshes must not keep a session alive";
  EXPECT_EQ(Inbox(idle), 401);
}

// ---- 4. Logins: a limit for strangers, none they can impose on the agent ----

TEST_F(SecurityApiTest, BruteForceIsLimitedButTheAgentsKnownDeviceStillLogsIn) {
  // One attempt a minute after the first five: nothing refills during the test.
  Start({{"CANDOR_LOGIN_ATTEMPTS_PER_MINUTE", "1"}});
  auto first = AddAndLogin("ben");
  const std::string device = first["device"];
  ASSERT_EQ(device.rfind("dt_", 0), 0u) << first.dump();
  int refused = 0, limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto attempt = Login("ben", "wrong-password-" + std::to_string(i));
    if (attempt.status == 401) ++refused;
    if (attempt.status == 429) {
      ++limited;
      EXPECT_FALSE(attempt.headers["retry-after"].empty());
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(limited, 6) << "guessing must be rate limited";
  EXPECT_EQ(Login("ben", "a-long-password").status, 429)
      << "a login without a known device is held while the name is under attack";
  // The agent's own browser is not held by what the stranger did.
  auto own = Login("ben", "a-long-password", device);
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.Json()["device"], device);
  // Another agent's device token does not help a stranger.
  EXPECT_EQ(Login("ben", "a-long-password", "dt_" + std::string(43, 'A')).status, 429);
  // And the device has its own limit: it cannot be used to guess either.
  int device_limited = 0;
  for (int i = 0; i < 12; ++i)
    if (Login("ben", "wrong-again", device).status == 429) ++device_limited;
  EXPECT_GT(device_limited, 0);
}

// ---- 6. Requests ----

TEST_F(SecurityApiTest, RequestsAreStrictAboutTypesTokensAndFraming) {
  Start();
  auto c = NewConversation();
  const std::string agent = Login("demo", "candor-demo").Json()["token"];
  const std::string path = "/api/v1/conversations/" + c.id + "/messages";
  auto form = Http(port_, "POST", path, R"({"text":"hallo"})", c.token,
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415) << form.body;
  EXPECT_EQ(
      Http(port_, "POST", path, R"({"text":"hallo"})", c.token, {{"Content-Type", "text/plain"}})
          .status,
      415);
  EXPECT_EQ(Http(port_, "POST", path, R"({"text":"hallo"})", c.token,
                 {{"Content-Type", "application/json; charset=utf-8"}})
                .status,
            201);
  EXPECT_EQ(Http(port_, "POST", "/api/v1/agents/login", R"({"name":"demo"})", "",
                 {{"Content-Type", "text/plain"}})
                .status,
            415);

  auto nul = Http(port_, "POST", "/api/v1/conversations/" + c.id + "/replies",
                  R"({"text":"a\u0000b"})", agent);
  EXPECT_EQ(nul.status, 400) << nul.body;
  EXPECT_NE(nul.body.find("NUL"), std::string::npos);

  EXPECT_EQ(
      Http(port_, "GET", "/api/v1/inbox", "", "", {{"Authorization", "bearer " + agent}}).status,
      200);
  EXPECT_EQ(Http(port_, "GET", "/api/v1/conversations/" + c.id, "", "",
                 {{"Authorization", "BEARER " + c.token}})
                .status,
            200);

  EXPECT_EQ(Http(port_, "GET", "/api/v1/conversations/c_doesnotexist/export", "", agent).status,
            404);

  std::string answer = RawExchange(port_,
                                   "POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n"
                                   "ffffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
                                   3s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
}

// ---- 7. Look-alike placeholders ----

TEST_F(SecurityApiTest, ATypedPlaceholderIsMarkedForAgentsAndCannotBeRevealed) {
  Start();
  auto c = NewConversation();
  const std::string agent = Login("demo", "candor-demo").Json()["token"];
  const std::string typed = "Bitte [IBAN_1] und [PHONE_7] prüfen";
  ASSERT_EQ(Say(c, typed).status, 201);
  ASSERT_EQ(Say(c, std::string("Meine echte IBAN: ") + kIban).status, 201);
  const std::string base = "/api/v1/conversations/" + c.id;
  std::vector<std::string> agent_sees, customer_sees;
  const nlohmann::json for_agent = Http(port_, "GET", base + "/events", "", agent).Json();
  const nlohmann::json for_customer = Http(port_, "GET", base + "/events", "", c.token).Json();
  for (const auto& e : for_agent["events"])
    if (e["type"] == "message" && e["author"] == "customer") agent_sees.push_back(e["text"]);
  for (const auto& e : for_customer["events"])
    if (e["type"] == "message" && e["author"] == "customer") customer_sees.push_back(e["text"]);
  ASSERT_EQ(agent_sees.size(), 2u);
  EXPECT_EQ(agent_sees[0], "Bitte \\[IBAN_1] und \\[PHONE_7] prüfen")
      << "typed look-alikes reach the console escaped";
  EXPECT_EQ(agent_sees[1], "Meine echte IBAN: [IBAN_1]");
  EXPECT_EQ(customer_sees,
            (std::vector<std::string>{typed, std::string("Meine echte IBAN: ") + kIban}))
      << "the customer sees what they typed, the typed one not replaced by the real IBAN";
  auto revealed =
      Http(port_, "POST", base + "/reveal", R"({"placeholder":"PHONE_7","reason":"x"})", agent);
  EXPECT_EQ(revealed.status, 404) << "a typed look-alike has nothing behind it";
  auto real =
      Http(port_, "POST", base + "/reveal", R"({"placeholder":"IBAN_1","reason":"x"})", agent);
  EXPECT_EQ(real.Json()["original"], kIban) << "the real one is what IBAN_1 reveals";
}

}  // namespace
}  // namespace candor::testing
