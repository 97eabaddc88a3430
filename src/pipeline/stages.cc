#include <future>

#include "pipeline/pipeline.h"

namespace candor {
namespace {

class ReceiveStage final : public Stage {
 public:
  explicit ReceiveStage(Store& store) : store_(store) {}
  std::string_view Name() const override { return "receive"; }
  std::string_view LabelDe() const override { return "Nachricht empfangen"; }
  std::string_view LabelEn() const override { return "Message received"; }
  bool AppliesTo(const Turn& turn) const override { return turn.message_seq > 0; }

  Status Run(Turn& turn) override {
    auto conversation = store_.GetConversation(turn.conversation_id);
    if (!conversation.ok()) return conversation.status();
    turn.conversation_last_seq = conversation->last_seq;
    return Status::Ok();
  }

 private:
  Store& store_;
};

class DeliverStage final : public Stage {
 public:
  explicit DeliverStage(EventSink& sink) : sink_(sink) {}
  std::string_view Name() const override { return "deliver"; }
  std::string_view LabelDe() const override { return "Antwort gesendet"; }
  std::string_view LabelEn() const override { return "Reply sent"; }
  bool AppliesTo(const Turn& turn) const override { return turn.reply.has_value(); }

  // Waits for the reply to be durable: "sent" must not be shown for a reply
  // that could still be lost.
  Status Run(Turn& turn) override {
    // Shared: the writer thread may still be inside set_value when get() returns.
    auto promise = std::make_shared<std::promise<Result<Event>>>();
    auto future = promise->get_future();
    sink_.Emit(turn.conversation_id, *turn.reply,
               [promise](Result<Event> result) { promise->set_value(std::move(result)); });
    auto event = future.get();
    if (!event.ok()) return event.status();
    turn.delivered = std::move(*event);
    return Status::Ok();
  }

 private:
  EventSink& sink_;
};

}  // namespace

std::unique_ptr<Stage> MakeReceiveStage(Store& store) {
  return std::make_unique<ReceiveStage>(store);
}

std::unique_ptr<Stage> MakeDeliverStage(EventSink& sink) {
  return std::make_unique<DeliverStage>(sink);
}

}  // namespace candor
