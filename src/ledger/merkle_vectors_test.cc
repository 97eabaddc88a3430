// Conformance against transparency-dev/merkle's test vectors, read from
// ../shared/data/merkle-vectors (see SOURCE.md there). Each JSON file is one
// case: a happy path that must verify, or a mutation that must not.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/internal/encoding.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

namespace fs = std::filesystem;

fs::path VectorsDir() { return fs::path(CANDOR_SHARED_DATA) / "merkle-vectors"; }

std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Decode(const nlohmann::json& value) {
  return internal::Base64Decode(value.get<std::string>()).value();
}

// Some mutations carry values that are not 32 bytes long. A leaf hash or proof
// hash of another length cannot enter our API: HashFromBytes refuses it at the
// edge, which is where such a case is rejected (as the Go verifier refuses a
// leaf hash of the wrong size). Roots are only ever compared, and some static
// cases use 12-byte placeholders ("don't care 1") whose equality is the point;
// those become 32-byte stand-ins (zero-padded), which keeps equal ones equal.
Result<Hash> EdgeHash(const nlohmann::json& value) { return HashFromBytes(Decode(value)); }

Hash RootOrStandIn(const nlohmann::json& value) {
  const std::string bytes = Decode(value);
  if (Result<Hash> exact = HashFromBytes(bytes); exact.ok()) return *exact;
  Hash stand_in{};
  for (size_t i = 0; i < bytes.size() && i < kHashSize; ++i) {
    stand_in[i] = static_cast<uint8_t>(bytes[i]);
  }
  return stand_in;
}

Result<std::vector<Hash>> EdgeProof(const nlohmann::json& value) {
  std::vector<Hash> proof;
  if (value.is_null()) return proof;
  for (const auto& item : value) {
    Result<Hash> hash = EdgeHash(item);
    if (!hash.ok()) return hash.status();
    proof.push_back(*hash);
  }
  return proof;
}

nlohmann::json Load(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

struct Tally {
  int accepted = 0;
  int rejected = 0;
  int rejected_at_edge = 0;  // by HashFromBytes, before the verifier ran
};

TEST(MerkleVectorsTest, InclusionVerifierAcceptsHappyPathsAndRejectsEveryMutation) {
  if (!fs::exists(VectorsDir())) GTEST_SKIP() << "no vectors at " << VectorsDir();
  Tally tally;
  for (const fs::path& file : JsonFiles(VectorsDir() / "inclusion")) {
    const nlohmann::json v = Load(file);
    const Result<Hash> leaf = EdgeHash(v["leafHash"]);
    const Result<std::vector<Hash>> proof = EdgeProof(v["proof"]);
    if (!leaf.ok() || !proof.ok()) tally.rejected_at_edge++;
    const Status status = !leaf.ok()    ? leaf.status()
                          : !proof.ok() ? proof.status()
                                        : VerifyInclusion(*leaf, v["leafIdx"].get<uint64_t>(),
                                                          v["treeSize"].get<uint64_t>(), *proof,
                                                          RootOrStandIn(v["root"]));
    const bool want_ok = !v["wantErr"].get<bool>();
    EXPECT_EQ(status.ok(), want_ok) << file << " (" << v["desc"] << "): " << status.ToString();
    (want_ok ? tally.accepted : tally.rejected)++;
  }
  EXPECT_GT(tally.accepted, 0);
  EXPECT_GT(tally.rejected, 0);
  std::cout << "inclusion vectors: " << tally.accepted << " accepted, " << tally.rejected
            << " rejected (" << tally.rejected_at_edge << " of them at the edge)\n";
}

TEST(MerkleVectorsTest, ConsistencyVerifierAcceptsHappyPathsAndRejectsEveryMutation) {
  if (!fs::exists(VectorsDir())) GTEST_SKIP() << "no vectors at " << VectorsDir();
  Tally tally;
  for (const fs::path& file : JsonFiles(VectorsDir() / "consistency")) {
    const nlohmann::json v = Load(file);
    const Result<std::vector<Hash>> proof = EdgeProof(v["proof"]);
    if (!proof.ok()) tally.rejected_at_edge++;
    const Status status =
        !proof.ok()
            ? proof.status()
            : VerifyConsistency(v["size1"].get<uint64_t>(), v["size2"].get<uint64_t>(), *proof,
                                RootOrStandIn(v["root1"]), RootOrStandIn(v["root2"]));
    const bool want_ok = !v["wantErr"].get<bool>();
    EXPECT_EQ(status.ok(), want_ok) << file << " (" << v["desc"] << "): " << status.ToString();
    (want_ok ? tally.accepted : tally.rejected)++;
  }
  EXPECT_GT(tally.accepted, 0);
  EXPECT_GT(tally.rejected, 0);
  std::cout << "consistency vectors: " << tally.accepted << " accepted, " << tally.rejected
            << " rejected (" << tally.rejected_at_edge << " of them at the edge)\n";
}

}  // namespace
}  // namespace candor::ledger
