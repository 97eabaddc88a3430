// Search latency on a large generated knowledge base: candor's Xapian index
// against SQLite FTS5 with bm25() over the same passages and the same
// queries, in one run.
//
// The passages are made from the words of the demo bank's articles, drawn
// with a Zipf-like skew (as real text is), so both engines see a realistic
// vocabulary; the queries are the demo question set.
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "knowledge/knowledge.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

struct Percentiles {
  double p50_ms, p99_ms, mean_ms;
};
Percentiles Summarise(std::vector<double> micros) {
  if (micros.empty()) return {0, 0, 0};
  std::sort(micros.begin(), micros.end());
  double sum = 0;
  for (double m : micros) sum += m;
  return {micros[micros.size() / 2] / 1000, micros[micros.size() * 99 / 100] / 1000,
          sum / micros.size() / 1000};
}

// FTS5 takes plain words only: quote each one.
std::string Fts5Query(const std::string& text) {
  std::string query;
  for (const auto& word : Words(text)) {
    if (!query.empty()) query += " OR ";
    query += "\"" + word + "\"";
  }
  return query;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kb_bench: search latency, candor (Xapian) and SQLite FTS5"};
  size_t passages = 100000;
  size_t rounds = 5;
  std::string source = CANDOR_SOURCE_DIR;
  app.add_option("--passages", passages, "passages to generate");
  app.add_option("--rounds", rounds, "times each query is run");
  bool peer = true;
  app.add_flag("!--no-peer", peer, "leave out SQLite FTS5 (for profiling candor alone)");
  CLI11_PARSE(app, argc, argv);

  const std::string articles_dir = source + "/data/kb/bank";
  auto questions = candor::knowledge::LoadQuestions(articles_dir + "/questions.jsonl");
  if (!questions.ok()) {
    std::cerr << questions.status().message() << "\n";
    return 1;
  }
  // The vocabulary of the real articles, by language.
  std::map<std::string, std::vector<std::string>> vocabulary;
  for (const auto& entry : fs::directory_iterator(articles_dir)) {
    if (entry.path().filename() == "README.md" || entry.path().extension() == ".jsonl") continue;
    auto article = candor::knowledge::ReadArticle(entry.path().string());
    if (!article.ok()) continue;
    for (const auto& passage : article->passages) {
      for (auto& word : Words(passage.text)) vocabulary[article->language].push_back(word);
    }
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("candor-kb-bench-{}", getpid());
  fs::create_directories(dir / "articles");
  std::mt19937 random(7);
  // Articles of 5 passages; words Zipf-like: low indexes (after a shuffle) far more often.
  const size_t articles = passages / 5;
  std::vector<std::pair<std::string, std::string>> fts_rows;  // language, text
  for (size_t a = 0; a < articles; ++a) {
    const std::string language = a % 2 ? "en" : "de";
    const auto& words = vocabulary[language];
    std::ofstream out(dir / "articles" / fmt::format("{}-{}.md", language, a));
    out << fmt::format("---\ntitle: Article {}\nlanguage: {}\nurl: https://x/{}\n---\n", a,
                       language, a);
    for (int p = 0; p < 5; ++p) {
      std::string text;
      const int length = 40 + static_cast<int>(random() % 80);
      for (int w = 0; w < length; ++w) {
        const double u = std::uniform_real_distribution<double>(0, 1)(random);
        const size_t index =
            static_cast<size_t>(std::pow(u, 2.5) * static_cast<double>(words.size()));
        text += words[std::min(index, words.size() - 1)] + " ";
      }
      out << fmt::format("## Section {}\n{}\n\n", p, text);
      fts_rows.emplace_back(language, text);
    }
  }

  auto base = candor::knowledge::KnowledgeBase::Open((dir / "index").string());
  auto start = Clock::now();
  auto report = base->Import((dir / "articles").string());
  const double import_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!report.ok()) {
    std::cerr << report.status().message() << "\n";
    return 1;
  }

  sqlite3* db = nullptr;
  sqlite3_stmt* search = nullptr;
  if (peer) {
    sqlite3_open((dir / "fts.db").string().c_str(), &db);
    sqlite3_exec(db, "CREATE VIRTUAL TABLE passages USING fts5(language UNINDEXED, text)", nullptr,
                 nullptr, nullptr);
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO passages(language, text) VALUES(?, ?)", -1, &insert,
                       nullptr);
    for (const auto& [language, text] : fts_rows) {
      sqlite3_bind_text(insert, 1, language.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 2, text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db,
                       "SELECT rowid, bm25(passages) FROM passages WHERE passages MATCH ? AND "
                       "language = ? ORDER BY bm25(passages) LIMIT 10",
                       -1, &search, nullptr);
  }

  // Each engine runs all its rounds on its own, as a service runs one of
  // them: interleaved, each would evict the other's caches between queries.
  std::vector<double> ours, theirs;
  size_t our_hits = 0, their_hits = 0;
  for (size_t round = 0; round < rounds; ++round) {
    for (const auto& question : *questions) {
      const auto t0 = Clock::now();
      auto hits = base->Search(question.text, question.language, 10);
      const auto t1 = Clock::now();
      our_hits += hits.ok() ? hits->size() : 0;
      ours.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
  for (size_t round = 0; peer && round < rounds; ++round) {
    for (const auto& question : *questions) {
      const std::string query = Fts5Query(question.text);
      const auto t0 = Clock::now();
      sqlite3_bind_text(search, 1, query.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(search, 2, question.language.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(search) == SQLITE_ROW) ++their_hits;
      sqlite3_reset(search);
      const auto t1 = Clock::now();
      theirs.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
  if (peer) {
    sqlite3_finalize(search);
    sqlite3_close(db);
  }
  fs::remove_all(dir);

  const auto a = Summarise(ours), b = Summarise(theirs);
  std::cout << fmt::format("{} passages ({} articles), {} queries x {} rounds; import {:.1f} s\n",
                           report->passages, articles, questions->size(), rounds, import_seconds);
  std::cout << fmt::format("{:<28} {:>8} {:>8} {:>8}\n", "top-10 search, one thread", "p50 ms",
                           "p99 ms", "mean ms");
  std::cout << fmt::format("{:<28} {:>8.3f} {:>8.3f} {:>8.3f}\n", "candor (Xapian, BM25)", a.p50_ms,
                           a.p99_ms, a.mean_ms);
  if (peer) {
    std::cout << fmt::format("{:<28} {:>8.3f} {:>8.3f} {:>8.3f}\n", "SQLite FTS5 bm25()", b.p50_ms,
                             b.p99_ms, b.mean_ms);
  }
  std::cout << nlohmann::json{{"passages", report->passages},
                              {"candor", {{"p50_ms", a.p50_ms}, {"p99_ms", a.p99_ms}}},
                              {"fts5", {{"p50_ms", b.p50_ms}, {"p99_ms", b.p99_ms}}},
                              {"hits", {{"candor", our_hits}, {"fts5", their_hits}}}}
                   .dump()
            << "\n";
  return 0;
}
