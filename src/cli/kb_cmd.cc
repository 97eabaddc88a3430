#include "cli/kb_cmd.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "answer/answer.h"
#include "cli/install_layout.h"
#include "knowledge/knowledge.h"
#include "nlu/nlu.h"

namespace candor {

namespace {

// What went right or wrong with one question, in words a curator can act on.
std::string Verdict(const answer::AbstentionOutcome& outcome) {
  if (!outcome.article) return outcome.answer.dont_know ? "refused, rightly" : "answered, wrongly";
  if (outcome.answer.dont_know) return "refused, wrongly";
  return outcome.answer.sources.front().article == *outcome.article
             ? "answered, rightly"
             : "answered from another article";
}

nlohmann::json OutcomeJson(const answer::AbstentionOutcome& outcome) {
  const answer::Answer& a = outcome.answer;
  return {
      {"line", outcome.line},
      {"question", outcome.question},
      {"article", outcome.article ? nlohmann::json(*outcome.article) : nlohmann::json()},
      {"answered_from", a.dont_know ? nlohmann::json() : nlohmann::json(a.sources.front().article)},
      {"verdict", Verdict(outcome)},
      {"confidence", a.confidence},
      {"evidence",
       {{"intent_agrees", a.intent_agrees},
        {"intent_declared", a.intent_declared},
        {"in_scope", a.in_scope},
        {"intent_confidence", a.intent_confidence},
        {"strength", a.strength},
        {"margin", a.margin},
        {"coverage", a.coverage},
        {"weighted_coverage", a.weighted_coverage},
        {"heading_coverage", a.heading_coverage},
        {"unseen", a.unseen}}},
      {"why", a.why}};
}

}  // namespace

int RunKbEval(const Config& config, const std::string& questions_path, bool json, bool details) {
  auto base = knowledge::KnowledgeBase::Open(config.data_dir + "/kb");
  if (!base.ok()) {
    std::cerr << "candor kb eval: " << base.status().message() << "\n";
    return 1;
  }
  auto questions = knowledge::LoadQuestions(questions_path);
  if (!questions.ok()) {
    std::cerr << "candor kb eval: " << questions.status().message() << "\n";
    return 1;
  }
  // The intent the understand stage would find, as the pipeline uses it.
  const std::string model_dir = config.intent_model.empty()
                                    ? LocateShippedFiles(config.share_dir).IntentModel()
                                    : config.intent_model;
  auto intents = nlu::IntentModel::Load(model_dir);
  if (!intents.ok()) {
    std::cerr << "candor kb eval: " << intents.status().message() << "\n";
    return 1;
  }
  auto understand = [&](const knowledge::Question& q) {
    const auto prediction = intents->Predict(q.text);
    return answer::Question{q.text, q.language, std::string(prediction.label), prediction.in_scope,
                            prediction.confidence};
  };
  auto intent_of = [&](const std::string& text) {
    const auto prediction = intents->Predict(text);
    return prediction.in_scope ? std::string(prediction.label) : std::string();
  };
  answer::ExtractiveComposer composer(*base);
  // The composer's weights were fitted on the odd lines of the demo bank's
  // questions: the even lines are the held-out half.
  struct Part {
    std::string name;
    knowledge::SearchEvaluation search;
    answer::AbstentionEvaluation abstention;
  };
  std::vector<Part> parts;
  for (const std::string name : {"all", "odd", "even"}) {
    std::vector<knowledge::Question> part;
    for (const auto& question : *questions) {
      if (name == "all" || (question.line % 2 == 1) == (name == "odd")) part.push_back(question);
    }
    parts.push_back({name, knowledge::EvaluateSearch(*base, part, intent_of),
                     answer::EvaluateAbstention(composer, part, understand)});
  }
  auto figures = [](const Part& part) {
    return nlohmann::json{
        {"answerable", part.search.answerable},
        {"unanswerable", part.search.unanswerable},
        {"recall_at_1", part.search.recall_at_1},
        {"recall_at_5", part.search.recall_at_5},
        {"mrr", part.search.mrr},
        {"unanswerable_refused", part.abstention.unanswerable_refused},
        {"answerable_refused", part.abstention.answerable_refused},
        {"answered_from_right_article", part.abstention.answered_from_right_article}};
  };
  if (details) {
    // One line per question, before the figures.
    for (const auto& outcome : parts[0].abstention.outcomes) {
      std::cout << OutcomeJson(outcome).dump() << "\n";
    }
  }
  if (json) {
    nlohmann::json out = figures(parts[0]);
    out["odd_lines"] = figures(parts[1]);
    out["even_lines"] = figures(parts[2]);
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<33}{:>10} {:>10} {:>10}\n", "", "all", "odd lines", "even lines");
  auto row = [&](const std::string& label, auto value, const char* format) {
    std::cout << fmt::format("{:<33}", label);
    for (const auto& part : parts) std::cout << fmt::format(fmt::runtime(format), value(part));
    std::cout << "\n";
  };
  row(
      "answerable questions", [](const Part& p) { return p.search.answerable; }, "{:>10} ");
  row(
      "unanswerable questions", [](const Part& p) { return p.search.unanswerable; }, "{:>10} ");
  row(
      "recall@1", [](const Part& p) { return p.search.recall_at_1; }, "{:>10.4f} ");
  row(
      "recall@5", [](const Part& p) { return p.search.recall_at_5; }, "{:>10.4f} ");
  row(
      "MRR", [](const Part& p) { return p.search.mrr; }, "{:>10.4f} ");
  row(
      "unanswerable: \"I don't know\"",
      [](const Part& p) { return p.abstention.unanswerable_refused; }, "{:>10.4f} ");
  row(
      "answerable: wrongly refused", [](const Part& p) { return p.abstention.answerable_refused; },
      "{:>10.4f} ");
  row(
      "answered from the right article",
      [](const Part& p) { return p.abstention.answered_from_right_article; }, "{:>10.4f} ");
  std::cout
      << "(the composer's weights were fitted on the odd lines; the even lines are held out)\n";
  return 0;
}

}  // namespace candor
