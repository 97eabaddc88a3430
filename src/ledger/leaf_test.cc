#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "ledger/internal/encoding.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

std::string Salt0To31() {
  std::string salt;
  for (int i = 0; i < 32; ++i) salt.push_back(static_cast<char>(i));
  return salt;
}

// The worked example of docs/ledger_format.md; the hex below is quoted there.
LeafInput ExampleLeaf() {
  LeafInput leaf;
  leaf.log_index = 7;
  leaf.conversation_id = "c_1";
  leaf.seq = 2;
  leaf.kind = "message";
  leaf.at_ms = 1700000000000;
  leaf.content_commitment = CommitContent(Salt0To31(), "Hallo");
  return leaf;
}

constexpr char kExampleHex[] =
    "01000000000000000700000003635f310000000000000002000000076d657373616765"
    "0000018bcfe56800e29d92f6ede70ed47a4899cda10546fb2f3972d7637b5d1262fb063615304a7a";

TEST(LeafTest, CommitmentMatchesTheDocumentedConstruction) {
  // SHA-256(0x02 || u32be(32) || salt || u64be(5) || "Hallo"), computed apart.
  EXPECT_EQ(HashToHex(CommitContent(Salt0To31(), "Hallo")),
            "e29d92f6ede70ed47a4899cda10546fb2f3972d7637b5d1262fb063615304a7a");
}

TEST(LeafTest, CommitmentBindsTheBoundaryBetweenSaltAndContent) {
  EXPECT_NE(CommitContent("ab", "c"), CommitContent("a", "bc"));
  EXPECT_NE(CommitContent("salt", "Hallo"), CommitContent("salt", "Hallo!"));
  EXPECT_NE(CommitContent("salt1", "Hallo"), CommitContent("salt2", "Hallo"));
}

TEST(LeafTest, FreshSaltsAre32RandomBytes) {
  const std::string a = NewContentSalt();
  const std::string b = NewContentSalt();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(LeafTest, EncodesTheDocumentedExampleByteForByte) {
  EXPECT_EQ(internal::HexEncode(EncodeLeaf(ExampleLeaf())), kExampleHex);
  EXPECT_EQ(HashToHex(HashLeaf(EncodeLeaf(ExampleLeaf()))),
            "b2df8f53fb149da2a00284a7607ca7ed0fb0427c1ac7e4b2bc2ab682a997e871");
}

TEST(LeafTest, SurvivesEncodeDecodeRoundTrip) {
  LeafInput extreme;
  extreme.log_index = std::numeric_limits<int64_t>::max();
  extreme.conversation_id = "";
  extreme.seq = 0;
  extreme.kind = std::string("with\0nul", 8);
  extreme.at_ms = std::numeric_limits<int64_t>::min();
  extreme.content_commitment.fill(0xff);
  for (const LeafInput& leaf : {ExampleLeaf(), extreme, LeafInput{}}) {
    Result<LeafInput> decoded = DecodeLeaf(EncodeLeaf(leaf));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, leaf);
  }
}

TEST(LeafTest, RejectsEveryTruncation) {
  const std::string encoded = EncodeLeaf(ExampleLeaf());
  for (size_t len = 0; len < encoded.size(); ++len) {
    Result<LeafInput> decoded = DecodeLeaf(encoded.substr(0, len));
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << "length " << len;
  }
  EXPECT_EQ(DecodeLeaf(encoded.substr(0, 14)).status().field(), "conversation_id");
  EXPECT_EQ(DecodeLeaf(encoded.substr(0, encoded.size() - 1)).status().field(),
            "content_commitment");
}

TEST(LeafTest, RejectsTrailingBytes) {
  Result<LeafInput> decoded = DecodeLeaf(EncodeLeaf(ExampleLeaf()) + "x");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("trailing"), std::string::npos);
}

TEST(LeafTest, RejectsUnknownVersion) {
  std::string encoded = EncodeLeaf(ExampleLeaf());
  encoded[0] = 2;
  Result<LeafInput> decoded = DecodeLeaf(encoded);
  EXPECT_EQ(decoded.status().field(), "version");
  EXPECT_NE(decoded.status().message().find("version 2"), std::string::npos);
}

TEST(LeafTest, RejectsLengthPrefixBeyondTheInput) {
  std::string encoded = EncodeLeaf(ExampleLeaf());
  // The conversation_id length sits at bytes 9..12; claim 4 GiB.
  for (int i = 9; i < 13; ++i) encoded[i] = '\xff';
  EXPECT_EQ(DecodeLeaf(encoded).status().field(), "conversation_id");
}

}  // namespace
}  // namespace candor::ledger
