// SessionStreams: the live streams opened with an agent's session, so that
// ending the session (logout, revocation, disabling the agent) closes them at
// once instead of letting them deliver customer messages to a session that
// no longer holds. Streams whose session ends elsewhere (the command line,
// another process) or runs out find out at their next session check.
//
// Thread-safe. A stream removes itself before it ends.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace candor {

class SessionStreams {
 public:
  // `close` must not block; it is called with no lock held.
  uint64_t Add(std::string session_hash, int64_t agent_id, std::function<void()> close) {
    std::lock_guard lock(mu_);
    const uint64_t id = next_id_++;
    streams_.emplace(id, Stream{std::move(session_hash), agent_id, std::move(close)});
    return id;
  }
  void Remove(uint64_t id) {
    std::lock_guard lock(mu_);
    streams_.erase(id);
  }
  // Closes the streams of one session, or of every session of one agent.
  void EndSession(const std::string& session_hash) {
    CloseWhere([&](const Stream& s) { return s.session_hash == session_hash; });
  }
  void EndAgent(int64_t agent_id) {
    CloseWhere([&](const Stream& s) { return s.agent_id == agent_id; });
  }

 private:
  struct Stream {
    std::string session_hash;
    int64_t agent_id;
    std::function<void()> close;
  };
  template <typename Pred>
  void CloseWhere(Pred&& pred) {
    std::vector<std::function<void()>> closing;
    {
      std::lock_guard lock(mu_);
      for (const auto& [id, stream] : streams_)
        if (pred(stream)) closing.push_back(stream.close);
    }
    for (auto& close : closing) close();
  }

  std::mutex mu_;
  uint64_t next_id_ = 1;                          // guarded by mu_
  std::unordered_map<uint64_t, Stream> streams_;  // guarded by mu_
};

}  // namespace candor
