// SQLite implementation of Store.
//
// One writer thread owns the write connection and commits queued writes in
// batches (group commit): every append waiting when a transaction starts goes
// into it, so one fsync makes many appends durable. A completion thread then
// runs the commit listener and the callbacks of a committed batch while the
// writer already builds the next one. Reads use a small pool of separate
// connections; WAL mode lets them run beside the writer.
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ledger/ledger.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace candor {
namespace {

constexpr int kSchemaVersion = 2;
constexpr size_t kMaxBatch = 8192;
// Under a steady load the write-ahead log never starts over by itself: the
// background checkpoint copies what was committed before it began, and by
// then the writer has committed more. Past this many pages (64 MiB) the
// writer copies the rest itself between two batches, so the log stays about
// this size instead of growing by the whole load (some 150 MB/s at 4,000
// answered messages/s), and its commits overwrite blocks the file already has.
constexpr int kWalRestartPages = 16384;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS conversations (
  id              TEXT PRIMARY KEY,
  token_hash      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  last_seq        INTEGER NOT NULL DEFAULT 0,
  last_author     TEXT,
  last_message_at INTEGER,
  vault_key       BLOB,
  vault_map       BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversations_by_activity
  ON conversations (COALESCE(last_message_at, created_at));
-- Rows are kept in commit order (log_index is the rowid), so a group commit
-- appends to the end of the table instead of touching one page per active
-- conversation; the small index finds a conversation's events.
CREATE TABLE IF NOT EXISTS events (
  log_index       INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  at_ms           INTEGER NOT NULL,
  body            TEXT NOT NULL,
  salt            BLOB NOT NULL,
  commitment      BLOB NOT NULL,
  leaf_hash       BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_conversation ON events (conversation_id, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
  tree_size  INTEGER PRIMARY KEY,
  root_hash  BLOB NOT NULL,
  note       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- Derived data, rebuilt from the tables above when absent: the roots of the
-- ledger tree's complete blocks and the projections' latest snapshots.
CREATE TABLE IF NOT EXISTS ledger_blocks (
  height INTEGER NOT NULL,
  idx    INTEGER NOT NULL,
  root   BLOB NOT NULL,
  PRIMARY KEY (height, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS projection_snapshots (
  name              TEXT PRIMARY KEY,
  through_log_index INTEGER NOT NULL,
  through_leaf_hash BLOB NOT NULL,
  state             BLOB NOT NULL,
  saved_at          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agents (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS agent_sessions (
  token_hash TEXT PRIMARY KEY,
  agent_id   INTEGER NOT NULL REFERENCES agents(id),
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agent_devices (
  token_hash TEXT PRIMARY KEY,
  agent_id   INTEGER NOT NULL REFERENCES agents(id),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Columns added to tables of earlier databases, each with its default for old rows.
struct AddedColumn {
  const char* table;
  const char* column;
  const char* definition;
};
constexpr AddedColumn kAddedColumns[] = {
    {"agents", "disabled", "INTEGER NOT NULL DEFAULT 0"},
    {"agent_sessions", "idle_until", "INTEGER"},  // NULL: no idle limit
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, const Clock& clock, SqliteDb writer_db)
      : path_(std::move(path)), clock_(clock), writer_db_(std::move(writer_db)) {}

  ~SqliteStore() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    checkpoint_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    if (writer_.joinable()) writer_.join();
    // The writer has handed over its last batch: report it, then stop.
    {
      std::lock_guard lock(completed_mu_);
      completer_stopping_ = true;
    }
    completed_cv_.notify_all();
    if (completer_.joinable()) completer_.join();
  }

  Status Start() {
    auto next = writer_db_.QueryInt("SELECT COALESCE(MAX(log_index) + 1, 0) FROM events");
    if (!next.ok()) return next.status();
    next_log_index_ = *next;
    // No automatic checkpoints on the writer's connection: SqliteDb's commit
    // hook has replaced them (and PRAGMA wal_autocheckpoint would remove it).
    // Named as top -H and perf show them.
    writer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "store-writer");
      WriterLoop();
    });
    completer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "store-commits");
      CompleterLoop();
    });
    checkpointer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "store-checkpoint");
      CheckpointLoop();
    });
    return Status::Ok();
  }

  Status CreateConversation(const ConversationRecord& record) override {
    return WriteAndWait([record](SqliteDb& db) {
      auto stmt = db.Prepare(
          "INSERT INTO conversations (id, token_hash, created_at, vault_key) VALUES (?, ?, ?, ?)");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, record.id)
          .Bind(2, record.token_hash)
          .Bind(3, ToUnixMillis(record.created_at))
          .BindBlob(4, record.vault_key);
      return stmt->Run();
    });
  }

  Result<ConversationRecord> GetConversation(const std::string& id) override {
    return WithReader([&](SqliteDb& db) -> Result<ConversationRecord> {
      auto stmt = db.PrepareCached(
          "SELECT token_hash, created_at, (SELECT COALESCE(MAX(seq), 0) FROM events e WHERE "
          "e.conversation_id = c.id), vault_key FROM conversations c "
          "WHERE id = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, id);
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no such conversation");
      return ConversationRecord{id, stmt->Text(0), FromUnixMillis(stmt->Int(1)), stmt->Int(2),
                                stmt->Text(3)};
    });
  }

  Result<std::string> GetVaultMap(const std::string& id) override {
    return WithReader([&](SqliteDb& db) -> Result<std::string> {
      auto stmt = db.PrepareCached("SELECT vault_map FROM conversations WHERE id = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, id);
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no such conversation");
      return stmt->Text(0);
    });
  }

  Result<std::vector<InboxEntry>> ListConversations(int limit) override {
    return WithReader([&](SqliteDb& db) -> Result<std::vector<InboxEntry>> {
      auto stmt = db.PrepareCached(R"sql(
          SELECT c.id, c.created_at, (SELECT COALESCE(MAX(seq), 0) FROM events e WHERE e.conversation_id = c.id), c.last_author, c.last_message_at,
                 (SELECT body FROM events e WHERE e.conversation_id = c.id AND e.kind = 'message'
                  ORDER BY e.seq DESC LIMIT 1)
          FROM conversations c
          ORDER BY COALESCE(c.last_message_at, c.created_at) DESC LIMIT ?)sql");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, static_cast<int64_t>(limit));
      std::vector<InboxEntry> entries;
      while (true) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        InboxEntry entry;
        entry.conversation_id = stmt->Text(0);
        entry.created_at = FromUnixMillis(stmt->Int(1));
        entry.last_seq = stmt->Int(2);
        if (!stmt->IsNull(3)) {
          auto author = ParseAuthor(stmt->Text(3));
          if (author.ok()) entry.last_author = *author;
        }
        if (!stmt->IsNull(4)) entry.last_message_at = FromUnixMillis(stmt->Int(4));
        if (!stmt->IsNull(5)) {
          auto body = DecodeEventBody("message", stmt->Text(5));
          if (body.ok()) entry.last_message = std::get<MessageEvent>(*body).text;
        }
        entries.push_back(std::move(entry));
      }
      return entries;
    });
  }

  void Append(AppendRequest request, AppendCallback done) override {
    PendingAppend pending;
    pending.conversation_id = std::move(request.conversation_id);
    pending.events.push_back(Prepare(std::move(request.body), std::move(request.vault_map)));
    pending.precondition = std::move(request.precondition);
    pending.one = std::move(done);
    Enqueue(std::move(pending));
  }

  // One queue entry, one seq lookup and one callback for all of them.
  void AppendBatch(std::vector<AppendRequest> requests, AppendBatchCallback done) override {
    if (requests.empty()) {
      done(Status::InvalidArgument("a batch needs at least one event"));
      return;
    }
    for (const auto& r : requests) {
      if (r.conversation_id != requests.front().conversation_id) {
        done(Status::InvalidArgument("a batch's events must be of one conversation"));
        return;
      }
    }
    PendingAppend pending;
    pending.conversation_id = std::move(requests.front().conversation_id);
    pending.precondition = std::move(requests.front().precondition);
    pending.events.reserve(requests.size());
    for (auto& r : requests) {
      pending.events.push_back(Prepare(std::move(r.body), std::move(r.vault_map)));
    }
    pending.many = std::move(done);
    Enqueue(std::move(pending));
  }

  Result<std::vector<Event>> ReadEvents(const std::string& conversation_id, int64_t after_seq,
                                        int limit) override {
    return WithReader([&](SqliteDb& db) -> Result<std::vector<Event>> {
      auto stmt = db.PrepareCached(
          "SELECT seq, log_index, kind, at_ms, body, leaf_hash FROM events "
          "WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, conversation_id).Bind(2, after_seq).Bind(3, static_cast<int64_t>(limit));
      std::vector<Event> events;
      while (true) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        auto body = DecodeEventBody(stmt->Text(2), stmt->Text(4));
        if (!body.ok()) return body.status();
        events.push_back(Event{conversation_id, stmt->Int(0), stmt->Int(1),
                               FromUnixMillis(stmt->Int(3)), std::move(*body), stmt->Text(5)});
      }
      return events;
    });
  }

  void SetCommitListener(CommitListener listener) override { listener_ = std::move(listener); }

  Result<std::vector<LedgerRecord>> ReadLedger(int64_t from_log_index, int limit) override {
    return WithReader([&](SqliteDb& db) -> Result<std::vector<LedgerRecord>> {
      auto stmt = db.PrepareCached(
          "SELECT log_index, conversation_id, seq, kind, at_ms, body, salt, commitment, leaf_hash "
          "FROM events WHERE log_index >= ? ORDER BY log_index LIMIT ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, from_log_index).Bind(2, static_cast<int64_t>(limit));
      std::vector<LedgerRecord> records;
      while (true) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        records.push_back({stmt->Int(0), stmt->Text(1), stmt->Int(2), stmt->Text(3), stmt->Int(4),
                           stmt->Text(5), stmt->Text(6), stmt->Text(7), stmt->Text(8)});
      }
      return records;
    });
  }

  Status SaveCheckpoint(const CheckpointRecord& checkpoint) override {
    return WriteAndWait([checkpoint](SqliteDb& db) {
      auto stmt = db.Prepare(
          "INSERT INTO checkpoints (tree_size, root_hash, note, created_at) VALUES (?, ?, ?, ?)");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, checkpoint.tree_size)
          .BindBlob(2, checkpoint.root_hash)
          .Bind(3, checkpoint.note)
          .Bind(4, ToUnixMillis(checkpoint.created_at));
      return stmt->Run();
    });
  }

  Result<std::vector<CheckpointRecord>> ListCheckpoints() override {
    return WithReader([](SqliteDb& db) -> Result<std::vector<CheckpointRecord>> {
      auto stmt = db.PrepareCached(
          "SELECT tree_size, root_hash, note, created_at FROM checkpoints ORDER BY tree_size");
      if (!stmt.ok()) return stmt.status();
      std::vector<CheckpointRecord> checkpoints;
      while (true) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        checkpoints.push_back(
            {stmt->Int(0), stmt->Text(1), stmt->Text(2), FromUnixMillis(stmt->Int(3))});
      }
      return checkpoints;
    });
  }

  Result<int64_t> CountEvents() override {
    return WithReader([](SqliteDb& db) { return db.QueryInt("SELECT COUNT(*) FROM events"); });
  }

  Result<std::vector<Event>> ReadLog(int64_t from_log_index, int limit) override {
    return WithReader([&](SqliteDb& db) -> Result<std::vector<Event>> {
      auto stmt = db.PrepareCached(
          "SELECT conversation_id, seq, log_index, kind, at_ms, body, leaf_hash FROM events "
          "WHERE log_index >= ? ORDER BY log_index LIMIT ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, from_log_index).Bind(2, static_cast<int64_t>(limit));
      std::vector<Event> events;
      while (true) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        auto body = DecodeEventBody(stmt->Text(3), stmt->Text(5));
        if (!body.ok()) return body.status();
        events.push_back(Event{stmt->Text(0), stmt->Int(1), stmt->Int(2),
                               FromUnixMillis(stmt->Int(4)), std::move(*body), stmt->Text(6)});
      }
      return events;
    });
  }

  Result<std::vector<std::string>> ReadLeafHashes(int64_t from_log_index, int limit) override {
    return WithReader([&](SqliteDb& db) -> Result<std::vector<std::string>> {
      auto stmt = db.PrepareCached(
          "SELECT leaf_hash FROM events WHERE log_index >= ? ORDER BY log_index LIMIT ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, from_log_index).Bind(2, static_cast<int64_t>(limit));
      std::vector<std::string> hashes;
      while (true) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        hashes.push_back(stmt->Text(0));
      }
      return hashes;
    });
  }

  Status SaveLedgerBlocks(int height, int64_t first,
                          const std::vector<std::string>& roots) override {
    if (roots.empty()) return Status::Ok();
    return WriteAndWait([height, first, roots](SqliteDb& db) {
      auto stmt =
          db.Prepare("INSERT OR IGNORE INTO ledger_blocks (height, idx, root) VALUES (?, ?, ?)");
      if (!stmt.ok()) return stmt.status();
      for (size_t i = 0; i < roots.size(); ++i) {
        stmt->Bind(1, static_cast<int64_t>(height))
            .Bind(2, first + static_cast<int64_t>(i))
            .BindBlob(3, roots[i]);
        CANDOR_RETURN_IF_ERROR(stmt->Run());
      }
      return Status::Ok();
    });
  }

  Result<std::vector<std::string>> ReadLedgerBlocks(int height) override {
    return WithReader([&](SqliteDb& db) -> Result<std::vector<std::string>> {
      auto stmt =
          db.PrepareCached("SELECT idx, root FROM ledger_blocks WHERE height = ? ORDER BY idx");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, static_cast<int64_t>(height));
      std::vector<std::string> roots;
      while (true) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row || stmt->Int(0) != static_cast<int64_t>(roots.size())) break;
        roots.push_back(stmt->Text(1));
      }
      return roots;
    });
  }

  Status SaveProjectionSnapshot(const ProjectionSnapshot& snapshot) override {
    return WriteAndWait([snapshot](SqliteDb& db) {
      auto stmt = db.Prepare(
          "INSERT INTO projection_snapshots "
          "(name, through_log_index, through_leaf_hash, state, saved_at) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (name) DO UPDATE SET through_log_index = excluded.through_log_index, "
          "through_leaf_hash = excluded.through_leaf_hash, state = excluded.state, "
          "saved_at = excluded.saved_at "
          "WHERE excluded.through_log_index >= projection_snapshots.through_log_index");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, snapshot.name)
          .Bind(2, snapshot.through_log_index)
          .BindBlob(3, snapshot.through_leaf_hash)
          .BindBlob(4, snapshot.state)
          .Bind(5, ToUnixMillis(snapshot.saved_at));
      return stmt->Run();
    });
  }

  Result<ProjectionSnapshot> LoadProjectionSnapshot(const std::string& name) override {
    return WithReader([&](SqliteDb& db) -> Result<ProjectionSnapshot> {
      auto stmt = db.PrepareCached(
          "SELECT through_log_index, through_leaf_hash, state, saved_at "
          "FROM projection_snapshots WHERE name = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, name);
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no snapshot of " + name);
      return ProjectionSnapshot{name, stmt->Int(0), stmt->Text(1), stmt->Text(2),
                                FromUnixMillis(stmt->Int(3))};
    });
  }

  Result<AgentRecord> AddAgent(const AgentRecord& agent) override {
    auto id = std::make_shared<int64_t>(0);
    Status status = WriteAndWait([agent, id](SqliteDb& db) {
      auto stmt = db.Prepare(
          "INSERT INTO agents (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, agent.name)
          .Bind(2, std::string(AgentRoleName(agent.role)))
          .Bind(3, agent.password_hash)
          .Bind(4, ToUnixMillis(agent.created_at));
      Status run = stmt->Run();
      if (run.code() == StatusCode::kAlreadyExists) {
        return Status::AlreadyExists("an agent named '" + agent.name + "' exists already");
      }
      *id = db.LastInsertRowId();
      return run;
    });
    if (!status.ok()) return status;
    AgentRecord added = agent;
    added.id = *id;
    return added;
  }

  Result<AgentRecord> FindAgentByName(const std::string& name) override {
    return FindAgent("name = ?", [&](SqliteStatement& s) { s.Bind(1, name); });
  }

  Result<AgentRecord> GetAgent(int64_t id) override {
    return FindAgent("id = ?", [&](SqliteStatement& s) { s.Bind(1, id); });
  }

  Status CreateSession(const SessionRecord& session) override {
    return WriteAndWait([session](SqliteDb& db) {
      auto stmt = db.Prepare(
          "INSERT INTO agent_sessions (token_hash, agent_id, expires_at, idle_until) "
          "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM agents WHERE id = ? AND disabled = 0)");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, session.token_hash)
          .Bind(2, session.agent_id)
          .Bind(3, ToUnixMillis(session.expires_at))
          .Bind(4, ToUnixMillis(std::min(session.idle_until, session.expires_at)))
          .Bind(5, session.agent_id);
      Status run = stmt->Run();
      if (run.ok() && db.Changes() == 0) {
        return Status::PermissionDenied("the agent is disabled or gone");
      }
      return run;
    });
  }

  Result<SessionRecord> FindSession(const std::string& token_hash) override {
    return WithReader([&](SqliteDb& db) -> Result<SessionRecord> {
      auto stmt = db.PrepareCached(
          "SELECT agent_id, expires_at, idle_until FROM agent_sessions WHERE token_hash = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, token_hash);
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no such session");
      SessionRecord session{token_hash, stmt->Int(0), FromUnixMillis(stmt->Int(1))};
      if (!stmt->IsNull(2)) session.idle_until = FromUnixMillis(stmt->Int(2));
      return session;
    });
  }

  Status RenewSession(const std::string& token_hash, Time idle_until) override {
    return WriteAndWait([token_hash, idle_until](SqliteDb& db) {
      auto stmt = db.Prepare(
          "UPDATE agent_sessions SET idle_until = MIN(?, expires_at) WHERE token_hash = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, ToUnixMillis(idle_until)).Bind(2, token_hash);
      return stmt->Run();
    });
  }

  Status EndSession(const std::string& token_hash) override {
    return WriteAndWait([token_hash](SqliteDb& db) {
      auto stmt = db.Prepare("DELETE FROM agent_sessions WHERE token_hash = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, token_hash);
      return stmt->Run();
    });
  }

  Result<int64_t> EndAgentSessions(int64_t agent_id) override {
    auto ended = std::make_shared<int64_t>(0);
    Status status = WriteAndWait(
        [agent_id, ended](SqliteDb& db) { return DeleteSessionsOf(db, agent_id, ended.get()); });
    if (!status.ok()) return status;
    return *ended;
  }

  Status SetAgentDisabled(int64_t agent_id, bool disabled) override {
    return WriteAndWait([agent_id, disabled](SqliteDb& db) {
      auto stmt = db.Prepare("UPDATE agents SET disabled = ? WHERE id = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, int64_t{disabled ? 1 : 0}).Bind(2, agent_id);
      CANDOR_RETURN_IF_ERROR(stmt->Run());
      if (db.Changes() == 0) return Status::NotFound("no such agent");
      return disabled ? DeleteSessionsOf(db, agent_id, nullptr) : Status::Ok();
    });
  }

  Status SetAgentPassword(int64_t agent_id, const std::string& password_hash) override {
    return WriteAndWait([agent_id, password_hash](SqliteDb& db) {
      auto stmt = db.Prepare("UPDATE agents SET password_hash = ? WHERE id = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, password_hash).Bind(2, agent_id);
      CANDOR_RETURN_IF_ERROR(stmt->Run());
      if (db.Changes() == 0) return Status::NotFound("no such agent");
      return DeleteSessionsOf(db, agent_id, nullptr);
    });
  }

  Status AddAgentDevice(const std::string& token_hash, int64_t agent_id, Time at) override {
    return WriteAndWait([token_hash, agent_id, at](SqliteDb& db) {
      auto stmt = db.Prepare(
          "INSERT OR IGNORE INTO agent_devices (token_hash, agent_id, created_at) "
          "VALUES (?, ?, ?)");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, token_hash).Bind(2, agent_id).Bind(3, ToUnixMillis(at));
      return stmt->Run();
    });
  }

  Result<int64_t> FindAgentDevice(const std::string& token_hash) override {
    return WithReader([&](SqliteDb& db) -> Result<int64_t> {
      auto stmt = db.PrepareCached("SELECT agent_id FROM agent_devices WHERE token_hash = ?");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, token_hash);
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no such device");
      return stmt->Int(0);
    });
  }

  Status Ping() override {
    auto one = WithReader([](SqliteDb& db) { return db.QueryInt("SELECT 1"); });
    return one.ok() ? Status::Ok() : one.status();
  }

 private:
  // An event on its way in. Its stored form and its content commitment are
  // made on the caller's thread, so the writer only numbers, hashes the leaf
  // and writes.
  struct PendingEvent {
    EventBody body;
    std::optional<std::string> vault_map;  // AppendRequest::vault_map
    std::string_view kind;                 // EventKind's static name
    std::string body_json;                 // EncodeEventBody(body)
    std::string salt;
    ledger::Hash commitment;  // ledger::CommitContent(salt, body_json)
  };
  // One Append (one event, reported to `one`) or one AppendBatch (reported to
  // `many`): numbered and written together, all or nothing.
  struct PendingAppend {
    std::string conversation_id;
    std::vector<PendingEvent> events;
    Precondition precondition;  // guards all of `events` (when it has a check)
    AppendCallback one;
    AppendBatchCallback many;
    std::vector<Event> committed;  // filled by the writer
  };

  static PendingEvent Prepare(EventBody body, std::optional<std::string> vault_map) {
    PendingEvent e{std::move(body), std::move(vault_map), {}, {}, NextSalt(), {}};
    e.kind = EventKind(e.body);
    e.body_json = EncodeEventBody(e.body);
    e.commitment = ledger::CommitContent(e.salt, e.body_json);
    return e;
  }
  // Any other write: runs inside the batch transaction under its own savepoint,
  // so its failure does not undo the rest of the batch.
  struct PendingWrite {
    std::function<Status(SqliteDb&)> apply;
    std::function<void(Status)> done;
  };
  using Pending = std::variant<PendingAppend, PendingWrite>;

  // What a batch changed in one conversation, written back once per batch.
  struct Touched {
    int64_t last_seq = 0;
    std::optional<Author> last_author;
    std::optional<Time> last_message_at;
  };

  void Enqueue(Pending pending) {
    {
      std::lock_guard lock(queue_mu_);
      if (!stopping_) {
        queue_.push_back(std::move(pending));
        // A busy writer takes the queue when it finishes its batch; only an
        // idle one needs waking (one futex call per batch, not per append).
        if (writer_idle_) queue_cv_.notify_one();
        return;
      }
    }
    Fail(pending, Status::Unavailable("the store is shutting down"));
  }

  static void Fail(Pending& pending, const Status& status) {
    if (auto* a = std::get_if<PendingAppend>(&pending)) {
      if (a->one) {
        a->one(status);
      } else {
        a->many(status);
      }
    } else {
      std::get<PendingWrite>(pending).done(status);
    }
  }

  Status WriteAndWait(std::function<Status(SqliteDb&)> apply) {
    // Shared: the writer thread may still be inside set_value when get() returns.
    auto promise = std::make_shared<std::promise<Status>>();
    auto future = promise->get_future();
    Enqueue(PendingWrite{std::move(apply), [promise](Status s) { promise->set_value(s); }});
    return future.get();
  }

  // A committed (or failed) batch waiting for its listener calls and callbacks.
  struct Completed {
    std::vector<Pending> batch;
    std::vector<Status> results;  // one per entry of the batch
    Status failure;               // not OK: nothing of the batch is durable
  };

  // Hands a batch to the completion thread, which reports batches in commit order.
  void Complete(Completed completed) {
    std::lock_guard lock(completed_mu_);
    completed_.push_back(std::move(completed));
    if (completer_idle_) completed_cv_.notify_one();
  }

  // Runs the commit listener and the callbacks, so the writer can start the
  // next transaction while the last one is being reported.
  void CompleterLoop() {
    std::vector<Completed> taken;
    while (true) {
      {
        std::unique_lock lock(completed_mu_);
        completer_idle_ = true;
        completed_cv_.wait(lock, [&] { return completer_stopping_ || !completed_.empty(); });
        completer_idle_ = false;
        if (completed_.empty()) return;  // stopping, and everything is reported
        taken.swap(completed_);
      }
      for (Completed& c : taken) Report(c);
      taken.clear();
    }
  }

  void Report(Completed& c) {
    if (!c.failure.ok()) {
      for (auto& pending : c.batch) Fail(pending, c.failure);
      return;
    }
    if (listener_) {
      for (size_t i = 0; i < c.batch.size(); ++i) {
        const auto* append = std::get_if<PendingAppend>(&c.batch[i]);
        if (append == nullptr || !c.results[i].ok()) continue;
        for (const Event& event : append->committed) listener_(event);
      }
    }
    for (size_t i = 0; i < c.batch.size(); ++i) {
      if (auto* append = std::get_if<PendingAppend>(&c.batch[i])) {
        if (!c.results[i].ok()) {
          Fail(c.batch[i], c.results[i]);
        } else if (append->one) {
          append->one(std::move(append->committed.front()));
        } else {
          append->many(std::move(append->committed));
        }
      } else {
        std::get<PendingWrite>(c.batch[i]).done(c.results[i]);
      }
    }
  }

  void WriterLoop() {
    std::vector<Pending> batch;
    while (true) {
      {
        std::unique_lock lock(queue_mu_);
        writer_idle_ = true;
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        writer_idle_ = false;
        if (queue_.empty()) return;  // stopping, and everything queued is done
        if (queue_.size() <= kMaxBatch) {
          batch.swap(queue_);
        } else {
          batch.assign(std::make_move_iterator(queue_.begin()),
                       std::make_move_iterator(queue_.begin() + kMaxBatch));
          queue_.erase(queue_.begin(), queue_.begin() + kMaxBatch);
        }
      }
      CommitBatch(std::move(batch));
      writer_db_.ResetCached();  // hold no read snapshot between batches
      batch = {};
      // Not all copied (a reader still needs older pages): again after the next batch.
      if (writer_db_.WalPages() >= kWalRestartPages) (void)writer_db_.CheckpointAll();
    }
  }

  // Salts are cut from a block of random bytes, one block per thread: one
  // system call per 256 events.
  static std::string NextSalt() {
    constexpr size_t kSalt = 32, kBlock = 256 * kSalt;
    thread_local std::string pool;
    thread_local size_t offset = 0;
    if (offset + kSalt > pool.size()) {
      pool = ledger::NewRandomBytes(kBlock);
      offset = 0;
    }
    std::string salt = pool.substr(offset, kSalt);
    offset += kSalt;
    return salt;
  }

  // Copies the WAL into the database file beside the writer, so commits never
  // wait for it (the writer's own automatic checkpoints are off).
  void CheckpointLoop() {
    auto db = SqliteDb::Open(path_, SqliteDb::Mode::kWriter);
    if (!db.ok()) return;
    std::unique_lock lock(queue_mu_);
    while (!stopping_) {
      checkpoint_cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (stopping_) break;
      lock.unlock();
      (void)db->Exec("PRAGMA wal_checkpoint(PASSIVE)");
      lock.lock();
    }
  }

  Result<int64_t> LastSeq(const std::string& conversation_id) {
    auto it = last_seq_cache_.find(conversation_id);
    if (it != last_seq_cache_.end()) return it->second;
    // A conversation's last seq is its events' (the index answers it): the
    // conversations row is only rewritten when a message changes the inbox.
    auto stmt = writer_db_.PrepareCached(
        "SELECT (SELECT COALESCE(MAX(seq), 0) FROM events e WHERE e.conversation_id = c.id) FROM "
        "conversations c WHERE id = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, conversation_id);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no such conversation");
    const int64_t last = stmt->Int(0);
    // An unfinished statement would pin this connection to an old snapshot,
    // and its next write transaction would fail with SQLITE_BUSY_SNAPSHOT.
    (void)stmt->Step();
    last_seq_cache_.emplace(conversation_id, last);
    return last;
  }

  // Sets `verdict` to the precondition's verdict on the events after its seq;
  // the returned status is the database's.
  Status CheckPrecondition(const std::string& id, const Precondition& precondition,
                           Status* verdict) {
    auto stmt = writer_db_.PrepareCached(
        "SELECT seq, log_index, kind, at_ms, body FROM events "
        "WHERE conversation_id = ? AND seq > ? ORDER BY seq");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id).Bind(2, precondition.based_on_seq);
    *verdict = Status::Ok();
    while (true) {  // to the end, so the statement holds nothing open
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (!verdict->ok()) continue;
      auto body = DecodeEventBody(stmt->Text(2), stmt->Text(4));
      if (!body.ok()) return body.status();
      *verdict = precondition.check(Event{
          id, stmt->Int(0), stmt->Int(1), FromUnixMillis(stmt->Int(3)), std::move(*body), {}});
    }
    return Status::Ok();
  }

  void CommitBatch(std::vector<Pending> batch) {
    const Time now = clock_.Now();
    const int64_t now_ms = ToUnixMillis(now);
    std::vector<Status> results(batch.size());
    std::unordered_map<std::string, Touched> touched;
    const int64_t first_log_index = next_log_index_;

    Status status = writer_db_.Exec("BEGIN IMMEDIATE");
    auto insert = writer_db_.PrepareCached(
        "INSERT INTO events (conversation_id, seq, log_index, kind, at_ms, body, salt, "
        "commitment, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (status.ok() && !insert.ok()) status = insert.status();

    for (size_t i = 0; status.ok() && i < batch.size(); ++i) {
      if (auto* write = std::get_if<PendingWrite>(&batch[i])) {
        status = writer_db_.Exec("SAVEPOINT op");
        if (!status.ok()) break;
        results[i] = write->apply(writer_db_);
        status = writer_db_.Exec(results[i].ok() ? "RELEASE op" : "ROLLBACK TO op; RELEASE op");
        continue;
      }
      auto& append = std::get<PendingAppend>(batch[i]);
      const std::string& id = append.conversation_id;
      // The only failure that spares the rest of the batch, and it comes
      // before anything of this append is written: all of it or none.
      auto last = LastSeq(id);
      if (!last.ok()) {
        if (last.status().code() != StatusCode::kNotFound) status = last.status();
        results[i] = last.status();
        continue;
      }
      if (append.precondition.check && *last > append.precondition.based_on_seq) {
        // Read inside this transaction: it sees every committed event and
        // those written earlier in this batch, and no one else writes.
        Status verdict;
        status = CheckPrecondition(id, append.precondition, &verdict);
        if (!status.ok()) break;
        if (!verdict.ok()) {
          results[i] = std::move(verdict);
          continue;
        }
      }
      int64_t seq = *last;
      std::optional<Author> last_author;
      append.committed.reserve(append.events.size());
      for (PendingEvent& pending : append.events) {
        Event event{id, ++seq, next_log_index_, now, std::move(pending.body), {}};
        // The ledger leaf is written with the event, in the same transaction.
        const ledger::Hash& commitment = pending.commitment;
        const ledger::Hash leaf_hash = ledger::HashLeaf(ledger::EncodeLeaf(
            {event.log_index, id, event.seq, std::string(pending.kind), now_ms, commitment}));
        event.leaf_hash.assign(leaf_hash.begin(), leaf_hash.end());
        insert->Bind(1, id)
            .Bind(2, event.seq)
            .Bind(3, event.log_index)
            .BindStatic(4, pending.kind)
            .Bind(5, now_ms)
            .BindStatic(6, pending.body_json)
            .BindStaticBlob(7, pending.salt)
            .BindStaticBlob(8, std::string_view(reinterpret_cast<const char*>(commitment.data()),
                                                commitment.size()))
            .BindStaticBlob(9, event.leaf_hash);
        status = insert->Run();
        if (!status.ok()) break;
        if (pending.vault_map) {
          auto update =
              writer_db_.PrepareCached("UPDATE conversations SET vault_map = ? WHERE id = ?");
          if (!update.ok()) {
            status = update.status();
            break;
          }
          update->BindBlob(1, *pending.vault_map).Bind(2, id);
          status = update->Run();
          if (!status.ok()) break;
        }
        ++next_log_index_;
        append.committed.push_back(std::move(event));
        if (const auto* m = std::get_if<MessageEvent>(&append.committed.back().body)) {
          last_author = m->author;
        }
      }
      if (!status.ok()) break;
      last_seq_cache_[id] = seq;
      if (last_author) {
        Touched& t = touched[id];
        t.last_seq = seq;
        t.last_author = last_author;
        t.last_message_at = now;
      } else if (auto it = touched.find(id); it != touched.end()) {
        it->second.last_seq = seq;  // a message earlier in this batch
      }
    }

    if (status.ok()) status = WriteBackConversations(touched);
    if (status.ok()) status = writer_db_.Exec("COMMIT");

    if (!status.ok()) {
      // Nothing of this batch is durable: undo it everywhere and tell everyone.
      (void)writer_db_.Exec("ROLLBACK");
      last_seq_cache_.clear();
      next_log_index_ = first_log_index;
      Complete({std::move(batch), {}, status});
      return;
    }
    Complete({std::move(batch), std::move(results), Status::Ok()});
  }

  // Only messages change what the inbox shows; work steps leave the row alone.
  Status WriteBackConversations(const std::unordered_map<std::string, Touched>& touched) {
    auto with_message = writer_db_.PrepareCached(
        "UPDATE conversations SET last_seq = ?, last_author = ?, last_message_at = ? WHERE id = ?");
    if (!with_message.ok()) return with_message.status();
    for (const auto& [id, t] : touched) {
      if (!t.last_author) continue;
      with_message->Bind(1, t.last_seq)
          .Bind(2, std::string(AuthorName(*t.last_author)))
          .Bind(3, ToUnixMillis(*t.last_message_at))
          .Bind(4, id);
      Status s = with_message->Run();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  // On the writer's connection, inside its transaction.
  static Status DeleteSessionsOf(SqliteDb& db, int64_t agent_id, int64_t* ended) {
    auto stmt = db.Prepare("DELETE FROM agent_sessions WHERE agent_id = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, agent_id);
    CANDOR_RETURN_IF_ERROR(stmt->Run());
    if (ended != nullptr) *ended = db.Changes();
    return Status::Ok();
  }

  Result<AgentRecord> FindAgent(const std::string& where,
                                const std::function<void(SqliteStatement&)>& bind) {
    return WithReader([&](SqliteDb& db) -> Result<AgentRecord> {
      auto stmt = db.PrepareCached(
          "SELECT id, name, role, password_hash, created_at, disabled FROM agents WHERE " + where);
      if (!stmt.ok()) return stmt.status();
      bind(*stmt);
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no such agent");
      auto role = ParseAgentRole(stmt->Text(2));
      if (!role.ok()) return role.status();
      return AgentRecord{
          stmt->Int(0),     stmt->Text(1), *role, stmt->Text(3), FromUnixMillis(stmt->Int(4)),
          stmt->Int(5) != 0};
    });
  }

  // Runs `fn` with a read connection from the pool (opening one if none is idle).
  template <typename Fn>
  auto WithReader(Fn&& fn) -> decltype(fn(std::declval<SqliteDb&>())) {
    std::unique_ptr<SqliteDb> db;
    {
      std::lock_guard lock(readers_mu_);
      if (!idle_readers_.empty()) {
        db = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!db) {
      auto opened = SqliteDb::Open(path_, SqliteDb::Mode::kReader);
      if (!opened.ok()) return opened.status();
      db = std::make_unique<SqliteDb>(std::move(*opened));
    }
    auto result = fn(*db);
    db->ResetCached();
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(db));
    return result;
  }

  // Constant after construction.
  const std::string path_;
  const Clock& clock_;

  // Owned by the writer thread once it runs.
  SqliteDb writer_db_;
  std::unordered_map<std::string, int64_t> last_seq_cache_;
  int64_t next_log_index_ = 0;
  CommitListener listener_;  // set before the first append, then only read

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending> queue_;  // guarded by queue_mu_
  bool stopping_ = false;       // guarded by queue_mu_
  bool writer_idle_ = false;    // guarded by queue_mu_: the writer waits for work
  std::thread writer_;
  // Committed batches on their way to the completion thread.
  std::mutex completed_mu_;
  std::condition_variable completed_cv_;
  std::vector<Completed> completed_;  // guarded by completed_mu_
  bool completer_idle_ = false;       // guarded by completed_mu_
  bool completer_stopping_ = false;   // guarded by completed_mu_
  std::thread completer_;
  std::condition_variable checkpoint_cv_;  // with queue_mu_
  std::thread checkpointer_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteDb>> idle_readers_;  // guarded by readers_mu_
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const Clock& clock,
                                               bool must_exist) {
  if (must_exist && ::access(path.c_str(), F_OK) != 0) {
    return Status::NotFound("no database at " + path);
  }
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kWriter);
  if (!db.ok()) return db.status();
  auto version = db->QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return Status::InvalidArgument("the database at " + path + " was made by a newer candor");
  }
  if (*version == 1) {
    // Version 1 clustered events by conversation; move them into commit order.
    Status migrated = db->Exec(R"sql(
BEGIN IMMEDIATE;
ALTER TABLE events RENAME TO events_v1;
CREATE TABLE events (
  log_index INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL,
  kind TEXT NOT NULL, at_ms INTEGER NOT NULL, body TEXT NOT NULL, salt BLOB NOT NULL,
  commitment BLOB NOT NULL, leaf_hash BLOB NOT NULL);
INSERT INTO events SELECT log_index, conversation_id, seq, kind, at_ms, body, salt, commitment,
  leaf_hash FROM events_v1 ORDER BY log_index;
DROP TABLE events_v1;
CREATE UNIQUE INDEX events_by_conversation ON events (conversation_id, seq);
PRAGMA user_version = 2;
COMMIT;)sql");
    if (!migrated.ok()) {
      (void)db->Exec("ROLLBACK");  // the database stays as it was
      return Status::IoError("cannot upgrade the database at " + path + ": " + migrated.message());
    }
  }
  CANDOR_RETURN_IF_ERROR(db->Exec(kSchema));
  for (const AddedColumn& added : kAddedColumns) {
    auto present = db->QueryInt(std::string("SELECT COUNT(*) FROM pragma_table_info('") +
                                added.table + "') WHERE name = '" + added.column + "'");
    if (!present.ok()) return present.status();
    if (*present == 0) {
      CANDOR_RETURN_IF_ERROR(db->Exec(std::string("ALTER TABLE ") + added.table + " ADD COLUMN " +
                                      added.column + " " + added.definition));
    }
  }
  CANDOR_RETURN_IF_ERROR(db->Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)));
  auto store = std::make_unique<SqliteStore>(path, clock, std::move(*db));
  CANDOR_RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace candor
