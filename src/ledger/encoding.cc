#include "ledger/internal/encoding.h"

#include <sodium.h>

namespace candor::ledger::internal {
namespace {
constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.pop_back();  // libsodium counts the terminating NUL
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  // libsodium reads a byte above 0x7F as a negative char, and some of those
  // then pass for '/' or '+': only the alphabet itself may reach it, so each
  // value has one text form.
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return Status::InvalidArgument("not valid base64");
  }
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), /*ignore=*/nullptr, &len, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return Status::InvalidArgument("not valid base64");
  }
  out.resize(len);
  return out;
}

std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

Result<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return Status::InvalidArgument("hex has an odd number of digits");
  std::string out(text.size() / 2, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                     text.size(), /*ignore=*/nullptr, &len, &end) != 0 ||
      end != text.data() + text.size() || len != out.size()) {
    return Status::InvalidArgument("not valid hex");
  }
  return out;
}

}  // namespace candor::ledger::internal
