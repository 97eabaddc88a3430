// How well search finds the article that answers a question.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "knowledge/knowledge.h"

namespace candor::knowledge {

Result<std::vector<Question>> LoadQuestions(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<Question> questions;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(number);
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("question") ||
        !json["question"].is_string() || !json.contains("lang") || !json["lang"].is_string()) {
      return Status::InvalidArgument(where + ": expected {\"question\", \"lang\", \"article\"}");
    }
    Question question{json["question"], json["lang"], std::nullopt, number};
    if (json.contains("article") && json["article"].is_string()) question.article = json["article"];
    questions.push_back(std::move(question));
  }
  return questions;
}

SearchEvaluation EvaluateSearch(const KnowledgeBase& base, const std::vector<Question>& questions,
                                const std::function<std::string(const std::string&)>& intent_of) {
  SearchEvaluation evaluation;
  double reciprocal_ranks = 0;
  size_t first = 0, top5 = 0;
  for (const auto& question : questions) {
    if (!question.article) {
      ++evaluation.unanswerable;
      continue;
    }
    ++evaluation.answerable;
    const std::string intent = intent_of ? intent_of(question.text) : std::string();
    auto hits = base.Search(question.text, question.language, 30, false, intent);
    if (!hits.ok()) continue;
    // Ranks articles, not passages: an article's best passage stands for it.
    std::vector<std::string> articles;
    std::set<std::string> seen;
    for (const auto& hit : *hits) {
      if (seen.insert(hit.article_id).second) articles.push_back(hit.article_id);
    }
    for (size_t rank = 0; rank < articles.size() && rank < 10; ++rank) {
      if (articles[rank] != *question.article) continue;
      reciprocal_ranks += 1.0 / static_cast<double>(rank + 1);
      first += rank == 0;
      top5 += rank < 5;
      break;
    }
  }
  if (evaluation.answerable > 0) {
    const auto n = static_cast<double>(evaluation.answerable);
    evaluation.recall_at_1 = static_cast<double>(first) / n;
    evaluation.recall_at_5 = static_cast<double>(top5) / n;
    evaluation.mrr = reciprocal_ranks / n;
  }
  return evaluation;
}

}  // namespace candor::knowledge
