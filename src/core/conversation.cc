#include "core/conversation.h"

namespace candor {

void Apply(ConversationState& state, const Event& event) {
  state.last_seq = event.seq;
  const auto* message = std::get_if<MessageEvent>(&event.body);
  if (message == nullptr) return;
  ++state.messages;
  if (message->author == Author::kCustomer || message->author == Author::kCustomerAssistant) {
    ++state.customer_messages;
  }
  if (message->author == Author::kPerson || message->author == Author::kAiApproved) {
    state.person_joined = true;
  }
  // The customer's assistant speaks for the customer: the conversation awaits a reply.
  state.last_author =
      message->author == Author::kCustomerAssistant ? Author::kCustomer : message->author;
  state.last_message_at = event.at;
}

ConversationState Fold(std::span<const Event> events) {
  ConversationState state;
  for (const Event& e : events) Apply(state, e);
  return state;
}

}  // namespace candor
