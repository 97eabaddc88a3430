// libFuzzer target: what an auditor's verifier reads from outside: signed
// notes and checkpoints (c2sp.org signed-note, tlog-checkpoint), verifier
// keys and ledger leaves. Beyond not crashing: a leaf decodes only from its
// one encoding, a verifier key only from its one text form, and any text the
// note rules accept, once signed, opens to exactly itself.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ledger/internal/note.h"
#include "ledger/ledger.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

constexpr std::string_view kKeyName = "candor.example/log";

candor::ledger::SigningKey* MakeKey() {
  // A fixed seed, so a corpus input signed once stays valid in every run.
  auto key = candor::ledger::SigningKey::FromSeed(std::string(candor::ledger::kSeedSize, '\x2a'));
  if (!key.ok()) Fail("the fixed seed is not a key");
  return new candor::ledger::SigningKey(*key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ledger = candor::ledger;
  // Built once per process and never freed: it lives as long as the process.
  static const ledger::SigningKey* key = MakeKey();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // As received: a checkpoint this log may or may not have signed.
  auto checkpoint = ledger::VerifyCheckpoint(text, key->public_key(), kKeyName);
  if (checkpoint.ok() && checkpoint->origin.empty()) Fail("a checkpoint without origin verified");
  (void)ledger::internal::SplitSignedNote(text);

  auto leaf = ledger::DecodeLeaf(text);
  if (leaf.ok() && ledger::EncodeLeaf(*leaf) != text) Fail("a leaf decoded from a second encoding");

  auto vkey = ledger::ParseVerifierKey(text);
  if (vkey.ok() && ledger::FormatVerifierKey(vkey->name, vkey->public_key) != text) {
    Fail("a verifier key parsed from a second text form");
  }

  // As this log would sign it.
  if (ledger::internal::CheckNoteText(text).ok()) {
    const std::string signed_note = ledger::internal::SignNote(text, *key, kKeyName);
    auto opened = ledger::internal::OpenNote(signed_note, key->public_key(), kKeyName);
    if (!opened.ok() || *opened != text)
      Fail("a note signed by this key does not open to its text");
    auto body = ledger::VerifyCheckpoint(signed_note, key->public_key(), kKeyName);
    if (!body.ok() && body.status().code() == candor::StatusCode::kUnauthenticated) {
      Fail("this key's own signature on a checkpoint does not verify");
    }
  }
  return 0;
}
