// Names and postal addresses as customers write them, German and English,
// with the decoys that must stay: nouns that are surnames, towns, "Herr der
// Ringe", amounts, dates and order numbers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "privacy/findings_testing.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

class NamesTest : public DefaultScannerTest {};

using V = std::vector<std::string>;

TEST_F(NamesTest, FindsNamesInSelfIntroductions) {
  EXPECT_EQ(Find("Mein Name ist Jürgen Weiß und ich habe eine Frage."), V{"name:Jürgen Weiß"});
  EXPECT_EQ(Find("Hallo, ich heiße Anna Schmidt."), V{"name:Anna Schmidt"});
  EXPECT_EQ(Find("ich heiße anna"), V{"name:anna"});
  EXPECT_EQ(Find("Hallo, ich bin die Anna und brauche Hilfe"), V{"name:Anna"});
  EXPECT_EQ(Find("My name is Oliver Twist."), V{"name:Oliver Twist"});
  EXPECT_EQ(Find("Hi, I'm Sarah, my card is blocked"), V{"name:Sarah"});
  EXPECT_EQ(Find("Hello, this is Peter Brown from Leeds"), V{"name:Peter Brown"});
}

TEST_F(NamesTest, LeavesIntroductionsWithoutANameAlone) {
  EXPECT_EQ(Find("Ich bin Kunde seit 2010 und ich bin der Meinung, dass das falsch ist."), V{});
  EXPECT_EQ(Find("I'm Tired of waiting. This is Ridiculous."), V{});
  EXPECT_EQ(Find("Mein Name ist nicht wichtig."), V{});
}

TEST_F(NamesTest, FindsTheNameInASignatureAfterAClosing) {
  EXPECT_EQ(Find("Bitte um Rückruf.\nViele Grüße\nJürgen Weiß"), V{"name:Jürgen Weiß"});
  EXPECT_EQ(Find("Danke im Voraus. Mit freundlichen Grüßen, Kowalczyk"), V{"name:Kowalczyk"});
  EXPECT_EQ(Find("Thanks for your help!\nKind regards,\nOliver"), V{"name:Oliver"});
  EXPECT_EQ(Find("Danke, Anna!"), V{"name:Anna"});
}

TEST_F(NamesTest, ClosingsWithoutASignatureFindNothing) {
  EXPECT_EQ(Find("Viele Grüße aus Berlin"), V{});
  EXPECT_EQ(Find("Danke Ihnen!"), V{});
  EXPECT_EQ(Find("Mit freundlichen Grüßen\nIhr Kundenservice"), V{});
  EXPECT_EQ(Find("Thanks. Please call me back."), V{});
}

TEST_F(NamesTest, FindsNamesAfterRelationsAndRoles) {
  EXPECT_EQ(Find("mein Mann Peter hat das Konto eröffnet"), V{"name:Peter"});
  EXPECT_EQ(Find("Kontoinhaberin: Jana Kowalczyk"), V{"name:Jana Kowalczyk"});
  EXPECT_EQ(Find("Empfänger Max Mustermann, bitte prüfen"), V{"name:Max Mustermann"});
  EXPECT_EQ(Find("der Berater Herr Yilmaz war sehr nett"), V{"name:Yilmaz"});
  EXPECT_EQ(Find("my wife Emma made the transfer"), V{"name:Emma"});
  // The noun is part of another word: "Kaufmann", "Person".
  EXPECT_EQ(Find("Der Kaufmann Bescheid wusste"), V{});
}

TEST_F(NamesTest, SalutationAndArticleMakeTheDifference) {
  EXPECT_EQ(Find("Herr Bäcker hat mich angerufen"), V{"name:Bäcker"});
  EXPECT_EQ(Find("Der Bäcker hat mich angerufen"), V{});
  EXPECT_EQ(Find("Frau Koch sagte, der Koch sei krank"), V{"name:Koch"});
  EXPECT_EQ(Find("Ich lese gerade Herr der Ringe"), V{});
}

TEST_F(NamesTest, FindsListedNamesInRunningText) {
  EXPECT_EQ(Find("Gestern hat Anna Schmidt die Überweisung gemacht"), V{"name:Anna Schmidt"});
  EXPECT_EQ(Find("Kann Thomas das Konto auflösen?"), V{"name:Thomas"});
  EXPECT_EQ(Find("Yesterday Emily Johnson called about the refund"), V{"name:Emily Johnson"});
}

TEST_F(NamesTest, LeavesNounsTownsAndMonthsThatAreAlsoNames) {
  // Surnames that are nouns, towns that are surnames, months.
  EXPECT_EQ(Find("Der Koch und der Fischer waren im Mai in Essen"), V{});
  EXPECT_EQ(Find("Ich wohne in Kiel und arbeite in Halle"), V{});
  EXPECT_EQ(Find("Will you send it in May? Mark the date."), V{});
  EXPECT_EQ(Find("Die Müller GmbH hat die Rechnung geschickt"), V{});
}

TEST_F(NamesTest, FindsGermanAustrianAndSwissAddresses) {
  EXPECT_EQ(Find("Ich bin umgezogen: Lindenstraße 12, 10115 Berlin"),
            V{"address:Lindenstraße 12, 10115 Berlin"});
  EXPECT_EQ(Find("Neue Adresse Hauptstr. 5a, D-80331 München."),
            V{"address:Hauptstr. 5a, D-80331 München"});
  EXPECT_EQ(Find("Lieferung an Mariahilfer Straße 45/3/12, 1060 Wien bitte"),
            V{"address:Mariahilfer Straße 45/3/12, 1060 Wien"});
  EXPECT_EQ(Find("Bahnhofstrasse 7\n8001 Zürich"), V{"address:Bahnhofstrasse 7\n8001 Zürich"});
  EXPECT_EQ(Find("wohne jetzt Am Markt 3, 60311 Frankfurt am Main"),
            V{"address:Am Markt 3, 60311 Frankfurt am Main"});
  EXPECT_EQ(Find("Waldweg 3"), V{"address:Waldweg 3"});
}

TEST_F(NamesTest, FindsEnglishAndEuropeanAddresses) {
  EXPECT_EQ(Find("Send it to 221B Baker Street, London NW1 6XE please"),
            V{"address:221B Baker Street, London NW1 6XE"});
  EXPECT_EQ(Find("I live at 12 Main St, Springfield, IL 62704."),
            V{"address:12 Main St, Springfield, IL 62704"});
  EXPECT_EQ(Find("new address: 5340 Kaylee Skyway Suite 730"),
            V{"address:5340 Kaylee Skyway Suite 730"});
  EXPECT_EQ(Find("Via Roma 131 is my address"), V{"address:Via Roma 131"});
}

TEST_F(NamesTest, LeavesNumbersThatAreNoAddressAlone) {
  EXPECT_EQ(Find("Ich stehe auf Platz 3 der Warteliste, Parkplatz 12 ist frei"), V{});
  EXPECT_EQ(Find("Im Jahr 2020 habe ich 3 Pakete und 250 Euro bekommen"), V{});
  EXPECT_EQ(Find("Bestellung 028-1234567-1234567 vom 12.03.2024 über 49,99 EUR"), V{});
  EXPECT_EQ(Find("I got 25 Bonus Points and 3 Green Apples"), V{});
}

TEST_F(NamesTest, FindsPhoneNumbersInCustomersFormats) {
  EXPECT_EQ(Find("Ruf mich an: (030) 1234567"), V{"phone:(030) 1234567"});
  EXPECT_EQ(Find("Handy 0171.2345678 bitte"), V{"phone:0171.2345678"});
  EXPECT_EQ(Find("call +1-212-555-0187x769 today"), V{"phone:+1-212-555-0187x769"});
  EXPECT_EQ(Find("my number is (212) 555-0187"), V{"phone:(212) 555-0187"});
  EXPECT_EQ(Find("or 212.555.0187"), V{"phone:212.555.0187"});
  EXPECT_EQ(Find("Büro 030 1234567 Durchwahl 89"), V{"phone:030 1234567 Durchwahl 89"});
}

TEST_F(NamesTest, ReadsNationalNumbersOfAnotherRegionWhenAsked) {
  EXPECT_EQ(Find("UK: 020 7946 0958"), V{});
  ScannerOptions options;
  options.other_phone_regions = {"US", "GB"};
  Result<PiiScanner> uk = PiiScanner::Create(options);
  ASSERT_TRUE(uk.ok()) << uk.status().ToString();
  Result<std::vector<Finding>> found = uk->Scan("UK: 020 7946 0958");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].normalized, "+442079460958");
}

TEST_F(NamesTest, LeavesThePublishedNumbersAndAmountsAlone) {
  // 116 116 is the bank-card blocking line: published, not personal.
  EXPECT_EQ(Find("Ich habe +49 116 116 angerufen"), V{});
  EXPECT_EQ(Find("Betrag 1.234.567,89 EUR, Datum 01.02.2024, Auftrag 123-456-7890"), V{});

  ScannerOptions options;
  options.published_phone_numbers = {"030 1234567"};
  Result<PiiScanner> bank = PiiScanner::Create(options);
  ASSERT_TRUE(bank.ok()) << bank.status().ToString();
  Result<std::vector<Finding>> found = bank->Scan("Ihre Hotline +49 30 1234567 und 0171 2345678");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].normalized, "+491712345678");

  options.published_phone_numbers = {"not a number"};
  Result<PiiScanner> bad = PiiScanner::Create(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "published_phone_numbers");
}

}  // namespace
}  // namespace candor::privacy
