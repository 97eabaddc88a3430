// The write-ahead log under a steady load: it starts over once every page in
// it has been copied into the database, so it stops growing.
#include "store/sqlite/sqlite_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace candor {
namespace {

namespace fs = std::filesystem;

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("candor-sqlite-db-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "candor.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Ten rows of 3 KB in one transaction.
  static void Commit(SqliteDb& db) {
    ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE").ok());
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(db.Exec("INSERT INTO t (x) VALUES (randomblob(3000))").ok());
    }
    ASSERT_TRUE(db.Exec("COMMIT").ok());
  }
  uintmax_t LogBytes() const { return fs::file_size(path_ + "-wal"); }

  fs::path dir_;
  std::string path_;
};

TEST_F(SqliteDbTest, TheLogStartsOverOnceEveryPageInItIsCopied) {
  auto writer = SqliteDb::Open(path_, SqliteDb::Mode::kWriter);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Exec("CREATE TABLE t (x BLOB)").ok());
  for (int i = 0; i < 20; ++i) Commit(*writer);
  const int pages = writer->WalPages();
  EXPECT_GT(pages, 150) << "every commit adds its pages to the log";
  const uintmax_t bytes = LogBytes();

  auto all_copied = writer->CheckpointAll();
  ASSERT_TRUE(all_copied.ok());
  EXPECT_TRUE(*all_copied);
  Commit(*writer);
  EXPECT_LT(writer->WalPages(), pages / 10) << "the next commit wrote the log from its start";
  EXPECT_EQ(LogBytes(), bytes) << "and the file did not grow";
}

TEST_F(SqliteDbTest, ALogAReaderStillNeedsIsNotStartedOver) {
  auto writer = SqliteDb::Open(path_, SqliteDb::Mode::kWriter);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Exec("CREATE TABLE t (x BLOB)").ok());
  Commit(*writer);
  auto reader = SqliteDb::Open(path_, SqliteDb::Mode::kReader);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Exec("BEGIN").ok());
  ASSERT_EQ(*reader->QueryInt("SELECT COUNT(*) FROM t"), 10);  // holds this snapshot

  for (int i = 0; i < 5; ++i) Commit(*writer);
  auto all_copied = writer->CheckpointAll();
  ASSERT_TRUE(all_copied.ok());
  EXPECT_FALSE(*all_copied) << "pages after the reader's snapshot must wait";
  EXPECT_EQ(*reader->QueryInt("SELECT COUNT(*) FROM t"), 10) << "the reader's view is intact";

  ASSERT_TRUE(reader->Exec("COMMIT").ok());
  all_copied = writer->CheckpointAll();
  ASSERT_TRUE(all_copied.ok());
  EXPECT_TRUE(*all_copied) << "once the reader is done, everything is copied";
  Commit(*writer);
  EXPECT_EQ(*reader->QueryInt("SELECT COUNT(*) FROM t"), 70);
}

}  // namespace
}  // namespace candor
