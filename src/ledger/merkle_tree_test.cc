#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/internal/encoding.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

Hash H(std::string_view hex) { return HashFromHex(hex).value(); }

std::string Bytes(std::string_view hex) { return internal::HexDecode(hex).value(); }

// The leaves of the RFC 6962 reference tests (certificate-transparency).
std::vector<std::string> RfcLeaves() {
  return {Bytes(""),
          Bytes("00"),
          Bytes("10"),
          Bytes("2021"),
          Bytes("3031"),
          Bytes("40414243"),
          Bytes("5051525354555657"),
          Bytes("606162636465666768696a6b6c6d6e6f")};
}

// MTH of the first n RfcLeaves(), n = 0..8.
const char* const kRfcRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

MerkleTree TreeOf(uint64_t n) {
  MerkleTree tree;
  for (uint64_t i = 0; i < n; ++i) tree.AppendLeaf("leaf " + std::to_string(i));
  return tree;
}

Hash FlipBit(Hash hash, size_t bit) {
  hash[(bit / 8) % kHashSize] ^= static_cast<uint8_t>(1u << (bit % 8));
  return hash;
}

TEST(MerkleTreeTest, EmptyTreeRootIsSha256OfEmptyString) {
  MerkleTree tree;
  EXPECT_EQ(tree.Size(), 0u);
  EXPECT_EQ(HashToHex(tree.Root()), kRfcRoots[0]);
  EXPECT_EQ(tree.Root(), EmptyRoot());
}

TEST(MerkleTreeTest, RootsMatchRfc6962ReferenceVectors) {
  MerkleTree tree;
  const std::vector<std::string> leaves = RfcLeaves();
  for (size_t n = 1; n <= leaves.size(); ++n) {
    tree.AppendLeaf(leaves[n - 1]);
    EXPECT_EQ(HashToHex(tree.Root()), kRfcRoots[n]) << "after " << n << " leaves";
  }
  // And every earlier root is still reachable, as is the pure ComputeRoot.
  std::vector<Hash> leaf_hashes;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(HashToHex(tree.RootAt(n).value()), kRfcRoots[n]) << "RootAt(" << n << ")";
    EXPECT_EQ(HashToHex(ComputeRoot(leaf_hashes)), kRfcRoots[n]) << "ComputeRoot of " << n;
    if (n < leaves.size()) leaf_hashes.push_back(HashLeaf(leaves[n]));
  }
}

TEST(MerkleTreeTest, ReproducesRfc6962ReferenceProofs) {
  MerkleTree tree;
  for (const std::string& leaf : RfcLeaves()) tree.AppendLeaf(leaf);

  const std::vector<Hash> inclusion = tree.InclusionProof(5, 8).value();
  EXPECT_EQ(inclusion, (std::vector<Hash>{
                           H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                           H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                           H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                       }));
  const std::vector<Hash> consistency = tree.ConsistencyProof(3, 8).value();
  EXPECT_EQ(consistency, (std::vector<Hash>{
                             H("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
                             H("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
                             H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
                             H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                         }));
}

TEST(MerkleTreeTest, ComputeRootAgreesWithTreeForManySizes) {
  MerkleTree tree;
  std::vector<Hash> leaf_hashes;
  for (int n = 0; n <= 300; ++n) {
    ASSERT_EQ(ComputeRoot(leaf_hashes), tree.Root()) << n << " leaves";
    leaf_hashes.push_back(tree.AppendLeaf(std::to_string(n)));
  }
}

TEST(MerkleTreeTest, EveryInclusionProofUpTo64LeavesVerifiesAndRejectsAFlippedBit) {
  const MerkleTree tree = TreeOf(64);
  for (uint64_t size = 1; size <= 64; ++size) {
    const Hash root = tree.RootAt(size).value();
    for (uint64_t index = 0; index < size; ++index) {
      const Hash leaf = tree.LeafHash(index).value();
      std::vector<Hash> proof = tree.InclusionProof(index, size).value();
      ASSERT_TRUE(VerifyInclusion(leaf, index, size, proof, root).ok())
          << "index " << index << " size " << size;
      for (size_t i = 0; i < proof.size(); ++i) {
        const Hash original = proof[i];
        proof[i] = FlipBit(original, index * 31 + i * 7);
        EXPECT_FALSE(VerifyInclusion(leaf, index, size, proof, root).ok())
            << "flipped proof[" << i << "] for index " << index << " size " << size;
        proof[i] = original;
      }
      EXPECT_FALSE(VerifyInclusion(FlipBit(leaf, index), index, size, proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(leaf, index, size, proof, FlipBit(root, size)).ok());
      if (size > 1) {
        const uint64_t other = (index + 1) % size;
        EXPECT_FALSE(VerifyInclusion(leaf, other, size, proof, root).ok())
            << "proof for " << index << " accepted for " << other << " in size " << size;
      }
    }
  }
}

TEST(MerkleTreeTest, EveryConsistencyProofUpTo64LeavesVerifiesAndRejectsAFlippedBit) {
  const MerkleTree tree = TreeOf(64);
  for (uint64_t to = 1; to <= 64; ++to) {
    const Hash root2 = tree.RootAt(to).value();
    for (uint64_t from = 1; from <= to; ++from) {
      const Hash root1 = tree.RootAt(from).value();
      std::vector<Hash> proof = tree.ConsistencyProof(from, to).value();
      ASSERT_TRUE(VerifyConsistency(from, to, proof, root1, root2).ok())
          << "from " << from << " to " << to;
      for (size_t i = 0; i < proof.size(); ++i) {
        const Hash original = proof[i];
        proof[i] = FlipBit(original, from * 13 + to + i);
        EXPECT_FALSE(VerifyConsistency(from, to, proof, root1, root2).ok())
            << "flipped proof[" << i << "] from " << from << " to " << to;
        proof[i] = original;
      }
      EXPECT_FALSE(VerifyConsistency(from, to, proof, FlipBit(root1, to), root2).ok());
      EXPECT_FALSE(VerifyConsistency(from, to, proof, root1, FlipBit(root2, from)).ok());
    }
  }
}

TEST(MerkleTreeTest, ProofsForOldSizesStayValidAsTheTreeGrows) {
  MerkleTree tree = TreeOf(10);
  const std::vector<Hash> before = tree.InclusionProof(3, 7).value();
  const Hash root7 = tree.RootAt(7).value();
  for (int i = 0; i < 1000; ++i) tree.AppendLeaf("more " + std::to_string(i));
  EXPECT_EQ(tree.InclusionProof(3, 7).value(), before);
  EXPECT_EQ(tree.RootAt(7).value(), root7);
  EXPECT_TRUE(VerifyConsistency(7, tree.Size(), tree.ConsistencyProof(7, tree.Size()).value(),
                                root7, tree.Root())
                  .ok());
}

TEST(MerkleTreeTest, ProofLengthIsLogarithmic) {
  const MerkleTree tree = TreeOf(5000);
  for (uint64_t index : {0u, 1u, 2047u, 4095u, 4999u}) {
    EXPECT_LE(tree.InclusionProof(index, 5000).value().size(), 13u);  // ceil(log2(5000))
  }
  EXPECT_LE(tree.ConsistencyProof(1234, 5000).value().size(), 2u * 13u);
}

TEST(MerkleTreeTest, RejectsArgumentsOutsideTheTree) {
  const MerkleTree tree = TreeOf(5);
  EXPECT_EQ(tree.RootAt(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.LeafHash(5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.InclusionProof(5, 5).status().field(), "index");
  EXPECT_EQ(tree.InclusionProof(0, 6).status().field(), "size");
  EXPECT_EQ(tree.InclusionProof(0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(4, 3).status().field(), "from");
  EXPECT_EQ(tree.ConsistencyProof(0, 3).status().field(), "from");
  EXPECT_EQ(tree.ConsistencyProof(1, 6).status().field(), "to");
  EXPECT_TRUE(tree.ConsistencyProof(0, 0).value().empty());
  EXPECT_TRUE(tree.ConsistencyProof(5, 5).value().empty());
}

TEST(MerkleTreeTest, VerifiersExplainWhyTheyReject) {
  const MerkleTree tree = TreeOf(8);
  const Hash leaf = tree.LeafHash(2).value();
  std::vector<Hash> proof = tree.InclusionProof(2, 8).value();
  EXPECT_EQ(VerifyInclusion(leaf, 8, 8, proof, tree.Root()).field(), "index");
  EXPECT_EQ(VerifyInclusion(leaf, 2, 8, proof, FlipBit(tree.Root(), 0)).field(), "root");
  proof.pop_back();
  EXPECT_EQ(VerifyInclusion(leaf, 2, 8, proof, tree.Root()).field(), "proof");
  EXPECT_EQ(VerifyConsistency(5, 4, {}, tree.Root(), tree.Root()).field(), "size1");
  EXPECT_EQ(VerifyConsistency(3, 8, {}, tree.Root(), tree.Root()).field(), "proof");
}

TEST(MerkleTreeTest, MovedTreeKeepsItsLeaves) {
  MerkleTree a = TreeOf(9);
  const Hash root = a.Root();
  MerkleTree b = std::move(a);
  EXPECT_EQ(b.Size(), 9u);
  EXPECT_EQ(b.Root(), root);
  b.AppendLeaf("x");
  EXPECT_EQ(b.Size(), 10u);
}

TEST(HashTest, ConvertsOnlyWellFormedHashes) {
  EXPECT_FALSE(HashFromBytes(std::string(31, 'a')).ok());
  EXPECT_FALSE(HashFromBytes(std::string(33, 'a')).ok());
  EXPECT_TRUE(HashFromBytes(std::string(32, 'a')).ok());
  EXPECT_FALSE(HashFromHex(std::string(64, 'g')).ok());
  EXPECT_FALSE(HashFromHex(std::string(62, 'a')).ok());
  EXPECT_EQ(HashToHex(HashFromHex(std::string(64, 'A')).value()), std::string(64, 'a'));
  // The RFC 6962 leaf hash of the empty string is the 1-leaf root.
  EXPECT_EQ(HashToHex(HashLeaf("")), kRfcRoots[1]);
}

// A pruned tree and its leaf store: the leaves it lets go are read back from
// `stored`, and `reads` counts how often.
struct PrunedFixture {
  std::vector<Hash> stored;
  int reads = 0;
  MerkleTree::LeafSource Source() {
    return [this](uint64_t first, uint64_t count) -> Result<std::vector<Hash>> {
      ++reads;
      if (first + count > stored.size()) return Status::NotFound("not stored");
      return std::vector<Hash>(stored.begin() + static_cast<std::ptrdiff_t>(first),
                               stored.begin() + static_cast<std::ptrdiff_t>(first + count));
    };
  }
};

// Every root, leaf and proof of a pruned tree equals the whole tree's, for
// every size, index and pair of sizes, whatever the block size.
TEST(MerkleTreeTest, APrunedTreeAnswersExactlyAsTheWholeTree) {
  constexpr uint64_t kLeaves = 37;
  for (int block_height : {1, 2, 3}) {
    PrunedFixture fixture;
    MerkleTree whole;
    MerkleTree pruned(block_height, fixture.Source());
    for (uint64_t i = 0; i < kLeaves; ++i) {
      const Hash leaf = whole.AppendLeaf("leaf " + std::to_string(i));
      fixture.stored.push_back(leaf);
      pruned.AppendLeafHash(leaf);
      ASSERT_EQ(pruned.Root(), whole.Root()) << "size " << i + 1;
    }
    EXPECT_EQ(pruned.CompleteBlocks(), kLeaves >> block_height);
    for (uint64_t size = 0; size <= kLeaves; ++size) {
      ASSERT_EQ(pruned.RootAt(size).value(), whole.RootAt(size).value());
      for (uint64_t index = 0; index < size; ++index) {
        ASSERT_EQ(pruned.InclusionProof(index, size).value(),
                  whole.InclusionProof(index, size).value())
            << "block height " << block_height << " index " << index << " size " << size;
      }
      for (uint64_t from = 1; from <= size; ++from) {
        ASSERT_EQ(pruned.ConsistencyProof(from, size).value(),
                  whole.ConsistencyProof(from, size).value())
            << "block height " << block_height << " from " << from << " to " << size;
      }
    }
    for (uint64_t index = 0; index < kLeaves; ++index) {
      EXPECT_EQ(pruned.LeafHash(index).value(), whole.LeafHash(index).value());
    }
  }
}

// Saved block roots give back the same tree, which then grows as before;
// nothing is read back for the current root or for appends.
TEST(MerkleTreeTest, APrunedTreeRestoredFromBlockRootsGrowsOnIdentically) {
  PrunedFixture fixture;
  MerkleTree whole;
  MerkleTree first(3, fixture.Source());
  for (int i = 0; i < 45; ++i) {
    fixture.stored.push_back(whole.AppendLeaf("e" + std::to_string(i)));
    first.AppendLeafHash(fixture.stored.back());
  }
  std::vector<Hash> roots;
  for (uint64_t b = 0; b < first.CompleteBlocks(); ++b) roots.push_back(first.BlockRoot(b).value());
  ASSERT_EQ(roots.size(), 5u);

  MerkleTree restored(3, fixture.Source());
  ASSERT_TRUE(restored.RestoreBlocks(roots).ok());
  for (uint64_t i = restored.Size(); i < fixture.stored.size(); ++i) {
    restored.AppendLeafHash(fixture.stored[i]);
  }
  for (int i = 45; i < 70; ++i) {
    fixture.stored.push_back(whole.AppendLeaf("e" + std::to_string(i)));
    restored.AppendLeafHash(fixture.stored.back());
  }
  EXPECT_EQ(fixture.reads, 0);
  EXPECT_EQ(restored.Size(), whole.Size());
  EXPECT_EQ(restored.Root(), whole.Root());
  EXPECT_EQ(restored.InclusionProof(3, 50).value(), whole.InclusionProof(3, 50).value());
  EXPECT_EQ(restored.ConsistencyProof(13, 61).value(), whole.ConsistencyProof(13, 61).value());
  EXPECT_FALSE(restored.RestoreBlocks(roots).ok()) << "only an empty tree takes saved roots";
}

// A leaf changed in the store after its block was pruned is caught when the
// block is read back: the proof is refused, never computed from it.
TEST(MerkleTreeTest, APrunedTreeRefusesLeavesThatDoNotHashToTheBlockRoot) {
  PrunedFixture fixture;
  MerkleTree pruned(2, fixture.Source());
  for (int i = 0; i < 12; ++i) {
    fixture.stored.push_back(HashLeaf("e" + std::to_string(i)));
    pruned.AppendLeafHash(fixture.stored.back());
  }
  fixture.stored[5] = HashLeaf("edited");
  auto proof = pruned.InclusionProof(5, 12);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.status().code(), StatusCode::kIoError);
  EXPECT_FALSE(pruned.RootAt(6).ok());
  EXPECT_TRUE(pruned.InclusionProof(9, 12).ok()) << "other blocks still answer";
  fixture.stored.resize(3);
  EXPECT_FALSE(pruned.LeafHash(1).ok()) << "a block no longer stored is an error, not a guess";
}

}  // namespace
}  // namespace candor::ledger
