// The pipeline: the stages a customer's request goes through, in order, each
// recorded as a work step the customer can watch (principle P1).
//
//   receive → protect → understand → decide → retrieve → compose → review? → deliver
//
// A Stage does one piece of real work on a Turn. The Runner, not the stage,
// emits the stage's work-step events: "started" when the stage begins, then
// "done" or "failed" with the real start and finish times. A stage that does
// not apply to a turn is skipped and leaves no trace: nothing is shown for
// work that did not happen. A business outcome (hand to a person, "I don't
// know") is a value in the Turn, never an error.
//
// Most stages take microseconds, so the runner holds a turn's events back and
// writes them together (one append for many events, each with its own real
// times). A stage that is about to wait (a language model, a person, its own
// event's durability) flushes first, so its "started" is seen while it waits.
//
// Thread-safety: a Runner may run several turns at once on different threads;
// stages must not keep per-turn state in members. One conversation's turns
// must be run one after the other by the caller, so their steps do not mix.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/status.h"
#include "knowledge/knowledge.h"
#include "store/store.h"

namespace candor {

// Where the protect stage puts the stored (masked) message: written on the
// store's thread when the message is committed, read in the runner's `done`.
struct StoredMessage {
  std::optional<Result<Event>> result;
};

// What the pipeline is working on: one request in one conversation.
struct Turn {
  std::string conversation_id;
  // Intake: a message from the customer (or their assistant) that is not
  // stored yet; "receive" takes it in and "protect" stores it masked.
  bool incoming = false;
  Author author = Author::kCustomer;
  std::string text;         // as typed until "protect" runs, masked after it
  std::string masked_text;  // set by "protect"
  std::optional<UnderstandingEvent> understanding;  // set by "understand"
  std::shared_ptr<StoredMessage> stored = std::make_shared<StoredMessage>();
  int64_t message_seq = 0;  // the customer message this turn answers (0: none)
  // What the conversation looked like before this turn (set by "receive").
  int64_t conversation_last_seq = 0;
  // Answering (after intake): the channel it came in on, whether the customer
  // asked for a person (the button, or in words), how the policy routed it
  // ("decide"), and the passages found for it ("retrieve").
  std::string channel = "chat";
  bool asked_for_person = false;
  std::optional<DecisionEvent> decision;
  std::vector<knowledge::Hit> passages;
  // The reply to send, if any stage produced one (set by later stages, or by a
  // person's reply); "deliver" sends it.
  std::optional<MessageEvent> reply;
  std::optional<Event> delivered;  // the reply as committed
};

class EventSink;

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view Name() const = 0;  // "receive", "deliver", ...
  virtual std::string_view LabelDe() const = 0;
  virtual std::string_view LabelEn() const = 0;
  // False when the stage has nothing to do for this turn; then it is not run
  // and no step is shown.
  virtual bool AppliesTo(const Turn& turn) const = 0;
  // `sink` is the turn's: what the stage emits lands between its own steps.
  [[nodiscard]] virtual Status Run(Turn& turn, EventSink& sink) = 0;
};

// Where the runner writes events. Appends are asynchronous and kept in order;
// `done` fires once the event is durable. `done` may be empty.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Emit(const std::string& conversation_id, EventBody body, AppendCallback done) = 0;
  // Emits a message together with the conversation's new sealed vault map.
  virtual void EmitWithVault(const std::string& conversation_id, EventBody body,
                             std::optional<std::string> vault_map, AppendCallback done) {
    (void)vault_map;
    Emit(conversation_id, std::move(body), std::move(done));
  }
  // Several events of one conversation, in order; `done` gets them all once
  // they are durable, or the first error. This default emits them one by one.
  virtual void EmitBatch(std::vector<AppendRequest> requests, AppendBatchCallback done);
  // A sink that holds events back sends them on now; others have nothing to do.
  virtual void Flush() {}
  // Keeps `order` locked until what was emitted so far has been sent on, for
  // what must reach the store in the order the lock gives (a conversation's
  // vault maps). This default sends at once.
  virtual void HoldUntilSent(std::unique_lock<std::mutex> order) {
    Flush();
    order.unlock();
  }
};

// An EventSink that appends to a Store.
class StoreEventSink final : public EventSink {
 public:
  explicit StoreEventSink(Store& store) : store_(store) {}
  void Emit(const std::string& conversation_id, EventBody body, AppendCallback done) override {
    store_.Append({conversation_id, std::move(body), std::nullopt}, std::move(done));
  }
  void EmitWithVault(const std::string& conversation_id, EventBody body,
                     std::optional<std::string> vault_map, AppendCallback done) override {
    store_.Append({conversation_id, std::move(body), std::move(vault_map)}, std::move(done));
  }
  // Atomic: the whole batch is durable or none of it.
  void EmitBatch(std::vector<AppendRequest> requests, AppendBatchCallback done) override {
    store_.AppendBatch(std::move(requests), std::move(done));
  }

 private:
  Store& store_;
};

class Runner {
 public:
  // `done` gets OK once every event of the turn is durable, or the first error.
  using Done = std::function<void(Status, const Turn&)>;

  Runner(std::vector<std::unique_ptr<Stage>> stages, EventSink& sink, const Clock& clock);

  // Runs the stages on the calling thread; `done` may run later, on the sink's
  // thread. The turn's events reach the sink in batches (see above).
  void Run(Turn turn, Done done);

  std::vector<std::string_view> StageNames() const;

 private:
  const std::vector<std::unique_ptr<Stage>> stages_;
  EventSink& sink_;
  const Clock& clock_;
};

// "receive": takes the customer's message into work: checks it belongs to a
// live conversation and notes where the conversation stood.
std::unique_ptr<Stage> MakeReceiveStage(Store& store);

class Protector;
// "protect": masks personal data in the incoming text, seals the originals in
// the vault, and stores the masked message (with its vault map, atomically).
std::unique_ptr<Stage> MakeProtectStage(Protector& protector);

namespace nlu {
class Understander;
}
// "understand": language, intent (or "I don't know") and distress, read from
// the masked text, recorded as an understanding event.
std::unique_ptr<Stage> MakeUnderstandStage(const nlu::Understander& understander);

namespace policy {
class Policy;
struct IntentCatalogue;
}  // namespace policy
namespace answer {
class ExtractiveComposer;
class LlmClient;
}  // namespace answer

// Whether the deployment's people are at work at a moment (business hours).
using OpenHours = std::function<bool(Time)>;

// "decide": the policy routes the understood message (answer, draft, person,
// unknown) and records the rule that fired and its reason as a decision event.
std::unique_ptr<Stage> MakeDecideStage(const policy::Policy& policy,
                                       const policy::IntentCatalogue& catalogue,
                                       OpenHours open_hours, const Clock& clock);

// "retrieve": searches the knowledge base for the passages an answer may cite;
// runs only when the policy lets the AI answer or draft.
std::unique_ptr<Stage> MakeRetrieveStage(const answer::ExtractiveComposer& composer);

// "compose": writes the answer from the passages found, with its sources and
// its why, or the honest "I don't know" with the offer of a person. With a
// language model, the model writes from the same passages, each attempt is a
// work step of its own, and only grounded sentences are kept; when none are,
// the extractive answer (or "I don't know") is given instead.
std::unique_ptr<Stage> MakeComposeStage(const answer::ExtractiveComposer& composer,
                                        const answer::LlmClient* model, const Clock& clock);

// "review": a draft the policy wants approved waits for a person (a draft
// event); the customer sees that it is being reviewed, not its text.
std::unique_ptr<Stage> MakeReviewStage();

// "handoff": the policy gives the request to people: the conversation joins
// their queue, and the AI tells the customer so, with the reason.
std::unique_ptr<Stage> MakeHandoffStage();

// "deliver": sends the turn's reply, if it has one, into the conversation.
std::unique_ptr<Stage> MakeDeliverStage();

}  // namespace candor
