#include <gtest/gtest.h>

#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

std::string MaskWith(const PiiScanner& scanner, std::string_view text, PlaceholderMap& map) {
  Result<std::vector<Finding>> findings = scanner.Scan(text);
  EXPECT_TRUE(findings.ok());
  return Mask(text, *findings, map).text;
}

class MaskerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<PiiScanner> created = PiiScanner::Create();
    ASSERT_TRUE(created.ok());
    scanner_.emplace(std::move(created).value());
  }
  std::optional<PiiScanner> scanner_;
};

TEST_F(MaskerTest, ReplacesFindingsWithTypedNumberedPlaceholders) {
  PlaceholderMap map;
  EXPECT_EQ(MaskWith(*scanner_, "IBAN DE89370400440532013000, Tel 0171 2345678, a@b.de", map),
            "IBAN [IBAN_1], Tel [PHONE_1], [EMAIL_1]");
  EXPECT_EQ(map.size(), 3u);
}

TEST_F(MaskerTest, GivesTheSameValueTheSamePlaceholderAcrossSpellingsAndMessages) {
  PlaceholderMap map;
  EXPECT_EQ(MaskWith(*scanner_, "DE89 3704 0044 0532 0130 00 und AT611904300234573201", map),
            "[IBAN_1] und [IBAN_2]");
  // Next message of the conversation: same IBAN without spaces and in lower
  // case, a phone number in another format.
  EXPECT_EQ(MaskWith(*scanner_, "nochmal de89370400440532013000, Tel +49 171 2345678", map),
            "nochmal [IBAN_1], Tel [PHONE_1]");
  EXPECT_EQ(MaskWith(*scanner_, "oder 0171 2345678", map), "oder [PHONE_1]");
}

TEST_F(MaskerTest, GivesOnePersonOnePlaceholderWhicheverPartOfTheNameIsUsed) {
  PlaceholderMap map;
  EXPECT_EQ(MaskWith(*scanner_, "Mein Name ist Anna Schmidt.", map), "Mein Name ist [NAME_1].");
  EXPECT_EQ(MaskWith(*scanner_, "Frau Schmidt hat gestern angerufen", map),
            "Frau [NAME_1] hat gestern angerufen");
  EXPECT_EQ(MaskWith(*scanner_, "Danke, Anna!", map), "Danke, [NAME_1]!");
  // Another Schmidt is another person.
  EXPECT_EQ(MaskWith(*scanner_, "mein Mann Peter Schmidt auch", map), "mein Mann [NAME_2] auch");
  EXPECT_EQ(MaskWith(*scanner_, "Lindenstraße 12, 10115 Berlin", map), "[ADDRESS_1]");
  ASSERT_TRUE(map.Original("ADDRESS_1").has_value());
  EXPECT_EQ(*map.Original("ADDRESS_1"), "Lindenstraße 12, 10115 Berlin");
  EXPECT_EQ(*map.Original("NAME_1"), "Anna Schmidt");
}

TEST_F(MaskerTest, MasksARepeatedSecretEvenWithoutItsCue) {
  PlaceholderMap map;
  EXPECT_EQ(MaskWith(*scanner_, "mein Passwort ist Sommer2023!", map),
            "mein Passwort ist [SECRET_1]");
  EXPECT_EQ(MaskWith(*scanner_, "wie gesagt: Sommer2023! geht nicht", map),
            "wie gesagt: [SECRET_1] geht nicht");
}

TEST_F(MaskerTest, ReturnsTheOriginalForEachPlaceholder) {
  PlaceholderMap map;
  MaskWith(*scanner_, "Karte 4111 1111 1111 1111", map);
  ASSERT_TRUE(map.Original("[CARD_1]").has_value());
  EXPECT_EQ(*map.Original("[CARD_1]"), "4111 1111 1111 1111");
  EXPECT_EQ(*map.Original("CARD_1"), "4111 1111 1111 1111");
  EXPECT_FALSE(map.Original("CARD_2").has_value());
}

TEST_F(MaskerTest, PlaceholderMapSurvivesSerialisation) {
  PlaceholderMap map;
  MaskWith(*scanner_, "Frau Müller, a@b.de, c@d.de, IBAN DE89370400440532013000", map);
  Result<PlaceholderMap> parsed = PlaceholderMap::Parse(map.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(*parsed == map);
  // Numbering continues where it left off.
  EXPECT_EQ(parsed->PlaceholderFor(PiiType::kEmail, "x@y.de", "x@y.de"), "EMAIL_3");
}

TEST_F(MaskerTest, ParseRejectsMalformedMaps) {
  EXPECT_FALSE(PlaceholderMap::Parse("").ok());
  EXPECT_FALSE(PlaceholderMap::Parse("[]").ok());
  EXPECT_FALSE(PlaceholderMap::Parse(R"({"version": 2, "entries": []})").ok());
  EXPECT_FALSE(
      PlaceholderMap::Parse(
          R"({"version": 1, "entries": [{"placeholder": "IBAN_x", "type": "iban", "normalized": "a", "original": "a"}]})")
          .ok());
  EXPECT_FALSE(
      PlaceholderMap::Parse(
          R"({"version": 1, "entries": [{"placeholder": "CARD_1", "type": "iban", "normalized": "a", "original": "a"}]})")
          .ok());
}

TEST_F(MaskerTest, TypedLookAlikesAreEscapedAndNeverPassForPlaceholders) {
  PlaceholderMap map;
  const std::string masked =
      MaskWith(*scanner_, "[IBAN_1] ist nicht DE89370400440532013000, \\[PHONE_2] auch nicht", map);
  EXPECT_EQ(masked, "\\[IBAN_1] ist nicht [IBAN_1], \\\\\\[PHONE_2] auch nicht");
  const auto pieces = SplitMasked(masked);
  ASSERT_EQ(pieces.size(), 6u);
  EXPECT_EQ(pieces[0].kind, MaskedPiece::Kind::kTyped);
  EXPECT_EQ(pieces[0].text, "[IBAN_1]");
  EXPECT_EQ(pieces[1].text, " ist nicht ");
  EXPECT_EQ(pieces[2].kind, MaskedPiece::Kind::kPlaceholder);
  EXPECT_EQ(pieces[2].text, "IBAN_1");
  EXPECT_EQ(pieces[3].text, ", \\") << "the backslash the customer typed stays";
  EXPECT_EQ(pieces[4].kind, MaskedPiece::Kind::kTyped);
  EXPECT_EQ(pieces[4].text, "[PHONE_2]");
  EXPECT_EQ(pieces[5].text, " auch nicht");
}

TEST_F(MaskerTest, BackslashesBeforeARealPlaceholderAreKeptApartFromEscapes) {
  PlaceholderMap map;
  const std::string masked = MaskWith(*scanner_, "a\\DE89370400440532013000 [x] [A_] [B_2", map);
  EXPECT_EQ(masked, "a\\\\[IBAN_1] [x] [A_] [B_2") << "only placeholder shapes are escaped";
  const auto pieces = SplitMasked(masked);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].text, "a\\");
  EXPECT_EQ(pieces[1].kind, MaskedPiece::Kind::kPlaceholder);
  EXPECT_EQ(pieces[2].text, " [x] [A_] [B_2");
  // Text from before escaping existed reads as it always did.
  const auto old = SplitMasked("Meine IBAN ist [IBAN_1]");
  ASSERT_EQ(old.size(), 2u);
  EXPECT_EQ(old[1].kind, MaskedPiece::Kind::kPlaceholder);
}

TEST_F(MaskerTest, LeavesTextWithoutFindingsUnchanged) {
  PlaceholderMap map;
  EXPECT_EQ(MaskWith(*scanner_, "Bestellung 4711 kommt am 12.03.2024", map),
            "Bestellung 4711 kommt am 12.03.2024");
  EXPECT_TRUE(map.empty());
}

}  // namespace
}  // namespace candor::privacy
