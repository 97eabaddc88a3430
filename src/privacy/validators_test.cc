#include "privacy/internal/validators.h"

#include <gtest/gtest.h>

namespace candor::privacy::internal {
namespace {

TEST(IbanTest, AcceptsValidIbansOfSeveralCountries) {
  EXPECT_TRUE(IsValidIban("DE89370400440532013000"));
  EXPECT_TRUE(IsValidIban("AT611904300234573201"));
  EXPECT_TRUE(IsValidIban("CH9300762011623852957"));
  EXPECT_TRUE(IsValidIban("GB82WEST12345698765432"));
  EXPECT_TRUE(IsValidIban("FR1420041010050500013M02606"));
  EXPECT_TRUE(IsValidIban("NL91ABNA0417164300"));
}

TEST(IbanTest, RejectsWrongCheckDigitsAndWrongLength) {
  EXPECT_FALSE(IsValidIban("DE89370400440532013001"));
  EXPECT_FALSE(IsValidIban("DE8937040044053201300"));   // one digit short
  EXPECT_FALSE(IsValidIban("XX89370400440532013000"));  // no such country
  EXPECT_FALSE(IsValidIban("DE89 370400440532013000"));
}

TEST(CardTest, AcceptsIssuersWithValidLuhn) {
  EXPECT_TRUE(IsValidCardNumber("4111111111111111"));  // Visa
  EXPECT_TRUE(IsValidCardNumber("5555555555554444"));  // Mastercard
  EXPECT_TRUE(IsValidCardNumber("2223003122003222"));  // Mastercard 2-series
  EXPECT_TRUE(IsValidCardNumber("378282246310005"));   // Amex
  EXPECT_TRUE(IsValidCardNumber("6011111111111117"));  // Discover
  EXPECT_TRUE(IsValidCardNumber("3530111333300000"));  // JCB
  EXPECT_TRUE(IsValidCardNumber("30569309025904"));    // Diners
  EXPECT_TRUE(IsValidCardNumber("6759649826438453"));  // Maestro
}

TEST(CardTest, RejectsLuhnFailuresUnknownIssuersAndWrongLengths) {
  EXPECT_FALSE(IsValidCardNumber("4111111111111112"));
  EXPECT_FALSE(IsValidCardNumber("9111111111111111"));
  EXPECT_FALSE(IsValidCardNumber("37828224631000"));  // Amex is 15 digits
  EXPECT_FALSE(IsValidCardNumber("41111111111"));
}

TEST(TaxIdTest, ComputesTheMod1110CheckDigit) {
  EXPECT_EQ(TaxIdCheckDigit("1234567899"), 5);
  EXPECT_TRUE(IsValidGermanTaxId("12345678995"));
}

TEST(TaxIdTest, RejectsLeadingZeroWrongCheckDigitAndDigitRule) {
  EXPECT_FALSE(IsValidGermanTaxId("12345678994"));  // wrong check digit
  EXPECT_FALSE(IsValidGermanTaxId("02345678995"));  // leading zero
  // All ten digits distinct: no repeated digit.
  std::string distinct = "1234567890";
  EXPECT_FALSE(IsValidGermanTaxId(distinct + std::to_string(TaxIdCheckDigit(distinct))));
  // Two different digits repeated.
  std::string two = "1123456788";
  EXPECT_FALSE(IsValidGermanTaxId(two + std::to_string(TaxIdCheckDigit(two))));
}

TEST(TaxIdTest, AllowsADigitThreeTimesButNotThreeInARow) {
  std::string spread = "1213456781";  // '1' three times, apart
  EXPECT_TRUE(IsValidGermanTaxId(spread + std::to_string(TaxIdCheckDigit(spread))));
  std::string row = "1112345678";  // '1' three times in a row
  EXPECT_FALSE(IsValidGermanTaxId(row + std::to_string(TaxIdCheckDigit(row))));
  std::string four = "1112134567";  // four times
  EXPECT_FALSE(IsValidGermanTaxId(four + std::to_string(TaxIdCheckDigit(four))));
}

TEST(IpTest, AcceptsDottedQuadsUpTo255) {
  EXPECT_TRUE(IsValidIpv4("192.168.0.1"));
  EXPECT_TRUE(IsValidIpv4("255.255.255.255"));
  EXPECT_FALSE(IsValidIpv4("256.1.1.1"));
  EXPECT_FALSE(IsValidIpv4("1.2.3"));
  EXPECT_FALSE(IsValidIpv4("1.2.3.4.5"));
  EXPECT_FALSE(IsValidIpv4("01.2.3.4"));
}

TEST(IpTest, AcceptsIpv6Forms) {
  EXPECT_TRUE(IsValidIpv6("2001:db8::8a2e:370:7334"));
  EXPECT_TRUE(IsValidIpv6("fe80::1"));
  EXPECT_TRUE(IsValidIpv6("::ffff:192.0.2.128"));
  EXPECT_FALSE(IsValidIpv6("12:30:45"));
  EXPECT_FALSE(IsValidIpv6("2001:db8:::1"));
}

}  // namespace
}  // namespace candor::privacy::internal
