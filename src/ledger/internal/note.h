// Signed notes (c2sp.org/signed-note) with Ed25519: the envelope around
// checkpoints. Kept apart from the checkpoint body so each can be checked on
// its own against published examples. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/ledger.h"

namespace candor::ledger::internal {

// U+2014 EM DASH followed by a space: how every signature line begins.
inline constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";
// Limits on notes from outside; the spec asks verifiers to accept at least 16
// signatures.
inline constexpr size_t kMaxNoteBytes = 1 << 20;
inline constexpr size_t kMaxSignatures = 100;

struct NoteSignature {
  std::string key_name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the key ID
};

struct SplitNote {
  std::string text;  // includes its final newline
  std::vector<NoteSignature> signatures;
};

// Valid note text: non-empty, ends in a newline, valid UTF-8, and no control
// characters other than newline.
Status CheckNoteText(std::string_view text);

// `text` followed by the blank line and one Ed25519 signature line.
// `text` must pass CheckNoteText and `key_name` IsValidKeyName.
std::string SignNote(std::string_view text, const SigningKey& key, std::string_view key_name);

// Splits a signed note at its last blank line and parses the signature lines,
// without verifying any of them.
Result<SplitNote> SplitSignedNote(std::string_view message);

// The note's text once a signature by (key_name, public_key) verifies. Other
// keys' signatures are ignored; a failing signature of this key rejects the
// note (Unauthenticated), as does the absence of one.
Result<std::string> OpenNote(std::string_view message, const PublicKey& public_key,
                             std::string_view key_name);

}  // namespace candor::ledger::internal
