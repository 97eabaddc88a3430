// Ledger speed, one figure per line, each with its target.
//
//   build/release/src/ledger/ledger_bench
//
// A plain main rather than Google Benchmark: the interesting cases need a
// 10^7-leaf tree built once and probed at random, and per-operation latency
// percentiles, which a fixed-iteration loop does not show. Single-threaded
// throughout, so "per second" means on one core.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "ledger/internal/sha256.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Keeps the optimiser from dropping work whose result is otherwise unused.
void Consume(Hash h) { benchmark::DoNotOptimize(h); }

// A typical leaf; the commitment is left for the caller to fill.
LeafInput SampleLeaf(int64_t index) {
  LeafInput leaf;
  leaf.log_index = index;
  leaf.conversation_id = "c_" + std::to_string(index / 16);
  leaf.seq = index % 16;
  leaf.kind = "message";
  leaf.at_ms = 1700000000000 + index;
  return leaf;
}

// The node hash H(0x01 || left || right), our hash and libsodium's as its peer.
void BenchNodeHash() {
  constexpr int kRounds = 2'000'000;
  Hash left = HashLeaf("l");
  const Hash right = HashLeaf("r");

  internal::Sha256 sha;
  auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) left = sha.Children(left, right);
  const double openssl_ns = Seconds(start, Clock::now()) * 1e9 / kRounds;

  unsigned char buf[1 + 2 * kHashSize] = {0x01};
  start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    std::copy(left.begin(), left.end(), buf + 1);
    std::copy(right.begin(), right.end(), buf + 1 + kHashSize);
    crypto_hash_sha256(left.data(), buf, sizeof buf);
  }
  const double sodium_ns = Seconds(start, Clock::now()) * 1e9 / kRounds;
  Consume(left);
  std::printf("node hash SHA-256(65 bytes): %.0f ns with OpenSSL (used); peer: libsodium %.0f ns\n",
              openssl_ns, sodium_ns);
}

void BenchAppend() {
  constexpr int64_t kLeaves = 2'000'000;
  const std::string salt = NewContentSalt();
  const std::string content = "Guten Tag, meine Karte wurde zweimal belastet.";
  std::vector<std::string> encoded;
  encoded.reserve(kLeaves);
  for (int64_t i = 0; i < kLeaves; ++i) {
    LeafInput leaf = SampleLeaf(i);
    leaf.content_commitment = CommitContent(salt, content);
    encoded.push_back(EncodeLeaf(leaf));
  }

  MerkleTree tree;
  auto start = Clock::now();
  for (const std::string& leaf : encoded) tree.AppendLeaf(leaf);
  Consume(tree.Root());
  const double rate = kLeaves / Seconds(start, Clock::now());
  std::printf(
      "append, leaf hashing included: %.2f M leaves/s on one core "
      "(%zu-byte leaves, %lld leaves)   [target >= 0.5 M/s]\n",
      rate / 1e6, encoded[0].size(), static_cast<long long>(kLeaves));

  // The whole per-event path: commit to the content, encode, append.
  MerkleTree full;
  start = Clock::now();
  for (int64_t i = 0; i < kLeaves; ++i) {
    LeafInput leaf = SampleLeaf(i);
    leaf.content_commitment = CommitContent(salt, content);
    full.AppendLeaf(EncodeLeaf(leaf));
  }
  Consume(full.Root());
  std::printf("append incl. content commitment and encoding: %.2f M leaves/s on one core\n",
              kLeaves / Seconds(start, Clock::now()) / 1e6);
}

// An auditor holding a signed checkpoint and the log's leaf hashes recomputes
// the root and checks it against the checkpoint.
void BenchAudit() {
  constexpr int64_t kLeaves = 1'000'000;
  std::vector<Hash> leaf_hashes;
  leaf_hashes.reserve(kLeaves);
  for (int64_t i = 0; i < kLeaves; ++i) leaf_hashes.push_back(HashLeaf(EncodeLeaf(SampleLeaf(i))));
  const CheckpointSigner signer =
      CheckpointSigner::Create(SigningKey::Generate(), "bench/ledger", "bench/ledger").value();
  const VerifierKey vkey = ParseVerifierKey(signer.VerifierKeyString()).value();
  const std::string note = signer.Sign(kLeaves, ComputeRoot(leaf_hashes));

  auto start = Clock::now();
  Result<Checkpoint> checkpoint = VerifyCheckpoint(note, vkey.public_key, vkey.name);
  const bool ok = checkpoint.ok() && checkpoint->size == leaf_hashes.size() &&
                  checkpoint->root == ComputeRoot(leaf_hashes);
  const double audit_s = Seconds(start, Clock::now());

  start = Clock::now();
  MerkleTree tree;
  for (const Hash& h : leaf_hashes) tree.AppendLeafHash(h);
  const bool tree_ok = tree.Root() == checkpoint->root;
  const double rebuild_s = Seconds(start, Clock::now());
  std::printf(
      "root + checkpoint verification of a 1,000,000-leaf log from its leaf hashes: "
      "%.3f s (%s)   [target < 1 s]\n",
      audit_s, ok ? "verified" : "MISMATCH");
  std::printf("rebuilding a MerkleTree (all levels) from 1,000,000 leaf hashes: %.3f s (%s)\n",
              rebuild_s, tree_ok ? "root matches" : "MISMATCH");
}

struct Latency {
  std::vector<double> ns;
  double Percentile(double p) {
    std::sort(ns.begin(), ns.end());
    return ns[static_cast<size_t>(p * (ns.size() - 1))];
  }
  double Mean() const {
    double sum = 0;
    for (double v : ns) sum += v;
    return sum / ns.size();
  }
};

void BenchProofsAtTenMillion() {
  constexpr uint64_t kLeaves = 10'000'000;
  constexpr int kProbes = 20'000;
  MerkleTree tree;
  auto start = Clock::now();
  for (uint64_t i = 0; i < kLeaves; ++i) tree.AppendLeaf(std::to_string(i));
  std::printf("building the 10^7-leaf tree: %.2f s\n", Seconds(start, Clock::now()));

  std::mt19937_64 rng(42);
  const Hash root = tree.Root();
  Latency inclusion, generate_only, consistency;
  int failures = 0;
  for (int i = 0; i < kProbes; ++i) {
    const uint64_t index = rng() % kLeaves;
    const Hash leaf = tree.LeafHash(index).value();
    auto t0 = Clock::now();
    Result<std::vector<Hash>> proof = tree.InclusionProof(index, kLeaves);
    auto t1 = Clock::now();
    failures += !VerifyInclusion(leaf, index, kLeaves, *proof, root).ok();
    auto t2 = Clock::now();
    generate_only.ns.push_back(Seconds(t0, t1) * 1e9);
    inclusion.ns.push_back(Seconds(t0, t2) * 1e9);

    // A historical size: the right edge must be folded from stored subtrees.
    const uint64_t old_size = 1 + rng() % kLeaves;
    const Hash old_root = tree.RootAt(old_size).value();
    t0 = Clock::now();
    Result<std::vector<Hash>> cproof = tree.ConsistencyProof(old_size, kLeaves);
    failures += !VerifyConsistency(old_size, kLeaves, *cproof, old_root, root).ok();
    consistency.ns.push_back(Seconds(t0, Clock::now()) * 1e9);
  }
  std::printf(
      "inclusion proof generation + verification at 10^7 leaves: mean %.1f us, "
      "p50 %.1f us, p99 %.1f us (%d random leaves)   [target < 50 us]\n",
      inclusion.Mean() / 1e3, inclusion.Percentile(0.5) / 1e3, inclusion.Percentile(0.99) / 1e3,
      kProbes);
  std::printf("  of which generation alone: mean %.2f us, p99 %.2f us\n",
              generate_only.Mean() / 1e3, generate_only.Percentile(0.99) / 1e3);
  std::printf(
      "consistency proof generation + verification at 10^7 leaves: mean %.1f us, "
      "p99 %.1f us\n",
      consistency.Mean() / 1e3, consistency.Percentile(0.99) / 1e3);
  if (failures != 0) std::printf("ERROR: %d proofs failed to verify\n", failures);
}

}  // namespace
}  // namespace candor::ledger

int main() {
  if (sodium_init() < 0) return 1;
  candor::ledger::BenchNodeHash();
  candor::ledger::BenchAppend();
  candor::ledger::BenchAudit();
  candor::ledger::BenchProofsAtTenMillion();
  return 0;
}
