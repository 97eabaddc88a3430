// Vault: the originals of masked personal data, encrypted at rest.
//
// Each conversation has its own random key; it is stored only wrapped
// (encrypted) under the deployment's master key, which lives in a file of its
// own (mode 0600). Originals are sealed with XChaCha20-Poly1305 under the
// conversation key, with the conversation id and placeholder as associated
// data, so a sealed value cannot be moved to another conversation or
// placeholder unnoticed. Destroying a conversation's wrapped key makes all its
// originals unreadable (crypto-shredding), without touching any other record.
//
// These are pure functions over bytes; where the wrapped keys and sealed
// values are stored is the caller's business. Thread-safe; keys are wiped on
// destruction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace candor::vault {

inline constexpr size_t kKeySize = 32;

// A 32-byte secret key, wiped when destroyed.
class SecretKey {
 public:
  SecretKey();  // zero; use the factories
  ~SecretKey();
  SecretKey(const SecretKey& other);
  SecretKey& operator=(const SecretKey& other);
  static SecretKey Random();
  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* mutable_data() { return bytes_.data(); }

 private:
  std::array<uint8_t, kKeySize> bytes_{};
};

// Reads the master key file, or creates it (mode 0600, via a temporary file
// and rename) when it does not exist. A file of the wrong size or readable by
// group or others is refused with a clear error.
Result<SecretKey> LoadOrCreateMasterKey(const std::string& path);

// A fresh conversation key, and its wrapped form to store. The wrapping binds
// the conversation id: it unwraps only for the same conversation.
struct NewConversationKey {
  SecretKey key;
  std::string wrapped;  // nonce || ciphertext || tag
};
NewConversationKey MakeConversationKey(const SecretKey& master, std::string_view conversation_id);
Result<SecretKey> UnwrapConversationKey(const SecretKey& master, std::string_view wrapped,
                                        std::string_view conversation_id);

// XChaCha20-Poly1305: a fresh random 24-byte nonce || ciphertext || 16-byte tag.
std::string Seal(const SecretKey& key, std::string_view plaintext,
                 std::string_view associated_data);
// Unauthenticated when the key, the associated data or any byte is wrong.
Result<std::string> Open(const SecretKey& key, std::string_view sealed,
                         std::string_view associated_data);

}  // namespace candor::vault
