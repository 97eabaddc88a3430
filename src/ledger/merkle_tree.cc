// MerkleTree and the hash helpers of ledger.h.
//
// Terms used below, after RFC 9162 section 2.1.1: MTH(D[a:b]) is the Merkle
// tree hash of leaves a..b-1. For n > 1 leaves it splits at k, the largest
// power of two smaller than n: MTH(D[0:n]) = H(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
// So the left part is always a complete subtree, and a tree of any size is a
// row of complete subtrees (one per set bit of n, largest first) folded from
// the right. Every hash a proof asks for is such a fold over stored subtrees.
#include <bit>
#include <string>
#include <utility>

#include "ledger/internal/sha256.h"
#include "ledger/ledger.h"

namespace candor::ledger {

using internal::Sha256;

// ---------------------------------------------------------------------------
// Hash helpers

Result<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != kHashSize) {
    return Status::InvalidArgument("a hash has 32 bytes, got " + std::to_string(bytes.size()),
                                   "hash");
  }
  Hash hash;
  for (size_t i = 0; i < kHashSize; ++i) hash[i] = static_cast<uint8_t>(bytes[i]);
  return hash;
}

std::string HashToHex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * kHashSize);
  for (uint8_t byte : hash) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xf]);
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex) {
  if (hex.size() != 2 * kHashSize) {
    return Status::InvalidArgument("a hex hash has 64 digits, got " + std::to_string(hex.size()),
                                   "hash");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash hash;
  for (size_t i = 0; i < kHashSize; ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not a hex digit in hash", "hash");
    hash[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return hash;
}

Hash EmptyRoot() { return Sha256::ForThisThread().Digest({}); }
Hash HashLeaf(std::string_view data) { return Sha256::ForThisThread().Leaf(data); }
Hash HashChildren(const Hash& left, const Hash& right) {
  return Sha256::ForThisThread().Children(left, right);
}

Hash ComputeRoot(std::span<const Hash> leaf_hashes) {
  Sha256 sha;
  if (leaf_hashes.empty()) return sha.Digest({});
  // A stack of complete subtrees, largest (leftmost) first; stack[i] has
  // 2^heights[i] leaves. Equal neighbours merge as in binary addition.
  std::vector<Hash> stack;
  std::vector<int> heights;
  for (const Hash& leaf : leaf_hashes) {
    Hash node = leaf;
    int height = 0;
    while (!heights.empty() && heights.back() == height) {
      node = sha.Children(stack.back(), node);
      stack.pop_back();
      heights.pop_back();
      ++height;
    }
    stack.push_back(node);
    heights.push_back(height);
  }
  Hash root = stack.back();
  for (size_t i = stack.size() - 1; i-- > 0;) root = sha.Children(stack[i], root);
  return root;
}

// ---------------------------------------------------------------------------
// MerkleTree

MerkleTree::MerkleTree() = default;
MerkleTree::~MerkleTree() = default;
MerkleTree::MerkleTree(MerkleTree&&) noexcept = default;
MerkleTree& MerkleTree::operator=(MerkleTree&&) noexcept = default;

void MerkleTree::AppendLeafHash(const Hash& leaf_hash) {
  // Created on first use, so that a moved-from tree can be appended to again.
  if (append_sha_ == nullptr) append_sha_ = std::make_unique<Sha256>();
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Each level with an even count just completed a pair: hash it one level up.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    const std::vector<Hash>& row = levels_[level];
    const Hash parent = append_sha_->Children(row[row.size() - 2], row.back());
    if (levels_.size() == level + 1) levels_.emplace_back();  // may move `row`
    levels_[level + 1].push_back(parent);
  }
}

Hash MerkleTree::AppendLeaf(std::string_view data) {
  if (append_sha_ == nullptr) append_sha_ = std::make_unique<Sha256>();
  const Hash leaf_hash = append_sha_->Leaf(data);
  AppendLeafHash(leaf_hash);
  return leaf_hash;
}

uint64_t MerkleTree::Size() const { return levels_.empty() ? 0 : levels_[0].size(); }

Hash MerkleTree::Root() const {
  Sha256 sha;
  return Size() == 0 ? sha.Digest({}) : RangeHash(sha, 0, Size());
}

Result<Hash> MerkleTree::RootAt(uint64_t size) const {
  if (size > Size()) {
    return Status::InvalidArgument(
        "size " + std::to_string(size) + " is beyond the tree size " + std::to_string(Size()),
        "size");
  }
  Sha256 sha;
  return size == 0 ? sha.Digest({}) : RangeHash(sha, 0, size);
}

Result<Hash> MerkleTree::LeafHash(uint64_t index) const {
  if (index >= Size()) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                       " is not below the tree size " + std::to_string(Size()),
                                   "index");
  }
  return levels_[0][index];
}

Hash MerkleTree::RangeHash(Sha256& sha, uint64_t begin, uint64_t end) const {
  // [begin, end) splits into complete subtrees, one per set bit of its length,
  // largest first; begin's alignment makes each one a stored node. Fold them
  // from the right: the smallest subtree, then H(next larger, accumulated).
  uint64_t rest = end - begin;
  int height = std::countr_zero(rest);
  uint64_t pos = end - (uint64_t{1} << height);
  Hash acc = levels_[height][pos >> height];
  rest -= uint64_t{1} << height;
  while (rest != 0) {
    height = std::countr_zero(rest);
    pos -= uint64_t{1} << height;
    acc = sha.Children(levels_[height][pos >> height], acc);
    rest -= uint64_t{1} << height;
  }
  return acc;
}

Result<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t index, uint64_t size) const {
  if (size > Size()) {
    return Status::InvalidArgument(
        "size " + std::to_string(size) + " is beyond the tree size " + std::to_string(Size()),
        "size");
  }
  if (index >= size) {
    return Status::InvalidArgument(
        "leaf index " + std::to_string(index) + " is not below size " + std::to_string(size),
        "index");
  }
  // PATH(m, D[lo:hi]) walked from the top: at each split the sibling range
  // goes onto the path, and we descend into the half holding the leaf. Left
  // siblings are complete subtrees (one lookup); a right sibling can be
  // incomplete only before the first step left, so at most one fold costs
  // O(log n) hashes.
  Sha256 sha;
  std::vector<Hash> path;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    const uint64_t k = std::bit_floor(hi - lo - 1);
    if (index < lo + k) {
      path.push_back(RangeHash(sha, lo + k, hi));
      hi = lo + k;
    } else {
      path.push_back(RangeHash(sha, lo, lo + k));
      lo += k;
    }
  }
  return std::vector<Hash>(path.rbegin(), path.rend());  // leaf first
}

Result<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t from, uint64_t to) const {
  if (to > Size()) {
    return Status::InvalidArgument(
        "size " + std::to_string(to) + " is beyond the tree size " + std::to_string(Size()), "to");
  }
  if (from > to) {
    return Status::InvalidArgument(
        "from " + std::to_string(from) + " is beyond to " + std::to_string(to), "from");
  }
  if (from == 0 && to != 0) {
    return Status::InvalidArgument(
        "a consistency proof needs from > 0; every tree extends the "
        "empty one",
        "from");
  }
  // SUBPROOF(m, D[lo:hi], b) of RFC 9162 section 2.1.4.1, walked from the top.
  // `m` stays absolute (`from`); `complete` is b: still on the left edge, where
  // the old root is known to the verifier and need not be sent.
  Sha256 sha;
  std::vector<Hash> outer;  // hashes appended on the way down, outermost first
  uint64_t lo = 0;
  uint64_t hi = to;
  bool complete = true;
  while (from - lo != hi - lo) {
    const uint64_t k = std::bit_floor(hi - lo - 1);
    if (from - lo <= k) {
      outer.push_back(RangeHash(sha, lo + k, hi));
      hi = lo + k;
    } else {
      outer.push_back(RangeHash(sha, lo, lo + k));
      lo += k;
      complete = false;
    }
  }
  std::vector<Hash> proof;
  proof.reserve(outer.size() + 1);
  if (!complete) proof.push_back(RangeHash(sha, lo, hi));  // a complete subtree
  proof.insert(proof.end(), outer.rbegin(), outer.rend());
  return proof;
}

}  // namespace candor::ledger
