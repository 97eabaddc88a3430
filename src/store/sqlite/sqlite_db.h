// Thin RAII wrapper over the SQLite C API, turning its error codes into Status.
// A SqliteDb is used by one thread at a time; it is movable, not copyable.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace candor {

// A handle on a prepared statement. It does not own the statement: SqliteDb
// (for cached statements) or OwnedStatement does.
class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  SqliteStatement& Bind(int index, const std::string& text);
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& BindBlob(int index, const std::string& bytes);
  // Without a copy: the bytes must stay alive and unchanged until the
  // statement has run (Run resets it and clears its bindings).
  SqliteStatement& BindStatic(int index, std::string_view text);
  SqliteStatement& BindStaticBlob(int index, std::string_view bytes);

  // true: a row is ready; false: done.
  Result<bool> Step();
  // Steps to completion, then resets. AlreadyExists on a constraint violation.
  Status Run();

  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool IsNull(int column) const;

 protected:
  sqlite3_stmt* stmt_;
};

class OwnedStatement : public SqliteStatement {
 public:
  explicit OwnedStatement(sqlite3_stmt* stmt) : SqliteStatement(stmt) {}
  OwnedStatement(OwnedStatement&& other) noexcept : SqliteStatement(other.stmt_) {
    other.stmt_ = nullptr;
  }
  OwnedStatement(const OwnedStatement&) = delete;
  OwnedStatement& operator=(const OwnedStatement&) = delete;
  OwnedStatement& operator=(OwnedStatement&&) = delete;
  ~OwnedStatement() { sqlite3_finalize(stmt_); }
};

class SqliteDb {
 public:
  enum class Mode { kWriter, kReader };

  static Result<SqliteDb> Open(const std::string& path, Mode mode);

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&&) = delete;
  SqliteDb(const SqliteDb&) = delete;
  ~SqliteDb();

  Status Exec(const std::string& sql);
  Result<int64_t> QueryInt(const std::string& sql);
  Result<OwnedStatement> Prepare(const std::string& sql);
  // Prepared once per connection and reused; reset and unbound on each fetch.
  Result<SqliteStatement> PrepareCached(const std::string& sql);
  // Resets every cached statement so this connection holds no read snapshot.
  void ResetCached();
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  // Rows changed by the latest INSERT, UPDATE or DELETE.
  int64_t Changes() const { return sqlite3_changes(db_); }

  // Pages in the write-ahead log after this connection's latest commit (0
  // before its first). Writer connections only.
  int WalPages() const { return *wal_pages_; }
  // Copies every committed page of the write-ahead log into the database
  // without waiting for other connections (a PASSIVE checkpoint). true when
  // all of them were copied: the next commit then writes the log from its
  // beginning again instead of making it longer.
  Result<bool> CheckpointAll();

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  Status Error(const std::string& what) const;

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> cached_;
  // On the heap, so SQLite's commit hook keeps its address when this moves.
  std::unique_ptr<int> wal_pages_ = std::make_unique<int>(0);
};

}  // namespace candor
