// knowledge: the articles an answer may cite, split into passages and
// searchable (DESIGN.md: knowledge depends on core only).
//
//   ReadArticle      a Markdown file with front matter (cmark-gfm) or an
//                    HTML file (gumbo), split into passages at its sections
//   KnowledgeBase    a Xapian index of the passages, German and English
//                    stemming; re-importing a directory touches only the
//                    articles that changed
//
// Thread-safety: Search may be called from any number of threads at once
// (each takes a database handle of its own from a pool); Import must not run
// while another Import runs on the same directory. A search sees an import
// through the same KnowledgeBase at once, one by another process within a
// second.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace candor::knowledge {

struct Passage {
  std::string heading;  // the section's heading ("Change your PIN in the app")
  std::string text;     // its plain text
};

struct Article {
  std::string id;  // the file name, e.g. "en-change-pin.md"
  std::string title;
  std::string language;  // "de" or "en"
  std::vector<std::string> tags;
  std::vector<std::string> intents;  // the intents it answers (front matter `intents:`)
  std::string url;
  std::string reviewed_on;  // YYYY-MM-DD
  std::vector<Passage> passages;
};

// Errors name the file and what is missing or malformed.
Result<Article> ParseMarkdownArticle(std::string_view id, std::string_view bytes);
Result<Article> ParseHtmlArticle(std::string_view id, std::string_view bytes);
// By extension: .md or .markdown, .html or .htm.
Result<Article> ReadArticle(const std::string& path);

struct Hit {
  std::string article_id;
  std::string title;
  std::string url;
  std::string language;
  std::string heading;
  std::string passage;
  std::vector<std::string> intents;  // of its article
  double score = 0;                  // BM25, higher is better; comparable within one search only
  // Share of the query's content words (stemmed) that the passage contains:
  // a question whose key word is nowhere in the passage is likely not
  // answered by it.
  double coverage = 0;
  // The same, each word weighted by how informative it is in the knowledge
  // base (log(1 + passages / (passages with the word + 0.5)), passages of
  // the hit's language): a rare word missing weighs more than a common one.
  double weighted_coverage = 0;
  // The weighted share of the query's words in the article's title or the
  // passage's heading: what the passage is about.
  double heading_coverage = 0;
  // The weighted share of the query's words that no passage of the
  // language contains at all (the same for every hit of a search).
  double unseen = 0;
};

struct ImportReport {
  size_t added = 0;
  size_t updated = 0;
  size_t unchanged = 0;
  size_t removed = 0;
  size_t passages = 0;  // in the index afterwards
};

// Reports import progress in [0, 1].
using Progress = std::function<void(double fraction)>;

class KnowledgeBase {
 public:
  // `directory` holds the Xapian database; created when missing.
  static Result<KnowledgeBase> Open(const std::string& directory);
  KnowledgeBase(KnowledgeBase&&) noexcept;
  KnowledgeBase& operator=(KnowledgeBase&&) noexcept;
  ~KnowledgeBase();

  // Makes the index hold exactly the articles in `articles_dir`: new and
  // changed files are (re)indexed, unchanged ones left alone, vanished ones
  // removed. A file that does not parse stops the import before anything
  // is written, naming the file.
  Result<ImportReport> Import(const std::string& articles_dir, const Progress& progress = {});

  // The best passages for `query`, stemmed for `language` ("de" or "en"),
  // in that language only unless `any_language` is set. With `intent` (what
  // the understand stage found), passages of articles that declare it rank
  // higher: their BM25 score counts `kIntentBoost` times.
  Result<std::vector<Hit>> Search(std::string_view query, std::string_view language, size_t limit,
                                  bool any_language = false, std::string_view intent = {}) const;
  static constexpr double kIntentBoost = 1.5;

  // Whether an article in `language` declares `intent` (front matter
  // `intents:`): a question of an intent no article covers is not answered
  // by the knowledge base, whatever its words match.
  bool DeclaresIntent(std::string_view intent, std::string_view language) const;

  size_t PassageCount() const;
  // The indexed articles (front matter only, no passages), by id.
  Result<std::vector<Article>> Articles() const;

  struct Impl;

 private:
  explicit KnowledgeBase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- evaluation -------------------------------------------------------------

struct Question {
  std::string text;
  std::string language;
  std::optional<std::string> article;  // the article that answers it; none: unanswerable
  size_t line = 0;                     // in its file, from 1
};
// Lines of {"question", "lang", "article" (a file name or null)}.
Result<std::vector<Question>> LoadQuestions(const std::string& path);

struct SearchEvaluation {
  size_t answerable = 0;
  size_t unanswerable = 0;
  double recall_at_1 = 0;  // the right article first, counting each article once
  double recall_at_5 = 0;
  double mrr = 0;  // mean reciprocal rank of the right article (0 past 10)
};
// `intent_of` (optional) names each question's intent, as the pipeline would.
SearchEvaluation EvaluateSearch(
    const KnowledgeBase& base, const std::vector<Question>& questions,
    const std::function<std::string(const std::string& text)>& intent_of = {});

// ---- command line ---------------------------------------------------------

int RunKbImport(const std::string& index_dir, const std::string& articles_dir, bool interactive,
                std::ostream& out, std::ostream& err);
int RunKbSearch(const std::string& index_dir, const std::string& query, const std::string& language,
                size_t limit, bool json, std::ostream& out, std::ostream& err);

}  // namespace candor::knowledge
