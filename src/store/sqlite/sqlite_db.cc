#include "store/sqlite/sqlite_db.h"

#include <mutex>

namespace candor {

SqliteStatement& SqliteStatement::Bind(int index, const std::string& text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, const std::string& bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindStatic(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

SqliteStatement& SqliteStatement::BindStaticBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  Status error = (rc & 0xff) == SQLITE_CONSTRAINT
                     ? Status::AlreadyExists(sqlite3_errmsg(db))
                     : Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db));
  sqlite3_reset(stmt_);
  return error;
}

Status SqliteStatement::Run() {
  while (true) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return Status::Ok();
}

std::string SqliteStatement::Text(int column) const {
  // Blobs and text alike, byte for byte.
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(static_cast<const char*>(data), size) : std::string();
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<SqliteDb> SqliteDb::Open(const std::string& path, Mode mode) {
  // SQLite counts every allocation under a global mutex unless told not to;
  // nothing here reads those counts. Only possible before SQLite starts up,
  // so a process that used SQLite before keeps the default.
  static std::once_flag configured;
  std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kWriter) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return Status::IoError("cannot open database " + path + ": " +
                           (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 5000);
  if (mode == Mode::kWriter) {
    // WAL lets readers run beside the writer; FULL fsyncs the WAL on every
    // commit, so a commit that returned survives a crash or power loss.
    CANDOR_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
    CANDOR_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
    CANDOR_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
    CANDOR_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size = -65536"));  // 64 MiB of hot pages
    // When the log starts over, a file grown longer under load is cut back.
    CANDOR_RETURN_IF_ERROR(db.Exec("PRAGMA journal_size_limit = 67108864"));
    // Replaces SQLite's automatic checkpoints, which the store does not use.
    sqlite3_wal_hook(
        raw,
        [](void* pages, sqlite3*, const char*, int count) {
          *static_cast<int*>(pages) = count;
          return SQLITE_OK;
        },
        db.wal_pages_.get());
  } else {
    CANDOR_RETURN_IF_ERROR(db.Exec("PRAGMA query_only = ON"));
  }
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(other.db_), cached_(std::move(other.cached_)), wal_pages_(std::move(other.wal_pages_)) {
  other.wal_pages_ = std::make_unique<int>(0);
  other.db_ = nullptr;
  other.cached_.clear();
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : cached_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close_v2(db_);
}

Status SqliteDb::Error(const std::string& what) const {
  return Status::IoError("sqlite: " + what + ": " + sqlite3_errmsg(db_));
}

Status SqliteDb::Exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return Status::IoError("sqlite: " + text);
  }
  return Status::Ok();
}

Result<int64_t> SqliteDb::QueryInt(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("query returned no row");
  return stmt->Int(0);
}

Result<OwnedStatement> SqliteDb::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Error("prepare");
  }
  return OwnedStatement(stmt);
}

Result<SqliteStatement> SqliteDb::PrepareCached(const std::string& sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return Error("prepare");
    }
    it = cached_.emplace(sql, stmt).first;
  }
  sqlite3_reset(it->second);
  sqlite3_clear_bindings(it->second);
  return SqliteStatement(it->second);
}

Result<bool> SqliteDb::CheckpointAll() {
  int in_log = 0, copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &in_log, &copied);
  if (rc == SQLITE_BUSY) return false;  // another checkpoint is running: try later
  if (rc != SQLITE_OK) return Error("checkpoint");
  return copied == in_log;
}

void SqliteDb::ResetCached() {
  for (auto& [sql, stmt] : cached_) sqlite3_reset(stmt);
}

}  // namespace candor
