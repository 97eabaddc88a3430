// The passage index: Xapian (Debian libxapian-dev, 1.4), BM25, Snowball
// stemming for German and English.
#include <sodium.h>
#include <xapian.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "knowledge/internal/stopwords.h"
#include "knowledge/knowledge.h"

namespace candor::knowledge {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kArticleKey = "article:";  // metadata: article id -> content digest
constexpr const char* kArticlePrefix = "Q";           // unique term of a passage's article
constexpr const char* kLanguagePrefix = "L";
constexpr Xapian::valueno kIntentsSlot = 0;   // "|intent|intent|": read without the passage
constexpr const char* kIntentPrefix = "I";    // "Ien:change_pin": an article of `en` declares it
constexpr const char* kFormatKey = "format";  // the index layout; older ones are rebuilt
constexpr const char* kFormat = "4";
constexpr std::string_view kInfoKey = "info:";  // metadata: article id -> its front matter (JSON)
constexpr std::array<std::string_view, 2> kLanguages = {"de", "en"};
constexpr Xapian::termcount kRankingWords = 5;  // of a question's words, at most these rank

// A passage's words carry its language in their prefix ("XDEkarte"), so a
// search in one language walks only that language's postings and needs no
// language filter. The article's title and the passage's heading are also
// indexed on their own ("XHDEkarte"): whether a question's key word names
// what the passage is about tells an answer from a near miss.
std::string TextPrefix(std::string_view language) { return language == "de" ? "XDE" : "XEN"; }
std::string HeadingPrefix(std::string_view language) { return language == "de" ? "XHDE" : "XHEN"; }

// How much a term says about a passage: high when few passages of the
// language contain it, highest for a word no passage contains.
double Informativeness(double passages, double with_term) {
  return std::log(1.0 + passages / (with_term + 0.5));
}

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

// Masked personal data ("[IBAN_1]", "[NAME_2]") says nothing about what the
// knowledge base should answer: it is left out of the query.
std::string WithoutPlaceholders(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[') {
      size_t end = i + 1;
      while (end < text.size() &&
             (std::isupper(static_cast<unsigned char>(text[end])) ||
              std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
        ++end;
      }
      if (end < text.size() && text[end] == ']' && end > i + 1) {
        out += ' ';
        i = end;
        continue;
      }
    }
    out += text[i];
  }
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
  std::transform(stem.begin(), stem.end(), stem.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (stem == "readme") return false;
  const std::string ext = path.extension().string();
  return ext == ".md" || ext == ".markdown" || ext == ".html" || ext == ".htm";
}

// A passage as a search reads it: its stored fields and its sorted terms.
// Reading them from the index means inflating the stored data and parsing
// its JSON, which was most of a search's time; kept in memory, a passage is
// read once per index.
struct CachedPassage {
  Hit fields;                      // everything but the scores
  std::vector<std::string> terms;  // the passage's terms, sorted as Xapian lists them
};

}  // namespace

struct KnowledgeBase::Impl {
  std::string directory;
  // Passages by document id. Re-imports add changed passages under new ids
  // and never reuse one, so an entry stays right while the index lives; an
  // index rebuilt from nothing has another UUID and empties the cache.
  static constexpr size_t kMaxCachedPassages = 20000;
  mutable std::mutex cache_mutex;
  mutable std::string cache_uuid;  // guarded by cache_mutex
  mutable std::unordered_map<Xapian::docid, std::shared_ptr<const CachedPassage>>
      cache;  // guarded by cache_mutex

  std::shared_ptr<const CachedPassage> Passage(const Xapian::Database& database,
                                               Xapian::docid id) const {
    const std::string uuid = database.get_uuid();
    {
      std::lock_guard lock(cache_mutex);
      if (uuid != cache_uuid) {
        cache.clear();
        cache_uuid = uuid;
      }
      auto found = cache.find(id);
      if (found != cache.end()) return found->second;
    }
    const Xapian::Document document = database.get_document(id);
    auto data = nlohmann::json::parse(document.get_data(), nullptr, false);
    if (data.is_discarded()) return nullptr;
    auto passage = std::make_shared<CachedPassage>();
    passage->fields = Hit{data.value("article", ""),
                          data.value("title", ""),
                          data.value("url", ""),
                          data.value("language", ""),
                          data.value("heading", ""),
                          data.value("text", ""),
                          data.value("intents", std::vector<std::string>{}),
                          0};
    for (auto term = document.termlist_begin(); term != document.termlist_end(); ++term) {
      passage->terms.push_back(*term);
    }
    std::lock_guard lock(cache_mutex);
    if (uuid == cache_uuid) {
      // A bound, not an eviction policy: a knowledge base this large is
      // read from the index again, passage by passage, as before.
      if (cache.size() >= kMaxCachedPassages) cache.clear();
      cache.emplace(id, passage);
    }
    return passage;
  }

  Xapian::SimpleStopper german_stopper;  // read-only once built
  Xapian::SimpleStopper english_stopper;
  // Bumped by every Import through this object: a borrowed handle then
  // reopens before its next search. An import by another process is seen
  // within kReopenEvery.
  std::atomic<uint64_t> generation{0};
  static constexpr std::chrono::milliseconds kReopenEvery{1000};

  // A database handle and the word splitters that go with it: Xapian's
  // stemmers keep state, so each handle has its own.
  struct Handle {
    std::unique_ptr<Xapian::Database> database;
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point opened;
    std::unique_ptr<Xapian::TermGenerator> german;
    std::unique_ptr<Xapian::TermGenerator> english;
  };
  // Splits and stems a query exactly as a passage is indexed, leaving out
  // function words.
  std::unique_ptr<Xapian::TermGenerator> Splitter(std::string_view language) const {
    auto splitter = std::make_unique<Xapian::TermGenerator>();
    splitter->set_stemmer(Xapian::Stem(StemmerName(language)));
    splitter->set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    splitter->set_stopper(language == "de" ? &german_stopper : &english_stopper);
    splitter->set_stopper_strategy(Xapian::TermGenerator::STOP_ALL);
    return splitter;
  }
  // Xapian database objects are not thread-safe: each search borrows one.
  mutable std::mutex pool_mutex;
  mutable std::vector<Handle> pool;  // guarded by pool_mutex

  Handle Borrow() const {
    const uint64_t now_generation = generation.load();
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        Handle handle = std::move(pool.back());
        pool.pop_back();
        // Reopening reads the revision from disk: not on every search.
        if (handle.generation != now_generation || now - handle.opened >= kReopenEvery) {
          handle.database->reopen();
          handle.generation = now_generation;
          handle.opened = now;
        }
        return handle;
      }
    }
    return {std::make_unique<Xapian::Database>(directory), now_generation, now, Splitter("de"),
            Splitter("en")};
  }
  void Return(Handle handle) const {
    std::lock_guard lock(pool_mutex);
    pool.push_back(std::move(handle));
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

Result<ImportReport> KnowledgeBase::Import(const std::string& articles_dir,
                                           const Progress& progress) {
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
          // The heading terms are boolean (no weight, no length), so BM25
          // sees the passage as before.
          Xapian::Document headings;
          indexer.set_document(headings);
          const std::string heading_prefix = HeadingPrefix(article.language);
          indexer.index_text_without_positions(SplitHyphens(article.title), 1, heading_prefix);
          indexer.index_text_without_positions(SplitHyphens(passage.heading), 1, heading_prefix);
          Xapian::Document document;
          for (auto term = headings.termlist_begin(); term != headings.termlist_end(); ++term) {
            document.add_boolean_term(*term);
          }
          indexer.set_document(document);
          // The title and heading say what a passage is about: they count
          // twice. Searches are by words, never phrases: no positions.
          const std::string text_prefix = TextPrefix(article.language);
          indexer.index_text_without_positions(SplitHyphens(article.title), 2, text_prefix);
          indexer.index_text_without_positions(SplitHyphens(passage.heading), 2, text_prefix);
          indexer.index_text_without_positions(SplitHyphens(passage.text), 1, text_prefix);
          document.add_boolean_term(unique_term);
          document.add_boolean_term(kLanguagePrefix + article.language);
          for (const auto& intent : article.intents) {
            document.add_boolean_term(kIntentPrefix + article.language + ":" + intent);
          }
          std::string intents = "|";
          for (const auto& intent : article.intents) intents += intent + "|";
          document.add_value(kIntentsSlot, intents);
          document.set_data(nlohmann::json{
              {"article", article.id},
              {"title", article.title},
              {"url", article.url},
              {"language", article.language},
              {"heading", passage.heading},
              {"intents", article.intents},
              {"text",
               passage.text}}.dump());
          database.add_document(document);
        }
        database.set_metadata(std::string(kArticleKey) + article.id, digest);
        database.set_metadata(std::string(kInfoKey) + article.id,
                              nlohmann::json{{"title", article.title},
                                             {"language", article.language},
                                             {"url", article.url},
                                             {"reviewed_on", article.reviewed_on},
                                             {"tags", article.tags}}
                                  .dump());
        ++(is_new ? report.added : report.updated);
      }
      if (!is_new) known.erase(found);
      if (progress) progress(static_cast<double>(i + 1) / std::max<size_t>(parsed.size(), 1));
    }
    for (const auto& [id, digest] : known) {  // files that are gone
      database.delete_document(kArticlePrefix + id);
      database.set_metadata(std::string(kArticleKey) + id, "");
      database.set_metadata(std::string(kInfoKey) + id, "");
      ++report.removed;
    }
    database.set_metadata(kFormatKey, kFormat);
    database.commit();
    report.passages = database.get_doccount();
    ++impl_->generation;
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
    auto handle = impl_->Borrow();
    const Xapian::Database& database = *handle.database;
    Xapian::TermGenerator& splitter = language == "de" ? *handle.german : *handle.english;
    // Customer text is words, not query syntax: no operators, no wildcards.
    // Words are searched in the passages of `language`, or of every
    // language, stemmed for `language` either way.
    const std::string text = SplitHyphens(WithoutPlaceholders(query));
    std::vector<std::string_view> languages;
    if (any_language) {
      languages.assign(kLanguages.begin(), kLanguages.end());
    } else {
      languages.push_back(language);
    }
    std::vector<std::vector<std::string>> terms_of;  // per language searched
    std::vector<Xapian::Query> parts;
    for (auto each : languages) {
      Xapian::Document words;
      splitter.set_document(words);
      splitter.index_text_without_positions(text, 1, TextPrefix(each));
      terms_of.emplace_back();
      std::vector<Xapian::Query> terms;
      for (auto term = words.termlist_begin(); term != words.termlist_end(); ++term) {
        terms_of.back().push_back(*term);
        terms.emplace_back(*term, term.get_wdf());
      }
      // A long question is ranked by its most informative words: the
      // matcher then skips the long postings of its common ones.
      parts.emplace_back(Xapian::Query::OP_ELITE_SET, terms.begin(), terms.end(), kRankingWords);
    }
    const Xapian::Query parsed(Xapian::Query::OP_OR, parts.begin(), parts.end());
    Xapian::Enquire enquire(database);
    enquire.set_query(parsed);
    // BM25 without length normalisation (b = 0): passages are sections of
    // 40 to 150 words, where length says little, and the matcher then need
    // not read each candidate's length.
    enquire.set_weighting_scheme(Xapian::BM25Weight(1, 0, 1, 0, 0.5));
    // Ties need no order by document id, which lets the matcher stop early.
    enquire.set_docid_order(Xapian::Enquire::DONT_CARE);
    // With an intent, a wider net is re-ranked: the boost can lift a passage
    // from below the cut.
    const size_t fetch = intent.empty() ? limit : std::max<size_t>(limit * 3, 30);
    Xapian::MSet matches = enquire.get_mset(0, static_cast<Xapian::doccount>(fetch));

    // The query's words in each language searched (stemmed, prefixed), and
    // how informative each is; the MSet holds their statistics.
    struct Words {
      std::string language;
      // (term, index into weights, is a heading term), sorted by term for
      // one walk of a passage's term list.
      std::vector<std::tuple<std::string, size_t, bool>> terms;
      std::vector<double> weights;
      double total = 0, unseen = 0;
    };
    std::vector<Words> query_words;
    for (size_t i = 0; i < languages.size(); ++i) {
      Words words{std::string(languages[i]), {}, {}, 0, 0};
      const std::string text_prefix = TextPrefix(languages[i]);
      const std::string heading_prefix = HeadingPrefix(languages[i]);
      const double passages = database.get_termfreq(kLanguagePrefix + words.language);
      for (const auto& term : terms_of[i]) {
        const double with_term = matches.get_termfreq(term);
        const double weight = Informativeness(passages, with_term);
        words.terms.emplace_back(term, words.weights.size(), false);
        words.terms.emplace_back(heading_prefix + term.substr(text_prefix.size()),
                                 words.weights.size(), true);
        words.weights.push_back(weight);
        words.total += weight;
        if (with_term == 0) words.unseen += weight;
      }
      std::sort(words.terms.begin(), words.terms.end());
      query_words.push_back(std::move(words));
    }

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
      auto passage = impl_->Passage(database, *candidate.match);
      if (!passage) continue;
      Hit hit = passage->fields;
      hit.score = candidate.score;
      auto words = std::find_if(query_words.begin(), query_words.end(),
                                [&](const Words& w) { return w.language == hit.language; });
      if (words != query_words.end() && !words->weights.empty()) {
        // One walk of the passage's sorted terms tells, for every word,
        // whether the passage and its headings contain it.
        size_t matched = 0;
        double matched_weight = 0, heading_weight = 0;
        auto term = passage->terms.begin();
        const auto end = passage->terms.end();
        for (const auto& [wanted_term, index, is_heading] : words->terms) {
          term = std::lower_bound(term, end, wanted_term);
          if (term == end) break;
          if (*term != wanted_term) continue;
          if (is_heading) {
            heading_weight += words->weights[index];
          } else {
            ++matched;
            matched_weight += words->weights[index];
          }
        }
        hit.coverage = static_cast<double>(matched) / static_cast<double>(words->weights.size());
        hit.weighted_coverage = matched_weight / words->total;
        hit.heading_coverage = heading_weight / words->total;
        hit.unseen = words->unseen / words->total;
      }
      hits.push_back(std::move(hit));
    }
    impl_->Return(std::move(handle));
  } catch (const Xapian::Error& e) {
    return Status::IoError("knowledge search: " + e.get_description());
  }
  return hits;
}

bool KnowledgeBase::DeclaresIntent(std::string_view intent, std::string_view language) const {
  if (intent.empty()) return false;
  try {
    auto handle = impl_->Borrow();
    const bool declared = handle.database->term_exists(kIntentPrefix + std::string(language) + ":" +
                                                       std::string(intent));
    impl_->Return(std::move(handle));
    return declared;
  } catch (const Xapian::Error&) {
    return false;
  }
}

Result<std::vector<Article>> KnowledgeBase::Articles() const {
  try {
    auto handle = impl_->Borrow();
    std::vector<Article> articles;
    const std::string prefix(kInfoKey);
    for (auto key = handle.database->metadata_keys_begin(prefix);
         key != handle.database->metadata_keys_end(prefix); ++key) {
      const std::string value = handle.database->get_metadata(*key);
      if (value.empty()) continue;  // removed
      const auto info = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (!info.is_object()) continue;
      Article article;
      article.id = (*key).substr(prefix.size());
      article.title = info.value("title", "");
      article.language = info.value("language", "");
      article.url = info.value("url", "");
      article.reviewed_on = info.value("reviewed_on", "");
      article.tags = info.value("tags", std::vector<std::string>{});
      articles.push_back(std::move(article));
    }
    impl_->Return(std::move(handle));
    return articles;
  } catch (const Xapian::Error& e) {
    return Status::IoError("knowledge index: " + e.get_description());
  }
}

size_t KnowledgeBase::PassageCount() const {
  try {
    auto handle = impl_->Borrow();
    const size_t count = handle.database->get_doccount();
    impl_->Return(std::move(handle));
    return count;
  } catch (const Xapian::Error&) {
    return 0;
  }
}

}  // namespace candor::knowledge
