// ConversationState: what a conversation is now, computed as a fold over its
// events. Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/event.h"

namespace candor {

struct ConversationState {
  int64_t last_seq = 0;
  int64_t messages = 0;
  int64_t customer_messages = 0;
  std::optional<Author> last_author;
  std::optional<Time> last_message_at;
  bool person_joined = false;  // a person has written in this conversation
  // The customer wrote last and nobody has answered yet.
  bool AwaitingReply() const { return last_author == Author::kCustomer; }
};

void Apply(ConversationState& state, const Event& event);
ConversationState Fold(std::span<const Event> events);

}  // namespace candor
