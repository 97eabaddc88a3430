// Store: the durable home of conversations, their events, agents and sessions.
//
// Writes are durable when they report success: an append's callback runs only
// after its transaction is on disk. Implementations batch concurrent appends
// into one transaction (group commit), so many writers share one fsync.
// Sequence numbers are assigned by the store, per conversation, 1, 2, 3 ...
// without gaps, and a global log index orders all events in commit order.
//
// Thread-safety: every method may be called from any thread. Callbacks and the
// commit listener run on one thread of the store's, in commit order; they must
// be quick and must not call back into the store synchronously.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/status.h"

namespace candor {

struct ConversationRecord {
  std::string id;
  std::string token_hash;  // hash of the customer's token; the token itself is never stored
  Time created_at;
  int64_t last_seq = 0;
  std::string vault_key;  // the conversation's vault key, wrapped; empty once shredded
};

// One line of an agent's inbox: a conversation and its latest message.
struct InboxEntry {
  std::string conversation_id;
  Time created_at;
  int64_t last_seq = 0;
  std::optional<Author> last_author;
  std::optional<Time> last_message_at;
  std::string last_message;  // the latest message's text
};

enum class AgentRole { kAgent, kAdmin };
std::string_view AgentRoleName(AgentRole role);
Result<AgentRole> ParseAgentRole(std::string_view name);

struct AgentRecord {
  int64_t id = 0;
  std::string name;
  AgentRole role = AgentRole::kAgent;
  std::string password_hash;  // argon2id string (libsodium crypto_pwhash_str)
  Time created_at;
  bool disabled = false;  // may not log in; has no sessions
};

// An agent's login. It ends at `expires_at` at the latest, and earlier when
// unused until `idle_until` (each use moves that on: sliding renewal).
struct SessionRecord {
  std::string token_hash;
  int64_t agent_id = 0;
  Time expires_at;
  Time idle_until = Time::max();  // sessions from before idle limits: none
};

// One event as the ledger sees it: metadata, the stored content, and the salted
// commitment and leaf hash written with it (src/ledger, docs/ledger_format.md).
struct LedgerRecord {
  int64_t log_index = 0;
  std::string conversation_id;
  int64_t seq = 0;
  std::string kind;
  int64_t at_ms = 0;
  std::string body;        // the event's stored JSON; empty once erased
  std::string salt;        // raw bytes; empty once erased
  std::string commitment;  // raw 32 bytes: ledger::CommitContent(salt, body)
  std::string leaf_hash;   // raw 32 bytes: the RFC 6962 leaf hash
};

// A signed checkpoint as issued.
struct CheckpointRecord {
  int64_t tree_size = 0;
  std::string root_hash;  // raw 32 bytes
  std::string note;       // the signed C2SP tlog-checkpoint text
  Time created_at;
};

// A projection's state (the desk, the promise book, the trust figures) as it
// stood after folding the events up to `through_log_index`, saved so that a
// restart folds only the events after it.
struct ProjectionSnapshot {
  std::string name;
  int64_t through_log_index = -1;  // -1: before the first event
  std::string through_leaf_hash;   // that event's leaf hash, to check it is still the same log
  std::string state;
  Time saved_at;
};

struct AppendRequest {
  AppendRequest() = default;
  AppendRequest(std::string conversation_id_in, EventBody body_in,
                std::optional<std::string> vault_map_in = std::nullopt,
                Precondition precondition_in = {})
      : conversation_id(std::move(conversation_id_in)),
        body(std::move(body_in)),
        vault_map(std::move(vault_map_in)),
        precondition(std::move(precondition_in)) {}

  std::string conversation_id;
  EventBody body;
  // When set, the conversation's sealed placeholder map is replaced in the
  // same transaction, so a masked message and the originals behind its
  // placeholders become durable together.
  std::optional<std::string> vault_map;
  // When it has a check, the event is written only if the precondition still holds in
  // the writer's transaction (see Precondition); otherwise nothing is written
  // and `done` gets the precondition's error.
  Precondition precondition;
};

using AppendCallback = std::function<void(Result<Event>)>;
using AppendBatchCallback = std::function<void(Result<std::vector<Event>>)>;
using CommitListener = std::function<void(const Event&)>;

class Store {
 public:
  virtual ~Store() = default;

  // Conversations.
  virtual Status CreateConversation(const ConversationRecord& record) = 0;
  virtual Result<ConversationRecord> GetConversation(const std::string& id) = 0;
  // Most recently active first.
  virtual Result<std::vector<InboxEntry>> ListConversations(int limit) = 0;
  // The sealed placeholder map ("" when none yet).
  virtual Result<std::string> GetVaultMap(const std::string& id) = 0;

  // Events. `done` runs once the event is durable (or failed); the event then
  // carries its seq, log index and commit time. NotFound for an unknown conversation.
  virtual void Append(AppendRequest request, AppendCallback done) = 0;
  // Several events of one conversation at once, for what is written together
  // anyway (a quick piece of work's steps and results): they get consecutive
  // seqs in the order given and become durable in one transaction, all of them
  // or none. `done` runs once, with the events in order, after the commit
  // listener has seen each of them. InvalidArgument when the requests name more
  // than one conversation or none at all; NotFound for an unknown conversation.
  virtual void AppendBatch(std::vector<AppendRequest> requests, AppendBatchCallback done) = 0;
  // Events with seq > after_seq, in order, at most `limit`.
  virtual Result<std::vector<Event>> ReadEvents(const std::string& conversation_id,
                                                int64_t after_seq, int limit) = 0;
  // Called for every committed event, in commit order, before its `done`.
  // Set once, before the first append.
  virtual void SetCommitListener(CommitListener listener) = 0;
  // Total events committed so far.
  virtual Result<int64_t> CountEvents() = 0;
  // Every conversation's events in commit order, from `from_log_index` on, at
  // most `limit` (to rebuild projections).
  virtual Result<std::vector<Event>> ReadLog(int64_t from_log_index, int limit) = 0;

  // The ledger: every event in commit order, from `from_log_index` on.
  virtual Result<std::vector<LedgerRecord>> ReadLedger(int64_t from_log_index, int limit) = 0;
  // Just the leaf hashes (raw 32 bytes), from `from_log_index` on.
  virtual Result<std::vector<std::string>> ReadLeafHashes(int64_t from_log_index, int limit) = 0;
  virtual Status SaveCheckpoint(const CheckpointRecord& checkpoint) = 0;
  // Smallest tree first.
  virtual Result<std::vector<CheckpointRecord>> ListCheckpoints() = 0;
  // The roots of the ledger tree's complete blocks of 2^height leaves, from
  // block `first` on (derived data: a restart need not rehash the whole log).
  // Saving a block again with the same root is a no-op.
  virtual Status SaveLedgerBlocks(int height, int64_t first,
                                  const std::vector<std::string>& roots) = 0;
  // The saved roots for that height from block 0, up to the first missing one.
  virtual Result<std::vector<std::string>> ReadLedgerBlocks(int height) = 0;

  // Projections' snapshots: a newer one replaces the older; NotFound when none.
  virtual Status SaveProjectionSnapshot(const ProjectionSnapshot& snapshot) = 0;
  virtual Result<ProjectionSnapshot> LoadProjectionSnapshot(const std::string& name) = 0;

  // Agents and their sessions.
  virtual Result<AgentRecord> AddAgent(const AgentRecord& agent) = 0;  // AlreadyExists on name
  virtual Result<AgentRecord> FindAgentByName(const std::string& name) = 0;
  virtual Result<AgentRecord> GetAgent(int64_t id) = 0;
  virtual Status CreateSession(const SessionRecord& session) = 0;
  virtual Result<SessionRecord> FindSession(const std::string& token_hash) = 0;
  // Moves a session's idle deadline (never past its expiry). OK when the
  // session is gone: it stays gone.
  virtual Status RenewSession(const std::string& token_hash, Time idle_until) = 0;
  // Logout: the session ends. OK when it had ended already.
  virtual Status EndSession(const std::string& token_hash) = 0;
  // Every session of the agent ends; returns how many there were.
  virtual Result<int64_t> EndAgentSessions(int64_t agent_id) = 0;
  // A disabled agent cannot log in, and disabling ends its sessions in the
  // same transaction, so no request is served for it after this returns.
  virtual Status SetAgentDisabled(int64_t agent_id, bool disabled) = 0;
  // A new password; the agent's sessions end in the same transaction.
  virtual Status SetAgentPassword(int64_t agent_id, const std::string& password_hash) = 0;
  // Devices an agent has logged in from (by the hash of the device token the
  // login handed out): logins from them are not held by the per-name back-off.
  virtual Status AddAgentDevice(const std::string& token_hash, int64_t agent_id, Time at) = 0;
  // The agent the device belongs to; NotFound for an unknown device.
  virtual Result<int64_t> FindAgentDevice(const std::string& token_hash) = 0;

  // OK when the database answers.
  virtual Status Ping() = 0;
};

// ---------------------------------------------------------------------------
// Projections: state folded from the committed events and kept in memory (the
// desk, the promise book, the trust figures). The composition root restores
// each at start (from its snapshot and the events after it) and feeds it every
// commit; snapshots are saved now and then and at shutdown, so a restart folds
// the events since the last snapshot instead of the whole log.

// Where a fold stands: the last event folded in (log index -1: none yet).
struct FoldPosition {
  int64_t log_index = -1;
  std::string leaf_hash;
  void Advance(const Event& event) {
    log_index = event.log_index;
    leaf_hash = event.leaf_hash;
  }
};

class Projection {
 public:
  virtual ~Projection() = default;
  // The key of its snapshot; changing the state's format means a new name
  // (or version inside the state), so an old snapshot is never misread.
  virtual std::string ProjectionName() const = 0;
  // Called in commit order; every event, also those the projection ignores.
  virtual void OnCommit(const Event& event) = 0;
  // The state and its fold position, taken together (name and saved_at are
  // filled in by the caller).
  virtual ProjectionSnapshot Snapshot() const = 0;
  // Starts over from a snapshot. InvalidArgument when its state cannot be
  // read; the projection is then empty, as new.
  virtual Status Restore(const ProjectionSnapshot& snapshot) = 0;
};

struct ProjectionsRestored {
  int64_t events_folded = 0;               // read from the log after the snapshots
  std::vector<std::string> from_snapshot;  // names restored from a snapshot
  std::vector<std::string> ignored;        // "name: why", folded from the start instead
};

// Restores each projection from its snapshot when the snapshot still fits the
// stored log (the event it was taken after is there, with the same leaf hash),
// then feeds every projection the events after its position, in commit order.
Result<ProjectionsRestored> RestoreProjections(Store& store,
                                               const std::vector<Projection*>& projections);
// Saves each projection's snapshot as of now.
Status SaveProjectionSnapshots(Store& store, const std::vector<Projection*>& projections, Time now);

// Blocks until the append is durable. For command-line tools and tests; a
// server thread should use Append with a callback instead.
Result<Event> AppendAndWait(Store& store, AppendRequest request);
Result<std::vector<Event>> AppendBatchAndWait(Store& store, std::vector<AppendRequest> requests);

// Opens (creating if needed) the SQLite database at `path` in WAL mode with
// synchronous=FULL, and starts its writer thread. With `must_exist`, a missing
// file is NotFound instead of a new empty database (for auditors).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const Clock& clock,
                                               bool must_exist = false);

}  // namespace candor
