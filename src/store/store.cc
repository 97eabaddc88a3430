#include "store/store.h"

#include <algorithm>
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

namespace {

// Whether a snapshot was taken of this log: the event it was taken after is
// stored with the same leaf hash (a database put back from an older copy, or
// another database, gives a different answer).
Status FitsTheLog(Store& store, const ProjectionSnapshot& snapshot) {
  if (snapshot.through_log_index < 0) return Status::Ok();
  auto leaf = store.ReadLeafHashes(snapshot.through_log_index, 1);
  if (!leaf.ok()) return leaf.status();
  if (leaf->empty()) {
    return Status::InvalidArgument("taken after event " +
                                   std::to_string(snapshot.through_log_index) +
                                   ", which the log does not have");
  }
  if (leaf->front() != snapshot.through_leaf_hash) {
    return Status::InvalidArgument("taken after an event the log holds differently");
  }
  return Status::Ok();
}

}  // namespace

Result<ProjectionsRestored> RestoreProjections(Store& store,
                                               const std::vector<Projection*>& projections) {
  constexpr int kPage = 2000;
  ProjectionsRestored restored;
  std::vector<int64_t> starts;  // per projection: the first log index it still needs
  for (Projection* projection : projections) {
    int64_t start = 0;
    auto snapshot = store.LoadProjectionSnapshot(projection->ProjectionName());
    if (snapshot.ok()) {
      Status usable = FitsTheLog(store, *snapshot);
      if (usable.ok()) usable = projection->Restore(*snapshot);
      if (usable.ok()) {
        start = snapshot->through_log_index + 1;
        restored.from_snapshot.push_back(projection->ProjectionName());
      } else {
        restored.ignored.push_back(projection->ProjectionName() + ": " + usable.message());
      }
    } else if (snapshot.status().code() != StatusCode::kNotFound) {
      return snapshot.status();
    }
    starts.push_back(start);
  }
  if (projections.empty()) return restored;
  int64_t next = *std::min_element(starts.begin(), starts.end());
  while (true) {
    auto events = store.ReadLog(next, kPage);
    if (!events.ok()) return events.status();
    for (const Event& event : *events) {
      for (size_t i = 0; i < projections.size(); ++i) {
        if (event.log_index >= starts[i]) projections[i]->OnCommit(event);
      }
    }
    restored.events_folded += static_cast<int64_t>(events->size());
    if (events->size() < static_cast<size_t>(kPage)) break;
    next = events->back().log_index + 1;
  }
  return restored;
}

Status SaveProjectionSnapshots(Store& store, const std::vector<Projection*>& projections,
                               Time now) {
  for (Projection* projection : projections) {
    ProjectionSnapshot snapshot = projection->Snapshot();
    snapshot.name = projection->ProjectionName();
    snapshot.saved_at = now;
    CANDOR_RETURN_IF_ERROR(store.SaveProjectionSnapshot(snapshot));
  }
  return Status::Ok();
}

}  // namespace candor
