// The passage index: Xapian (Debian libxapian-dev, 1.4), BM25, Snowball
// stemming for German and English.
#include <sodium.h>
#include <xapian.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "knowledge/internal/stopwords.h"
#include "knowledge/knowledge.h"

namespace candor::knowledge {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kArticleKey = "article:";  // metadata: article id -> content digest
constexpr const char* kArticlePrefix = "Q";           // unique term of a passage's article
constexpr const char* kLanguagePrefix = "L";
constexpr Xapian::valueno kIntentsSlot = 0;  // "|intent|intent|": read without the passage
constexpr const char* kFormatKey = "format";  // the index layout; older ones are rebuilt
constexpr const char* kFormat = "2";

// Snowball's german2 also reads "ae", "oe" and "ue" as umlauts, so a
// customer typing "gebuehren" finds "Gebühren".
std::string StemmerName(std::string_view language) {
  return language == "de" ? "german2" : "english";
}

// Hyphenated words ("Phishing-Mails", "push-TAN") are searched by their parts.
std::string SplitHyphens(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '-', ' ');
  return out;
}

std::string Digest(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

Result<std::string> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Articles are .md and .html files; a README describes the directory and is
// not an article.
bool IsArticleFile(const fs::path& path) {
  std::string stem = path.stem().string();
  std::transform(stem.begin(), stem.end(), stem.begin(), [](unsigned char c) { return std::tolower(c); });
  if (stem == "readme") return false;
  const std::string ext = path.extension().string();
  return ext == ".md" || ext == ".markdown" || ext == ".html" || ext == ".htm";
}

}  // namespace

struct KnowledgeBase::Impl {
  std::string directory;
  Xapian::SimpleStopper german_stopper;  // read-only once built
  Xapian::SimpleStopper english_stopper;
  // Xapian database objects are not thread-safe: each search borrows one.
  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<Xapian::Database>> pool;

  std::unique_ptr<Xapian::Database> Borrow() const {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        auto database = std::move(pool.back());
        pool.pop_back();
        database->reopen();  // see the latest import
        return database;
      }
    }
    return std::make_unique<Xapian::Database>(directory);
  }
  void Return(std::unique_ptr<Xapian::Database> database) const {
    std::lock_guard lock(pool_mutex);
    pool.push_back(std::move(database));
  }
};

KnowledgeBase::KnowledgeBase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KnowledgeBase::KnowledgeBase(KnowledgeBase&&) noexcept = default;
KnowledgeBase& KnowledgeBase::operator=(KnowledgeBase&&) noexcept = default;
KnowledgeBase::~KnowledgeBase() = default;

Result<KnowledgeBase> KnowledgeBase::Open(const std::string& directory) {
  std::error_code error;
  fs::create_directories(fs::path(directory).parent_path(), error);
  try {
    // Creates an empty database when there is none, so searches work before
    // the first import.
    Xapian::WritableDatabase(directory, Xapian::DB_CREATE_OR_OPEN).close();
  } catch (const Xapian::Error& e) {
    return Status::IoError("knowledge index " + directory + ": " + e.get_description());
  }
  auto impl = std::make_unique<Impl>();
  impl->directory = directory;
  for (auto word : internal::kGermanStopwords) impl->german_stopper.add(std::string(word));
  for (auto word : internal::kEnglishStopwords) impl->english_stopper.add(std::string(word));
  return KnowledgeBase(std::move(impl));
}

Result<ImportReport> KnowledgeBase::Import(const std::string& articles_dir, const Progress& progress) {
  std::error_code error;
  if (!fs::is_directory(articles_dir, error)) {
    return Status::NotFound(articles_dir + " is not a directory");
  }
  // Read and parse everything first: a bad file stops the import before
  // the index changes.
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(articles_dir, error)) {
    if (entry.is_regular_file() && IsArticleFile(entry.path())) files.push_back(entry.path());
  }
  if (error) return Status::IoError("cannot list " + articles_dir + ": " + error.message());
  std::sort(files.begin(), files.end());
  struct Parsed {
    Article article;
    std::string digest;
  };
  std::vector<Parsed> parsed;
  for (const auto& file : files) {
    auto bytes = ReadBytes(file);
    if (!bytes.ok()) return bytes.status();
    auto article = file.extension() == ".html" || file.extension() == ".htm"
                       ? ParseHtmlArticle(file.filename().string(), *bytes)
                       : ParseMarkdownArticle(file.filename().string(), *bytes);
    if (!article.ok()) return article.status();
    parsed.push_back({std::move(*article), Digest(*bytes)});
  }

  ImportReport report;
  try {
    Xapian::WritableDatabase database(impl_->directory, Xapian::DB_CREATE_OR_OPEN);
    std::map<std::string, std::string> known;  // article id -> digest
    const bool current_format = database.get_metadata(kFormatKey) == kFormat;
    for (auto key = database.metadata_keys_begin(std::string(kArticleKey));
         key != database.metadata_keys_end(std::string(kArticleKey)); ++key) {
      // An index of an older layout is rebuilt: every article counts as changed.
      known[(*key).substr(kArticleKey.size())] = current_format ? database.get_metadata(*key) : "";
    }
    Xapian::TermGenerator indexer;
    for (size_t i = 0; i < parsed.size(); ++i) {
      const auto& [article, digest] = parsed[i];
      auto found = known.find(article.id);
      const bool is_new = found == known.end();
      if (!is_new && found->second == digest) {
        ++report.unchanged;
      } else {
        const std::string unique_term = kArticlePrefix + article.id;
        database.delete_document(unique_term);  // all of its passages
        indexer.set_stemmer(Xapian::Stem(StemmerName(article.language)));
        indexer.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
        for (size_t p = 0; p < article.passages.size(); ++p) {
          const auto& passage = article.passages[p];
          Xapian::Document document;
          indexer.set_document(document);
          // The title and heading say what a passage is about: they count twice.
          indexer.index_text(SplitHyphens(article.title), 2);
          indexer.increase_termpos();
          indexer.index_text(SplitHyphens(passage.heading), 2);
          indexer.increase_termpos();
          indexer.index_text(SplitHyphens(passage.text));
          document.add_boolean_term(unique_term);
          document.add_boolean_term(kLanguagePrefix + article.language);
          std::string intents = "|";
          for (const auto& intent : article.intents) intents += intent + "|";
          document.add_value(kIntentsSlot, intents);
          document.set_data(nlohmann::json{{"article", article.id},
                                           {"title", article.title},
                                           {"url", article.url},
                                           {"language", article.language},
                                           {"heading", passage.heading},
                                           {"intents", article.intents},
                                           {"text", passage.text}}
                                .dump());
          database.add_document(document);
        }
        database.set_metadata(std::string(kArticleKey) + article.id, digest);
        ++(is_new ? report.added : report.updated);
      }
      if (!is_new) known.erase(found);
      if (progress) progress(static_cast<double>(i + 1) / std::max<size_t>(parsed.size(), 1));
    }
    for (const auto& [id, digest] : known) {  // files that are gone
      database.delete_document(kArticlePrefix + id);
      database.set_metadata(std::string(kArticleKey) + id, "");
      ++report.removed;
    }
    database.set_metadata(kFormatKey, kFormat);
    database.commit();
    report.passages = database.get_doccount();
  } catch (const Xapian::Error& e) {
    return Status::IoError("knowledge index: " + e.get_description());
  }
  return report;
}

Result<std::vector<Hit>> KnowledgeBase::Search(std::string_view query, std::string_view language,
                                               size_t limit, bool any_language,
                                               std::string_view intent) const {
  std::vector<Hit> hits;
  if (limit == 0) return hits;
  try {
    auto database = impl_->Borrow();
    Xapian::QueryParser parser;
    parser.set_database(*database);
    parser.set_stopper(language == "de" ? &impl_->german_stopper : &impl_->english_stopper);
    parser.set_stemmer(Xapian::Stem(StemmerName(language)));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    parser.set_default_op(Xapian::Query::OP_OR);
    // Customer text is words, not query syntax: no operators, no wildcards.
    Xapian::Query parsed = parser.parse_query(SplitHyphens(query), 0);
    Xapian::Query filtered =
        any_language ? parsed
                     : Xapian::Query(Xapian::Query::OP_FILTER, parsed,
                                     Xapian::Query(kLanguagePrefix + std::string(language)));
    Xapian::Enquire enquire(*database);
    enquire.set_query(filtered);
    // Ties need no order by document id, which lets the matcher stop early.
    enquire.set_docid_order(Xapian::Enquire::DONT_CARE);
    const double query_terms = static_cast<double>(
        std::distance(parsed.get_unique_terms_begin(), parsed.get_unique_terms_end()));
    // With an intent, a wider net is re-ranked: the boost can lift a passage
    // from below the cut.
    const size_t fetch = intent.empty() ? limit : std::max<size_t>(limit * 3, 30);
    Xapian::MSet matches = enquire.get_mset(0, static_cast<Xapian::doccount>(fetch));
    // Rank first, from the score and the intents slot; only the passages kept
    // are read (a passage's stored text is compressed, and reading it is most
    // of a search's time).
    struct Candidate {
      Xapian::MSetIterator match;
      double score;
    };
    std::vector<Candidate> candidates;
    const std::string wanted = "|" + std::string(intent) + "|";
    for (auto match = matches.begin(); match != matches.end(); ++match) {
      double score = match.get_weight();
      if (!intent.empty() &&
          match.get_document().get_value(kIntentsSlot).find(wanted) != std::string::npos) {
        score *= kIntentBoost;
      }
      candidates.push_back({match, score});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    if (candidates.size() > limit) candidates.resize(limit);
    for (const auto& candidate : candidates) {
      auto data = nlohmann::json::parse(candidate.match.get_document().get_data(), nullptr, false);
      if (data.is_discarded()) continue;
      Hit hit{data.value("article", ""), data.value("title", ""),   data.value("url", ""),
              data.value("language", ""), data.value("heading", ""), data.value("text", ""),
              data.value("intents", std::vector<std::string>{}), candidate.score};
      if (query_terms > 0) {
        const auto matched = std::distance(enquire.get_matching_terms_begin(candidate.match),
                                           enquire.get_matching_terms_end(candidate.match));
        hit.coverage = static_cast<double>(matched) / query_terms;
      }
      hits.push_back(std::move(hit));
    }
    impl_->Return(std::move(database));
  } catch (const Xapian::Error& e) {
    return Status::IoError("knowledge search: " + e.get_description());
  }
  return hits;
}

size_t KnowledgeBase::PassageCount() const {
  try {
    auto database = impl_->Borrow();
    const size_t count = database->get_doccount();
    impl_->Return(std::move(database));
    return count;
  } catch (const Xapian::Error&) {
    return 0;
  }
}

}  // namespace candor::knowledge
