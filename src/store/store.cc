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
  // Shared: the writer thread may still be inside set_value when get() returns.
  auto promise = std::make_shared<std::promise<Result<Event>>>();
  auto future = promise->get_future();
  store.Append(std::move(request),
               [promise](Result<Event> result) { promise->set_value(std::move(result)); });
  return future.get();
}

Result<std::vector<Event>> AppendBatchAndWait(Store& store, std::vector<AppendRequest> requests) {
  auto promise = std::make_shared<std::promise<Result<std::vector<Event>>>>();
  auto future = promise->get_future();
  store.AppendBatch(std::move(requests), [promise](Result<std::vector<Event>> result) {
    promise->set_value(std::move(result));
  });
  return future.get();
}

}  // namespace candor
