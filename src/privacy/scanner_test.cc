#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "privacy/findings_testing.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

class ScannerTest : public DefaultScannerTest {};

using V = std::vector<std::string>;

TEST_F(ScannerTest, FindsIbanWithAndWithoutSpacesInAnyCase) {
  EXPECT_EQ(Find("Meine IBAN: DE89 3704 0044 0532 0130 00, danke"),
            V{"iban:DE89 3704 0044 0532 0130 00"});
  EXPECT_EQ(Find("iban de89370400440532013000."), V{"iban:de89370400440532013000"});
  EXPECT_EQ(Find("AT61 1904 3002 3457 3201"), V{"iban:AT61 1904 3002 3457 3201"});
}

TEST_F(ScannerTest, IgnoresIbanWithWrongChecksum) {
  EXPECT_EQ(Find("IBAN DE89 3704 0044 0532 0130 01"), V{});
}

TEST_F(ScannerTest, FindsCardNumbersWithSpacesOrDashes) {
  EXPECT_EQ(Find("Karte 4111 1111 1111 1111 bitte"), V{"card:4111 1111 1111 1111"});
  EXPECT_EQ(Find("card 5555-5555-5555-4444"), V{"card:5555-5555-5555-4444"});
  EXPECT_EQ(Find("Amex 3782 822463 10005"), V{"card:3782 822463 10005"});
  EXPECT_EQ(Find("Karte 4111 1111 1111 1111 12 25"), V{"card:4111 1111 1111 1111"});
}

TEST_F(ScannerTest, IgnoresNumbersThatFailLuhn) {
  EXPECT_EQ(Find("Bestellung 4111 1111 1111 1112"), V{});
  EXPECT_EQ(Find("Sendungsnummer 00340434161094015902"), V{});
}

TEST_F(ScannerTest, FindsGermanTaxId) {
  EXPECT_EQ(Find("Steuer-ID 12 345 678 995"), V{"tax_id:12 345 678 995"});
  EXPECT_EQ(Find("IdNr: 12345678995."), V{"tax_id:12345678995"});
  EXPECT_EQ(Find("Auftrag 12345678994"), V{});
}

TEST_F(ScannerTest, FindsPhoneNumbersInCommonFormats) {
  EXPECT_EQ(Find("Ruf an: +49 30 12345678"), V{"phone:+49 30 12345678"});
  EXPECT_EQ(Find("Handy 0171 2345678."), V{"phone:0171 2345678"});
  EXPECT_EQ(Find("Tel. 030/8765432"), V{"phone:030/8765432"});
  EXPECT_EQ(Find("Wien +43 1 5356789"), V{"phone:+43 1 5356789"});
  EXPECT_EQ(Find("Zürich +41 44 668 18 00"), V{"phone:+41 44 668 18 00"});
}

TEST_F(ScannerTest, IgnoresDatesAmountsAndOrderNumbersAsPhones) {
  EXPECT_EQ(Find("am 01.02.2024 um 10:30"), V{});
  EXPECT_EQ(Find("Betrag 0,99 EUR"), V{});
  EXPECT_EQ(Find("Bestellnummer 028-1234567-1234567"), V{});
}

TEST_F(ScannerTest, FindsEmails) {
  EXPECT_EQ(Find("Mail an max.mustermann@example.de."), V{"email:max.mustermann@example.de"});
  EXPECT_EQ(Find("<jane+news@mail.example.co.uk>"), V{"email:jane+news@mail.example.co.uk"});
  EXPECT_EQ(Find("nicht@localhost und @handle"), V{});
}

TEST_F(ScannerTest, FindsIpAddressesButNotVersions) {
  EXPECT_EQ(Find("von 192.168.178.20 aus"), V{"ip:192.168.178.20"});
  EXPECT_EQ(Find("IPv6 2001:db8::8a2e:370:7334 gesehen"), V{"ip:2001:db8::8a2e:370:7334"});
  EXPECT_EQ(Find("Version 10.2.1.5 installiert, 300.1.1.1"), V{});
  EXPECT_EQ(Find("um 12:30:45 Uhr"), V{});
}

TEST_F(ScannerTest, FindsSecretsGivenInContext) {
  EXPECT_EQ(Find("mein Passwort ist Sommer2023!"), V{"secret:Sommer2023!"});
  EXPECT_EQ(Find("Die PIN lautet 4711."), V{"secret:4711"});
  EXPECT_EQ(Find("my password is hunter22"), V{"secret:hunter22"});
  EXPECT_EQ(Find("TAN: 839201"), V{"secret:839201"});
  EXPECT_EQ(Find("Passwort: „Blaue Katze 7“"), V{"secret:Blaue Katze 7"});
}

TEST_F(ScannerTest, IgnoresTalkAboutSecretsWithoutAValue) {
  EXPECT_EQ(Find("Ich habe mein Passwort vergessen"), V{});
  EXPECT_EQ(Find("my password is not working"), V{});
  EXPECT_EQ(Find("Die TAN kam nicht an, bitte PIN-Brief schicken"), V{});
}

TEST_F(ScannerTest, FindsBirthDatesGivenInContext) {
  EXPECT_EQ(Find("geboren am 12.03.1985"), V{"birth_date:12.03.1985"});
  EXPECT_EQ(Find("Geburtsdatum: 1990-07-01"), V{"birth_date:1990-07-01"});
  EXPECT_EQ(Find("date of birth 3 March 1985"), V{"birth_date:3 March 1985"});
  EXPECT_EQ(Find("born on March 3, 1985"), V{"birth_date:March 3, 1985"});
  EXPECT_EQ(Find("Lieferung am 12.03.2024"), V{});
}

TEST_F(ScannerTest, FindsNamesAfterSalutations) {
  EXPECT_EQ(Find("Sehr geehrte Frau Dr. Weber,"), V{"name:Weber"});
  EXPECT_EQ(Find("Herr Müller-Lüdenscheidt hat angerufen"), V{"name:Müller-Lüdenscheidt"});
  EXPECT_EQ(Find("Dear Mr. John Smith"), V{"name:John Smith"});
  EXPECT_EQ(Find("Sehr geehrte Damen und Herren"), V{});
  EXPECT_EQ(Find("Herr der Ringe"), V{});
}

TEST_F(ScannerTest, ReturnsSortedNonOverlappingFindingsForMixedText) {
  std::string text =
      "Hallo, ich bin Frau Schmidt, IBAN DE89370400440532013000, Tel 0171 2345678, "
      "Mail a.schmidt@web.de";
  EXPECT_EQ(Find(text), (V{"name:Schmidt", "iban:DE89370400440532013000", "phone:0171 2345678",
                           "email:a.schmidt@web.de"}));
}

TEST_F(ScannerTest, SurvivesInvalidUtf8AndBinary) {
  std::string text = "\xff\xfe Frau \xc3 \x80\x80 4111 1111 1111 1111 \xe2\x80";
  text.push_back('\0');
  text += "a@b.de\xc3";
  Result<std::vector<Finding>> findings = scanner_->Scan(text);
  ASSERT_TRUE(findings.ok());
  for (const Finding& f : *findings) EXPECT_LE(f.end, text.size());
}

TEST_F(ScannerTest, RejectsScratchOfAnotherScanner) {
  Result<PiiScanner> other = PiiScanner::Create();
  ASSERT_TRUE(other.ok());
  Result<ScanScratch> scratch = other->NewScratch();
  ASSERT_TRUE(scratch.ok());
  EXPECT_EQ(scanner_->Scan("x", *scratch).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ScannerTest, ALongLogFindsWhatEachOfItsMessagesHolds) {
  // Long texts are read a part at a time, split after line breaks; values
  // near the splits must be found as in a message of their own.
  const std::string messages[] = {
      "Mein Name ist Anna Schmidt, Passwort: Sommer2024!",
      "IBAN DE89 3704 0044 0532 0130 00 bitte, Tel +49 30 12345678",
      "Viele Grüße\nJürgen Weiß",
      "Lindenstraße 12, 10115 Berlin; geboren am 12.03.1980",
      "nothing here but words and 12.3.2024 and order 123-4567890-1234567",
  };
  std::string log;
  std::vector<std::string> expected;
  for (int k = 0; log.size() < 100 * 1024; ++k) {
    const std::string& message = messages[k % std::size(messages)];
    Result<std::vector<Finding>> alone = scanner_->Scan(message);
    ASSERT_TRUE(alone.ok());
    for (const Finding& f : *alone) {
      expected.push_back(std::to_string(log.size() + f.start) + ":" +
                         message.substr(f.start, f.end - f.start));
    }
    log += message + "\n";
  }
  Result<std::vector<Finding>> whole = scanner_->Scan(log);
  ASSERT_TRUE(whole.ok());
  std::vector<std::string> found;
  for (const Finding& f : *whole)
    found.push_back(std::to_string(f.start) + ":" + log.substr(f.start, f.end - f.start));
  EXPECT_GT(expected.size(), 2000u);
  EXPECT_EQ(found, expected);
}

TEST_F(ScannerTest, RejectsUnknownPhoneRegion) {
  EXPECT_FALSE(PiiScanner::Create(ScannerOptions{.default_region = "XX"}).ok());
}

}  // namespace
}  // namespace candor::privacy
