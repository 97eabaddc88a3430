#include "knowledge/knowledge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace candor::knowledge {
namespace {

namespace fs = std::filesystem;

const std::string kBankArticles = std::string(CANDOR_SOURCE_DIR) + "/data/kb/bank";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "candor-kb-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& contents) const {
    const auto path = (fs::path(path_) / name).string();
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
  std::string Path(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

constexpr const char* kPinArticle = R"(---
title: Change your PIN
language: en
tags: [card, pin]
url: https://demo-bank.example/help/change-pin
reviewed-on: 2026-10-01
---
# Change your PIN

You can choose a new PIN at any time.

## In the app

Open **Cards**, pick the card and tap *Change PIN*. Enter the new
four-digit PIN twice.

## At a cash machine

| step | what to do |
|---|---|
| 1 | Insert the card |
| 2 | Choose "PIN ändern" |
)";

TEST(ParseMarkdownArticle, ReadsFrontMatterAndSplitsAtSections) {
  auto article = ParseMarkdownArticle("en-change-pin.md", kPinArticle);
  ASSERT_TRUE(article.ok()) << article.status().ToString();
  EXPECT_EQ(article->title, "Change your PIN");
  EXPECT_EQ(article->language, "en");
  EXPECT_EQ(article->tags, (std::vector<std::string>{"card", "pin"}));
  EXPECT_EQ(article->url, "https://demo-bank.example/help/change-pin");
  EXPECT_EQ(article->reviewed_on, "2026-10-01");
  ASSERT_EQ(article->passages.size(), 3u);  // the intro, then two sections
  EXPECT_EQ(article->passages[0].heading, "Change your PIN");
  EXPECT_EQ(article->passages[1].heading, "In the app");
  EXPECT_NE(article->passages[1].text.find("Open Cards, pick the card and tap Change PIN."),
            std::string::npos)
      << article->passages[1].text;
  EXPECT_NE(article->passages[2].text.find("Insert the card"), std::string::npos);
  EXPECT_NE(article->passages[2].text.find("PIN ändern"), std::string::npos);
}

TEST(ParseMarkdownArticle, NamesWhatIsMissing) {
  auto no_language =
      ParseMarkdownArticle("x.md", "---\ntitle: A\nurl: https://x\n---\n## S\ntext\n");
  ASSERT_FALSE(no_language.ok());
  EXPECT_NE(no_language.status().message().find("x.md: language"), std::string::npos);
  auto unclosed = ParseMarkdownArticle("y.md", "---\ntitle: A\n## S\n");
  EXPECT_NE(unclosed.status().message().find("not closed"), std::string::npos);
  auto bad_line = ParseMarkdownArticle("z.md", "---\ntitle: A\njust words\n---\n## S\ntext\n");
  EXPECT_NE(bad_line.status().message().find("z.md:3"), std::string::npos);
  EXPECT_FALSE(ParseMarkdownArticle("u.md", "\xff\xfe").ok());
}

TEST(ParseHtmlArticle, ReadsMetaTagsAndSectionsButNeverScripts) {
  auto article = ParseHtmlArticle("de-gebuehren.html", R"(<!doctype html><html><head>
    <title>Gebühren</title><meta name="language" content="de">
    <meta name="tags" content="fees, konto"><meta name="url" content="https://demo-bank.example/hilfe/gebuehren">
    <meta name="reviewed-on" content="2026-10-01"><script>alert("no")</script></head>
    <body><h1>Gebühren</h1><p>Alle Preise im Überblick.</p>
    <h2>Konto</h2><p>Das Konto kostet <b>4,90 EUR</b> im Monat.</p><ul><li>Gratis ab 1.000 EUR Gehalt</li></ul>
    <h2>Karte</h2><table><tr><td>Ersatzkarte</td><td>10 EUR</td></tr></table>
    <script>document.write("injected")</script></body></html>)");
  ASSERT_TRUE(article.ok()) << article.status().ToString();
  EXPECT_EQ(article->title, "Gebühren");
  EXPECT_EQ(article->language, "de");
  EXPECT_EQ(article->tags, (std::vector<std::string>{"fees", "konto"}));
  ASSERT_EQ(article->passages.size(), 3u);
  EXPECT_EQ(article->passages[1].heading, "Konto");
  EXPECT_NE(article->passages[1].text.find("4,90 EUR im Monat"), std::string::npos)
      << article->passages[1].text;
  EXPECT_NE(article->passages[2].text.find("Ersatzkarte 10 EUR"), std::string::npos)
      << article->passages[2].text;
  for (const auto& passage : article->passages) {
    EXPECT_EQ(passage.text.find("injected"), std::string::npos);
    EXPECT_EQ(passage.text.find("alert"), std::string::npos);
  }
}

TEST(KnowledgeBase, ImportsTheDemoBankAndFindsPassagesInBothLanguages) {
  if (!fs::exists(kBankArticles)) GTEST_SKIP() << "no demo articles at " << kBankArticles;
  TempDir dir;
  auto base = KnowledgeBase::Open(dir.Path("index"));
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  auto report = base->Import(kBankArticles);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->added, 40u);
  EXPECT_EQ(report->passages, base->PassageCount());

  auto english = base->Search("how do I change my PIN", "en", 5);
  ASSERT_TRUE(english.ok());
  ASSERT_FALSE(english->empty());
  EXPECT_NE((*english)[0].title.find("PIN"), std::string::npos) << (*english)[0].title;
  for (const auto& hit : *english) EXPECT_EQ(hit.language, "en");

  auto german = base->Search("Wie ändere ich meine PIN?", "de", 5);
  ASSERT_TRUE(german.ok());
  ASSERT_FALSE(german->empty());
  EXPECT_NE((*german)[0].title.find("PIN"), std::string::npos) << (*german)[0].title;

  // Query syntax in customer text is just text.
  EXPECT_TRUE(base->Search("PIN AND (NOT\" \"card* OR", "en", 5).ok());
  EXPECT_TRUE(base->Search("", "en", 5).ok());
}

TEST(KnowledgeBase, TellsHowMuchOfWhatIsAskedAPassageHolds) {
  if (!fs::exists(kBankArticles)) GTEST_SKIP() << "no demo articles at " << kBankArticles;
  TempDir dir;
  auto base = KnowledgeBase::Open(dir.Path("index"));
  ASSERT_TRUE(base.ok());
  ASSERT_TRUE(base->Import(kBankArticles).ok());

  auto pin = base->Search("How do I change my PIN?", "en", 3);
  ASSERT_TRUE(pin.ok());
  ASSERT_FALSE(pin->empty());
  EXPECT_DOUBLE_EQ((*pin)[0].weighted_coverage, 1.0);
  EXPECT_GT((*pin)[0].heading_coverage, 0.5);  // "PIN" is in the article's title
  EXPECT_DOUBLE_EQ((*pin)[0].unseen, 0.0);

  // "Bitcoin" is in no article: it weighs most, and the passage lacks it.
  auto bitcoin = base->Search("Kann ich bei euch Bitcoin kaufen?", "de", 3);
  ASSERT_TRUE(bitcoin.ok());
  ASSERT_FALSE(bitcoin->empty());
  EXPECT_GT((*bitcoin)[0].unseen, 0.5);
  EXPECT_LT((*bitcoin)[0].weighted_coverage, 0.5);
  EXPECT_LT((*bitcoin)[0].weighted_coverage, (*bitcoin)[0].coverage);

  // Masked personal data is not searched for; German passages only in German.
  auto masked = base->Search("[IBAN_1] [NAME_2]", "en", 3);
  ASSERT_TRUE(masked.ok());
  EXPECT_TRUE(masked->empty());
  auto both = base->Search("PIN", "en", 50, /*any_language=*/true);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(
      std::any_of(both->begin(), both->end(), [](const Hit& h) { return h.language == "de"; }));
  EXPECT_TRUE(
      std::any_of(both->begin(), both->end(), [](const Hit& h) { return h.language == "en"; }));

  EXPECT_TRUE(base->DeclaresIntent("change_pin", "en"));
  EXPECT_TRUE(base->DeclaresIntent("statement_request", "de"));
  EXPECT_FALSE(base->DeclaresIntent("oos", "en"));
  EXPECT_FALSE(base->DeclaresIntent("", "de"));
}

TEST(KnowledgeBase, ReimportTouchesOnlyChangedArticlesAndRemovesVanishedOnes) {
  TempDir dir;
  dir.Write("articles/en-change-pin.md", kPinArticle);
  dir.Write("articles/en-hours.md",
            "---\ntitle: Opening hours\nlanguage: en\nurl: https://x/hours\n---\n## Hours\n"
            "We are open Monday to Friday from 8 to 20.\n");
  auto base = KnowledgeBase::Open(dir.Path("index"));
  ASSERT_TRUE(base.ok());
  auto first = base->Import(dir.Path("articles"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->added, 2u);

  auto again = base->Import(dir.Path("articles"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 2u);
  EXPECT_EQ(again->added + again->updated + again->removed, 0u);

  dir.Write("articles/en-hours.md",
            "---\ntitle: Opening hours\nlanguage: en\nurl: https://x/hours\n---\n## Hours\n"
            "We are open Monday to Saturday from 9 to 18.\n");
  fs::remove(dir.Path("articles/en-change-pin.md"));
  auto changed = base->Import(dir.Path("articles"));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->updated, 1u);
  EXPECT_EQ(changed->removed, 1u);
  auto saturday = base->Search("open on Saturday", "en", 3);
  ASSERT_TRUE(saturday.ok());
  ASSERT_EQ(saturday->size(), 1u);
  EXPECT_NE((*saturday)[0].passage.find("Saturday"), std::string::npos);
  auto pin = base->Search("change PIN", "en", 3);
  ASSERT_TRUE(pin.ok());
  EXPECT_TRUE(pin->empty());

  // A broken file stops the import and leaves the index as it was.
  dir.Write("articles/en-broken.md", "---\ntitle: Broken\n---\n## S\ntext\n");
  auto broken = base->Import(dir.Path("articles"));
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("en-broken.md"), std::string::npos);
  EXPECT_EQ(base->Search("open on Saturday", "en", 3)->size(), 1u);
}

// Searches keep the passages they read in memory: what they return must
// still follow the index, after a re-import and after the index was built
// again from nothing by someone else.
TEST(KnowledgeBase, SearchesSeeEveryImportAlthoughPassagesAreKeptInMemory) {
  TempDir dir;
  auto hours = [&](const std::string& days) {
    dir.Write("articles/en-hours.md",
              "---\ntitle: Opening hours\nlanguage: en\nurl: https://x/hours\n---\n## Hours\n"
              "We are open " +
                  days + " from 8 to 20.\n");
  };
  hours("Monday to Friday");
  auto base = KnowledgeBase::Open(dir.Path("index"));
  ASSERT_TRUE(base.ok());
  ASSERT_TRUE(base->Import(dir.Path("articles")).ok());
  auto first = base->Search("when are you open", "en", 3);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_NE((*first)[0].passage.find("Friday"), std::string::npos);

  hours("Monday to Saturday");
  ASSERT_TRUE(base->Import(dir.Path("articles")).ok());
  auto second = base->Search("when are you open", "en", 3);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_NE((*second)[0].passage.find("Saturday"), std::string::npos);

  // Built again from nothing, its passages get the same document ids as the
  // first build had.
  fs::remove_all(dir.Path("index"));
  hours("every day");
  {
    auto other = KnowledgeBase::Open(dir.Path("index"));
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(other->Import(dir.Path("articles")).ok());
  }
  sleep(2);  // another process's import is seen within a second
  auto third = base->Search("when are you open", "en", 3);
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->size(), 1u);
  EXPECT_NE((*third)[0].passage.find("every day"), std::string::npos);
}

}  // namespace
}  // namespace candor::knowledge
