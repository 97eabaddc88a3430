// For the audit tests: changes a candor database directly, as an intruder
// with access to the file would, bypassing the store.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace candor {

inline void TamperWithDatabase(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

}  // namespace candor
