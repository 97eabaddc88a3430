// `candor kb import | search`.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "knowledge/knowledge.h"

namespace candor::knowledge {

int RunKbImport(const std::string& index_dir, const std::string& articles_dir, bool interactive,
                std::ostream& out, std::ostream& err) {
  auto base = KnowledgeBase::Open(index_dir);
  if (!base.ok()) {
    err << "candor kb import: " << base.status().message() << "\n";
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  int last_percent = -1;
  auto report = base->Import(articles_dir, [&](double fraction) {
    const int percent = static_cast<int>(fraction * 100);
    if (percent == last_percent) return;
    last_percent = percent;
    if (interactive) {
      const int filled = percent * 30 / 100;
      err << fmt::format("\r[{}{}] {:3}% articles", std::string(filled, '#'),
                         std::string(30 - filled, ' '), percent)
          << std::flush;
    } else if (percent % 25 == 0) {
      err << fmt::format("{:3}% articles\n", percent);
    }
  });
  if (interactive && last_percent >= 0) err << "\n";
  if (!report.ok()) {
    err << "candor kb import: " << report.status().message() << " (the index is unchanged)\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << fmt::format(
      "{} added, {} updated, {} unchanged, {} removed; {} passages in the index ({:.2f} s)\n",
      report->added, report->updated, report->unchanged, report->removed, report->passages,
      seconds);
  return 0;
}

int RunKbSearch(const std::string& index_dir, const std::string& query, const std::string& language,
                size_t limit, bool json, std::ostream& out, std::ostream& err) {
  auto base = KnowledgeBase::Open(index_dir);
  if (!base.ok()) {
    err << "candor kb search: " << base.status().message() << "\n";
    return 1;
  }
  auto hits = base->Search(query, language, limit);
  if (!hits.ok()) {
    err << "candor kb search: " << hits.status().message() << "\n";
    return 1;
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& hit : *hits) {
      list.push_back({{"article", hit.article_id},
                      {"title", hit.title},
                      {"url", hit.url},
                      {"heading", hit.heading},
                      {"passage", hit.passage},
                      {"score", hit.score}});
    }
    out << nlohmann::json{{"hits", list}}.dump() << "\n";
    return 0;
  }
  int rank = 0;
  for (const auto& hit : *hits) {
    out << fmt::format("{}. {:.2f}  {} — {}\n   {}\n", ++rank, hit.score, hit.title, hit.heading,
                       hit.url);
  }
  if (hits->empty()) out << "no passage matches\n";
  return 0;
}

}  // namespace candor::knowledge
