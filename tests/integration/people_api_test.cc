// "Talk to a person" from the customer's side and the agent's: the queue
// position is true, a person takes the conversation and hands it back.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"

namespace candor::testing {
namespace {

TEST(PeopleApiTest, CustomerAsksForAPersonAndSeesTheirTruePlace) {
  const std::string dir = MakeTempDir("PeopleApi");
  auto server = CandorProcess::Start({dir + "/data", {}, {"--demo"}});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  const std::string agent =
      Http(port, "POST", "/api/v1/agents/login", R"({"name":"demo","password":"candor-demo"})")
          .Json()["token"];
  auto first = Http(port, "POST", "/api/v1/conversations").Json();
  auto second = Http(port, "POST", "/api/v1/conversations").Json();
  const std::string a = first["id"], a_token = first["customer_token"];
  const std::string b = second["id"], b_token = second["customer_token"];

  auto asked = Http(port, "POST", "/api/v1/conversations/" + a + "/handoff", "", a_token);
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(asked.Json()["position"], 1);
  auto asked_b = Http(port, "POST", "/api/v1/conversations/" + b + "/handoff", "", b_token);
  EXPECT_EQ(asked_b.Json()["position"], 2);
  // Asking again keeps the place.
  EXPECT_EQ(
      Http(port, "POST", "/api/v1/conversations/" + a + "/handoff", "", a_token).Json()["position"],
      1);
  // Another customer's token cannot ask for them or read their place.
  EXPECT_EQ(Http(port, "GET", "/api/v1/conversations/" + a + "/queue", "", b_token).status, 403);
  EXPECT_EQ(Http(port, "POST", "/api/v1/conversations/" + a + "/take", "", a_token).status, 403);

  auto queue = Http(port, "GET", "/api/v1/queue", "", agent).Json();
  ASSERT_EQ(queue["waiting"].size(), 2u);
  EXPECT_EQ(queue["waiting"][0]["conversation_id"], a);

  ASSERT_EQ(Http(port, "POST", "/api/v1/conversations/" + a + "/take", "", agent).status, 200);
  auto taken = Http(port, "GET", "/api/v1/conversations/" + a + "/queue", "", a_token).Json();
  EXPECT_EQ(taken["agent"], "demo");
  EXPECT_FALSE(taken["waiting"].get<bool>());
  // b moved up.
  auto moved = Http(port, "GET", "/api/v1/conversations/" + b + "/queue", "", b_token).Json();
  EXPECT_EQ(moved["position"], 1);
  EXPECT_FALSE(moved["expected_wait_seconds"].is_null());

  ASSERT_EQ(Http(port, "POST", "/api/v1/conversations/" + a + "/handback", "", agent).status, 200);
  EXPECT_FALSE(Http(port, "GET", "/api/v1/conversations/" + a + "/queue", "", a_token)
                   .Json()["with_people"]
                   .get<bool>());
  EXPECT_EQ(Http(port, "POST", "/api/v1/conversations/" + a + "/handback", "", agent).status, 409);

  // The queue is rebuilt from the events after a restart.
  server.reset();
  server = CandorProcess::Start({dir + "/data", {}, {"--demo"}});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Http(server->port(), "GET", "/api/v1/conversations/" + b + "/queue", "", b_token)
                .Json()["position"],
            1);
  server.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::testing
