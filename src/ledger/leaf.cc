// The leaf format and the content commitment (docs/ledger_format.md, "Leaf").
//
//   version      u8      kLeafVersion (1)
//   log_index    i64be
//   conversation u32be length, then that many bytes
//   seq          i64be
//   kind         u32be length, then that many bytes
//   at_ms        i64be
//   commitment   32 bytes
//
// Signed integers are two's complement. Fixed-width big-endian fields (rather
// than varints) keep the format checkable with a hex dump and give every value
// exactly one encoding without canonicality rules.
#include <cassert>
#include <cstring>
#include <limits>
#include <string>

#include "ledger/internal/encoding.h"
#include "ledger/internal/sha256.h"
#include "ledger/internal/sodium.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

using internal::GetU32BE;
using internal::GetU64BE;
using internal::PutU32BE;
using internal::PutU64BE;

// Reads fields front to back and names the first one that does not fit.
class Reader {
 public:
  // Starts at `offset`, so that errors report positions in the whole leaf.
  Reader(std::string_view in, size_t offset) : in_(in), offset_(offset) {}

  Status Int64(int64_t& out, const char* field) {
    std::string_view bytes;
    CANDOR_RETURN_IF_ERROR(Take(8, bytes, field));
    out = static_cast<int64_t>(GetU64BE(bytes));
    return Status::Ok();
  }

  Status String(std::string& out, const char* field) {
    std::string_view bytes;
    CANDOR_RETURN_IF_ERROR(Take(4, bytes, field));
    const uint32_t len = GetU32BE(bytes);
    CANDOR_RETURN_IF_ERROR(Take(len, bytes, field));
    out.assign(bytes);
    return Status::Ok();
  }

  Status Bytes(uint8_t* out, size_t len, const char* field) {
    std::string_view bytes;
    CANDOR_RETURN_IF_ERROR(Take(len, bytes, field));
    std::memcpy(out, bytes.data(), len);
    return Status::Ok();
  }

  size_t remaining() const { return in_.size() - offset_; }

 private:
  Status Take(size_t len, std::string_view& out, const char* field) {
    if (remaining() < len) {
      return Status::InvalidArgument(
          "leaf is truncated in " + std::string(field) + " at byte " + std::to_string(offset_) +
              ": needs " + std::to_string(len) + " bytes, " + std::to_string(remaining()) + " left",
          field);
    }
    out = in_.substr(offset_, len);
    offset_ += len;
    return Status::Ok();
  }

  std::string_view in_;
  size_t offset_;
};

void PutString(std::string& out, std::string_view s) {
  assert(s.size() <= std::numeric_limits<uint32_t>::max());
  PutU32BE(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

}  // namespace

Hash CommitContent(std::string_view salt, std::string_view content) {
  assert(salt.size() <= std::numeric_limits<uint32_t>::max());
  std::string lengths;
  PutU32BE(lengths, static_cast<uint32_t>(salt.size()));
  std::string content_length;
  PutU64BE(content_length, content.size());
  return internal::Sha256::ForThisThread().Digest(
      {std::string_view("\x02", 1), lengths, salt, content_length, content});
}

std::string NewContentSalt() { return NewRandomBytes(32); }

std::string NewRandomBytes(size_t n) {
  internal::InitSodium();
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

std::string EncodeLeaf(const LeafInput& leaf) {
  std::string out;
  out.reserve(1 + 8 + 4 + leaf.conversation_id.size() + 8 + 4 + leaf.kind.size() + 8 + kHashSize);
  out.push_back(static_cast<char>(kLeafVersion));
  PutU64BE(out, static_cast<uint64_t>(leaf.log_index));
  PutString(out, leaf.conversation_id);
  PutU64BE(out, static_cast<uint64_t>(leaf.seq));
  PutString(out, leaf.kind);
  PutU64BE(out, static_cast<uint64_t>(leaf.at_ms));
  out.append(reinterpret_cast<const char*>(leaf.content_commitment.data()), kHashSize);
  return out;
}

Result<LeafInput> DecodeLeaf(std::string_view encoded) {
  if (encoded.empty()) return Status::InvalidArgument("leaf is empty", "version");
  const auto version = static_cast<uint8_t>(encoded[0]);
  if (version != kLeafVersion) {
    return Status::InvalidArgument("unsupported leaf version " + std::to_string(version) +
                                       " (this build reads version " +
                                       std::to_string(kLeafVersion) + ")",
                                   "version");
  }
  Reader reader(encoded, /*offset=*/1);
  LeafInput leaf;
  CANDOR_RETURN_IF_ERROR(reader.Int64(leaf.log_index, "log_index"));
  CANDOR_RETURN_IF_ERROR(reader.String(leaf.conversation_id, "conversation_id"));
  CANDOR_RETURN_IF_ERROR(reader.Int64(leaf.seq, "seq"));
  CANDOR_RETURN_IF_ERROR(reader.String(leaf.kind, "kind"));
  CANDOR_RETURN_IF_ERROR(reader.Int64(leaf.at_ms, "at_ms"));
  CANDOR_RETURN_IF_ERROR(
      reader.Bytes(leaf.content_commitment.data(), kHashSize, "content_commitment"));
  if (reader.remaining() != 0) {
    return Status::InvalidArgument(
        "leaf has " + std::to_string(reader.remaining()) + " trailing bytes", "leaf");
  }
  return leaf;
}

}  // namespace candor::ledger
