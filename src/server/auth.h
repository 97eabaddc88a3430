// Credentials: random bearer tokens stored only as hashes, argon2id passwords,
// and a rate limiter for login. Used by the server and by `candor agent add`.
// All functions are thread-safe; call InitCrypto() once before any of them.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/status.h"

namespace candor {

// Initialises libsodium. Idempotent and thread-safe.
Status InitCrypto();

// `prefix` + base64url of 256 random bits, e.g. "ct_Zk3...". The prefix says
// what kind of token it is ("ct" customer, "at" agent) and is not secret.
std::string NewToken(std::string_view prefix);

// What a presented token claims to be, from its form alone: a customer's
// ("ct_"), an agent's session ("at_"), a device an agent logged in from
// ("dt_"), or not a candor token at all.
enum class TokenKind { kMalformed, kCustomer, kAgent, kDevice };
TokenKind KindOfToken(std::string_view token);

// Hex SHA-256 of the token: what the database keeps instead of the token.
std::string HashToken(std::string_view token);

// Compares a presented token with a stored hash in constant time.
bool TokenMatchesHash(std::string_view token, std::string_view stored_hash);

// argon2id (libsodium crypto_pwhash_str, "moderate" limits). Slow on purpose.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view stored_hash, std::string_view password);

// Token bucket per key (an IP address, an agent name): `per_minute` attempts
// refill over a minute, up to `burst` at once. Remembers at most `max_keys`
// keys, forgetting full buckets first, so it cannot be used to exhaust memory.
class RateLimiter {
 public:
  RateLimiter(double per_minute, double burst, const Clock& clock, size_t max_keys = 100000);
  // True when the attempt may go ahead (and counts it).
  bool Allow(const std::string& key);
  // Seconds until the next attempt would be allowed.
  int RetryAfterSeconds(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    Time updated;
  };
  void Refill(Bucket& bucket, Time now) const;

  const double per_ms_;
  const double burst_;
  const Clock& clock_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace candor
