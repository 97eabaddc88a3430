// libsodium must be initialised before use; sodium_init() is idempotent and
// thread-safe, so every entry point that needs it calls InitSodium() instead
// of relying on a global initialiser.
#pragma once

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace candor::ledger::internal {

inline void InitSodium() {
  // Fails only when the system offers no randomness; keys made without it
  // would not be secret, so stopping is the only safe answer.
  if (sodium_init() < 0) {
    std::fputs("candor ledger: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

}  // namespace candor::ledger::internal
