// People's decisions under concurrency, on the demo deployment: a draft is
// approved once however many people press the button at the same moment,
// one person holds a conversation, and a hand-back happens once.
#include <gtest/gtest.h>

#include "demo_deployment.h"

namespace candor::testing {
namespace {

constexpr const char* kFeeQuestion = "Welche Gebühren kostet eine Ersatzkarte?";

int Count(const std::vector<HttpResult>& results, int status) {
  int n = 0;
  for (const auto& r : results) n += r.status == status;
  return n;
}

int ApprovedMessages(DemoDeployment& demo, const DemoDeployment::Conversation& c) {
  int n = 0;
  for (const auto& e : demo.Events(c.id, c.token)) {
    n += e.value("type", "") == "message" && e.value("author", "") == "ai_approved";
  }
  return n;
}

TEST(PeopleConcurrencyTest, TwentyApprovalsAtOnceSendTheDraftOnce) {
  DemoDeployment demo("TwentyApprovals");
  ASSERT_TRUE(demo.Start());
  const std::string agent = demo.DemoAgentToken();
  auto c = demo.NewConversation();
  const int64_t draft = demo.SayAndAwaitDraft(c, kFeeQuestion, agent);
  ASSERT_GT(draft, 0) << "the demo policy drafts fee answers";

  const std::string path = "/api/v1/conversations/" + c.id + "/drafts/" + std::to_string(draft);
  auto results = DemoDeployment::AllAtOnce(20, [&](int i) {
    // Every second one edits, so two texts would show if two went out.
    const std::string body =
        i % 2 ? R"({"decision":"approve"})"
              : nlohmann::json({{"decision", "approve"}, {"text", "Edit " + std::to_string(i)}})
                    .dump();
    return Http(demo.port(), "POST", path, body, agent);
  });
  EXPECT_EQ(Count(results, 200), 1);
  EXPECT_EQ(Count(results, 409), 19);
  for (const auto& r : results) {
    if (r.status == 409) {
      EXPECT_EQ(r.Json()["error"]["code"], "already_reviewed") << r.body;
    }
  }
  // What the customer sees: exactly one approved answer, whoever's it was.
  auto approved = demo.WaitFor(c.id, c.token, [](const SseEvent& e) {
    return e.event == "message" && e.data.value("author", "") == "ai_approved";
  });
  ASSERT_FALSE(approved.is_null());
  EXPECT_EQ(ApprovedMessages(demo, c), 1);
  int reviews = 0;
  for (const auto& e : demo.Events(c.id, agent)) reviews += e.value("type", "") == "review";
  EXPECT_EQ(reviews, 1);
  // The trust figures count the one review, not twenty.
  auto trust = Http(demo.port(), "GET", "/api/v1/metrics/trust", "", agent).Json();
  const auto& drafts = trust["totals"]["drafts"];
  EXPECT_EQ(drafts["approved_unchanged"].get<int>() + drafts["edited"].get<int>() +
                drafts["rejected"].get<int>(),
            1)
      << trust.dump();
}

TEST(PeopleConcurrencyTest, AnApprovalAndARejectionAtOnceRecordOneOutcome) {
  DemoDeployment demo("ApproveAndReject");
  ASSERT_TRUE(demo.Start());
  const std::string agent = demo.DemoAgentToken();
  const std::string ben = demo.NewAgentToken("ben");
  ASSERT_FALSE(ben.empty());
  auto c = demo.NewConversation();
  const int64_t draft = demo.SayAndAwaitDraft(c, kFeeQuestion, agent);
  ASSERT_GT(draft, 0);
  const std::string path = "/api/v1/conversations/" + c.id + "/drafts/" + std::to_string(draft);
  auto results = DemoDeployment::AllAtOnce(2, [&](int i) {
    return i == 0 ? Http(demo.port(), "POST", path, R"({"decision":"approve"})", agent)
                  : Http(demo.port(), "POST", path,
                         R"({"decision":"reject","reason":"wrong fee table"})", ben);
  });
  EXPECT_EQ(Count(results, 200), 1);
  EXPECT_EQ(Count(results, 409), 1);
  std::vector<std::string> outcomes;
  for (const auto& e : demo.Events(c.id, agent)) {
    if (e.value("type", "") == "review") outcomes.push_back(e.value("outcome", ""));
  }
  ASSERT_EQ(outcomes.size(), 1u) << "recorded as approved and rejected";
  if (outcomes[0] == "rejected") {
    EXPECT_EQ(ApprovedMessages(demo, c), 0);
  }
}

TEST(PeopleConcurrencyTest, OnePersonHoldsAConversationAndOthersNeedAnExplicitReassign) {
  DemoDeployment demo("OneHolder");
  ASSERT_TRUE(demo.Start());
  const std::string demo_agent = demo.DemoAgentToken();
  const std::string anna = demo.NewAgentToken("anna");
  const std::string ben = demo.NewAgentToken("ben");
  ASSERT_FALSE(anna.empty());
  ASSERT_FALSE(ben.empty());
  auto c = demo.NewConversation();
  ASSERT_EQ(
      Http(demo.port(), "POST", "/api/v1/conversations/" + c.id + "/handoff", "", c.token).status,
      200);
  const std::string take = "/api/v1/conversations/" + c.id + "/take";

  auto results = DemoDeployment::AllAtOnce(
      2, [&](int i) { return Http(demo.port(), "POST", take, "", i == 0 ? anna : ben); });
  ASSERT_EQ(Count(results, 200), 1) << results[0].body << results[1].body;
  ASSERT_EQ(Count(results, 409), 1);
  const bool anna_won = results[0].status == 200;
  const std::string winner = anna_won ? "anna" : "ben";
  const HttpResult& lost = anna_won ? results[1] : results[0];
  EXPECT_EQ(lost.Json()["error"]["code"], "held_by_other") << lost.body;
  EXPECT_EQ(lost.Json()["error"]["agent"], winner) << lost.body;

  // The customer was told once that a person is with them.
  int taken = 0;
  for (const auto& e : demo.Events(c.id, c.token)) {
    taken += e.value("type", "") == "queue" && e.value("change", "") == "taken";
  }
  EXPECT_EQ(taken, 1);

  // Taking again is harmless for the holder; the other needs to say so.
  const std::string& holder = anna_won ? anna : ben;
  const std::string& other = anna_won ? ben : anna;
  EXPECT_EQ(Http(demo.port(), "POST", take, "", holder).status, 200);
  EXPECT_EQ(Http(demo.port(), "POST", take, "", other).status, 409);
  EXPECT_EQ(
      Http(demo.port(), "POST", "/api/v1/conversations/" + c.id + "/handback", "", other).status,
      409)
      << "only the holder hands back";
  EXPECT_EQ(Http(demo.port(), "POST", take, R"({"reassign":"yes"})", other).status, 400);
  auto reassigned = Http(demo.port(), "POST", take, R"({"reassign":true})", other);
  ASSERT_EQ(reassigned.status, 200) << reassigned.body;
  auto place = Http(demo.port(), "GET", "/api/v1/conversations/" + c.id + "/queue", "", c.token);
  EXPECT_EQ(place.Json()["agent"], anna_won ? "ben" : "anna");

  // Two hand-backs at once (a double click): one happens.
  auto back = DemoDeployment::AllAtOnce(2, [&](int) {
    return Http(demo.port(), "POST", "/api/v1/conversations/" + c.id + "/handback", "", other);
  });
  EXPECT_EQ(Count(back, 200), 1);
  EXPECT_EQ(Count(back, 409), 1);
  int handed_back = 0;
  for (const auto& e : demo.Events(c.id, demo_agent)) {
    handed_back += e.value("type", "") == "queue" && e.value("change", "") == "handed_back";
  }
  EXPECT_EQ(handed_back, 1);
}

}  // namespace
}  // namespace candor::testing
