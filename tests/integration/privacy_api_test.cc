// Personal data as customers, agents and an intruder with the database file
// meet it: masked before it is stored, the customer's own text shown back to
// them, originals only through a recorded reveal.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kIban = "DE89 3704 0044 0532 0130 00";
constexpr const char* kPhone = "0171 2345678";
constexpr const char* kName = "Jürgen Weiß";
constexpr const char* kAddress = "Lindenstraße 12, 10115 Berlin";

bool IsProtectDone(const SseEvent& e) {
  return e.event == "work_step" && e.data["stage"] == "protect" && e.data["status"] == "done";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PrivacyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    data_ = dir_ + "/data";
    server_ = CandorProcess::Start({data_, {{"CANDOR_ACCESS_LOG", "true"}}, {}});
    ASSERT_NE(server_, nullptr);
    auto made = Http(server_->port(), "POST", "/api/v1/conversations").Json();
    id_ = made["id"];
    token_ = made["customer_token"];
    auto added = RunCandor({"agent", "add", "anna", "--data", data_}, "a-long-password\n");
    ASSERT_EQ(added.exit_code, 0) << added.out;
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
  // The customer's messages (the AI's answers follow in the background).
  std::vector<std::string> MessageTexts(const std::string& token) {
    auto events =
        Http(server_->port(), "GET", "/api/v1/conversations/" + id_ + "/events", "", token)
            .Json()["events"];
    std::vector<std::string> texts;
    for (const auto& e : events)
      if (e["type"] == "message" && e["author"] == "customer") texts.push_back(e["text"]);
    return texts;
  }

  std::string dir_, data_, id_, token_, agent_;
  std::unique_ptr<CandorProcess> server_;
};

TEST_F(PrivacyApiTest, CustomerSeesTheirTextAgentsSeePlaceholders) {
  const std::string text = std::string("Meine IBAN ist ") + kIban + ", Handy " + kPhone;
  SseReader customer_stream(server_->port(), "/api/v1/conversations/" + id_ + "/stream", token_);
  SseReader agent_stream(server_->port(), "/api/v1/conversations/" + id_ + "/stream", agent_);
  ASSERT_EQ(Say(text).status, 201);

  EXPECT_EQ(MessageTexts(token_), std::vector<std::string>{text});
  auto masked = MessageTexts(agent_);
  ASSERT_EQ(masked.size(), 1u);
  EXPECT_EQ(masked[0], "Meine IBAN ist [IBAN_1], Handy [PHONE_1]");

  auto seen_by_customer = customer_stream.ReadUntil(IsProtectDone, 10s);
  ASSERT_TRUE(seen_by_customer);
  bool customer_saw_original = false;
  for (const auto& e : *seen_by_customer)
    if (e.event == "message" && e.data["author"] == "customer") {
      customer_saw_original = e.data["text"] == text;
    }
  EXPECT_TRUE(customer_saw_original);
  auto seen_by_agent = agent_stream.ReadUntil(IsProtectDone, 10s);
  ASSERT_TRUE(seen_by_agent);
  for (const auto& e : *seen_by_agent) {
    if (e.event == "message" && e.data["author"] == "customer") {
      EXPECT_EQ(e.data["text"], masked[0]);
    }
  }
  EXPECT_EQ(seen_by_customer->back().data["label"]["de"], "Persönliche Daten geschützt");

  // The same IBAN written differently later keeps its placeholder.
  ASSERT_EQ(Say("Also nochmal: DE89370400440532013000").status, 201);
  const auto texts = MessageTexts(agent_);
  EXPECT_NE(std::find(texts.begin(), texts.end(), "Also nochmal: [IBAN_1]"), texts.end());
  // The inbox preview (the customer's message, or the AI's answer to it) is masked too.
  auto inbox = Http(server_->port(), "GET", "/api/v1/inbox", "", agent_).Json();
  EXPECT_EQ(inbox["conversations"][0]["last_message"].get<std::string>().find("DE89"),
            std::string::npos);
}

TEST_F(PrivacyApiTest, NoOriginalReachesTheDatabaseFileOrTheLog) {
  ASSERT_EQ(Say(std::string("IBAN ") + kIban + " und Telefon " + kPhone).status, 201);
  ASSERT_EQ(Say(std::string("Mein Name ist ") + kName + ", ich bin umgezogen: " + kAddress +
                "\nViele Grüße\nJürgen")
                .status,
            201);
  EXPECT_EQ(server_->Stop(), 0);
  std::string stored;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data_))
    if (entry.is_regular_file()) stored += ReadFile(entry.path().string());
  for (const std::string& original :
       {std::string(kIban), std::string("DE89370400440532013000"), std::string(kPhone),
        std::string("1712345678"), std::string("Jürgen"), std::string("Weiß"),
        std::string("Lindenstraße")}) {
    EXPECT_EQ(stored.find(original), std::string::npos) << original << " is in the data files";
    EXPECT_EQ(server_->Stderr().find(original), std::string::npos) << original << " was logged";
  }
}

TEST_F(PrivacyApiTest, RevealShowsTheOriginalAndTellsTheCustomerWhy) {
  ASSERT_EQ(Say(std::string("Bitte an ") + kIban + " zurück").status, 201);
  const std::string path = "/api/v1/conversations/" + id_ + "/reveal";
  auto revealed = Http(server_->port(), "POST", path,
                       R"({"placeholder":"IBAN_1","reason":"Rückbuchung prüfen"})", agent_);
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(revealed.Json()["original"], kIban);
  EXPECT_EQ(revealed.Json()["pii_type"], "iban");

  auto listed =
      Http(server_->port(), "GET", "/api/v1/conversations/" + id_ + "/events", "", token_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  auto events = listed.Json()["events"];
  ASSERT_TRUE(events.is_array() && !events.empty()) << listed.body;
  // The AI's answer may still be arriving: find the reveal among the events.
  nlohmann::json last;  // a copy: a missing key reads as null, not past the end
  for (const auto& e : events)
    if (e["type"] == "reveal") last = e;
  EXPECT_EQ(last["type"], "reveal");
  EXPECT_EQ(last["agent"], "anna");
  EXPECT_EQ(last["pii_type"], "iban");
  EXPECT_EQ(last["reason"], "Rückbuchung prüfen");
  EXPECT_EQ(last["notice"]["en"], "A person viewed your IBAN: Rückbuchung prüfen");
  EXPECT_EQ(last["notice"]["de"], "Eine Person hat Ihre IBAN angesehen: Rückbuchung prüfen");

  EXPECT_EQ(Http(server_->port(), "POST", path, R"({"placeholder":"IBAN_1"})", agent_).status, 400);
  EXPECT_EQ(Http(server_->port(), "POST", path, R"({"placeholder":"IBAN_7","reason":"x"})", agent_)
                .status,
            404);
  EXPECT_EQ(Http(server_->port(), "POST", path, R"({"placeholder":"IBAN_1","reason":"x"})", token_)
                .status,
            403);
}

TEST_F(PrivacyApiTest, AgentsSeeOnePlaceholderPerPersonAndCanRevealAnAddress) {
  ASSERT_EQ(Say(std::string("Mein Name ist ") + kName + ". Neue Adresse: " + kAddress).status, 201);
  ASSERT_EQ(
      Say("Frau Weiß ist meine Mutter, bitte nichts an sie schicken.\nViele Grüße\nJürgen").status,
      201);
  auto masked = MessageTexts(agent_);
  ASSERT_EQ(masked.size(), 2u);
  EXPECT_EQ(masked[0], "Mein Name ist [NAME_1]. Neue Adresse: [ADDRESS_1]");
  EXPECT_EQ(masked[1],
            "Frau [NAME_1] ist meine Mutter, bitte nichts an sie schicken.\nViele Grüße\n[NAME_1]");

  const std::string path = "/api/v1/conversations/" + id_ + "/reveal";
  auto revealed = Http(server_->port(), "POST", path,
                       R"({"placeholder":"ADDRESS_1","reason":"Adressänderung prüfen"})", agent_);
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(revealed.Json()["original"], kAddress);
  EXPECT_EQ(revealed.Json()["pii_type"], "address");
  // The AI's answer may still be arriving: find the reveal among the events.
  const nlohmann::json events =
      Http(server_->port(), "GET", "/api/v1/conversations/" + id_ + "/events", "", token_)
          .Json()["events"];
  nlohmann::json reveal;
  for (const auto& e : events)
    if (e["type"] == "reveal") reveal = e;
  EXPECT_EQ(reveal["notice"]["en"], "A person viewed your postal address: Adressänderung prüfen");
}

TEST(PiiCliTest, ScanPrintsMaskedTextAndByteOffsets) {
  auto scan =
      RunCandor({"pii", "scan"}, std::string("Überweisung an ") + kIban + "\nnichts hier\n");
  ASSERT_EQ(scan.exit_code, 0) << scan.out;
  const size_t newline = scan.out.find('\n');
  auto first = nlohmann::json::parse(scan.out.substr(0, newline));
  EXPECT_EQ(first["masked"], "Überweisung an [IBAN_1]");
  ASSERT_EQ(first["entities"].size(), 1u);
  EXPECT_EQ(first["entities"][0]["type"], "iban");
  EXPECT_EQ(first["entities"][0]["start"], std::string("Überweisung an ").size());
  auto second = nlohmann::json::parse(
      scan.out.substr(newline + 1, scan.out.find('\n', newline + 1) - newline - 1));
  EXPECT_TRUE(second["entities"].empty());
}

}  // namespace
}  // namespace candor::testing
