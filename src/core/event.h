// Events: a conversation is an append-only sequence of these, numbered 1, 2, 3 ...
// without gaps. Everything else (state, live streams, metrics, the ledger) is
// derived from them. Plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.h"
#include "core/status.h"

namespace candor {

// Who wrote a message. Shown to everybody who reads it (principle P2).
enum class Author {
  kCustomer,
  kCustomerAssistant,  // the customer's own AI assistant, acting for them
  kAi,
  kPerson,
  kAiApproved,  // drafted by the AI, approved by a person before sending
};
std::string_view AuthorName(Author author);
Result<Author> ParseAuthor(std::string_view name);

struct MessageEvent {
  Author author = Author::kCustomer;
  std::string text;
  std::string agent;  // the person's display name, for kPerson and kAiApproved
};

enum class StepStatus { kStarted, kDone, kFailed };
std::string_view StepStatusName(StepStatus status);
Result<StepStatus> ParseStepStatus(std::string_view name);

// One stage of real work on a request (principle P1). Emitted by the pipeline
// runner when the stage starts and when it ends, never for work not done.
struct WorkStepEvent {
  std::string stage;  // "receive", "deliver", ...
  StepStatus status = StepStatus::kStarted;
  std::string label_de;
  std::string label_en;
  Time started_at;
  std::optional<Time> finished_at;  // set for kDone and kFailed
  std::string detail;               // why it failed; never personal data
};

// A person looked at the original of a masked value (principle P8): who, what
// and why, shown to the customer.
struct RevealEvent {
  std::string agent;
  std::string placeholder;  // "IBAN_1"
  std::string pii_type;     // "iban"
  std::string reason;
};

// What the understand stage made of a customer message (principle P3): the
// facts routing decides on and explains itself with. Read from masked text.
// It describes the latest customer message before it: one conversation's
// turns run one after the other, so no other customer message comes between.
struct UnderstandingEvent {
  std::string language;      // "de", "en" or "other"
  std::string intent;        // the most likely intent, even when out of scope
  double confidence = 0;     // calibrated probability of `intent`
  bool in_scope = false;     // false: the honest answer is "I don't know"
  double distress = 0;       // in [0, 1]: anger, despair, fear, urgency
  std::string model;         // which trained models decided (data digests)
};

using EventBody = std::variant<MessageEvent, WorkStepEvent, RevealEvent, UnderstandingEvent>;

// "message", "work_step", "reveal", "understanding": the stable names used in
// storage and the API.
std::string_view EventKind(const EventBody& body);

struct Event {
  std::string conversation_id;
  int64_t seq = 0;        // 1-based, gap-free within the conversation
  int64_t log_index = 0;  // 0-based position among all events, in commit order
  Time at;                // when it was committed
  EventBody body;
  std::string leaf_hash;  // its ledger leaf hash, 32 raw bytes (empty if not yet stored)
};

// The body as JSON (without seq/at), used for storage.
std::string EncodeEventBody(const EventBody& body);
Result<EventBody> DecodeEventBody(std::string_view kind, std::string_view json);

// The whole event as the API shows it.
nlohmann::json EventToJson(const Event& event);

}  // namespace candor
