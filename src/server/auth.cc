#include "server/auth.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>

namespace candor {

Status InitCrypto() {
  if (sodium_init() < 0) return Status::Internal("libsodium could not be initialised");
  return Status::Ok();
}

std::string NewToken(std::string_view prefix) {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char encoded[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  std::string token(prefix);
  token += '_';
  token += encoded;
  return token;
}

TokenKind KindOfToken(std::string_view token) {
  constexpr size_t kEncodedBytes = 43;  // 256 bits in unpadded base64url
  if (token.size() != 3 + kEncodedBytes || token[2] != '_') return TokenKind::kMalformed;
  for (char c : token.substr(3)) {
    const bool base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!base64url) return TokenKind::kMalformed;
  }
  if (token.substr(0, 2) == "ct") return TokenKind::kCustomer;
  if (token.substr(0, 2) == "at") return TokenKind::kAgent;
  if (token.substr(0, 2) == "dt") return TokenKind::kDevice;
  return TokenKind::kMalformed;
}

std::string HashToken(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool TokenMatchesHash(std::string_view token, std::string_view stored_hash) {
  const std::string presented = HashToken(token);
  if (presented.size() != stored_hash.size()) return false;
  return sodium_memcmp(presented.data(), stored_hash.data(), presented.size()) == 0;
}

Result<std::string> HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MODERATE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::ResourceExhausted("not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
  const std::string stored(stored_hash);  // crypto_pwhash_str_verify wants a C string
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

RateLimiter::RateLimiter(double per_minute, double burst, const Clock& clock, size_t max_keys)
    : per_ms_(per_minute / 60000.0), burst_(burst), clock_(clock), max_keys_(max_keys) {}

void RateLimiter::Refill(Bucket& bucket, Time now) const {
  const double elapsed = static_cast<double>((now - bucket.updated).count());
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_ms_);
  bucket.updated = now;
}

bool RateLimiter::Allow(const std::string& key) {
  const Time now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // Forget the buckets that have refilled: they carry no information.
      for (auto it = buckets_.begin(); it != buckets_.end();) {
        Refill(it->second, now);
        it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
      }
      if (buckets_.size() >= max_keys_) return false;  // under attack from many keys
    }
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Refill(it->second, now);
  if (it->second.tokens < 1.0) return false;
  it->second.tokens -= 1.0;
  return true;
}

int RateLimiter::RetryAfterSeconds(const std::string& key) {
  const Time now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return 0;
  Refill(it->second, now);
  if (it->second.tokens >= 1.0) return 0;
  const double seconds = (1.0 - it->second.tokens) / per_ms_ / 1000.0;
  return std::max(1, static_cast<int>(std::ceil(seconds - 1e-9)));
}

}  // namespace candor
