// The ledger as a customer and an auditor meet it: receipts on every message,
// signed checkpoints, proofs over HTTP, an export that checks out offline.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace candor::testing {
namespace {

class LedgerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    data_ = dir_ + "/data";
    // A checkpoint after every 5 events keeps the test short.
    server_ = CandorProcess::Start({data_, {{"CANDOR_CHECKPOINT_EVERY", "5"}}, {}});
    ASSERT_NE(server_, nullptr);
    auto made = Http(server_->port(), "POST", "/api/v1/conversations");
    ASSERT_EQ(made.status, 201);
    id_ = made.Json()["id"];
    token_ = made.Json()["customer_token"];
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  HttpResult Say(const std::string& text) {
    return Http(server_->port(), "POST", "/api/v1/conversations/" + id_ + "/messages",
                nlohmann::json({{"text", text}}).dump(), token_);
  }
  // Waits (on the server's own checkpoint feed) until a checkpoint covers `size`.
  nlohmann::json CheckpointCovering(int64_t size) {
    for (int i = 0; i < 200; ++i) {
      auto response = Http(server_->port(), "GET", "/api/v1/ledger/checkpoint");
      if (response.status == 200 && response.Json()["tree_size"].get<int64_t>() >= size) {
        return response.Json();
      }
      // A new message makes the count due sooner than waiting out the interval.
      Say("noch da?");
    }
    return nullptr;
  }

  std::string dir_, data_, id_, token_;
  std::unique_ptr<CandorProcess> server_;
};

TEST_F(LedgerApiTest, EveryMessageHasAReceiptProvableAgainstASignedCheckpoint) {
  auto sent = Say("Bitte bestätigen Sie meine Überweisung");
  ASSERT_EQ(sent.status, 201);
  auto receipt = sent.Json()["receipt"];
  ASSERT_TRUE(receipt.is_object()) << sent.body;
  const int64_t index = receipt["leaf_index"];
  EXPECT_EQ(receipt["leaf_hash"].get<std::string>().size(), 64u);

  auto checkpoint = CheckpointCovering(index + 1);
  ASSERT_TRUE(checkpoint.is_object()) << "no checkpoint was issued";
  const std::string note = checkpoint["checkpoint"];
  EXPECT_EQ(note.rfind("candor\n", 0), 0u) << note;
  EXPECT_NE(note.find("\n\n\u2014 candor "), std::string::npos) << note;

  const int64_t size = checkpoint["tree_size"];
  auto proof = Http(server_->port(), "GET",
                    "/api/v1/ledger/proof/inclusion?index=" + std::to_string(index) +
                        "&size=" + std::to_string(size));
  ASSERT_EQ(proof.status, 200) << proof.body;
  EXPECT_EQ(proof.Json()["leaf_hash"], receipt["leaf_hash"]);
  EXPECT_EQ(proof.Json()["root_hash"], checkpoint["root_hash"]);

  auto consistency = Http(server_->port(), "GET",
                          "/api/v1/ledger/proof/consistency?from=1&to=" + std::to_string(size));
  EXPECT_EQ(consistency.status, 200) << consistency.body;
  EXPECT_EQ(
      Http(server_->port(), "GET", "/api/v1/ledger/proof/inclusion?index=99999&size=3").status,
      400);
  EXPECT_EQ(Http(server_->port(), "GET", "/api/v1/ledger/proof/inclusion?index=x").status, 400);
}

TEST_F(LedgerApiTest, ExportChecksOutOfflineAndAnEditIsCaught) {
  for (int i = 0; i < 6; ++i) ASSERT_EQ(Say("Nachricht " + std::to_string(i)).status, 201);
  ASSERT_TRUE(CheckpointCovering(6).is_object());
  auto exported =
      Http(server_->port(), "GET", "/api/v1/conversations/" + id_ + "/export", "", token_);
  ASSERT_EQ(exported.status, 200) << exported.body;
  auto other = Http(server_->port(), "POST", "/api/v1/conversations").Json();
  EXPECT_EQ(Http(server_->port(), "GET", "/api/v1/conversations/" + id_ + "/export", "",
                 other["customer_token"])
                .status,
            403);

  const std::string key = exported.Json()["verifier_key"];
  const std::string file = dir_ + "/export.json";
  std::ofstream(file) << exported.body;
  auto good = RunCandor({"audit", "verify", "--export", file, "--key", key});
  EXPECT_EQ(good.exit_code, 0) << good.out;
  EXPECT_NE(good.out.find("OK:"), std::string::npos) << good.out;

  auto edited = exported.Json();
  size_t first_message = 0;
  while (edited["events"][first_message]["kind"] != "message") ++first_message;
  auto& item = edited["events"][first_message];
  std::string body = item["body"];
  item["body"] = body.replace(body.find("Nachricht 0"), 11, "Nachricht 9");
  const std::string seq = "seq " + std::to_string(item["seq"].get<int64_t>());
  std::ofstream(file, std::ios::trunc) << edited.dump();
  auto bad = RunCandor({"audit", "verify", "--export", file, "--key", key});
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.out.find(seq), std::string::npos) << bad.out;
}

TEST_F(LedgerApiTest, AuditOfTheDatabasePassesAfterAShutdown) {
  for (int i = 0; i < 12; ++i) ASSERT_EQ(Say("m" + std::to_string(i)).status, 201);
  EXPECT_EQ(server_->Stop(), 0);
  auto audit = RunCandor({"audit", "verify", "--data", data_});
  EXPECT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_NE(audit.out.find("OK:"), std::string::npos) << audit.out;
  auto missing = RunCandor({"audit", "verify", "--data", dir_ + "/nowhere"});
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
}

}  // namespace
}  // namespace candor::testing
