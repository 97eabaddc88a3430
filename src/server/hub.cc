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
  std::vector<std::shared_ptr<StreamSubscriber>> targets;
  {
    std::lock_guard lock(mu_);
    auto it = subscribers_.find(event.conversation_id);
    if (it == subscribers_.end()) return;  // nobody watching: render nothing
    targets.reserve(it->second.size());
    for (const auto& [id, subscriber] : it->second) targets.push_back(subscriber);
  }
  auto frame = RenderSseFrame(event);
  if (targets.size() <= 8) {  // a customer and an agent or two: no need to hop threads
    for (const auto& subscriber : targets) subscriber->Deliver(frame);
    return;
  }
  executor_([targets = std::move(targets), frame = std::move(frame)] {
    for (const auto& subscriber : targets) subscriber->Deliver(frame);
  });
}

}  // namespace candor
