// A customer turn's work without a language model, on one thread: find and
// mask personal data, understand (language, intent, distress), then the
// pipeline's own answering stages through its Runner: decide (the demo
// bank's policy), handoff, retrieve, compose, review and deliver. What it
// leaves out is storage: events go to a sink that only counts them (the
// durable events are bench/http's business).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "answer/answer.h"
#include "knowledge/knowledge.h"
#include "nlu/nlu.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "privacy/privacy.h"

namespace {

// Takes every event at once, as if it were durable, and counts it.
class CountingSink final : public candor::EventSink {
 public:
  void Emit(const std::string& conversation_id, candor::EventBody body,
            candor::AppendCallback done) override {
    ++events;
    if (done) done(candor::Event{conversation_id, ++seq, seq - 1, {}, std::move(body), ""});
  }
  size_t events = 0;
  int64_t seq = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"turn_bench: protect -> understand -> decide -> retrieve -> compose, one thread"};
  double seconds = 5;
  app.add_option("--seconds", seconds, "how long to run");
  CLI11_PARSE(app, argc, argv);
  using namespace candor;
  const std::string source = CANDOR_SOURCE_DIR;
  const std::string work = "/tmp/candor-turn-bench-" + std::to_string(::getpid());

  auto scanner = privacy::PiiScanner::Create();
  auto scratch = scanner->NewScratch();
  auto understander = nlu::Understander::Load(CANDOR_MODEL_DIR "/bank",
                                              CANDOR_MODEL_DIR "/distress", nlu::Language::kGerman);
  auto base = knowledge::KnowledgeBase::Open(work + "/kb");
  if (!scanner.ok() || !scratch.ok() || !understander.ok() || !base.ok()) {
    std::cerr << "turn_bench: set-up failed (are the models built?)\n";
    return 1;
  }
  if (auto imported = base->Import(source + "/data/kb/bank"); !imported.ok()) {
    std::cerr << imported.status().message() << "\n";
    return 1;
  }
  auto questions = knowledge::LoadQuestions(source + "/data/kb/bank/questions.jsonl");
  if (!questions.ok()) return 1;
  answer::ExtractiveComposer composer(*base);
  auto policy = policy::Policy::Load(source + "/data/policy/bank.toml");
  auto catalogue = policy::LoadIntentCatalogue(source + "/data/nlu/bank/intents.json");
  if (!policy.ok() || !catalogue.ok()) {
    std::cerr << "turn_bench: the demo policy or intent catalogue did not load\n";
    return 1;
  }
  SystemClock clock;
  CountingSink sink;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(MakeDecideStage(*policy, *catalogue, {}, clock));
  stages.push_back(MakeHandoffStage());
  stages.push_back(MakeRetrieveStage(composer));
  stages.push_back(MakeComposeStage(composer, nullptr, clock));
  stages.push_back(MakeReviewStage());
  stages.push_back(MakeDeliverStage());
  Runner answering(std::move(stages), sink, clock);

  size_t turns = 0, answered = 0, to_people = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const auto& question : *questions) {
      auto findings = scanner->Scan(question.text, *scratch);
      privacy::PlaceholderMap placeholders;
      const auto masked = privacy::Mask(question.text, *findings, placeholders);
      const auto understood = understander->Understand(masked.text);
      Turn turn;
      turn.conversation_id = "c_bench";
      turn.masked_text = masked.text;
      turn.message_seq = 1;
      turn.understanding = UnderstandingEvent{std::string(nlu::LanguageCode(understood.language)),
                                              understood.intent,
                                              understood.confidence,
                                              understood.in_scope,
                                              understood.distress,
                                              understander->ModelId()};
      answering.Run(std::move(turn), [&](Status status, const Turn& t) {
        if (!status.ok() || !t.decision) return;
        to_people += t.decision->action == DecisionAction::kPerson;
        answered += t.delivered && t.delivered->body.index() == 0 &&
                    std::get<MessageEvent>(t.delivered->body).why &&
                    !std::get<MessageEvent>(t.delivered->body).why->dont_know &&
                    t.decision->action == DecisionAction::kAnswer;
      });
      ++turns;
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::filesystem::remove_all(work);
  std::cout << fmt::format(
      "{:.0f} turns/s on one thread (protect, understand, decide, retrieve, compose, review, "
      "deliver; {} of {} answered by the AI, {} handed to people; {:.1f} events a turn)\n",
      static_cast<double>(turns) / elapsed, answered, turns, to_people,
      static_cast<double>(sink.events) / static_cast<double>(turns));
  return 0;
}
