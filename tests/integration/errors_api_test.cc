// The one error table as a client meets it: a bad value is `invalid_value`
// wherever it is sent (a body field, a query parameter, a header), with the
// field named, and every code a response carries is one the OpenAPI document
// lists.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "harness.h"

namespace candor::testing {
namespace {

class ErrorsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("errors");
    server_ = CandorProcess::Start({dir_ + "/data", {}, {"--demo"}});
    ASSERT_NE(server_, nullptr) << "candor did not start";
    port_ = server_->port();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<CandorProcess> server_;
  uint16_t port_ = 0;
};

TEST_F(ErrorsApiTest, EveryBadValueIsInvalidValueNamingItsFieldAndIsDocumented) {
  auto created = Http(port_, "POST", "/api/v1/conversations");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json()["id"];
  const std::string customer = created.Json()["customer_token"];
  auto login =
      Http(port_, "POST", "/api/v1/agents/login", R"({"name": "demo", "password": "candor-demo"})");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string admin = login.Json()["token"];
  const std::string conversation = "/api/v1/conversations/" + id;

  struct Case {
    std::string name;
    HttpResult response;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"message author",
       Http(port_, "POST", conversation + "/messages", R"({"text": "hi", "author": "ai"})",
            customer),
       "author"},
      {"negative event position",
       Http(port_, "GET", conversation + "/events?after=-1", "", customer), "after"},
      {"stream resume position",
       Http(port_, "GET", conversation + "/stream", "", customer, {{"Last-Event-ID", "soon"}}),
       "Last-Event-ID"},
      {"knowledge search language",
       Http(port_, "GET", "/api/v1/kb/search?q=Karte&lang=fr", "", admin), "lang"},
      {"ledger index that is no number",
       Http(port_, "GET", "/api/v1/ledger/proof/inclusion?index=x"), "index"},
      {"ledger index beyond the tree",
       Http(port_, "GET", "/api/v1/ledger/proof/inclusion?index=99999&size=1"), "index"},
      {"trust bucket", Http(port_, "GET", "/api/v1/metrics/trust?bucket=week", "", admin),
       "bucket"},
      {"promise time",
       Http(port_, "POST", conversation + "/promises", R"({"due_at": "tomorrow"})", admin),
       "due_at"},
      {"promise minutes",
       Http(port_, "POST", conversation + "/promises", R"({"within_minutes": 0})", admin),
       "within_minutes"},
  };

  auto document = Http(port_, "GET", "/api/openapi.json").Json();
  const auto& schema = document["components"]["schemas"]["Error"];
  ASSERT_TRUE(schema.is_object()) << "the OpenAPI document has no Error schema";
  std::set<std::string> documented;
  for (const auto& code : schema["properties"]["error"]["properties"]["code"]["enum"]) {
    documented.insert(code.get<std::string>());
  }
  for (const auto& c : cases) {
    EXPECT_EQ(c.response.status, 400) << c.name << ": " << c.response.body;
    const auto error = c.response.Json()["error"];
    EXPECT_EQ(error["code"], "invalid_value") << c.name << ": " << c.response.body;
    EXPECT_EQ(error["field"], c.field) << c.name;
    EXPECT_TRUE(documented.count(error.value("code", ""))) << c.name;
  }
}

TEST_F(ErrorsApiTest, ErrorsOfEveryKindCarryCodesTheDocumentLists) {
  auto document = Http(port_, "GET", "/api/openapi.json").Json();
  std::set<std::string> documented;
  for (const auto& row : document["components"]["schemas"]["Error"]["x-candor-errors"]) {
    documented.insert(row["code"].get<std::string>());
  }
  const std::vector<HttpResult> responses = {
      Http(port_, "GET", "/api/v1/inbox"),                                 // 401
      Http(port_, "GET", "/api/v1/conversations/c_nothing", "", "ct_x"),   // 401
      Http(port_, "GET", "/api/v1/nothing-here"),                          // 404
      Http(port_, "DELETE", "/api/openapi.json"),                          // 405
      Http(port_, "POST", "/api/v1/agents/login", R"({"name": "demo"})"),  // 400
      Http(port_, "POST", "/api/v1/agents/login", "{\"name\": ", "",
           {{"Content-Type", "application/json"}}),  // 400
      Http(port_, "POST", "/api/v1/agents/login", R"({"name": "demo", "password": "wrong"})"),
  };
  for (const auto& response : responses) {
    ASSERT_GE(response.status, 400) << response.body;
    const std::string code = response.Json()["error"].value("code", "");
    EXPECT_TRUE(documented.count(code)) << code << " is not in the OpenAPI document";
  }
}

}  // namespace
}  // namespace candor::testing
