// Hub: fans committed events out to the live streams watching their
// conversation. Publish runs on the store's commit thread, so it only renders
// the frame once, into the conversation's feed. A conversation watched by many
// streams gets its fan-out on `executor`, and the events committed before each
// stream's hand-over runs go out together: one hand-over per stream for a
// whole batch, not one per event. The writer goes
// back to committing at once, however many streams are watching.
//
// One fan-out at a time per conversation: what is committed while a fan-out's
// hand-overs are still running waits for the last of them, then goes out in
// the next one. So every stream has a message before any stream gets a second
// write for what followed it (the AI's answer steps, say), and a stream that
// the first fan-out reaches late gets both in one write.
//
// Thread-safe. Destroy the Hub only after the threads that run hand-overs
// have stopped; hand-overs never run are harmless (they are dropped).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event.h"

namespace candor {

// One event, rendered once as a Server-Sent Events frame.
struct SseFrame {
  int64_t seq;
  std::string text;                    // "id: 3\nevent: message\ndata: {...}\n\n"
  std::shared_ptr<const Event> event;  // for streams that render it their own way

  // The frame as the conversation's customer sees it, rendered by the first
  // customer stream that needs it and shared by the others: what a customer
  // may see of an event depends only on the event and its conversation.
  template <typename Render>
  const std::string& CustomerText(Render&& render) const {
    std::call_once(customer_once_, [&] { customer_text_ = render(); });
    return customer_text_;
  }

 private:
  mutable std::once_flag customer_once_;
  mutable std::string customer_text_;
};
std::shared_ptr<const SseFrame> RenderSseFrame(const Event& event);

// The latest frames of one conversation in commit order, shared by all its
// streams. A stream reads it when its delivery runs, so a stream reached late
// in one fan-out already gets the events committed since, and the next
// fan-out finds it up to date. Only the latest kKeep frames are kept: a stream
// further behind sees a gap and reads the store. Thread-safe.
class SseFeed {
 public:
  static constexpr size_t kKeep = 512;

  void Add(std::shared_ptr<const SseFrame> frame);
  // Appends the frames with seq > after to `out`, in order.
  void FramesAfter(int64_t after, std::vector<std::shared_ptr<const SseFrame>>& out) const;

 private:
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const SseFrame>> frames_;  // guarded by mu_
};

// Held by every hand-over of one fan-out until it has run; the fan-out is
// over when the last one lets go. Opaque to subscribers.
using FanoutRound = std::shared_ptr<void>;

class StreamSubscriber {
 public:
  virtual ~StreamSubscriber() = default;
  // The feed has new frames. Must not block: may be called on the commit
  // thread. Keep `round` (it may be empty) until the frames are taken from
  // the feed, then let it go.
  virtual void Deliver(std::shared_ptr<const SseFeed> feed, FanoutRound round) = 0;
};

class Hub {
 public:
  // Fan-out runs on `executor`: a function that runs a task, e.g. by posting it.
  explicit Hub(std::function<void(std::function<void()>)> executor)
      : executor_(std::move(executor)), self_(std::make_shared<Hub*>(this)) {}
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Unsubscribes on destruction.
  class Subscription {
   public:
    Subscription(Hub* hub, std::string conversation_id, uint64_t id)
        : hub_(hub), conversation_id_(std::move(conversation_id)), id_(id) {}
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription() { hub_->Unsubscribe(conversation_id_, id_); }

   private:
    Hub* hub_;
    std::string conversation_id_;
    uint64_t id_;
  };

  std::unique_ptr<Subscription> Subscribe(const std::string& conversation_id,
                                          std::shared_ptr<StreamSubscriber> subscriber);
  void Publish(const Event& event);

 private:
  void Unsubscribe(const std::string& conversation_id, uint64_t id);
  void Flush(const std::string& conversation_id);
  // The last hand-over of a fan-out has run.
  void FanoutDone(const std::string& conversation_id);

  // Each watched conversation's feed, and where its fan-out stands.
  struct Watched {
    std::unordered_map<uint64_t, std::shared_ptr<StreamSubscriber>> subscribers;
    std::shared_ptr<SseFeed> feed = std::make_shared<SseFeed>();
    bool flush_scheduled = false;  // a Flush task is queued
    bool in_flight = false;        // a fan-out's hand-overs are still running
    bool more = false;             // frames came while in flight: fan out again after
    // Nothing scheduled, running or subscribed: the entry can go.
    bool Unused() const { return subscribers.empty() && !flush_scheduled && !in_flight; }
  };

  const std::function<void(std::function<void()>)> executor_;
  // What a fan-out's round holds to find the Hub again; hand-overs dropped
  // after the Hub is gone find nothing.
  const std::shared_ptr<Hub*> self_;

  std::mutex mu_;
  uint64_t next_id_ = 1;                              // guarded by mu_
  std::unordered_map<std::string, Watched> watched_;  // guarded by mu_
};

}  // namespace candor
