#include "ledger/internal/note.h"

#include "core/text.h"
#include "ledger/internal/encoding.h"
#include "ledger/internal/sodium.h"

namespace candor::ledger::internal {
namespace {

constexpr size_t kEd25519SignatureSize = crypto_sign_BYTES;

Status Malformed(std::string why) {
  return Status::InvalidArgument("malformed signed note: " + why, "note");
}

// One "— <name> <base64(key ID || signature)>" line, without its newline.
Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) {
    return Malformed("a signature line must start with an em dash and a space");
  }
  line.remove_prefix(kSignaturePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0) {
    return Malformed("a signature line needs a key name, a space and a signature");
  }
  NoteSignature sig;
  sig.key_name = std::string(line.substr(0, space));
  if (sig.key_name.find('+') != std::string::npos) {
    return Malformed("key name \"" + sig.key_name + "\" contains '+'");
  }
  Result<std::string> blob = Base64Decode(line.substr(space + 1));
  if (!blob.ok()) return Malformed("signature of \"" + sig.key_name + "\" is not base64");
  if (blob->size() < 5) return Malformed("signature of \"" + sig.key_name + "\" is too short");
  sig.key_id = GetU32BE(*blob);
  sig.signature = blob->substr(4);
  return sig;
}

}  // namespace

Status CheckNoteText(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Malformed("text must end with a newline");
  if (!IsValidUtf8(text)) return Malformed("not valid UTF-8");
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      return Malformed("control character in text");
    }
  }
  return Status::Ok();
}

std::string SignNote(std::string_view text, const SigningKey& key, std::string_view key_name) {
  const std::array<uint8_t, 64> signature = key.Sign(text);
  std::string blob;
  PutU32BE(blob, KeyId(key_name, key.public_key()));
  blob.append(reinterpret_cast<const char*>(signature.data()), signature.size());

  std::string note(text);
  note += '\n';
  note += kSignaturePrefix;
  note += key_name;
  note += ' ';
  note += Base64Encode(blob);
  note += '\n';
  return note;
}

Result<SplitNote> SplitSignedNote(std::string_view message) {
  if (message.size() > kMaxNoteBytes) return Malformed("longer than 1 MiB");
  CANDOR_RETURN_IF_ERROR(CheckNoteText(message));  // the rules hold for the whole note
  // The text ends at the last blank line; signature lines never are blank.
  const size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before the signatures");
  SplitNote note;
  note.text = std::string(message.substr(0, split + 1));

  std::string_view sigs = message.substr(split + 2);
  if (sigs.empty()) return Malformed("no signature lines");
  while (!sigs.empty()) {
    if (note.signatures.size() == kMaxSignatures) return Malformed("too many signatures");
    const size_t newline = sigs.find('\n');
    Result<NoteSignature> sig = ParseSignatureLine(sigs.substr(0, newline));
    if (!sig.ok()) return sig.status();
    note.signatures.push_back(std::move(sig).value());
    sigs.remove_prefix(newline + 1);
  }
  return note;
}

Result<std::string> OpenNote(std::string_view message, const PublicKey& public_key,
                             std::string_view key_name) {
  Result<SplitNote> note = SplitSignedNote(message);
  if (!note.ok()) return note.status();
  InitSodium();
  const uint32_t key_id = KeyId(key_name, public_key);
  bool verified = false;
  for (const NoteSignature& sig : note->signatures) {
    // The (name, ID) pair identifies a key; anything else is someone else's.
    if (sig.key_name != key_name || sig.key_id != key_id) continue;
    if (sig.signature.size() != kEd25519SignatureSize ||
        crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.signature.data()),
                                    reinterpret_cast<const unsigned char*>(note->text.data()),
                                    note->text.size(), public_key.data()) != 0) {
      return Status::Unauthenticated("the signature of \"" + std::string(key_name) +
                                     "\" does not verify");
    }
    verified = true;
  }
  if (!verified) {
    return Status::Unauthenticated("the note carries no signature of \"" + std::string(key_name) +
                                   "\"");
  }
  return std::move(note->text);
}

}  // namespace candor::ledger::internal
