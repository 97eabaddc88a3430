#include "server/internal/hub.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace candor {

std::shared_ptr<const SseFrame> RenderSseFrame(const Event& event) {
  auto frame = std::make_shared<SseFrame>();
  frame->seq = event.seq;
  frame->event = std::make_shared<const Event>(event);
  frame->text = "id: " + std::to_string(event.seq) + "\nevent: " +
                std::string(EventKind(event.body)) + "\ndata: " + EventToJson(event).dump() +
                "\n\n";
  return frame;
}

std::unique_ptr<Hub::Subscription> Hub::Subscribe(const std::string& conversation_id,
                                                  std::shared_ptr<StreamSubscriber> subscriber) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  subscribers_[conversation_id].emplace(id, std::move(subscriber));
  return std::make_unique<Subscription>(this, conversation_id, id);
}

void Hub::Unsubscribe(const std::string& conversation_id, uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = subscribers_.find(conversation_id);
  if (it == subscribers_.end()) return;
  it->second.erase(id);
  if (it->second.empty()) subscribers_.erase(it);
}

void Hub::Publish(const Event& event) {
  std::vector<std::shared_ptr<StreamSubscriber>> few;
  {
    std::lock_guard lock(mu_);
    auto it = subscribers_.find(event.conversation_id);
    if (it == subscribers_.end()) return;  // nobody watching: render nothing
    if (it->second.size() > 8) {
      auto& pending = pending_[event.conversation_id];
      pending.push_back(RenderSseFrame(event));
      if (pending.size() == 1) {  // the first since the last fan-out: schedule one
        executor_([this, id = event.conversation_id] { Flush(id); });
      }
      return;
    }
    for (const auto& [id, subscriber] : it->second) few.push_back(subscriber);
  }
  // A customer and an agent or two: no need to hop threads.
  auto frames = std::make_shared<const std::vector<std::shared_ptr<const SseFrame>>>(
      std::vector<std::shared_ptr<const SseFrame>>{RenderSseFrame(event)});
  for (const auto& subscriber : few) subscriber->Deliver(frames);
}

void Hub::Flush(const std::string& conversation_id) {
  std::vector<std::shared_ptr<StreamSubscriber>> targets;
  std::vector<std::shared_ptr<const SseFrame>> taken;
  {
    std::lock_guard lock(mu_);
    auto pending = pending_.find(conversation_id);
    if (pending == pending_.end()) return;
    taken = std::move(pending->second);
    pending_.erase(pending);
    auto it = subscribers_.find(conversation_id);
    if (it == subscribers_.end()) return;
    targets.reserve(it->second.size());
    for (const auto& [id, subscriber] : it->second) targets.push_back(subscriber);
  }
  auto frames = std::make_shared<const std::vector<std::shared_ptr<const SseFrame>>>(
      std::move(taken));
  for (const auto& subscriber : targets) subscriber->Deliver(frames);
}

}  // namespace candor
