// The ledger: an append-only Merkle tree over conversation events, with
// proofs, signed checkpoints and the leaf format that goes into the tree.
//
// Hashing follows RFC 6962 / RFC 9162: SHA-256, leaf hash = H(0x00 || data),
// interior node = H(0x01 || left || right), empty tree = H(""). A leaf carries
// an event's metadata and a salted commitment to its content, never the content
// itself, so that erasing a message (P8) leaves the tree intact. Checkpoints
// are C2SP tlog-checkpoint notes signed with Ed25519 (C2SP signed-note), so
// standard tooling can verify them. docs/ledger_format.md specifies every byte.
//
// Thread safety: the free functions are thread-safe. MerkleTree follows the
// standard-container contract: const methods may run concurrently with each
// other, but an Append* call needs exclusive access (guard the tree with a
// std::shared_mutex or a single writer). SigningKey and CheckpointSigner are
// immutable after construction and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace candor::ledger {

namespace internal {
class Sha256;
}  // namespace internal

// ---------------------------------------------------------------------------
// Hashes

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// A Hash from exactly 32 raw bytes; any other length is InvalidArgument.
// Use it on every hash that arrives from outside (proofs, roots, receipts).
Result<Hash> HashFromBytes(std::string_view bytes);
// Lower-case hex, 64 characters.
std::string HashToHex(const Hash& hash);
// Accepts exactly 64 hex digits (either case).
Result<Hash> HashFromHex(std::string_view hex);

// SHA-256 of the empty string: the root of a tree with no leaves.
Hash EmptyRoot();
// RFC 6962 leaf hash: SHA-256(0x00 || data).
Hash HashLeaf(std::string_view data);
// RFC 6962 interior node: SHA-256(0x01 || left || right).
Hash HashChildren(const Hash& left, const Hash& right);
// The root of a tree holding `leaf_hashes` in order, in O(n) time and
// O(log n) memory, without building a MerkleTree. For auditors who replay a
// whole log.
Hash ComputeRoot(std::span<const Hash> leaf_hashes);

// ---------------------------------------------------------------------------
// MerkleTree: the in-memory, append-only tree.
//
// Keeps the hash of every complete subtree, level by level: levels_[l][i]
// covers leaves [i * 2^l, (i + 1) * 2^l). Roots of earlier sizes and all proofs
// are assembled from these in O(log n) hashes; nothing is rehashed from the
// leaves. Memory: about 2 * 32 bytes per leaf, unless pruned (see below): a
// pruned tree starts from saved block roots instead of every leaf, so a
// service holding a long log starts in time bounded by the blocks, not the
// leaves.
class MerkleTree {
 public:
  // Reads the leaf hashes [first, first + count) of a pruned tree back from
  // where they are kept (the store).
  using LeafSource = std::function<Result<std::vector<Hash>>(uint64_t first, uint64_t count)>;

  MerkleTree();
  // A tree that keeps in memory only what the next appends and the current
  // root need: the complete blocks of 2^block_height leaves are held by their
  // root and what lies above, and a proof or an earlier root that needs the
  // inside of a block reads its leaves from `leaves` (checking them against
  // the block's root). Memory: about 2 * 32 bytes per block, not per leaf.
  MerkleTree(int block_height, LeafSource leaves);
  ~MerkleTree();
  MerkleTree(MerkleTree&&) noexcept;
  MerkleTree& operator=(MerkleTree&&) noexcept;
  MerkleTree(const MerkleTree&) = delete;
  MerkleTree& operator=(const MerkleTree&) = delete;

  // Appends a leaf whose RFC 6962 leaf hash the caller already has.
  void AppendLeafHash(const Hash& leaf_hash);
  // Appends HashLeaf(data) and returns that leaf hash.
  Hash AppendLeaf(std::string_view data);

  // Pruned trees: the roots of the complete blocks so far, and a way to start
  // from saved ones. RestoreBlocks needs an empty pruned tree; the roots are
  // trusted as given (check the result against a signed checkpoint).
  uint64_t CompleteBlocks() const;
  Result<Hash> BlockRoot(uint64_t block) const;
  Status RestoreBlocks(std::span<const Hash> roots);
  int block_height() const { return block_height_; }

  uint64_t Size() const;
  // The root at the current size; EmptyRoot() for an empty tree. Never reads
  // leaves back, even when pruned.
  Hash Root() const;
  // The root the tree had when it held `size` leaves (0 <= size <= Size()).
  Result<Hash> RootAt(uint64_t size) const;
  // The leaf hash stored at `index` (< Size()).
  Result<Hash> LeafHash(uint64_t index) const;

  // RFC 9162 section 2.1.3.1 audit path for leaf `index` in the tree of the
  // given earlier `size`, ordered from the leaf up. Needs index < size <= Size().
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  // RFC 9162 section 2.1.4.1 proof that the tree of size `from` is a prefix of
  // the tree of size `to`. Needs 0 < from <= to <= Size() (from == to gives an
  // empty proof; 0 == from == to is allowed too).
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) const;

 private:
  struct Block;  // a pruned block's levels, read back for one operation
  struct BlockCache;
  using Blocks = std::vector<std::shared_ptr<const Block>>;

  // The pruned blocks holding these leaves, read back (or from the cache).
  Result<Blocks> BlocksFor(std::initializer_list<uint64_t> leaf_indices) const;
  // levels_[height][index] wherever it is held; null when it is in a pruned
  // block that `blocks` lacks (a bug: every caller reads what it needs first).
  const Hash* Node(const Blocks& blocks, int height, uint64_t index) const;
  // MTH of leaves [begin, end) where begin is a multiple of the largest power
  // of two not above end - begin (true of every range a proof asks for).
  Result<Hash> RangeHash(internal::Sha256& sha, const Blocks& blocks, uint64_t begin,
                         uint64_t end) const;
  void Climb(size_t level);  // hashes completed pairs upwards from `level`

  // levels_[l] holds the nodes of height l; below block_height_ only those of
  // the incomplete last block, from index first_held(l) on.
  std::vector<std::vector<Hash>> levels_;
  uint64_t size_ = 0;
  int block_height_ = -1;  // -1: not pruned, every level kept whole
  uint64_t pruned_blocks_ = 0;
  LeafSource leaves_;
  std::unique_ptr<BlockCache> cache_;
  std::unique_ptr<internal::Sha256> append_sha_;  // used by Append* only
};

// ---------------------------------------------------------------------------
// Verifiers (pure functions; RFC 9162 sections 2.1.3.2 and 2.1.4.2).
//
// OK means the proof holds. Otherwise InvalidArgument with the reason, and
// `field()` naming the argument that disagrees ("index", "proof", "root", ...).

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                       std::span<const Hash> proof, const Hash& root);

// Besides RFC 9162's 0 < size1 < size2 case: size1 == size2 needs an empty
// proof and equal roots (for size 0, both must be EmptyRoot()); size1 == 0 <
// size2 is refused because such a proof shows nothing.
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2);

// ---------------------------------------------------------------------------
// Leaves: what one conversation event contributes to the tree.

// Byte 0 of every encoded leaf. A decoder refuses versions it does not know.
inline constexpr uint8_t kLeafVersion = 1;

struct LeafInput {
  int64_t log_index = 0;        // position of this leaf in the ledger
  std::string conversation_id;  // e.g. "c_7f3k..."
  int64_t seq = 0;              // the event's sequence number in its conversation
  std::string kind;             // event kind, e.g. "message", "work_step"
  int64_t at_ms = 0;            // event time, ms since the Unix epoch (UTC)
  Hash content_commitment{};    // CommitContent(salt, content)

  bool operator==(const LeafInput&) const = default;
};

// Salted commitment to an event's content:
//   SHA-256(0x02 || u32be(len(salt)) || salt || u64be(len(content)) || content)
// The 0x02 prefix keeps it apart from RFC 6962's leaf (0x00) and node (0x01)
// inputs. Use a fresh NewContentSalt() per event and keep the salt beside the
// content: without the salt, a short or guessable message cannot be confirmed
// from the ledger; after erasure (dropping salt and content) it cannot be at all.
Hash CommitContent(std::string_view salt, std::string_view content);
// 32 random bytes for CommitContent.
std::string NewContentSalt();
// `n` random bytes from the same source, for callers that cut many salts at once
// (one system call instead of one per event).
std::string NewRandomBytes(size_t n);

// Deterministic binary form (docs/ledger_format.md, "Leaf"). Strings are
// length-prefixed with u32be; their length must stay below 2^32 bytes.
std::string EncodeLeaf(const LeafInput& leaf);
// The exact inverse of EncodeLeaf: refuses an unknown version, truncated input
// and trailing bytes, so each LeafInput has exactly one encoding.
Result<LeafInput> DecodeLeaf(std::string_view encoded);

// ---------------------------------------------------------------------------
// Keys and signed checkpoints (C2SP tlog-checkpoint + signed-note, Ed25519).

inline constexpr size_t kSeedSize = 32;
using PublicKey = std::array<uint8_t, 32>;

// An Ed25519 key pair. Holds secret material, which is wiped on destruction.
class SigningKey {
 public:
  // From a 32-byte RFC 8032 seed (the form stored in key files).
  static Result<SigningKey> FromSeed(std::string_view seed);
  // From libsodium's 64-byte secret key (seed || public key); the public half
  // must match the seed.
  static Result<SigningKey> FromSecretKey(std::string_view secret_key);
  // A fresh random key.
  static SigningKey Generate();

  SigningKey(const SigningKey& other) = default;
  SigningKey& operator=(const SigningKey& other) = default;
  ~SigningKey();

  const PublicKey& public_key() const { return public_key_; }
  // The 32-byte seed, for writing the key file.
  std::string Seed() const;
  // The 64-byte Ed25519 signature of `message`.
  std::array<uint8_t, 64> Sign(std::string_view message) const;

 private:
  SigningKey() = default;
  std::array<uint8_t, 64> secret_key_{};  // seed || public key (libsodium form)
  PublicKey public_key_{};
};

// Reads the 32-byte seed at `path`, or, when no file exists, creates one with
// mode 0600 (written to a temporary file in the same directory, then renamed
// without replacing a file another process created meanwhile). Refuses a file
// readable or writable by group or others (PermissionDenied), of a size other
// than 32 bytes, or that is not a regular file (InvalidArgument).
Result<SigningKey> LoadOrCreateSigningKey(const std::string& path);

// The signed-note key ID: first 4 bytes, big-endian, of
// SHA-256(key_name || 0x0A || 0x01 || public_key).
uint32_t KeyId(std::string_view key_name, const PublicKey& public_key);

// True when `name` may name a key: non-empty printable ASCII without spaces
// and '+' (a subset of what signed-note allows).
bool IsValidKeyName(std::string_view name);

// A verifier key in the signed-note text form:
//   <name>+<8 hex digits of KeyId>+<base64(0x01 || public key)>
struct VerifierKey {
  std::string name;
  PublicKey public_key{};
  uint32_t key_id = 0;
};
std::string FormatVerifierKey(std::string_view key_name, const PublicKey& public_key);
// Checks the name, the algorithm byte, the key length and that the key ID
// matches the name and key.
Result<VerifierKey> ParseVerifierKey(std::string_view vkey);

// The content of a verified checkpoint.
struct Checkpoint {
  std::string origin;  // the log's identity; compare it with the one you expect
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // extension lines, rarely used
};

// Signs checkpoints of one log with one key.
class CheckpointSigner {
 public:
  // key_name must satisfy IsValidKeyName; origin must be a non-empty line of
  // valid UTF-8 without control characters. Conventionally key_name == origin.
  static Result<CheckpointSigner> Create(SigningKey key, std::string key_name, std::string origin);

  // The signed note:
  //   <origin>\n<size>\n<base64 root>\n\n— <key_name> <base64(key ID || sig)>\n
  std::string Sign(uint64_t size, const Hash& root) const;

  const std::string& key_name() const { return key_name_; }
  const std::string& origin() const { return origin_; }
  uint32_t key_id() const { return key_id_; }
  // FormatVerifierKey(key_name(), public key): what auditors configure.
  std::string VerifierKeyString() const;

 private:
  CheckpointSigner(SigningKey key, std::string key_name, std::string origin);

  // Constant after construction.
  SigningKey key_;
  std::string key_name_;
  std::string origin_;
  uint32_t key_id_;
};

// Parses a signed checkpoint and checks the signature of (`key_name`,
// `public_key`). Signatures by other keys are ignored, as signed-note requires;
// a signature line of this key that fails to verify rejects the note. Returns
// Unauthenticated when no valid signature of the key is present, and
// InvalidArgument for a malformed note or checkpoint body.
Result<Checkpoint> VerifyCheckpoint(std::string_view text, const PublicKey& public_key,
                                    std::string_view key_name);

}  // namespace candor::ledger
