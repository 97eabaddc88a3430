// Hub: fans committed events out to the live streams watching their
// conversation. Publish runs on the store's writer thread, so it only renders
// the frame once. A conversation watched by many streams gets its fan-out on
// `executor`, and the events committed before that runs go out together: one
// hand-over per stream for a whole batch, not one per event. The writer goes
// back to committing at once, however many streams are watching. Thread-safe.
#pragma once

#include <memory>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/event.h"

namespace candor {

// One event, rendered once as a Server-Sent Events frame.
struct SseFrame {
  int64_t seq;
  std::string text;  // "id: 3\nevent: message\ndata: {...}\n\n"
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

// Frames in commit order, shared by every stream they go to.
using SseFrames = std::shared_ptr<const std::vector<std::shared_ptr<const SseFrame>>>;

class StreamSubscriber {
 public:
  virtual ~StreamSubscriber() = default;
  // Must not block: may be called on the writer thread.
  virtual void Deliver(SseFrames frames) = 0;
};

class Hub {
 public:
  // Fan-out runs on `executor`: a function that runs a task, e.g. by posting it.
  explicit Hub(std::function<void(std::function<void()>)> executor)
      : executor_(std::move(executor)) {}

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

  // Frames waiting for a scheduled fan-out, per conversation. Guarded by mu_.
  std::unordered_map<std::string, std::vector<std::shared_ptr<const SseFrame>>> pending_;

  const std::function<void(std::function<void()>)> executor_;

  std::mutex mu_;
  uint64_t next_id_ = 1;  // guarded by mu_
  // guarded by mu_
  std::unordered_map<std::string,
                     std::unordered_map<uint64_t, std::shared_ptr<StreamSubscriber>>>
      subscribers_;
};

}  // namespace candor
