#include "privacy/internal/validators.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace candor::privacy::internal {
namespace {

struct CountryLength {
  const char code[3];
  int length;
};

// The SEPA countries and territories, plus the other members of the ISO 13616
// registry that customers of a European business write most often. Source: the
// SWIFT IBAN registry.
constexpr CountryLength kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22},
    {"BR", 29}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28},
    {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22},
    {"GI", 23}, {"GL", 18}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30},
    {"NL", 18}, {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24},
    {"RS", 22}, {"SA", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"TN", 24}, {"TR", 26},
    {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

}  // namespace

int IbanLength(std::string_view country) {
  if (country.size() != 2) return 0;
  for (const CountryLength& c : kIbanLengths) {
    if (c.code[0] == country[0] && c.code[1] == country[1]) return c.length;
  }
  return 0;
}

bool IsValidIban(std::string_view compact) {
  if (compact.size() < 15 || compact.size() > 34) return false;
  if (static_cast<size_t>(IbanLength(compact.substr(0, 2))) != compact.size()) return false;
  if (!IsDigit(compact[2]) || !IsDigit(compact[3])) return false;
  // Move the first four characters to the end, read letters as 10..35, and
  // take the number mod 97 piecewise so it never overflows.
  unsigned remainder = 0;
  for (size_t k = 0; k < compact.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(compact[(k + 4) % compact.size()]);
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else if (IsAsciiUpper(c)) {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return remainder == 1;
}

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t k = digits.size(); k-- > 0;) {
    if (!IsDigit(static_cast<unsigned char>(digits[k]))) return false;
    int d = digits[k] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

namespace {

// Issuer identification number ranges: [low, high] over the first `prefix_len`
// digits, and the card lengths the issuer uses.
struct IssuerRange {
  int prefix_len;
  int low;
  int high;
  int min_length;
  int max_length;
};

constexpr IssuerRange kIssuers[] = {
    {1, 4, 4, 13, 19},            // Visa (13, 16, 19 in practice)
    {2, 51, 55, 16, 16},          // Mastercard
    {4, 2221, 2720, 16, 16},      // Mastercard 2-series
    {2, 34, 34, 15, 15},          // American Express
    {2, 37, 37, 15, 15},          // American Express
    {4, 6011, 6011, 16, 19},      // Discover
    {3, 644, 649, 16, 19},        // Discover
    {2, 65, 65, 16, 19},          // Discover
    {6, 622126, 622925, 16, 19},  // Discover / UnionPay co-brand
    {2, 62, 62, 16, 19},          // UnionPay
    {4, 3528, 3589, 16, 19},      // JCB
    {4, 2131, 2131, 15, 15},      // JCB (legacy)
    {4, 1800, 1800, 15, 15},      // JCB (legacy)
    {3, 300, 305, 14, 19},        // Diners Club International
    {4, 3095, 3095, 14, 19},      // Diners Club International
    {2, 36, 36, 14, 19},          // Diners Club International
    {2, 38, 39, 14, 19},          // Diners Club International
    {2, 50, 50, 12, 19},          // Maestro
    {2, 56, 58, 12, 19},          // Maestro
    {2, 63, 63, 12, 19},          // Maestro
    {2, 67, 67, 12, 19},          // Maestro
    {4, 2200, 2204, 16, 19},      // Mir
};

int Prefix(std::string_view digits, int len) {
  int value = 0;
  for (int k = 0; k < len; ++k) value = value * 10 + (digits[k] - '0');
  return value;
}

}  // namespace

bool IsValidCardNumber(std::string_view digits) {
  const int n = static_cast<int>(digits.size());
  if (n < 12 || n > 19) return false;
  for (char c : digits) {
    if (!IsDigit(static_cast<unsigned char>(c))) return false;
  }
  bool issuer = false;
  for (const IssuerRange& r : kIssuers) {
    int p = Prefix(digits, r.prefix_len);
    if (p >= r.low && p <= r.high && n >= r.min_length && n <= r.max_length) {
      issuer = true;
      break;
    }
  }
  return issuer && LuhnValid(digits);
}

int TaxIdCheckDigit(std::string_view first_ten) {
  int product = 10;
  for (char c : first_ten.substr(0, 10)) {
    int sum = (c - '0' + product) % 10;
    if (sum == 0) sum = 10;
    product = (sum * 2) % 11;
  }
  int check = 11 - product;
  return check == 10 ? 0 : check;
}

bool IsValidGermanTaxId(std::string_view digits) {
  if (digits.size() != 11) return false;
  for (char c : digits) {
    if (!IsDigit(static_cast<unsigned char>(c))) return false;
  }
  if (digits[0] == '0') return false;
  std::array<int, 10> count{};
  for (size_t k = 0; k < 10; ++k) ++count[digits[k] - '0'];
  int repeated = -1;
  for (int d = 0; d < 10; ++d) {
    if (count[d] > 3) return false;
    if (count[d] >= 2) {
      if (repeated >= 0) return false;  // a second repeated digit
      repeated = d;
    }
  }
  if (repeated < 0) return false;
  if (count[repeated] == 3) {
    for (size_t k = 0; k + 2 < 10; ++k) {
      if (digits[k] - '0' == repeated && digits[k + 1] == digits[k] && digits[k + 2] == digits[k]) {
        return false;
      }
    }
  }
  return TaxIdCheckDigit(digits) == digits[10] - '0';
}

bool IsValidIpv4(std::string_view text) {
  int parts = 0;
  size_t k = 0;
  while (true) {
    size_t begin = k;
    int value = 0;
    while (k < text.size() && IsDigit(static_cast<unsigned char>(text[k])) && k - begin < 3) {
      value = value * 10 + (text[k] - '0');
      ++k;
    }
    size_t len = k - begin;
    if (len == 0 || value > 255 || (len > 1 && text[begin] == '0')) return false;
    ++parts;
    if (k == text.size()) break;
    if (text[k] != '.' || parts == 4) return false;
    ++k;
  }
  return parts == 4;
}

bool IsValidIpv6(std::string_view text) {
  if (text.size() < 2 || text.size() > 45) return false;
  char buffer[46];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  unsigned char address[16];
  return inet_pton(AF_INET6, buffer, address) == 1;
}

}  // namespace candor::privacy::internal
