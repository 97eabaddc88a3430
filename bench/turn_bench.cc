// A customer turn's work without a language model, on one thread: find and
// mask personal data, understand (language, intent, distress), retrieve and
// compose the answer or "I don't know". What it leaves out is storage (the
// durable events are bench/http's business) and the decide stage, which does
// not exist yet.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "answer/answer.h"
#include "knowledge/knowledge.h"
#include "nlu/nlu.h"
#include "privacy/privacy.h"

int main(int argc, char** argv) {
  CLI::App app{"turn_bench: protect -> understand -> retrieve -> compose, one thread"};
  double seconds = 5;
  app.add_option("--seconds", seconds, "how long to run");
  CLI11_PARSE(app, argc, argv);
  using namespace candor;
  const std::string source = CANDOR_SOURCE_DIR;
  const std::string work = "/tmp/candor-turn-bench-" + std::to_string(::getpid());

  auto scanner = privacy::PiiScanner::Create();
  auto scratch = scanner->NewScratch();
  auto understander = nlu::Understander::Load(CANDOR_MODEL_DIR "/bank", CANDOR_MODEL_DIR "/distress",
                                              nlu::Language::kGerman);
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

  size_t turns = 0, answered = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const auto& question : *questions) {
      auto findings = scanner->Scan(question.text, *scratch);
      privacy::PlaceholderMap placeholders;
      const auto masked = privacy::Mask(question.text, *findings, placeholders);
      const auto understood = understander->Understand(masked.text);
      const auto reply = composer.Compose({masked.text,
                                           std::string(nlu::LanguageCode(understood.language)),
                                           understood.intent, understood.in_scope});
      answered += !reply.dont_know;
      ++turns;
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::filesystem::remove_all(work);
  std::cout << fmt::format(
      "{:.0f} turns/s on one thread (protect, understand, retrieve, compose; {} of {} answered)\n",
      static_cast<double>(turns) / elapsed, answered, turns);
  return 0;
}
