// Byte encodings shared by the ledger's formats: standard base64 (RFC 4648
// section 4, with padding), lower-case hex and big-endian integers.
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace candor::ledger::internal {

std::string Base64Encode(std::string_view bytes);
// Strict: padding required, no whitespace, no non-zero unused bits, so every
// byte string has exactly one accepted encoding.
Result<std::string> Base64Decode(std::string_view text);

std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view text);

inline void PutU32BE(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
inline void PutU64BE(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
// `in` must hold at least 4 (8) bytes.
inline uint32_t GetU32BE(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
inline uint64_t GetU64BE(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

}  // namespace candor::ledger::internal
