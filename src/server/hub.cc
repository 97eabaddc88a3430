#include "server/internal/hub.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace candor {

std::shared_ptr<const SseFrame> RenderSseFrame(const Event& event) {
  auto frame = std::make_shared<SseFrame>();
  frame->seq = event.seq;
  frame->event = std::make_shared<const Event>(event);
  frame->text = "id: " + std::to_string(event.seq) +
                "\nevent: " + std::string(EventKind(event.body)) +
                "\ndata: " + EventToJson(event).dump() + "\n\n";
  return frame;
}

void SseFeed::Add(std::shared_ptr<const SseFrame> frame) {
  std::lock_guard lock(mu_);
  frames_.push_back(std::move(frame));
  if (frames_.size() > kKeep) frames_.pop_front();
}

void SseFeed::FramesAfter(int64_t after, std::vector<std::shared_ptr<const SseFrame>>& out) const {
  std::lock_guard lock(mu_);
  // Seqs rise along the feed: find the first one after `after` from the end.
  auto it = frames_.end();
  while (it != frames_.begin() && (*std::prev(it))->seq > after) --it;
  out.insert(out.end(), it, frames_.end());
}

std::unique_ptr<Hub::Subscription> Hub::Subscribe(const std::string& conversation_id,
                                                  std::shared_ptr<StreamSubscriber> subscriber) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  watched_[conversation_id].subscribers.emplace(id, std::move(subscriber));
  return std::make_unique<Subscription>(this, conversation_id, id);
}

void Hub::Unsubscribe(const std::string& conversation_id, uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = watched_.find(conversation_id);
  if (it == watched_.end()) return;
  it->second.subscribers.erase(id);
  if (it->second.Unused()) watched_.erase(it);
}

void Hub::Publish(const Event& event) {
  std::vector<std::shared_ptr<StreamSubscriber>> few;
  std::shared_ptr<const SseFeed> feed;
  {
    std::lock_guard lock(mu_);
    auto it = watched_.find(event.conversation_id);
    if (it == watched_.end() || it->second.subscribers.empty()) return;  // nobody watching
    Watched& w = it->second;
    w.feed->Add(RenderSseFrame(event));
    if (w.subscribers.size() > 8) {
      if (w.in_flight) {
        w.more = true;                  // goes out when the running fan-out is over
      } else if (!w.flush_scheduled) {  // the first since the last fan-out: schedule one
        w.flush_scheduled = true;
        executor_([this, id = event.conversation_id] { Flush(id); });
      }
      return;
    }
    // A customer and an agent or two: no need to hop threads.
    for (const auto& [id, subscriber] : w.subscribers) few.push_back(subscriber);
    feed = w.feed;
  }
  for (const auto& subscriber : few) subscriber->Deliver(feed, nullptr);
}

void Hub::Flush(const std::string& conversation_id) {
  std::vector<std::shared_ptr<StreamSubscriber>> targets;
  std::shared_ptr<const SseFeed> feed;
  {
    std::lock_guard lock(mu_);
    auto it = watched_.find(conversation_id);
    if (it == watched_.end()) return;
    Watched& w = it->second;
    w.flush_scheduled = false;
    if (w.subscribers.empty()) {
      if (w.Unused()) watched_.erase(it);
      return;
    }
    w.in_flight = true;
    targets.reserve(w.subscribers.size());
    for (const auto& [id, subscriber] : w.subscribers) targets.push_back(subscriber);
    feed = w.feed;
  }
  // The round ends when the last hand-over lets go of it.
  FanoutRound round(static_cast<void*>(nullptr),
                    [hub = std::weak_ptr<Hub*>(self_), conversation_id](void*) {
                      if (auto alive = hub.lock()) (*alive)->FanoutDone(conversation_id);
                    });
  for (const auto& subscriber : targets) subscriber->Deliver(feed, round);
}

void Hub::FanoutDone(const std::string& conversation_id) {
  std::lock_guard lock(mu_);
  auto it = watched_.find(conversation_id);
  if (it == watched_.end()) return;
  Watched& w = it->second;
  w.in_flight = false;
  if (w.more && !w.subscribers.empty()) {
    w.more = false;
    w.flush_scheduled = true;
    executor_([this, conversation_id] { Flush(conversation_id); });
    return;
  }
  w.more = false;
  if (w.Unused()) watched_.erase(it);
}

}  // namespace candor
