// Fills a candor database with N events of realistic shape for bench/start_time:
// conversations of a few turns (customer message, understanding, decision,
// work steps, answer), a fifth of them with a person (queue, promise, take,
// reply, hand-back). Writes through the store like the server does, many
// appends in flight so that group commit keeps up.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "store/store.h"

namespace candor {
namespace {

std::vector<AppendRequest> Conversation(const std::string& id, int events, Time now, int n) {
  std::vector<AppendRequest> out;
  auto add = [&](EventBody body) {
    if (static_cast<int>(out.size()) < events) out.push_back({id, std::move(body)});
  };
  const bool with_person = n % 5 == 0;
  int64_t seq = 0;
  while (static_cast<int>(out.size()) < events) {
    add(MessageEvent{Author::kCustomer, "Wie hoch ist das Tageslimit meiner Karte [IBAN_1]?"});
    const int64_t asked = ++seq;
    add(UnderstandingEvent{"de", "card_limits", 0.91, true, 0.05, "nlu:bank"});
    add(DecisionEvent{asked, DecisionAction::kAnswer, "answer_when_sure", "Sicher genug",
                      "Sure enough", ""});
    add(WorkStepEvent{"retrieve", StepStatus::kDone, "Artikel gesucht", "Searched articles", now,
                      now, ""});
    add(WorkStepEvent{"compose", StepStatus::kDone, "Antwort verfasst", "Answer written", now, now,
                      ""});
    AnswerWhy why;
    why.intent = "card_limits";
    why.action = DecisionAction::kAnswer;
    why.composer = "extractive";
    why.confidence = 0.8;
    add(MessageEvent{Author::kAi, "Das Tageslimit liegt bei 1.000 EUR, siehe Kartenlimits.", "",
                     asked, why});
    seq += 5;
    if (with_person && seq < 20) {
      add(QueueEvent{QueueChange::kJoined, "customer", "", "Sie wollten einen Menschen",
                     "You asked", 0});
      add(CommitmentEvent{CommitmentChange::kMade, 0, CommitmentSource::kQueue,
                          now + std::chrono::minutes(10), "", "bis", "by"});
      const int64_t made = seq + 2;
      add(QueueEvent{QueueChange::kTaken, "", "anna", "", "", 0});
      add(MessageEvent{Author::kPerson, "Ich habe das Limit angepasst.", "Anna"});
      add(CommitmentEvent{CommitmentChange::kKept, made, CommitmentSource::kQueue, {}, "", "", ""});
      add(QueueEvent{QueueChange::kHandedBack, "", "anna", "", "", 0});
      seq += 6;
    }
  }
  return out;
}

int Main(int argc, char** argv) {
  CLI::App app{"Fills a candor database for the start-up benchmark"};
  std::string data_dir;
  int64_t total = 1'000'000;
  int per_conversation = 40;
  app.add_option("--data", data_dir, "data directory (candor.db is created in it)")->required();
  app.add_option("--events", total, "events to write");
  app.add_option("--per-conversation", per_conversation, "events per conversation");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::create_directories(data_dir);
  SystemClock clock;
  auto store = OpenSqliteStore(data_dir + "/candor.db", clock);
  if (!store.ok()) {
    fmt::print(stderr, "{}\n", store.status().message());
    return 1;
  }
  auto counted = (*store)->CountEvents();
  if (!counted.ok()) {
    fmt::print(stderr, "{}\n", counted.status().message());
    return 1;
  }
  const int64_t existing = *counted;
  const int64_t conversations = (total - existing + per_conversation - 1) / per_conversation;

  std::mutex mu;
  std::condition_variable cv;
  int64_t in_flight = 0, written = 0;
  bool failed = false;
  std::atomic<int64_t> next{0};
  constexpr int64_t kInFlight = 4000;  // batches queued at the writer at once
  const auto started = std::chrono::steady_clock::now();
  auto worker = [&] {
    while (true) {
      const int64_t n = next++;
      if (n >= conversations) return;
      const std::string id = fmt::format("b{}_{}", existing, n);
      Status created = (*store)->CreateConversation({id, "h" + id, clock.Now(), 0, ""});
      if (!created.ok()) {
        std::lock_guard lock(mu);
        failed = true;
        return;
      }
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return in_flight < kInFlight; });
        ++in_flight;
      }
      (*store)->AppendBatch(Conversation(id, per_conversation, clock.Now(), static_cast<int>(n)),
                            [&](Result<std::vector<Event>> done) {
                              std::lock_guard lock(mu);
                              --in_flight;
                              if (done.ok()) {
                                written += static_cast<int64_t>(done->size());
                              } else {
                                failed = true;
                              }
                              cv.notify_all();
                            });
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("filled: {} events written ({} before) in {:.0f} s{}\n", written, existing, seconds,
             failed ? " (some writes FAILED)" : "");
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) { return candor::Main(argc, argv); }
