// The name tagger: how the scanner loads its model (or goes on without one)
// and names in running text it finds where the rules find none.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "privacy/findings_testing.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

std::vector<std::string> Find(const PiiScanner& scanner, std::string_view text) {
  return FindingsOf(scanner, text);
}

PiiScanner Make(ScannerOptions options) {
  Result<PiiScanner> scanner = PiiScanner::Create(std::move(options));
  EXPECT_TRUE(scanner.ok()) << scanner.status().ToString();
  return std::move(scanner).value();
}

PiiScanner Tagging(std::optional<std::string> model = std::nullopt) {
  ScannerOptions options;
  options.tag_names = true;
  options.name_tagger_model = std::move(model);
  return Make(std::move(options));
}

// A model in which every feature speaks for a name: each word in title case
// that may be a name at all is taken for one.
std::string EverythingIsAName() {
  std::string model = "# every word a name\ncandor-name-tagger 1\nbuckets 8\nthreshold 0.5\n";
  for (int k = 0; k < 8; ++k) model += std::to_string(k) + " 1\n";
  return model;
}

TEST(NameTaggerTest, AModelThatDoesNotParseFailsCreateAndNamesTheOption) {
  for (std::string model : {"not a model", "candor-name-tagger 1\nbuckets 7\n",
                            "candor-name-tagger 1\nbuckets 8\n9 1.0\n",
                            "candor-name-tagger 1\nbuckets 8\nthreshold 2\n"}) {
    ScannerOptions options;
    options.tag_names = true;
    options.name_tagger_model = model;
    Result<PiiScanner> scanner = PiiScanner::Create(options);
    ASSERT_FALSE(scanner.ok()) << model;
    EXPECT_EQ(scanner.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(scanner.status().ToString().find("name_tagger_model"), std::string::npos);
  }
}

TEST(NameTaggerTest, WithoutAModelTheRulesAloneDecide) {
  PiiScanner rules = Make({});
  PiiScanner no_model = Tagging("");
  for (std::string_view text :
       {"Wie Obama betonte, sei die Lage ernst.", "Viele Grüße\nJürgen Weiß",
        "Ich habe den Herr der Ringe gelesen."}) {
    EXPECT_EQ(Find(no_model, text), Find(rules, text)) << text;
  }
}

TEST(NameTaggerTest, IsOffUnlessAskedFor) {
  ScannerOptions options;
  options.name_tagger_model = EverythingIsAName();
  PiiScanner scanner = Make(options);
  EXPECT_TRUE(Find(scanner, "Wie Obama betonte, sei die Lage ernst.").empty());
}

TEST(NameTaggerTest, JoinsNeighbouringWordsIntoOneNameAndLeavesNonNamesAlone) {
  PiiScanner scanner = Tagging(EverythingIsAName());
  // "Danke" is one of the words never taken for a name ("Sie", "Januar"
  // too), whatever the model says; the rest is up to the model.
  EXPECT_EQ(Find(scanner, "Danke, Silvio Berlusconi kam."),
            (std::vector<std::string>{"name:Silvio Berlusconi"}));
  // Words the rules already took stay one finding.
  EXPECT_EQ(Find(scanner, "Grüße von Anna Schmidt"),
            (std::vector<std::string>{"name:Anna Schmidt"}));
}

TEST(NameTaggerTest, TheCompiledInModelFindsNamesTheRulesMiss) {
  if (!HasNameTaggerModel()) GTEST_SKIP() << "this build has no data/pii/name_tagger.model";
  PiiScanner rules = Make({});
  PiiScanner tagging = Tagging();
  struct Case {
    std::string_view text;
    std::string name;
  };
  for (const Case& c : {Case{"Wie Obama betonte, sei die Lage ernst.", "name:Obama"},
                        Case{"Das Buch von Goethe ist alt.", "name:Goethe"}}) {
    EXPECT_TRUE(Find(rules, c.text).empty()) << c.text;
    EXPECT_EQ(Find(tagging, c.text), std::vector<std::string>{c.name}) << c.text;
  }
}

TEST(NameTaggerTest, TheCompiledInModelKeepsTheDecoys) {
  if (!HasNameTaggerModel()) GTEST_SKIP() << "this build has no data/pii/name_tagger.model";
  PiiScanner tagging = Tagging();
  for (std::string_view text :
       {"Ich habe den Herr der Ringe gelesen.", "Der Bäcker hat heute zu.",
        "Ich wohne in Essen und arbeite in Hamm.", "Die Bundesregierung hat beschlossen."}) {
    EXPECT_TRUE(Find(tagging, text).empty()) << text;
  }
}

}  // namespace
}  // namespace candor::privacy
