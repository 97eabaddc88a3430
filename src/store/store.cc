#include "store/store.h"

#include <future>

namespace candor {

std::string_view AgentRoleName(AgentRole role) {
  return role == AgentRole::kAdmin ? "admin" : "agent";
}

Result<AgentRole> ParseAgentRole(std::string_view name) {
  if (name == "agent") return AgentRole::kAgent;
  if (name == "admin") return AgentRole::kAdmin;
  return Status::InvalidArgument("role must be 'agent' or 'admin'", "role");
}

Result<Event> AppendAndWait(Store& store, AppendRequest request) {
  std::promise<Result<Event>> promise;
  auto future = promise.get_future();
  store.Append(std::move(request), [&promise](Result<Event> result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

}  // namespace candor
