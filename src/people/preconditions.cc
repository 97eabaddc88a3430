// The preconditions of people's state changes: pure checks over the events
// written after the state a decision was made on.
#include "people/people.h"

namespace candor::people {

Precondition DraftStillUnreviewed(int64_t draft_seq) {
  return {draft_seq, [draft_seq](const Event& since) {
            const auto* review = std::get_if<ReviewEvent>(&since.body);
            if (review == nullptr || review->draft_seq != draft_seq) return Status::Ok();
            return Status::Conflict(review->agent + " has already " +
                                    std::string(ReviewOutcomeName(review->outcome)) +
                                    " this draft");
          }};
}

Precondition HolderUnchanged(int64_t based_on_seq) {
  return {based_on_seq, [](const Event& since) {
            const auto* queue = std::get_if<QueueEvent>(&since.body);
            if (queue == nullptr) return Status::Ok();
            if (queue->change == QueueChange::kTaken) {
              return Status::Conflict(queue->agent + " has just taken this conversation");
            }
            if (queue->change == QueueChange::kHandedBack) {
              return Status::Conflict(queue->agent + " has just handed this conversation back");
            }
            return Status::Ok();
          }};
}

Precondition PromiseUnchanged(int64_t promise_seq, CommitmentChange change, int64_t based_on_seq) {
  const bool needs_no_answer =
      change == CommitmentChange::kMissed || change == CommitmentChange::kReminder;
  return {based_on_seq, [promise_seq, needs_no_answer](const Event& since) {
            if (const auto* c = std::get_if<CommitmentEvent>(&since.body)) {
              if (c->change != CommitmentChange::kMade && c->commitment == promise_seq) {
                return Status::Conflict("the promise was already marked " +
                                        std::string(CommitmentChangeName(c->change)));
              }
              return Status::Ok();
            }
            if (!needs_no_answer) return Status::Ok();
            if (const auto* m = std::get_if<MessageEvent>(&since.body)) {
              if (m->author == Author::kPerson || m->author == Author::kAiApproved) {
                return Status::Conflict("a person has just answered");
              }
            } else if (const auto* q = std::get_if<QueueEvent>(&since.body)) {
              if (q->change == QueueChange::kTaken || q->change == QueueChange::kHandedBack) {
                return Status::Conflict("the conversation has just changed hands");
              }
            }
            return Status::Ok();
          }};
}

}  // namespace candor::people
