// Checksums and format rules that turn a candidate into a finding. Pure
// functions on bytes: no allocation beyond the returned values, safe on any
// input, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace candor::privacy::internal {

inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsAsciiAlnum(unsigned char c) { return IsDigit(c) || IsAsciiAlpha(c); }
inline bool IsAsciiUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsAsciiLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline char ToUpper(unsigned char c) {
  return IsAsciiLower(c) ? static_cast<char>(c - 32) : static_cast<char>(c);
}
inline char ToLower(unsigned char c) {
  return IsAsciiUpper(c) ? static_cast<char>(c + 32) : static_cast<char>(c);
}
// A byte that may belong to a word in any script: ASCII letters and digits and
// every byte of a multi-byte UTF-8 sequence (and, harmlessly, invalid bytes).
inline bool IsWordByte(unsigned char c) { return IsAsciiAlnum(c) || c >= 0x80; }
// An upper-case letter starting at byte k: ASCII, or a Latin-1 / Latin
// Extended-A capital in UTF-8 (Ä Ö Ü À ... and Ł Š Ž ..., approximately).
inline bool StartsUpper(std::string_view text, size_t k) {
  if (k >= text.size()) return false;
  const auto c = static_cast<unsigned char>(text[k]);
  if (IsAsciiUpper(c)) return true;
  if (k + 1 >= text.size()) return false;
  const auto c1 = static_cast<unsigned char>(text[k + 1]);
  if (c == 0xC3) return c1 >= 0x80 && c1 <= 0x9E && c1 != 0x97;
  if (c == 0xC4 || c == 0xC5) return (c1 & 0xC0) == 0x80 && c1 % 2 == 0;
  return false;
}

// The IBAN length of a country (ISO 13616 registry), 0 if the country has no
// IBAN we accept. `country` is two upper-case letters.
int IbanLength(std::string_view country);

// `compact` is an IBAN without spaces, upper-case: country, check digits,
// BBAN of the registered length, and the ISO 7064 mod-97 remainder is 1.
bool IsValidIban(std::string_view compact);

// Luhn (ISO/IEC 7812-1) over a string of digits.
bool LuhnValid(std::string_view digits);

// A card number: 12 to 19 digits, an issuer range whose lengths include this
// one (Visa, Mastercard incl. 2-series, Amex, Discover, JCB, Diners, Maestro,
// UnionPay, Mir) and a valid Luhn digit.
bool IsValidCardNumber(std::string_view digits);

// The German Steuer-IdNr (11 digits): first digit not 0; in the first ten
// digits exactly one digit occurs twice or three times, all others at most
// once, and a digit that occurs three times does not fill three consecutive
// places (rule since 2016); the last digit is the ISO 7064 MOD 11,10 check
// digit of the first ten.
bool IsValidGermanTaxId(std::string_view digits);
// The MOD 11,10 check digit of ten digits (exposed for tests and generators).
int TaxIdCheckDigit(std::string_view first_ten);

// Dotted-quad IPv4: four decimal octets 0..255 without leading zeros.
bool IsValidIpv4(std::string_view text);
// IPv6 in any RFC 4291 text form, including "::" and an IPv4 tail.
bool IsValidIpv6(std::string_view text);

}  // namespace candor::privacy::internal
