// Protector: personal data never reaches the log, a model or a person's screen
// unmasked (principle P8). It masks a conversation's text with stable
// placeholders ([IBAN_1]), keeps the originals in the vault (sealed under the
// conversation's own key), unmasks for the customer and reveals single values
// to a person on request.
//
// Thread-safety: thread-safe. Masking a message and appending it must not
// interleave with another message of the same conversation, or the second
// would number its placeholders from a stale map: Protect() returns a lock
// the caller holds until the message is queued in the store (queue order is
// commit order).
#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "privacy/privacy.h"
#include "privacy/vault.h"
#include "store/store.h"

namespace candor {

class Protector {
 public:
  Protector(Store& store, const privacy::PiiScanner& scanner, vault::SecretKey master_key);

  // The wrapped vault key for a new conversation (store it with the conversation).
  std::string NewConversationKey(const std::string& conversation_id) const;

  struct Protected {
    std::string masked_text;
    std::string sealed_map;  // to store with the message (AppendRequest::vault_map)
    size_t findings = 0;
    std::unique_lock<std::mutex> lock;  // hold until the message is queued
  };
  Result<Protected> Protect(const std::string& conversation_id, const std::string& text);

  // Replaces every placeholder of the conversation in `text` by its original,
  // for the customer's own eyes. Unknown placeholders stay as they are.
  Result<std::string> Unmask(const std::string& conversation_id, const std::string& text);

  struct Revealed {
    std::string original;
    std::string pii_type;  // "iban"
  };
  // NotFound for a placeholder the conversation does not have.
  Result<Revealed> Reveal(const std::string& conversation_id, const std::string& placeholder);

 private:
  std::mutex& LockFor(const std::string& conversation_id);
  // The conversation's key and current map (the newest, even if not yet durable).
  Result<std::pair<vault::SecretKey, privacy::PlaceholderMap>> Load(
      const std::string& conversation_id);

  Store& store_;
  const privacy::PiiScanner& scanner_;
  const vault::SecretKey master_;
  std::array<std::mutex, 64> stripes_;  // conversation -> one of these, by hash

  // Scans need working memory; one per concurrent caller, reused.
  privacy::ScanScratch TakeScratch();
  void ReturnScratch(privacy::ScanScratch scratch);

  std::mutex cache_mu_;
  // The newest sealed map per conversation, ahead of the store while its
  // message is still being committed. Guarded by cache_mu_.
  std::unordered_map<std::string, std::string> sealed_maps_;
  // Unwrapped conversation keys, so a message costs no key unwrapping and no
  // database read. Bounded: cleared when it grows past kMaxCachedKeys.
  std::unordered_map<std::string, vault::SecretKey> keys_;  // guarded by cache_mu_
  std::vector<privacy::ScanScratch> scratches_;             // guarded by cache_mu_
};

}  // namespace candor
