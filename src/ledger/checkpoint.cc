// Checkpoints (c2sp.org/tlog-checkpoint) and verifier keys (c2sp.org/signed-note).
//
// A checkpoint's note text is three lines and optional extension lines:
//   <origin>\n<tree size in decimal>\n<base64 of the 32-byte root>\n
#include <charconv>
#include <string>

#include "ledger/internal/encoding.h"
#include "ledger/internal/note.h"
#include "ledger/internal/sha256.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

using internal::Base64Decode;
using internal::Base64Encode;

// Signature type byte for Ed25519 in signed-note key IDs and verifier keys.
constexpr char kAlgEd25519 = 0x01;

std::string_view View(const PublicKey& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

Status BadCheckpoint(std::string why) {
  return Status::InvalidArgument("malformed checkpoint: " + why, "checkpoint");
}

// Tree size: decimal without leading zeros ("0" alone for the empty tree).
Result<uint64_t> ParseSize(std::string_view line) {
  uint64_t size = 0;
  const char* end = line.data() + line.size();
  const auto [ptr, ec] = std::from_chars(line.data(), end, size);
  if (line.empty() || ec != std::errc() || ptr != end || (line[0] == '0' && line.size() > 1)) {
    return BadCheckpoint("tree size \"" + std::string(line) + "\" is not a decimal number");
  }
  return size;
}

Result<Checkpoint> ParseCheckpointText(std::string_view text) {
  // CheckNoteText already guaranteed the final newline.
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    text.remove_prefix(newline + 1);
  }
  if (lines.size() < 3) return BadCheckpoint("needs origin, size and root lines");
  Checkpoint checkpoint;
  if (lines[0].empty()) return BadCheckpoint("empty origin");
  checkpoint.origin = std::string(lines[0]);
  Result<uint64_t> size = ParseSize(lines[1]);
  if (!size.ok()) return size.status();
  checkpoint.size = *size;
  Result<std::string> root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != kHashSize) {
    return BadCheckpoint("root is not the base64 of 32 bytes");
  }
  checkpoint.root = HashFromBytes(*root).value();
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return BadCheckpoint("empty extension line");
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

}  // namespace

uint32_t KeyId(std::string_view key_name, const PublicKey& public_key) {
  const Hash digest = internal::Sha256::ForThisThread().Digest(
      {key_name, std::string_view("\n"), std::string_view(&kAlgEd25519, 1), View(public_key)});
  return internal::GetU32BE(internal::Sha256::View(digest));
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= 0x20 || c >= 0x7f || c == '+') return false;
  }
  return true;
}

std::string FormatVerifierKey(std::string_view key_name, const PublicKey& public_key) {
  std::string id;
  internal::PutU32BE(id, KeyId(key_name, public_key));
  std::string typed_key(1, kAlgEd25519);
  typed_key.append(View(public_key));
  return std::string(key_name) + "+" + internal::HexEncode(id) + "+" + Base64Encode(typed_key);
}

Result<VerifierKey> ParseVerifierKey(std::string_view vkey) {
  // The name holds no '+', the hex ID none either; base64 may hold '+'.
  const size_t plus1 = vkey.find('+');
  const size_t plus2 = plus1 == std::string_view::npos ? plus1 : vkey.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return Status::InvalidArgument("a verifier key reads <name>+<key id>+<key>", "vkey");
  }
  VerifierKey key;
  key.name = std::string(vkey.substr(0, plus1));
  if (!IsValidKeyName(key.name)) {
    return Status::InvalidArgument("invalid key name \"" + key.name + "\"", "vkey");
  }
  const std::string_view id_hex = vkey.substr(plus1 + 1, plus2 - plus1 - 1);
  Result<std::string> id = internal::HexDecode(id_hex);
  if (id_hex.size() != 8 || !id.ok() || internal::HexEncode(*id) != id_hex) {
    return Status::InvalidArgument("key ID must be 8 lower-case hex digits", "vkey");
  }
  Result<std::string> typed_key = Base64Decode(vkey.substr(plus2 + 1));
  if (!typed_key.ok() || typed_key->size() != 1 + key.public_key.size()) {
    return Status::InvalidArgument("key must be the base64 of 33 bytes", "vkey");
  }
  if ((*typed_key)[0] != kAlgEd25519) {
    return Status::InvalidArgument("unsupported key type (only Ed25519, 0x01)", "vkey");
  }
  for (size_t i = 0; i < key.public_key.size(); ++i) {
    key.public_key[i] = static_cast<uint8_t>((*typed_key)[i + 1]);
  }
  key.key_id = KeyId(key.name, key.public_key);
  if (key.key_id != internal::GetU32BE(*id)) {
    return Status::InvalidArgument("key ID does not match the key name and key", "vkey");
  }
  return key;
}

Result<CheckpointSigner> CheckpointSigner::Create(SigningKey key, std::string key_name,
                                                  std::string origin) {
  if (!IsValidKeyName(key_name)) {
    return Status::InvalidArgument(
        "key name must be non-empty printable ASCII without spaces or '+'", "key_name");
  }
  if (origin.empty() || origin.find('\n') != std::string::npos ||
      !internal::CheckNoteText(origin + "\n").ok()) {
    return Status::InvalidArgument(
        "origin must be one non-empty line of UTF-8 without control characters", "origin");
  }
  return CheckpointSigner(std::move(key), std::move(key_name), std::move(origin));
}

CheckpointSigner::CheckpointSigner(SigningKey key, std::string key_name, std::string origin)
    : key_(std::move(key)),
      key_name_(std::move(key_name)),
      origin_(std::move(origin)),
      key_id_(KeyId(key_name_, key_.public_key())) {}

std::string CheckpointSigner::Sign(uint64_t size, const Hash& root) const {
  const std::string text = origin_ + "\n" + std::to_string(size) + "\n" +
                           Base64Encode(internal::Sha256::View(root)) + "\n";
  return internal::SignNote(text, key_, key_name_);
}

std::string CheckpointSigner::VerifierKeyString() const {
  return FormatVerifierKey(key_name_, key_.public_key());
}

Result<Checkpoint> VerifyCheckpoint(std::string_view text, const PublicKey& public_key,
                                    std::string_view key_name) {
  Result<std::string> body = internal::OpenNote(text, public_key, key_name);
  if (!body.ok()) return body.status();
  return ParseCheckpointText(*body);
}

}  // namespace candor::ledger
