// The answering stages: decide (the policy), retrieve (the knowledge base) and
// compose (the extractive composer or a language model). They see only the
// masked text and what "understand" found.
#include <fmt/format.h>

#include <future>

#include "answer/answer.h"
#include "answer/llm.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"

namespace candor {
namespace {

bool ActionIs(const Turn& turn, std::initializer_list<DecisionAction> actions) {
  if (!turn.decision) return false;
  for (auto action : actions)
    if (turn.decision->action == action) return true;
  return false;
}

answer::Question QuestionOf(const Turn& turn) {
  const UnderstandingEvent& u = *turn.understanding;
  // Whether out-of-scope questions are answered at all is the policy's call
  // (decide); here the composer gets all the evidence understand found.
  return {turn.masked_text, u.language, u.intent, u.in_scope, u.confidence};
}

class DecideStage final : public Stage {
 public:
  DecideStage(const policy::Policy& policy, const policy::IntentCatalogue& catalogue,
              OpenHours open_hours, const Clock& clock)
      : policy_(policy), catalogue_(catalogue), open_hours_(std::move(open_hours)), clock_(clock) {}
  std::string_view Name() const override { return "decide"; }
  std::string_view LabelDe() const override { return "Zuständigkeit geprüft"; }
  std::string_view LabelEn() const override { return "Routing checked"; }
  bool AppliesTo(const Turn& turn) const override {
    return turn.understanding.has_value() && turn.message_seq > 0;
  }

  Status Run(Turn& turn, EventSink& sink) override {
    const UnderstandingEvent& u = *turn.understanding;
    policy::Facts facts;
    facts.intent = u.intent;
    facts.intent_tags = policy::TagsOf(catalogue_, u.intent);
    facts.language = u.language;
    facts.confidence = u.confidence;
    facts.in_scope = u.in_scope;
    facts.distress = u.distress;
    // In words ("ich möchte einen Menschen sprechen") as the intent model
    // understood them, or by the button.
    facts.asked_for_person = turn.asked_for_person || (u.in_scope && u.intent == "talk_to_person");
    facts.business_hours = open_hours_ ? open_hours_(clock_.Now()) : true;
    facts.channel = turn.channel;
    const policy::Decision decision = policy_.Decide(facts);
    DecisionEvent event{turn.message_seq,   decision.action,
                        decision.rule,      decision.reason_de,
                        decision.reason_en, policy::FormatTrace(facts, decision)};
    turn.decision = event;
    sink.Emit(turn.conversation_id, std::move(event), {});
    return Status::Ok();
  }

 private:
  const policy::Policy& policy_;
  const policy::IntentCatalogue& catalogue_;
  const OpenHours open_hours_;
  const Clock& clock_;
};

class RetrieveStage final : public Stage {
 public:
  explicit RetrieveStage(const answer::ExtractiveComposer& composer) : composer_(composer) {}
  std::string_view Name() const override { return "retrieve"; }
  std::string_view LabelDe() const override { return "Quellen durchsucht"; }
  std::string_view LabelEn() const override { return "Sources searched"; }
  bool AppliesTo(const Turn& turn) const override {
    return ActionIs(turn, {DecisionAction::kAnswer, DecisionAction::kDraft}) &&
           turn.understanding.has_value();
  }

  Status Run(Turn& turn, EventSink&) override {
    auto hits = composer_.Retrieve(QuestionOf(turn));
    if (!hits.ok()) return hits.status();
    turn.passages = std::move(*hits);
    return Status::Ok();
  }

 private:
  const answer::ExtractiveComposer& composer_;
};

class ComposeStage final : public Stage {
 public:
  ComposeStage(const answer::ExtractiveComposer& composer, const answer::LlmClient* model,
               const Clock& clock)
      : composer_(composer), model_(model), clock_(clock) {}
  std::string_view Name() const override { return "compose"; }
  std::string_view LabelDe() const override { return "Antwort verfasst"; }
  std::string_view LabelEn() const override { return "Answer drafted"; }
  bool AppliesTo(const Turn& turn) const override {
    return ActionIs(turn,
                    {DecisionAction::kAnswer, DecisionAction::kDraft, DecisionAction::kUnknown}) &&
           turn.understanding.has_value();
  }

  Status Run(Turn& turn, EventSink& sink) override {
    const answer::Question question = QuestionOf(turn);
    answer::Answer result;
    if (turn.decision->action == DecisionAction::kUnknown) {
      result.text = answer::DontKnowText(question.language);
      result.why = "the policy says this is not for the AI to answer";
    } else {
      result = composer_.ComposeFrom(question, turn.passages);
      if (model_ && !result.sources.empty()) {
        result = AskModel(turn, question, std::move(result), sink);
      }
    }
    AnswerWhy why;
    const UnderstandingEvent& u = *turn.understanding;
    why.intent = u.intent;
    why.intent_confidence = u.confidence;
    why.language = u.language;
    why.action = turn.decision->action;
    why.rule = turn.decision->rule;
    why.reason_de = turn.decision->reason_de;
    why.reason_en = turn.decision->reason_en;
    why.composer = result.composer;
    why.confidence = result.confidence;
    why.dont_know = result.dont_know || turn.decision->action == DecisionAction::kUnknown;
    why.explanation = result.why;
    for (const auto& s : result.sources) {
      why.sources.push_back({s.number, s.title, s.url, s.heading, s.passage});
    }
    MessageEvent reply{Author::kAi, result.text, "", turn.message_seq, std::move(why)};
    turn.reply = std::move(reply);
    return Status::Ok();
  }

 private:
  // The model writes from the passages the extractive composer would cite
  // from; only sentences those passages support are kept.
  answer::Answer AskModel(const Turn& turn, const answer::Question& question,
                          answer::Answer extractive, EventSink& sink) {
    std::vector<answer::Source> sources;
    for (size_t i = 0; i < turn.passages.size() && i < 3; ++i) {
      const auto& hit = turn.passages[i];
      sources.push_back(
          {static_cast<int>(i + 1), hit.article_id, hit.title, hit.url, hit.heading, hit.passage});
    }
    // Each attempt is real work the customer can watch: a slow model, a
    // retry and an error show as they happen.
    std::optional<WorkStepEvent> step;
    answer::LlmObserver observer;
    observer.started = [&](int attempt) {
      step = WorkStepEvent{"model",
                           StepStatus::kStarted,
                           attempt == 1 ? "Sprachmodell gefragt" : "Sprachmodell erneut gefragt",
                           attempt == 1 ? "Language model asked" : "Language model asked again",
                           clock_.Now(),
                           std::nullopt,
                           ""};
      // Seen while the model works, with everything before it.
      sink.Emit(turn.conversation_id, *step, {});
      sink.Flush();
    };
    observer.finished = [&](int, const answer::LlmAttempt& attempt) {
      if (!step) return;
      step->finished_at = clock_.Now();
      step->status = attempt.outcome == "ok" ? StepStatus::kDone : StepStatus::kFailed;
      if (attempt.outcome != "ok") step->detail = attempt.outcome;
      sink.Emit(turn.conversation_id, *step, {});
      sink.Flush();  // a failed attempt shows before the retry
    };
    auto reply = model_->Complete(question, sources, {}, observer);
    if (!reply.ok()) {
      extractive.why += "; the language model did not answer, so the passage is quoted";
      return extractive;
    }
    const answer::Grounded grounded = answer::GroundAnswer(reply->text, sources);
    if (grounded.text.empty()) {
      extractive.why += fmt::format(
          "; the language model's answer had no sentence its sources support ({} dropped), so "
          "the passage is quoted",
          grounded.dropped.size());
      return extractive;
    }
    answer::Answer written = extractive;
    written.text = grounded.text;
    written.composer = "model:" + model_->Model();
    written.sources.clear();
    for (int number : grounded.cited) {
      if (number >= 1 && static_cast<size_t>(number) <= sources.size()) {
        written.sources.push_back(sources[number - 1]);
      }
    }
    written.why = fmt::format(
        "{}; written by the language model from {} cited passage(s), {} "
        "unsupported sentence(s) removed",
        extractive.why, written.sources.size(), grounded.dropped.size());
    return written;
  }

  const answer::ExtractiveComposer& composer_;
  const answer::LlmClient* const model_;
  const Clock& clock_;
};

class ReviewStage final : public Stage {
 public:
  std::string_view Name() const override { return "review"; }
  std::string_view LabelDe() const override { return "Zur Prüfung an eine Person gegeben"; }
  std::string_view LabelEn() const override { return "Given to a person for review"; }
  bool AppliesTo(const Turn& turn) const override {
    return ActionIs(turn, {DecisionAction::kDraft}) && turn.reply.has_value();
  }

  // The draft waits for a person; nothing reaches the customer before that.
  Status Run(Turn& turn, EventSink& sink) override {
    DraftEvent draft{turn.message_seq, turn.reply->text, turn.reply->why};
    turn.reply.reset();
    auto promise = std::make_shared<std::promise<Result<Event>>>();
    auto future = promise->get_future();
    sink.Emit(turn.conversation_id, std::move(draft),
              [promise](Result<Event> result) { promise->set_value(std::move(result)); });
    sink.Flush();  // waited for below
    auto event = future.get();
    return event.ok() ? Status::Ok() : event.status();
  }
};

class HandoffStage final : public Stage {
 public:
  std::string_view Name() const override { return "handoff"; }
  std::string_view LabelDe() const override { return "An einen Menschen übergeben"; }
  std::string_view LabelEn() const override { return "Handed to a person"; }
  bool AppliesTo(const Turn& turn) const override {
    return ActionIs(turn, {DecisionAction::kPerson});
  }

  // The conversation joins the people's queue, and the AI says so, with the
  // reason, once; from here it stays silent until a person hands back.
  Status Run(Turn& turn, EventSink& sink) override {
    const bool asked = turn.asked_for_person ||
                       (turn.understanding && turn.understanding->intent == "talk_to_person");
    sink.Emit(turn.conversation_id,
              QueueEvent{QueueChange::kJoined, asked ? "customer" : "policy", "",
                         turn.decision->reason_de, turn.decision->reason_en},
              {});
    const bool english = turn.understanding && turn.understanding->language == "en";
    std::string text =
        english ? "I am handing your request to a person. " + turn.decision->reason_en +
                      " You will see your place in the queue here."
                : "Ich gebe Ihr Anliegen an einen Menschen weiter. " + turn.decision->reason_de +
                      " Ihren Platz in der Warteschlange sehen Sie hier.";
    AnswerWhy why;
    if (turn.understanding) {
      why.intent = turn.understanding->intent;
      why.intent_confidence = turn.understanding->confidence;
      why.language = turn.understanding->language;
    }
    why.action = DecisionAction::kPerson;
    why.rule = turn.decision->rule;
    why.reason_de = turn.decision->reason_de;
    why.reason_en = turn.decision->reason_en;
    why.composer = "handoff";
    why.explanation = "the policy gives this to people; the AI does not answer it";
    turn.reply = MessageEvent{Author::kAi, std::move(text), "", turn.message_seq, std::move(why)};
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeReviewStage() { return std::make_unique<ReviewStage>(); }

std::unique_ptr<Stage> MakeHandoffStage() { return std::make_unique<HandoffStage>(); }

std::unique_ptr<Stage> MakeDecideStage(const policy::Policy& policy,
                                       const policy::IntentCatalogue& catalogue,
                                       OpenHours open_hours, const Clock& clock) {
  return std::make_unique<DecideStage>(policy, catalogue, std::move(open_hours), clock);
}

std::unique_ptr<Stage> MakeRetrieveStage(const answer::ExtractiveComposer& composer) {
  return std::make_unique<RetrieveStage>(composer);
}

std::unique_ptr<Stage> MakeComposeStage(const answer::ExtractiveComposer& composer,
                                        const answer::LlmClient* model, const Clock& clock) {
  return std::make_unique<ComposeStage>(composer, model, clock);
}

}  // namespace candor
