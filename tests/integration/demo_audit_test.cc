// The audit of the deployment a newcomer starts: everything people and the AI
// do on the demo (answers with sources, drafts approved, edited and rejected,
// a handoff, a take, a reveal, promises made, missed and kept, a hand-back,
// queue moves) and then `candor audit verify` on the data it left, after a
// clean stop and after a kill -9 and the restart's own checks.
#include <gtest/gtest.h>

#include <fstream>

#include "demo_deployment.h"

namespace candor::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kFeeQuestion = "Welche Gebühren kostet eine Ersatzkarte?";

bool IsCommitment(const SseEvent& e, const std::string& change) {
  return e.event == "commitment" && e.data.value("change", "") == change;
}

std::string RfcTimeIn(std::chrono::seconds from_now) {
  const auto t = std::chrono::system_clock::now() + from_now;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

CommandResult Verify(const std::string& data) {
  return RunCandor({"audit", "verify", "--data", data});
}

class DemoAuditTest : public ::testing::Test {
 protected:
  DemoDeployment demo_{"DemoAudit",
                       {{"CANDOR_BUSINESS_HOURS", "Mo-So 00:00-24:00"},
                        {"CANDOR_PROMISE_CHECK_INTERVAL_MS", "100"}}};
  std::string agent_;

  HttpResult AgentPost(const std::string& path, const std::string& body = "") {
    return Http(demo_.port(), "POST", path, body, agent_);
  }
  std::string Path(const DemoDeployment::Conversation& c, const std::string& rest) {
    return "/api/v1/conversations/" + c.id + rest;
  }

  // All the kinds of work the demo does, each checked as it happens.
  void DoEverything() {
    agent_ = demo_.DemoAgentToken();
    ASSERT_FALSE(agent_.empty());

    // An AI answer with its sources.
    auto asked = demo_.NewConversation();
    ASSERT_EQ(demo_.Say(asked, "Wie ändere ich meine PIN?").status, 201);
    auto answer = demo_.WaitFor(asked.id, asked.token, [](const SseEvent& e) {
      return e.event == "message" && e.data.value("author", "") == "ai";
    });
    ASSERT_FALSE(answer.is_null());
    EXPECT_FALSE(answer["why"]["sources"].empty()) << answer.dump();

    // Drafts: approved as written, edited, rejected.
    auto fees = demo_.NewConversation();
    for (const std::string decision :
         {R"({"decision":"approve"})",
          R"({"decision":"approve","text":"Eine Ersatzkarte kostet 10 EUR."})",
          R"({"decision":"reject","reason":"outdated price list"})"}) {
      const int64_t draft = demo_.SayAndAwaitDraft(fees, kFeeQuestion, agent_);
      ASSERT_GT(draft, 0);
      auto reviewed = AgentPost(Path(fees, "/drafts/" + std::to_string(draft)), decision);
      ASSERT_EQ(reviewed.status, 200) << reviewed.body;
    }

    // Two customers ask for a person: a queue; taking the first moves the second.
    auto first = demo_.NewConversation();
    auto second = demo_.NewConversation();
    ASSERT_EQ(demo_.Say(first, "Meine IBAN ist DE89 3704 0044 0532 0130 00, bitte prüfen.").status,
              201);
    for (const auto* c : {&first, &second}) {
      ASSERT_EQ(Http(demo_.port(), "POST", Path(*c, "/handoff"), "", c->token).status, 200);
    }
    ASSERT_EQ(AgentPost(Path(first, "/take")).status, 200);
    auto moved = demo_.WaitFor(second.id, second.token, [](const SseEvent& e) {
      return e.event == "queue" && e.data.value("change", "") == "moved";
    });
    EXPECT_FALSE(moved.is_null()) << "the second customer is told they moved up";

    // A reveal of the masked IBAN, with its reason.
    auto revealed =
        AgentPost(Path(first, "/reveal"),
                  R"({"placeholder":"[IBAN_1]","reason":"the customer asked us to check it"})");
    ASSERT_EQ(revealed.status, 200) << revealed.body;

    // A promise missed, then answered late; another kept.
    auto short_promise =
        AgentPost(Path(first, "/promises"),
                  nlohmann::json({{"due_at", RfcTimeIn(std::chrono::seconds(2))}}).dump());
    ASSERT_EQ(short_promise.status, 201) << short_promise.body;
    auto missed = demo_.WaitFor(
        first.id, first.token, [](const SseEvent& e) { return IsCommitment(e, "missed"); }, 15s);
    ASSERT_FALSE(missed.is_null()) << "the keeper marks the promise missed";
    ASSERT_EQ(AgentPost(Path(first, "/replies"), R"({"text":"Die IBAN ist korrekt."})").status,
              201);
    auto late = demo_.WaitFor(first.id, first.token,
                              [](const SseEvent& e) { return IsCommitment(e, "answered_late"); });
    EXPECT_FALSE(late.is_null());
    ASSERT_EQ(AgentPost(Path(first, "/promises"), R"({"within_minutes":60})").status, 201);
    ASSERT_EQ(AgentPost(Path(first, "/replies"), R"({"text":"Alles erledigt."})").status, 201);
    auto kept = demo_.WaitFor(first.id, first.token,
                              [](const SseEvent& e) { return IsCommitment(e, "kept"); });
    EXPECT_FALSE(kept.is_null());

    // Handed back to the AI.
    ASSERT_EQ(AgentPost(Path(first, "/handback")).status, 200);

    // A customer's export of their conversation verifies offline.
    auto exported = Http(demo_.port(), "GET", Path(asked, "/export"), "", asked.token);
    ASSERT_EQ(exported.status, 200) << exported.body;
    export_file_ = demo_.data_dir() + "/../export.json";
    std::ofstream(export_file_) << exported.body;
  }

  std::string export_file_;
};

TEST_F(DemoAuditTest, EverythingTheDemoDoesVerifiesAfterAStopAndAfterACrash) {
  ASSERT_TRUE(demo_.Start());
  // A checkpoint is served from the start, before the first event of this run.
  EXPECT_EQ(Http(demo_.port(), "GET", "/api/v1/ledger/checkpoint").status, 200);
  DoEverything();
  if (HasFatalFailure()) return;
  auto offline = RunCandor({"audit", "verify", "--export", export_file_});
  EXPECT_EQ(offline.exit_code, 0) << offline.out;

  demo_.Stop();
  auto verified = Verify(demo_.data_dir());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("OK:"), std::string::npos) << verified.out;

  // Restart, more work, then a crash: the restart checks the tree against the
  // stored log and signs again; the audit still holds.
  ASSERT_TRUE(demo_.Start());
  auto after = demo_.NewConversation();
  ASSERT_EQ(demo_.Say(after, "Hallo").status, 201);
  demo_.Crash();
  ASSERT_TRUE(demo_.Start());
  auto checkpoint = Http(demo_.port(), "GET", "/api/v1/ledger/checkpoint");
  EXPECT_EQ(checkpoint.status, 200) << checkpoint.body;
  auto later = demo_.NewConversation();
  ASSERT_EQ(demo_.Say(later, "Noch eine Frage").status, 201);
  demo_.Stop();
  const std::string log = demo_.server().Stderr();
  EXPECT_EQ(log.find("ledger_inconsistent"), std::string::npos) << log;
  EXPECT_EQ(log.find("ledger_mismatch"), std::string::npos) << log;
  EXPECT_EQ(log.find("checkpoint_failed"), std::string::npos) << log;
  verified = Verify(demo_.data_dir());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

}  // namespace
}  // namespace candor::testing
