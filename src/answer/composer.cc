#include <algorithm>

#include <fmt/format.h>

#include "answer/answer.h"

namespace candor::answer {

std::string DontKnowText(const std::string& language) {
  if (language == "en") {
    return "I could not find a reliable answer to this in our help articles, and I do not want "
           "to guess. Shall I connect you with a person?";
  }
  return "Dazu habe ich in unseren Hilfeartikeln keine verlässliche Antwort gefunden, und raten "
         "möchte ich nicht. Soll ich Sie mit einem Menschen verbinden?";
}

Answer ExtractiveComposer::Compose(const Question& question) const {
  Answer answer;
  answer.text = DontKnowText(question.language);
  if (!question.in_scope) {
    answer.why = "the question is outside what this service answers (intent out of scope)";
    return answer;
  }
  const std::string language = question.language == "en" ? "en" : "de";
  auto hits = base_.Search(question.text, language, options_.candidates, false, question.intent);
  if (!hits.ok() || hits->empty()) {
    answer.why = hits.ok() ? "no passage of the knowledge base matches" : hits.status().message();
    return answer;
  }
  const auto& best = hits->front();
  // The evidence: does the best article declare the intent the question was
  // understood as; how strong is the match; how far ahead of the best
  // passage of any other article.
  const bool agrees = !question.intent.empty() &&
                      std::find(best.intents.begin(), best.intents.end(), question.intent) !=
                          best.intents.end();
  double runner_up = 0;
  for (const auto& hit : *hits) {
    if (hit.article_id != best.article_id) {
      runner_up = hit.score;
      break;
    }
  }
  const double strength = best.score / (best.score + 4.0);
  const double margin = best.score > 0 ? (best.score - runner_up) / best.score : 0;
  answer.intent_agrees = agrees;
  answer.strength = strength;
  answer.margin = margin;
  answer.coverage = best.coverage;
  answer.confidence = 0.55 * (agrees ? 1.0 : 0.0) + 0.25 * strength + 0.2 * margin;
  answer.why = fmt::format(
      "best passage \"{}\" of \"{}\" (score {:.2f}, {:.0f} % ahead of other articles); its article "
      "{} the intent {}",
      best.heading, best.title, best.score, margin * 100, agrees ? "answers" : "does not declare",
      question.intent.empty() ? "(none)" : question.intent);
  if (answer.confidence < options_.min_confidence) return answer;

  answer.dont_know = false;
  answer.sources.push_back({1, best.article_id, best.title, best.url, best.heading, best.passage});
  answer.text = best.passage + " [1]";
  return answer;
}

AbstentionEvaluation EvaluateAbstention(
    const ExtractiveComposer& composer, const std::vector<knowledge::Question>& questions,
    const std::function<Question(const knowledge::Question&)>& understand) {
  size_t answerable = 0, unanswerable = 0, refused_right = 0, refused_wrong = 0;
  size_t answered = 0, right_article = 0;
  for (const auto& question : questions) {
    const Answer answer = composer.Compose(understand(question));
    if (!question.article) {
      ++unanswerable;
      refused_right += answer.dont_know;
      continue;
    }
    ++answerable;
    if (answer.dont_know) {
      ++refused_wrong;
    } else {
      ++answered;
      right_article += answer.sources.front().article == *question.article;
    }
  }
  AbstentionEvaluation evaluation;
  if (unanswerable) evaluation.unanswerable_refused = static_cast<double>(refused_right) / unanswerable;
  if (answerable) evaluation.answerable_refused = static_cast<double>(refused_wrong) / answerable;
  if (answered) evaluation.answered_from_right_article = static_cast<double>(right_article) / answered;
  return evaluation;
}

}  // namespace candor::answer
