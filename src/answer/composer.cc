#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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

namespace {

// The confidence is a logistic combination of the evidence:
//   1 / (1 + exp(-(kBias + sum of weight * feature)))
// fitted by class-balanced logistic regression (L2 penalty 0.01, gradient
// descent) on the odd lines of data/kb/bank/questions.jsonl, with the demo
// bank's intent model giving intent, confidence and scope as the pipeline
// does; the even lines were held out. Every feature is in [0, 1]. The bar
// (ComposerOptions::min_confidence) is the highest that still answers 5 in
// 6 of the odd lines' answerable questions. Refit both when the evidence
// changes (scripts/fit_composer.py does the fit from `candor kb eval
// --details`); `candor kb eval` prints both halves.
constexpr double kBias = -3.626;
constexpr double kIntentAgrees = 0.607;    // the best article declares the intent
constexpr double kInScope = 0.157;         // the out-of-scope detector did not fire
constexpr double kIntentDeclared = 0.589;  // some article declares the intent
constexpr double kIntentConfidence = 1.374;
constexpr double kStrength = 0.636;
constexpr double kMargin = 0.242;
constexpr double kWeightedCoverage = 1.010;
constexpr double kHeadingCoverage = 0.298;
constexpr double kUnseen = -0.804;  // the question's words no article contains
constexpr double kCoverage = 0.945;

std::string Percent(double share) { return fmt::format("{:.0f} %", share * 100); }

}  // namespace

Result<std::vector<knowledge::Hit>> ExtractiveComposer::Retrieve(const Question& question) const {
  const std::string language = question.language == "en" ? "en" : "de";
  return base_.Search(question.text, language, options_.candidates, false, question.intent);
}

Answer ExtractiveComposer::Compose(const Question& question) const {
  auto hits = Retrieve(question);
  if (!hits.ok()) {
    Answer answer;
    answer.text = DontKnowText(question.language);
    answer.why = "the knowledge base could not be searched: " + hits.status().message();
    return answer;
  }
  return ComposeFrom(question, *hits);
}

Answer ExtractiveComposer::ComposeFrom(const Question& question,
                                       const std::vector<knowledge::Hit>& hits) const {
  Answer answer;
  answer.text = DontKnowText(question.language);
  if (hits.empty()) {
    answer.why = question.in_scope
                     ? "no passage of the knowledge base matches"
                     : "the question is outside what this service answers (intent out of scope)";
    return answer;
  }
  const std::string language = question.language == "en" ? "en" : "de";
  const auto& best = hits.front();
  // The evidence: is the question's intent one the knowledge base covers,
  // and does the best article declare it; how strong is the match; how far
  // ahead of the best passage of any other article; how much of what the
  // question asks (its informative words above all) the passage holds.
  const bool agrees =
      !question.intent.empty() &&
      std::find(best.intents.begin(), best.intents.end(), question.intent) != best.intents.end();
  const bool declared = agrees || base_.DeclaresIntent(question.intent, language);
  double runner_up = 0;
  for (const auto& hit : hits) {
    if (hit.article_id != best.article_id) {
      runner_up = hit.score;
      break;
    }
  }
  const double intent_confidence = question.intent_confidence >= 0
                                       ? std::min(question.intent_confidence, 1.0)
                                       : (question.in_scope ? 1.0 : 0.0);
  const double strength = best.score / (best.score + 4.0);
  const double margin = best.score > 0 ? (best.score - runner_up) / best.score : 0;
  answer.intent_agrees = agrees;
  answer.intent_declared = declared;
  answer.in_scope = question.in_scope;
  answer.intent_confidence = intent_confidence;
  answer.strength = strength;
  answer.margin = margin;
  answer.coverage = best.coverage;
  answer.weighted_coverage = best.weighted_coverage;
  answer.heading_coverage = best.heading_coverage;
  answer.unseen = best.unseen;
  const double z =
      kBias + kIntentAgrees * agrees + kInScope * question.in_scope + kIntentDeclared * declared +
      kIntentConfidence * intent_confidence + kStrength * strength + kMargin * margin +
      kWeightedCoverage * best.weighted_coverage + kHeadingCoverage * best.heading_coverage +
      kUnseen * best.unseen + kCoverage * best.coverage;
  answer.confidence = 1.0 / (1.0 + std::exp(-z));
  const std::string intent = question.intent.empty() ? "(none)" : question.intent;
  answer.why = fmt::format(
      "best passage \"{}\" of \"{}\" (score {:.2f}, {} ahead of other articles) holds {} of "
      "the question's weighted words, {} of them in its headings, and {} are in no article; "
      "its article {} the intent {}{}{}; confidence {:.2f}, {} {:.2f}",
      best.heading, best.title, best.score, Percent(margin), Percent(best.weighted_coverage),
      Percent(best.heading_coverage), Percent(best.unseen), agrees ? "answers" : "does not declare",
      intent, !agrees && !declared && !question.intent.empty() ? ", which no article covers" : "",
      question.in_scope ? "" : " (found out of scope)", answer.confidence,
      answer.confidence >= options_.min_confidence ? "reaching" : "below", options_.min_confidence);
  if (answer.confidence < options_.min_confidence) return answer;

  answer.dont_know = false;
  answer.sources.push_back({1, best.article_id, best.title, best.url, best.heading, best.passage});
  answer.text = best.passage + " [1]";
  return answer;
}

AbstentionEvaluation EvaluateAbstention(
    const ExtractiveComposer& composer, const std::vector<knowledge::Question>& questions,
    const std::function<Question(const knowledge::Question&)>& understand) {
  AbstentionEvaluation evaluation;
  size_t answerable = 0, unanswerable = 0, refused_right = 0, refused_wrong = 0;
  size_t answered = 0, right_article = 0;
  for (const auto& question : questions) {
    const Answer answer = composer.Compose(understand(question));
    evaluation.outcomes.push_back({question.line, question.text, question.article, answer});
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
  if (unanswerable)
    evaluation.unanswerable_refused = static_cast<double>(refused_right) / unanswerable;
  if (answerable) evaluation.answerable_refused = static_cast<double>(refused_wrong) / answerable;
  if (answered)
    evaluation.answered_from_right_article = static_cast<double>(right_article) / answered;
  return evaluation;
}

}  // namespace candor::answer
