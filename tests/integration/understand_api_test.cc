// What the understand stage tells customers and agents about a message, and
// the nlu commands as a deployment uses them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

class UnderstandApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    data_ = dir_ + "/data";
    server_ = CandorProcess::Start({data_, {}, {}});
    ASSERT_NE(server_, nullptr);
    auto made = Http(server_->port(), "POST", "/api/v1/conversations").Json();
    id_ = made["id"];
    token_ = made["customer_token"];
    ASSERT_EQ(RunCandor({"agent", "add", "anna", "--data", data_}, "a-long-password\n").exit_code,
              0);
    agent_ = Http(server_->port(), "POST", "/api/v1/agents/login",
                  R"({"name":"anna","password":"a-long-password"})")
                 .Json()["token"];
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  HttpResult Say(const std::string& text) {
    return Http(server_->port(), "POST", "/api/v1/conversations/" + id_ + "/messages",
                nlohmann::json({{"text", text}}).dump(), token_);
  }
  nlohmann::json Events(const std::string& token) {
    return Http(server_->port(), "GET", "/api/v1/conversations/" + id_ + "/events", "", token)
        .Json()["events"];
  }
  static std::vector<nlohmann::json> OfType(const nlohmann::json& events, const std::string& type) {
    std::vector<nlohmann::json> found;
    for (const auto& e : events)
      if (e["type"] == type) found.push_back(e);
    return found;
  }

  std::string dir_, data_, id_, token_, agent_;
  std::unique_ptr<CandorProcess> server_;
};

TEST_F(UnderstandApiTest, AgentsSeeIntentLanguageAndDistressCustomersSeeWhatWasUnderstood) {
  SseReader customer_stream(server_->port(), "/api/v1/conversations/" + id_ + "/stream", token_);
  SseReader agent_stream(server_->port(), "/api/v1/conversations/" + id_ + "/stream", agent_);
  ASSERT_EQ(Say("Meine Karte wurde gestohlen, bitte sofort sperren! Ich habe solche Angst um mein "
                "Geld, IBAN DE89 3704 0044 0532 0130 00")
                .status,
            201);
  auto agent_view = OfType(Events(agent_), "understanding");
  ASSERT_EQ(agent_view.size(), 1u);
  EXPECT_EQ(agent_view[0]["language"], "de");
  EXPECT_EQ(agent_view[0]["intent"], "card_lost_or_stolen");
  EXPECT_TRUE(agent_view[0]["in_scope"].get<bool>());
  EXPECT_GT(agent_view[0]["distress"].get<double>(), 0.5);
  EXPECT_FALSE(agent_view[0]["model"].get<std::string>().empty());

  auto customer_view = OfType(Events(token_), "understanding");
  ASSERT_EQ(customer_view.size(), 1u);
  EXPECT_EQ(customer_view[0]["intent"], "card_lost_or_stolen");
  EXPECT_FALSE(customer_view[0].contains("distress"));

  auto understood = [](const SseEvent& e) { return e.event == "understanding"; };
  auto streamed_to_customer = customer_stream.ReadUntil(understood, 10s);
  ASSERT_TRUE(streamed_to_customer);
  EXPECT_FALSE(streamed_to_customer->back().data.contains("distress"));
  EXPECT_EQ(streamed_to_customer->back().data["intent"], "card_lost_or_stolen");
  auto streamed_to_agent = agent_stream.ReadUntil(understood, 10s);
  ASSERT_TRUE(streamed_to_agent);
  EXPECT_TRUE(streamed_to_agent->back().data.contains("distress"));

  // The work step is shown around real work, after the message was protected.
  std::vector<std::string> steps;
  for (const auto& e : Events(token_)) {
    if (e["type"] == "work_step")
      steps.push_back(std::string(e["stage"]) + ":" + std::string(e["status"]));
    if (e["type"] != "work_step") steps.push_back(e["type"]);
  }
  ASSERT_GE(steps.size(), 8u);
  EXPECT_EQ(steps[0], "receive:started");
  EXPECT_EQ(steps[3], "message");
  EXPECT_EQ(steps[4], "protect:done");
  EXPECT_EQ(steps[5], "understand:started");
  EXPECT_EQ(steps[6], "understanding");
  EXPECT_EQ(steps[7], "understand:done");
}

TEST_F(UnderstandApiTest, OffTopicMessagesAreNotGuessedAndCalmOnesScoreLow) {
  ASSERT_EQ(Say("What's the best recipe for lasagna with spinach?").status, 201);
  ASSERT_EQ(Say("Hello, what are the fees for a transfer to Switzerland?").status, 201);
  auto understood = OfType(Events(agent_), "understanding");
  ASSERT_EQ(understood.size(), 2u);
  EXPECT_FALSE(understood[0]["in_scope"].get<bool>()) << understood[0].dump();
  EXPECT_EQ(understood[0]["language"], "en");
  EXPECT_TRUE(understood[1]["in_scope"].get<bool>()) << understood[1].dump();
  EXPECT_LT(understood[1]["distress"].get<double>(), 0.5);
}

TEST_F(UnderstandApiTest, ServerRefusesToStartWithoutItsModels) {
  auto result = RunCandor({"serve", "--port", "0", "--data", dir_ + "/other"}, "",
                          {{"CANDOR_INTENT_MODEL", dir_ + "/no-such-model"}});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("no-such-model"), std::string::npos) << result.out;
}

TEST(KnowledgeApiTest, AgentsSearchTheDemoKnowledgeBaseCustomersCannot) {
  const std::string dir = MakeTempDir("KnowledgeApi");
  auto server = CandorProcess::Start({dir + "/data", {}, {"--demo"}});
  ASSERT_NE(server, nullptr);
  const std::string agent = Http(server->port(), "POST", "/api/v1/agents/login",
                                 R"({"name":"demo","password":"candor-demo"})")
                                .Json()["token"];
  auto found = Http(server->port(), "GET", "/api/v1/kb/search?q=PIN%20%C3%A4ndern&lang=de&limit=3",
                    "", agent);
  ASSERT_EQ(found.status, 200) << found.body;
  auto hits = found.Json()["hits"];
  ASSERT_FALSE(hits.empty());
  EXPECT_LE(hits.size(), 3u);
  EXPECT_NE(hits[0]["title"].get<std::string>().find("PIN"), std::string::npos) << hits[0].dump();
  EXPECT_EQ(hits[0]["url"].get<std::string>().rfind("https://demo-bank.example/", 0), 0u);

  EXPECT_EQ(Http(server->port(), "GET", "/api/v1/kb/search?q=PIN", "", "").status, 401);
  auto customer = Http(server->port(), "POST", "/api/v1/conversations").Json();
  EXPECT_EQ(Http(server->port(), "GET", "/api/v1/kb/search?q=PIN", "",
                 customer["customer_token"].get<std::string>())
                .status,
            403);
  auto missing = Http(server->port(), "GET", "/api/v1/kb/search?lang=de", "", agent);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Json()["error"]["field"], "q");
  EXPECT_EQ(Http(server->port(), "GET", "/api/v1/kb/search?q=x&lang=fr", "", agent).status, 400);
  EXPECT_EQ(Http(server->port(), "GET", "/api/v1/kb/search?q=x&limit=500", "", agent).status, 400);
  // Query syntax is just text.
  EXPECT_EQ(
      Http(server->port(), "GET", "/api/v1/kb/search?q=%22PIN%20AND%20(NOT", "", agent).status,
      200);
  server.reset();
  std::filesystem::remove_all(dir);
}

TEST(NluCliTest, TrainEvalAndPredictOnADeploymentsOwnExamples) {
  const std::string dir = MakeTempDir("NluCli");
  {
    std::ofstream data(dir + "/intents.jsonl");
    const char* cards[] = {"my card is lost",
                           "I lost my card",
                           "card stolen yesterday",
                           "someone stole my card",
                           "where is my card, I lost it",
                           "Karte verloren",
                           "meine Karte ist weg",
                           "Karte gestohlen"};
    const char* fees[] = {"what are your fees",     "how much does a transfer cost",
                          "is there a monthly fee", "fees for cash withdrawal",
                          "what do you charge",     "Gebühren bitte",
                          "was kostet das Konto",   "wie hoch sind die Gebühren"};
    for (const char* text : cards)
      data << nlohmann::json({{"text", text}, {"intent", "lost"}}) << "\n";
    for (const char* text : fees)
      data << nlohmann::json({{"text", text}, {"intent", "fees"}}) << "\n";
  }
  auto trained = RunCandor({"nlu", "train", "--data", dir + "/intents.jsonl", "--format", "jsonl",
                            "--out", dir + "/model", "--epochs", "20"});
  ASSERT_EQ(trained.exit_code, 0) << trained.out;
  EXPECT_NE(trained.out.find("trained 2 labels"), std::string::npos) << trained.out;

  auto evaluated =
      RunCandor({"nlu", "eval", "--model", dir + "/model", "--data", dir + "/intents.jsonl",
                 "--format", "jsonl", "--json", "--plot", dir + "/plot.svg"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.out;
  auto json = nlohmann::json::parse(evaluated.out.substr(evaluated.out.find('{')));
  EXPECT_GE(json["accuracy"].get<double>(), 0.9);
  EXPECT_TRUE(json["oos_recall"].is_null());
  EXPECT_TRUE(std::filesystem::exists(dir + "/plot.svg"));
  // Without --plot nothing lands in the working directory.
  std::filesystem::remove("nlu-eval.svg");
  auto unplotted = RunCandor({"nlu", "eval", "--model", dir + "/model", "--data",
                              dir + "/intents.jsonl", "--format", "jsonl", "--json"});
  ASSERT_EQ(unplotted.exit_code, 0) << unplotted.out;
  EXPECT_FALSE(std::filesystem::exists("nlu-eval.svg"));
  EXPECT_EQ(unplotted.out.find("plot written"), std::string::npos);

  auto predicted =
      RunCandor({"nlu", "predict", "--model", dir + "/model"}, "I think my card was stolen\n");
  ASSERT_EQ(predicted.exit_code, 0);
  EXPECT_NE(predicted.out.find("\"label\":\"lost\""), std::string::npos) << predicted.out;

  // Bad input: a clear message naming the line, and nothing written.
  {
    std::ofstream bad(dir + "/bad.jsonl");
    bad << R"({"text":"fine","intent":"a"})"
        << "\n"
        << R"({"text": 42, "intent":"b"})"
        << "\n";
  }
  auto refused = RunCandor({"nlu", "train", "--data", dir + "/bad.jsonl", "--format", "jsonl",
                            "--out", dir + "/bad-model"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("bad.jsonl:2"), std::string::npos) << refused.out;
  EXPECT_FALSE(std::filesystem::exists(dir + "/bad-model"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::testing
