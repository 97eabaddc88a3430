// MerkleTree and the hash helpers of ledger.h.
//
// Terms used below, after RFC 9162 section 2.1.1: MTH(D[a:b]) is the Merkle
// tree hash of leaves a..b-1. For n > 1 leaves it splits at k, the largest
// power of two smaller than n: MTH(D[0:n]) = H(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
// So the left part is always a complete subtree, and a tree of any size is a
// row of complete subtrees (one per set bit of n, largest first) folded from
// the right. Every hash a proof asks for is such a fold over stored subtrees.
#include <algorithm>
#include <bit>
#include <deque>
#include <mutex>
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

// A pruned block read back: levels[l] holds its 2^(block_height - l) nodes of
// height l, levels[0] its leaves.
struct MerkleTree::Block {
  uint64_t index = 0;
  std::vector<std::vector<Hash>> levels;
};

// The last few blocks read back, so that the proofs of one export (one tree
// size, events close together) read each block once.
struct MerkleTree::BlockCache {
  static constexpr size_t kBlocks = 8;
  std::mutex mu;
  std::deque<std::shared_ptr<const Block>> recent;  // guarded by mu, newest first
};

MerkleTree::MerkleTree() = default;
MerkleTree::MerkleTree(int block_height, LeafSource leaves)
    : levels_(static_cast<size_t>(std::max(block_height, 1)) + 1),
      block_height_(std::max(block_height, 1)),
      leaves_(std::move(leaves)),
      cache_(std::make_unique<BlockCache>()) {}
MerkleTree::~MerkleTree() = default;
MerkleTree::MerkleTree(MerkleTree&&) noexcept = default;
MerkleTree& MerkleTree::operator=(MerkleTree&&) noexcept = default;

void MerkleTree::Climb(size_t level) {
  // Each level with an even count just completed a pair: hash it one level up.
  // Below the block height the kept nodes start at a block boundary, so the
  // parity of the kept count is the parity of the whole count.
  for (; levels_[level].size() % 2 == 0; ++level) {
    const std::vector<Hash>& row = levels_[level];
    const Hash parent = append_sha_->Children(row[row.size() - 2], row.back());
    if (levels_.size() == level + 1) levels_.emplace_back();  // may move `row`
    levels_[level + 1].push_back(parent);
    if (static_cast<int>(level) + 1 == block_height_) break;  // a block is complete
  }
}

void MerkleTree::AppendLeafHash(const Hash& leaf_hash) {
  // Created on first use, so that a moved-from tree can be appended to again.
  if (append_sha_ == nullptr) append_sha_ = std::make_unique<Sha256>();
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  ++size_;
  Climb(0);
  if (block_height_ > 0 && size_ % (uint64_t{1} << block_height_) == 0) {
    // The block is complete: its root goes on climbing, its inside is let go.
    Climb(static_cast<size_t>(block_height_));
    for (int level = 0; level < block_height_; ++level) levels_[level].clear();
    ++pruned_blocks_;
  }
}

Hash MerkleTree::AppendLeaf(std::string_view data) {
  if (append_sha_ == nullptr) append_sha_ = std::make_unique<Sha256>();
  const Hash leaf_hash = append_sha_->Leaf(data);
  AppendLeafHash(leaf_hash);
  return leaf_hash;
}

uint64_t MerkleTree::CompleteBlocks() const { return block_height_ < 0 ? 0 : pruned_blocks_; }

Result<Hash> MerkleTree::BlockRoot(uint64_t block) const {
  if (block >= CompleteBlocks()) {
    return Status::InvalidArgument("block " + std::to_string(block) + " is not complete", "block");
  }
  return levels_[static_cast<size_t>(block_height_)][block];
}

Status MerkleTree::RestoreBlocks(std::span<const Hash> roots) {
  if (block_height_ < 0 || size_ != 0) {
    return Status::Internal("blocks are restored into an empty pruned tree");
  }
  if (append_sha_ == nullptr) append_sha_ = std::make_unique<Sha256>();
  const auto level = static_cast<size_t>(block_height_);
  for (const Hash& root : roots) {
    levels_[level].push_back(root);
    size_ += uint64_t{1} << block_height_;
    ++pruned_blocks_;
    Climb(level);
  }
  return Status::Ok();
}

uint64_t MerkleTree::Size() const { return size_; }

const Hash* MerkleTree::Node(const Blocks& blocks, int height, uint64_t index) const {
  if (block_height_ < 0 || height >= block_height_) {
    return &levels_[static_cast<size_t>(height)][index];
  }
  const int shift = block_height_ - height;
  const uint64_t block = index >> shift;
  const uint64_t first_in_block = block << shift;
  if (block >= pruned_blocks_) {
    return &levels_[static_cast<size_t>(height)][index - (pruned_blocks_ << shift)];
  }
  for (const auto& held : blocks) {
    if (held->index == block)
      return &held->levels[static_cast<size_t>(height)][index - first_in_block];
  }
  return nullptr;
}

Result<MerkleTree::Blocks> MerkleTree::BlocksFor(
    std::initializer_list<uint64_t> leaf_indices) const {
  Blocks blocks;
  if (block_height_ < 0) return blocks;  // nothing is pruned
  for (uint64_t leaf : leaf_indices) {
    const uint64_t block = leaf >> block_height_;
    if (leaf >= size_ || block >= pruned_blocks_) continue;
    bool have = false;
    for (const auto& held : blocks) have = have || held->index == block;
    if (have) continue;
    {
      std::lock_guard lock(cache_->mu);
      for (const auto& cached : cache_->recent) {
        if (cached->index == block) {
          blocks.push_back(cached);
          have = true;
          break;
        }
      }
    }
    if (have) continue;
    const uint64_t width = uint64_t{1} << block_height_;
    auto leaves = leaves_(block * width, width);
    if (!leaves.ok()) return leaves.status();
    if (leaves->size() != width) {
      return Status::IoError("block " + std::to_string(block) + " has " +
                             std::to_string(leaves->size()) + " leaves stored, not " +
                             std::to_string(width));
    }
    auto read = std::make_shared<Block>();
    read->index = block;
    read->levels.push_back(std::move(*leaves));
    Sha256 sha;
    for (int level = 1; level < block_height_; ++level) {
      const auto& below = read->levels.back();
      std::vector<Hash> row;
      row.reserve(below.size() / 2);
      for (size_t i = 0; i + 1 < below.size(); i += 2)
        row.push_back(sha.Children(below[i], below[i + 1]));
      read->levels.push_back(std::move(row));
    }
    const auto& top = read->levels.back();
    const Hash root = sha.Children(top[0], top[1]);
    if (root != levels_[static_cast<size_t>(block_height_)][block]) {
      return Status::IoError("the stored leaves of block " + std::to_string(block) +
                             " (leaves from " + std::to_string(block * width) +
                             ") do not hash to the tree's root for it");
    }
    {
      std::lock_guard lock(cache_->mu);
      cache_->recent.push_front(read);
      if (cache_->recent.size() > BlockCache::kBlocks) cache_->recent.pop_back();
    }
    blocks.push_back(std::move(read));
  }
  return blocks;
}

Hash MerkleTree::Root() const {
  Sha256 sha;
  // The current root folds held subtrees only: complete blocks by their
  // roots and the last block's kept nodes.
  return Size() == 0 ? sha.Digest({}) : RangeHash(sha, Blocks{}, 0, Size()).value();
}

Result<Hash> MerkleTree::RootAt(uint64_t size) const {
  if (size > Size()) {
    return Status::InvalidArgument(
        "size " + std::to_string(size) + " is beyond the tree size " + std::to_string(Size()),
        "size");
  }
  Sha256 sha;
  if (size == 0) return sha.Digest({});
  auto blocks = BlocksFor({size - 1});
  if (!blocks.ok()) return blocks.status();
  return RangeHash(sha, *blocks, 0, size);
}

Result<Hash> MerkleTree::LeafHash(uint64_t index) const {
  if (index >= Size()) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                       " is not below the tree size " + std::to_string(Size()),
                                   "index");
  }
  auto blocks = BlocksFor({index});
  if (!blocks.ok()) return blocks.status();
  const Hash* leaf = Node(*blocks, 0, index);
  if (leaf == nullptr) return Status::Internal("leaf " + std::to_string(index) + " not read");
  return *leaf;
}

Result<Hash> MerkleTree::RangeHash(Sha256& sha, const Blocks& blocks, uint64_t begin,
                                   uint64_t end) const {
  // [begin, end) splits into complete subtrees, one per set bit of its length,
  // largest first; begin's alignment makes each one a stored node. Fold them
  // from the right: the smallest subtree, then H(next larger, accumulated).
  uint64_t rest = end - begin;
  int height = std::countr_zero(rest);
  uint64_t pos = end - (uint64_t{1} << height);
  const Hash* node = Node(blocks, height, pos >> height);
  if (node == nullptr) return Status::Internal("a block of the range was not read");
  Hash acc = *node;
  rest -= uint64_t{1} << height;
  while (rest != 0) {
    height = std::countr_zero(rest);
    pos -= uint64_t{1} << height;
    node = Node(blocks, height, pos >> height);
    if (node == nullptr) return Status::Internal("a block of the range was not read");
    acc = sha.Children(*node, acc);
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
  auto blocks = BlocksFor({index, size - 1});
  if (!blocks.ok()) return blocks.status();
  Sha256 sha;
  std::vector<Hash> path;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    const uint64_t k = std::bit_floor(hi - lo - 1);
    if (index < lo + k) {
      auto sibling = RangeHash(sha, *blocks, lo + k, hi);
      if (!sibling.ok()) return sibling.status();
      path.push_back(*sibling);
      hi = lo + k;
    } else {
      auto sibling = RangeHash(sha, *blocks, lo, lo + k);
      if (!sibling.ok()) return sibling.status();
      path.push_back(*sibling);
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
  if (to == 0) return std::vector<Hash>{};
  auto blocks = BlocksFor({from - 1, from, to - 1});
  if (!blocks.ok()) return blocks.status();
  Sha256 sha;
  std::vector<Hash> outer;  // hashes appended on the way down, outermost first
  uint64_t lo = 0;
  uint64_t hi = to;
  bool complete = true;
  while (from - lo != hi - lo) {
    const uint64_t k = std::bit_floor(hi - lo - 1);
    if (from - lo <= k) {
      auto part = RangeHash(sha, *blocks, lo + k, hi);
      if (!part.ok()) return part.status();
      outer.push_back(*part);
      hi = lo + k;
    } else {
      auto part = RangeHash(sha, *blocks, lo, lo + k);
      if (!part.ok()) return part.status();
      outer.push_back(*part);
      lo += k;
      complete = false;
    }
  }
  std::vector<Hash> proof;
  proof.reserve(outer.size() + 1);
  if (!complete) {  // a complete subtree
    auto subtree = RangeHash(sha, *blocks, lo, hi);
    if (!subtree.ok()) return subtree.status();
    proof.push_back(*subtree);
  }
  proof.insert(proof.end(), outer.rbegin(), outer.rend());
  return proof;
}

}  // namespace candor::ledger
