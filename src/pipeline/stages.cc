#include <future>

#include "nlu/nlu.h"
#include "pipeline/pipeline.h"
#include "pipeline/protector.h"

namespace candor {
namespace {

class ReceiveStage final : public Stage {
 public:
  explicit ReceiveStage(Store& store) : store_(store) {}
  std::string_view Name() const override { return "receive"; }
  std::string_view LabelDe() const override { return "Nachricht empfangen"; }
  std::string_view LabelEn() const override { return "Message received"; }
  bool AppliesTo(const Turn& turn) const override { return turn.incoming; }

  Status Run(Turn& turn, EventSink&) override {
    auto conversation = store_.GetConversation(turn.conversation_id);
    if (!conversation.ok()) return conversation.status();
    turn.conversation_last_seq = conversation->last_seq;
    return Status::Ok();
  }

 private:
  Store& store_;
};

class ProtectStage final : public Stage {
 public:
  explicit ProtectStage(Protector& protector) : protector_(protector) {}
  std::string_view Name() const override { return "protect"; }
  std::string_view LabelDe() const override { return "Persönliche Daten geschützt"; }
  std::string_view LabelEn() const override { return "Personal data protected"; }
  bool AppliesTo(const Turn& turn) const override { return turn.incoming; }

  Status Run(Turn& turn, EventSink& sink) override {
    auto masked = protector_.Protect(turn.conversation_id, turn.text);
    if (!masked.ok()) return masked.status();
    turn.masked_text = masked->masked_text;
    // From here on no stage, model or log can see the text as typed.
    turn.text = turn.masked_text;
    std::optional<std::string> vault_map;
    if (!masked->sealed_map.empty()) vault_map = std::move(masked->sealed_map);
    // Queued while the conversation's lock is held: commit order is map order.
    sink.EmitWithVault(
        turn.conversation_id, MessageEvent{turn.author, turn.masked_text, ""}, std::move(vault_map),
        [stored = turn.stored](Result<Event> result) { stored->result = std::move(result); });
    // The lock goes with the rest of the turn's events (understanding takes
    // microseconds), so a message's intake is one append.
    sink.HoldUntilSent(std::move(masked->lock));
    return Status::Ok();
  }

 private:
  Protector& protector_;
};

class UnderstandStage final : public Stage {
 public:
  explicit UnderstandStage(const nlu::Understander& understander) : understander_(understander) {}
  std::string_view Name() const override { return "understand"; }
  std::string_view LabelDe() const override { return "Anliegen verstanden"; }
  std::string_view LabelEn() const override { return "Request understood"; }
  bool AppliesTo(const Turn& turn) const override { return turn.incoming; }

  Status Run(Turn& turn, EventSink& sink) override {
    // Only the masked text: no model sees personal data (P8).
    const nlu::Understanding understanding = understander_.Understand(turn.masked_text);
    UnderstandingEvent event{std::string(nlu::LanguageCode(understanding.language)),
                             understanding.intent,
                             understanding.confidence,
                             understanding.in_scope,
                             understanding.distress,
                             understander_.ModelId()};
    turn.understanding = event;
    // Ordered before this stage's "done", whose durability the runner awaits.
    sink.Emit(turn.conversation_id, std::move(event), {});
    return Status::Ok();
  }

 private:
  const nlu::Understander& understander_;
};

class DeliverStage final : public Stage {
 public:
  std::string_view Name() const override { return "deliver"; }
  std::string_view LabelDe() const override { return "Antwort gesendet"; }
  std::string_view LabelEn() const override { return "Reply sent"; }
  bool AppliesTo(const Turn& turn) const override { return turn.reply.has_value(); }

  // "sent" must not be shown for a reply that could still be lost, and it is
  // not: the reply is queued before this stage's "done" step, appends commit
  // in order and a batch commits whole, so the step is never durable (nor
  // seen) before the reply. No need to hold the pipeline's thread for the
  // commit. The runner reports the turn once its steps are durable, and the
  // reply's callback runs before theirs, so `delivered` is set by then; the
  // turn lives until the runner has reported it.
  Status Run(Turn& turn, EventSink& sink) override {
    Turn* t = &turn;
    sink.Emit(turn.conversation_id, *turn.reply, [t](Result<Event> result) {
      if (result.ok()) t->delivered = std::move(*result);
    });
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeReceiveStage(Store& store) {
  return std::make_unique<ReceiveStage>(store);
}

std::unique_ptr<Stage> MakeProtectStage(Protector& protector) {
  return std::make_unique<ProtectStage>(protector);
}

std::unique_ptr<Stage> MakeUnderstandStage(const nlu::Understander& understander) {
  return std::make_unique<UnderstandStage>(understander);
}

std::unique_ptr<Stage> MakeDeliverStage() { return std::make_unique<DeliverStage>(); }

}  // namespace candor
