// Events: a conversation is an append-only sequence of these, numbered 1, 2, 3 ...
// without gaps. Everything else (state, live streams, metrics, the ledger) is
// derived from them. Plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

// The sub-kinds of events, typed; their names (in comments) are what storage,
// the API and the streams carry. Parse* refuses any other name.

// What the policy decided for a customer message (principles P3, P5).
enum class DecisionAction {
  kAnswer,   // "answer": the AI answers alone
  kDraft,    // "draft": the AI drafts, a person approves before the customer sees it
  kPerson,   // "person": only people handle it; the conversation joins the queue
  kUnknown,  // "unknown": the AI says it does not know and offers a person (P6)
};
std::string_view DecisionActionName(DecisionAction action);
Result<DecisionAction> ParseDecisionAction(std::string_view name);

enum class ReviewOutcome { kApproved, kEdited, kRejected };  // "approved", "edited", "rejected"
std::string_view ReviewOutcomeName(ReviewOutcome outcome);
Result<ReviewOutcome> ParseReviewOutcome(std::string_view name);

// "joined", "moved", "taken", "handed_back"
enum class QueueChange { kJoined, kMoved, kTaken, kHandedBack };
std::string_view QueueChangeName(QueueChange change);
Result<QueueChange> ParseQueueChange(std::string_view name);

// "made", "reminder", "missed", "kept", "answered_late"
enum class CommitmentChange { kMade, kReminder, kMissed, kKept, kAnsweredLate };
std::string_view CommitmentChangeName(CommitmentChange change);
Result<CommitmentChange> ParseCommitmentChange(std::string_view name);

// Who or what a promised time came from.
enum class CommitmentSource {
  kQueue,          // "queue": the expected wait we showed
  kAgent,          // "agent": a time a person promised in a reply
  kBusinessHours,  // "business_hours": "we answer within N business hours"
};
std::string_view CommitmentSourceName(CommitmentSource source);
Result<CommitmentSource> ParseCommitmentSource(std::string_view name);

// A passage an AI answer cites as [number].
struct SourceRef {
  int number = 0;
  std::string title;
  std::string url;
  std::string heading;
  std::string passage;
};

// Why the AI wrote what it wrote (principle P3), kept with the message so
// the customer's "Why?" shows what really decided, never a reconstruction.
struct AnswerWhy {
  std::string intent;  // what the customer was understood to want
  double intent_confidence = 0;
  std::string language;
  DecisionAction action = DecisionAction::kAnswer;  // the policy's action
  std::string rule;                                 // the policy rule that fired
  std::string reason_de;                            // its customer-facing reason
  std::string reason_en;
  std::string composer;            // "extractive" or "model:<name>"
  double confidence = 0;           // the composer's confidence in its answer
  bool dont_know = false;          // the honest "I don't know"
  std::string explanation;         // for people, English, no personal data
  std::vector<SourceRef> sources;  // what the text cites
};

struct MessageEvent {
  MessageEvent() = default;
  MessageEvent(Author author_in, std::string text_in, std::string agent_in = {},
               int64_t in_reply_to_in = 0, std::optional<AnswerWhy> why_in = std::nullopt)
      : author(author_in),
        text(std::move(text_in)),
        agent(std::move(agent_in)),
        in_reply_to(in_reply_to_in),
        why(std::move(why_in)) {}

  Author author = Author::kCustomer;
  std::string text;
  std::string agent;             // the person's display name, for kPerson and kAiApproved
  int64_t in_reply_to = 0;       // the customer message it answers (0: none)
  std::optional<AnswerWhy> why;  // for AI messages
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
  std::string language;   // "de", "en" or "other"
  std::string intent;     // the most likely intent, even when out of scope
  double confidence = 0;  // calibrated probability of `intent`
  bool in_scope = false;  // false: the honest answer is "I don't know"
  double distress = 0;    // in [0, 1]: anger, despair, fear, urgency
  std::string model;      // which trained models decided (data digests)
};

// How the policy routed a customer message (principles P3, P5): the rule
// that fired and the reason the customer is shown.
struct DecisionEvent {
  int64_t message_seq = 0;  // the customer message decided on
  DecisionAction action = DecisionAction::kAnswer;
  std::string rule;
  std::string reason_de;
  std::string reason_en;
  std::string trace;  // the rules tried and why each matched or not (people only)
};

// An AI answer a person must approve before the customer gets it (P5). The
// customer sees that a person is reviewing it, never the unapproved text.
struct DraftEvent {
  int64_t message_seq = 0;  // the customer message it answers
  std::string text;
  std::optional<AnswerWhy> why;
};

// What a person did with a draft: "approved" as written, "edited" (then sent
// as ai_approved with the edit's size), or "rejected" with a reason.
struct ReviewEvent {
  int64_t draft_seq = 0;
  ReviewOutcome outcome = ReviewOutcome::kApproved;
  std::string agent;
  std::string reason;      // for "rejected"
  int64_t edit_chars = 0;  // characters changed, for "edited"
};

// The conversation's place with people (P4): "joined" the queue for a person
// (asked by the customer, or by the policy), "moved" to a new place while
// waiting (others ahead were helped, or a late one went first), "taken" by a
// person, "handed_back" to the AI.
struct QueueEvent {
  QueueChange change = QueueChange::kJoined;
  std::string requested_by;  // "customer" or "policy", for "joined"
  std::string agent;         // for "taken" and "handed_back"
  std::string reason_de;
  std::string reason_en;
  int64_t position = 0;  // for "moved": the new place, 1 being next
};

// A promised reply time (P7): "made" (from the queue's expected wait, a
// person's "I'll get back to you by ..." or business hours), "kept", or
// "missed" with the new time the customer is told honestly.
struct CommitmentEvent {
  CommitmentChange change = CommitmentChange::kMade;
  int64_t commitment = 0;  // the seq of the event that made it
  CommitmentSource source = CommitmentSource::kQueue;
  Time due;
  std::string agent;
  std::string notice_de;
  std::string notice_en;
};

using EventBody = std::variant<MessageEvent, WorkStepEvent, RevealEvent, UnderstandingEvent,
                               DecisionEvent, DraftEvent, ReviewEvent, QueueEvent, CommitmentEvent>;

// "message", "work_step", "reveal", "understanding", "decision", "draft",
// "review", "queue", "commitment": the stable names used in storage and the API.
std::string_view EventKind(const EventBody& body);

struct Event {
  std::string conversation_id;
  int64_t seq = 0;        // 1-based, gap-free within the conversation
  int64_t log_index = 0;  // 0-based position among all events, in commit order
  Time at;                // when it was committed
  EventBody body;
  std::string leaf_hash;  // its ledger leaf hash, 32 raw bytes (empty if not yet stored)
};

// What a state change depends on (principles P4, P5, P7: a draft approved
// once, one person holding a conversation, a promise closed once). The
// caller decided on the conversation as it stood at `based_on_seq`; the
// store, inside the very transaction that would write the new event, hands
// `check` every event of the conversation after that seq, and writes nothing
// when one of them makes `check` return an error (typically kConflict): that
// error is the append's result. Checking there, not before an await, is what
// makes two concurrent approvals of one draft end in one approval.
// A Precondition without a check is none: the append is unconditional.
struct Precondition {
  int64_t based_on_seq = 0;
  std::function<Status(const Event& since)> check;
};

// The body as JSON (without seq/at), used for storage.
std::string EncodeEventBody(const EventBody& body);
// The same through the generic JSON writer, for tests of the direct one.
std::string EncodeEventBodyGeneric(const EventBody& body);
Result<EventBody> DecodeEventBody(std::string_view kind, std::string_view json);

// The whole event as the API shows it to the people who run the service.
nlohmann::json EventToJson(const Event& event);

// What a conversation's customer may see of its events: the one rule behind
// the events API, the live streams and the export. The distress score and the
// models behind an understanding, a decision's trace of rules tried, and a
// draft's unapproved text and why are for the people who help them.
// True when the customer may see the whole event (then its stored body may
// go to them as well, as in an export).
bool CustomerSeesWholeEvent(const EventBody& body);
// EventToJson without what the customer may not see.
nlohmann::json EventToJsonForCustomer(const Event& event);

// A message's public id, "<conversation id>.<seq>", and back.
std::string MessageId(const std::string& conversation_id, int64_t seq);
bool ParseMessageId(std::string_view id, std::string* conversation_id, int64_t* seq);

// The "why" as the API shows it.
nlohmann::json WhyToJson(const AnswerWhy& why);

}  // namespace candor
