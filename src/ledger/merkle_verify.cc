// Proof verification, written as a line-by-line transcription of RFC 9162
// sections 2.1.3.2 (inclusion) and 2.1.4.2 (consistency), so that a reader can
// hold the two side by side. fn and sn are the RFC's cursors: the node index of
// the path (fn) and of the tree's last leaf (sn) at the current level.
#include <bit>
#include <string>

#include "ledger/internal/sha256.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

bool Lsb(uint64_t x) { return (x & 1) != 0; }

Status Mismatch(const std::string& what, std::string field) {
  return Status::InvalidArgument(what, std::move(field));
}

}  // namespace

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                       std::span<const Hash> proof, const Hash& root) {
  // 1. leaf_index must be below tree_size.
  if (index >= size) {
    return Status::InvalidArgument(
        "leaf index " + std::to_string(index) + " is not below tree size " + std::to_string(size),
        "index");
  }
  // 2.-3.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  internal::Sha256 sha;
  Hash r = leaf_hash;
  // 4.
  for (const Hash& p : proof) {
    if (sn == 0)
      return Mismatch("inclusion proof has more hashes than the tree has levels", "proof");
    if (Lsb(fn) || fn == sn) {
      r = sha.Children(p, r);
      while (!Lsb(fn) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = sha.Children(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // 5.
  if (sn != 0) return Mismatch("inclusion proof has too few hashes for the tree size", "proof");
  if (r != root) return Mismatch("inclusion proof does not lead to the given root", "root");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2) {
  // Cases outside RFC 9162's 0 < first < second.
  if (size1 > size2) {
    return Status::InvalidArgument(
        "size1 " + std::to_string(size1) + " is beyond size2 " + std::to_string(size2), "size1");
  }
  if (size1 == size2) {
    if (!proof.empty()) return Mismatch("equal sizes need an empty consistency proof", "proof");
    if (root1 != root2) return Mismatch("equal sizes but different roots", "root2");
    if (size1 == 0 && root1 != EmptyRoot()) {
      return Mismatch("the root of an empty tree is SHA-256 of the empty string", "root1");
    }
    return Status::Ok();
  }
  if (size1 == 0) {
    return Status::InvalidArgument(
        "a consistency proof from the empty tree shows nothing; every tree extends it", "size1");
  }

  // 1.
  if (proof.empty()) return Mismatch("consistency proof is empty", "proof");
  // 2. When first is a power of two, first_hash is the proof's implied head.
  size_t next = 0;
  const Hash& head = std::has_single_bit(size1) ? root1 : proof[next++];
  // 3.
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  // 4.
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5.
  Hash fr = head;
  Hash sr = head;
  internal::Sha256 sha;
  // 6.
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if (sn == 0) {
      return Mismatch("consistency proof has more hashes than the tree has levels", "proof");
    }
    if (Lsb(fn) || fn == sn) {
      fr = sha.Children(c, fr);
      sr = sha.Children(c, sr);
      while (!Lsb(fn) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = sha.Children(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // 7.
  if (sn != 0) return Mismatch("consistency proof has too few hashes for the sizes", "proof");
  if (fr != root1) return Mismatch("consistency proof does not lead to root1", "root1");
  if (sr != root2) return Mismatch("consistency proof does not lead to root2", "root2");
  return Status::Ok();
}

}  // namespace candor::ledger
