#include "cli/kb_cmd.h"

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "answer/answer.h"
#include "knowledge/knowledge.h"
#include "nlu/nlu.h"

namespace candor {

int RunKbEval(const Config& config, const std::string& questions_path, bool json) {
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
  const std::string model_dir =
      config.intent_model.empty() ? std::string(CANDOR_MODEL_DIR) + "/bank" : config.intent_model;
  auto intents = nlu::IntentModel::Load(model_dir);
  if (!intents.ok()) {
    std::cerr << "candor kb eval: " << intents.status().message() << "\n";
    return 1;
  }
  auto understand = [&](const knowledge::Question& q) {
    const auto prediction = intents->Predict(q.text);
    return answer::Question{q.text, q.language, std::string(prediction.label), prediction.in_scope};
  };
  const auto search = knowledge::EvaluateSearch(*base, *questions, [&](const std::string& text) {
    const auto prediction = intents->Predict(text);
    return prediction.in_scope ? std::string(prediction.label) : std::string();
  });
  answer::ExtractiveComposer composer(*base);
  const auto abstention = answer::EvaluateAbstention(composer, *questions, understand);
  if (json) {
    std::cout << nlohmann::json{{"answerable", search.answerable},
                                {"unanswerable", search.unanswerable},
                                {"recall_at_1", search.recall_at_1},
                                {"recall_at_5", search.recall_at_5},
                                {"mrr", search.mrr},
                                {"unanswerable_refused", abstention.unanswerable_refused},
                                {"answerable_refused", abstention.answerable_refused},
                                {"answered_from_right_article",
                                 abstention.answered_from_right_article}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cout << fmt::format(
      "questions                        {} answerable, {} not\n"
      "recall@1                         {:.4f}\n"
      "recall@5                         {:.4f}\n"
      "MRR                              {:.4f}\n"
      "unanswerable: \"I don't know\"     {:.4f}\n"
      "answerable: wrongly refused      {:.4f}\n"
      "answered from the right article  {:.4f}\n",
      search.answerable, search.unanswerable, search.recall_at_1, search.recall_at_5, search.mrr,
      abstention.unanswerable_refused, abstention.answerable_refused,
      abstention.answered_from_right_article);
  return 0;
}

}  // namespace candor
