#include "meta/sqlite_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "temp_dir.h"

namespace coffer::meta {
namespace {

using testing::TempDir;

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_sqlite_database(dir_.file("test.db"));
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    db_ = std::move(*opened);
    ASSERT_TRUE(
        db_->transact(TxMode::kWrite,
                      [](Connection& conn) {
                        return conn.exec_script(
                            "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
                            "CREATE TABLE child (id INTEGER PRIMARY KEY, "
                            "parent_id INTEGER NOT NULL REFERENCES parent (id), v TEXT)");
                      })
            .is_ok());
  }

  Status insert_parent(int64_t id, const std::string& name) {
    return db_->transact(TxMode::kWrite, [&](Connection& conn) {
      return status_of(conn.exec("INSERT INTO parent (id, name) VALUES (?, ?)", {id, name}));
    });
  }

  int64_t count(const std::string& table) {
    auto n = transact_value<int64_t>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<int64_t> {
      auto row = conn.query_row("SELECT COUNT(*) FROM " + table);
      COFFER_RETURN_IF_ERROR(row);
      return (*row)->int64(0);
    });
    EXPECT_TRUE(n.is_ok()) << n.status().to_string();
    return n.is_ok() ? *n : -1;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(SqliteDatabaseTest, IsDurableWalWithForeignKeys) {
  auto pragmas = transact_value<std::vector<std::string>>(
      *db_, TxMode::kWrite, [](Connection& conn) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const char* p : {"PRAGMA journal_mode", "PRAGMA synchronous", "PRAGMA foreign_keys"}) {
          auto row = conn.query_row(p);
          COFFER_RETURN_IF_ERROR(row);
          out.push_back((*row)->text(0));
        }
        return out;
      });
  ASSERT_TRUE(pragmas.is_ok()) << pragmas.status().to_string();
  EXPECT_EQ((*pragmas)[0], "wal");
  EXPECT_EQ((*pragmas)[1], "2");  // FULL
  EXPECT_EQ((*pragmas)[2], "1");
  EXPECT_EQ(db_->dialect().kind(), Dialect::Kind::kSqlite);
}

TEST_F(SqliteDatabaseTest, ValuesRoundTrip) {
  auto rows = transact_value<std::vector<Row>>(*db_, TxMode::kWrite, [](Connection& conn) {
    return conn.query("SELECT ?, ?, ?, ?, ?",
                      {int64_t{-7}, 2.5, "text", nullptr, std::string("a\0b", 3)});
  });
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 1u);
  const Row& row = (*rows)[0];
  EXPECT_EQ(row.int64(0), -7);
  EXPECT_DOUBLE_EQ(row.real(1), 2.5);
  EXPECT_EQ(row.text(2), "text");
  EXPECT_TRUE(row.is_null(3));
  EXPECT_EQ(row.opt_int64(3), std::nullopt);
  EXPECT_EQ(row.text(4), std::string("a\0b", 3));
}

TEST_F(SqliteDatabaseTest, ExecReportsChangedRows) {
  ASSERT_TRUE(insert_parent(1, "a").is_ok());
  ASSERT_TRUE(insert_parent(2, "b").is_ok());
  auto changed = transact_value<int64_t>(*db_, TxMode::kWrite, [](Connection& conn) {
    return conn.exec("UPDATE parent SET name = name || 'x'");
  });
  ASSERT_TRUE(changed.is_ok());
  EXPECT_EQ(*changed, 2);
}

TEST_F(SqliteDatabaseTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(insert_parent(1, "a").is_ok());
  EXPECT_EQ(insert_parent(2, "a").code(), Errc::kAlreadyExists);
  EXPECT_EQ(insert_parent(1, "b").code(), Errc::kAlreadyExists);  // primary key
}

TEST_F(SqliteDatabaseTest, ForeignKeyViolationIsConflict) {
  Status s = db_->transact(TxMode::kWrite, [](Connection& conn) {
    return status_of(conn.exec("INSERT INTO child (parent_id) VALUES (?)", {42}));
  });
  EXPECT_EQ(s.code(), Errc::kConflict) << s.to_string();
}

TEST_F(SqliteDatabaseTest, FailedTransactionLeavesNothing) {
  Status s = db_->transact(TxMode::kWrite, [](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(conn.exec("INSERT INTO parent (id, name) VALUES (1, 'a')"));
    return Status(Errc::kInvalidArgument, "changed my mind");
  });
  EXPECT_EQ(s.code(), Errc::kInvalidArgument);
  EXPECT_EQ(count("parent"), 0);
}

TEST_F(SqliteDatabaseTest, ReadOnlyTransactionsCannotWrite) {
  Status s = db_->transact(TxMode::kRead, [](Connection& conn) {
    return status_of(conn.exec("INSERT INTO parent (id, name) VALUES (1, 'a')"));
  });
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(count("parent"), 0);
}

TEST_F(SqliteDatabaseTest, OneStatementPerCall) {
  Status s = db_->transact(TxMode::kWrite, [](Connection& conn) {
    return status_of(conn.exec("INSERT INTO parent (id) VALUES (1); DELETE FROM parent"));
  });
  EXPECT_EQ(s.code(), Errc::kInternal);
  EXPECT_EQ(count("parent"), 0);
}

TEST_F(SqliteDatabaseTest, WrongParameterCountIsRefused) {
  Status s = db_->transact(TxMode::kWrite, [](Connection& conn) {
    return status_of(conn.exec("INSERT INTO parent (id, name) VALUES (?, ?)", {1}));
  });
  EXPECT_EQ(s.code(), Errc::kInternal);
}

TEST_F(SqliteDatabaseTest, DoubleQuotedStringsAreIdentifiers) {
  // Portable SQL: "x" names a column, as in PostgreSQL, never a string literal.
  Status s = db_->transact(TxMode::kRead, [](Connection& conn) {
    return status_of(conn.query("SELECT \"no_such_column\" FROM parent"));
  });
  EXPECT_FALSE(s.is_ok());
}

TEST_F(SqliteDatabaseTest, NestedUseOfTheSameStatement) {
  ASSERT_TRUE(insert_parent(1, "a").is_ok());
  ASSERT_TRUE(insert_parent(2, "b").is_ok());
  int inner = 0;
  Status s = db_->transact(TxMode::kRead, [&](Connection& conn) {
    inner = 0;
    const std::string sql = "SELECT id FROM parent ORDER BY id";
    return conn.query_each(sql, {}, [&](const Row&) {
      auto rows = conn.query(sql);
      COFFER_RETURN_IF_ERROR(rows);
      inner += static_cast<int>(rows->size());
      return Status::ok();
    });
  });
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(inner, 4);
}

TEST_F(SqliteDatabaseTest, StatementCacheOverflowIsHarmless) {
  Status s = db_->transact(TxMode::kRead, [](Connection& conn) -> Status {
    for (int i = 0; i < 400; ++i) {
      auto row = conn.query_row("SELECT " + std::to_string(i));
      COFFER_RETURN_IF_ERROR(row);
      if ((*row)->int64(0) != i) return Status(Errc::kInternal, "wrong row");
    }
    return Status::ok();
  });
  EXPECT_TRUE(s.is_ok()) << s.to_string();
}

TEST_F(SqliteDatabaseTest, ReadersSeeASnapshotWhileAWriterWorks) {
  ASSERT_TRUE(insert_parent(1, "a").is_ok());
  std::atomic<bool> written{false};
  std::atomic<bool> read_done{false};
  std::thread writer([&] {
    Status s = db_->transact(TxMode::kWrite, [&](Connection& conn) -> Status {
      COFFER_RETURN_IF_ERROR(conn.exec("INSERT INTO parent (id, name) VALUES (2, 'b')"));
      written = true;
      while (!read_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  });
  while (!written) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The uncommitted row is invisible, and reading does not wait for the writer.
  EXPECT_EQ(count("parent"), 1);
  read_done = true;
  writer.join();
  EXPECT_EQ(count("parent"), 2);
}

// Concurrent writers queued behind a busy one commit as one group (they run on the group
// leader's thread), yet each succeeds or fails on its own: a failing member's writes are rolled
// back to its savepoint and the others' commit.
TEST_F(SqliteDatabaseTest, GroupCommitKeepsMembersIndependent) {
  constexpr int kWriters = 8;
  std::atomic<bool> release{false};
  std::thread blocker([&] {
    Status s = db_->transact(TxMode::kWrite, [&](Connection& conn) -> Status {
      COFFER_RETURN_IF_ERROR(conn.exec("INSERT INTO parent (id, name) VALUES (100, 'blocker')"));
      // Hold the write queue until every writer has joined it.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (sqlite_writes_queued(*db_) < kWriters + 1 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  });
  while (sqlite_writes_queued(*db_) < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  std::vector<Status> results(kWriters);
  std::vector<std::thread::id> ran_on(kWriters);
  std::vector<std::thread::id> called_from(kWriters);
  std::vector<std::thread> writers;
  for (int k = 0; k < kWriters; ++k) {
    writers.emplace_back([&, k] {
      called_from[k] = std::this_thread::get_id();
      results[k] = db_->transact(TxMode::kWrite, [&, k](Connection& conn) -> Status {
        ran_on[k] = std::this_thread::get_id();
        // Writer 3 collides with the blocker's name; writer 5 writes, then fails.
        const std::string name = k == 3 ? "blocker" : "w" + std::to_string(k);
        COFFER_RETURN_IF_ERROR(
            conn.exec("INSERT INTO parent (id, name) VALUES (?, ?)", {k + 1, name}));
        if (k == 5) return Status(Errc::kConflict, "changed its mind");
        return Status::ok();
      });
    });
  }
  blocker.join();
  for (auto& t : writers) t.join();

  int grouped = 0;
  for (int k = 0; k < kWriters; ++k) {
    if (ran_on[k] != called_from[k]) ++grouped;
    if (k == 3) {
      EXPECT_EQ(results[k].code(), Errc::kAlreadyExists) << results[k].to_string();
    } else if (k == 5) {
      EXPECT_EQ(results[k].code(), Errc::kConflict) << results[k].to_string();
    } else {
      EXPECT_TRUE(results[k].is_ok()) << k << ": " << results[k].to_string();
    }
  }
  // One of them led the group; all the others ran inside its transaction.
  EXPECT_EQ(grouped, kWriters - 1);
  EXPECT_EQ(count("parent"), 1 + kWriters - 2);
  auto names =
      transact_value<std::string>(*db_, TxMode::kRead, [](Connection& conn) -> Result<std::string> {
        auto rows = conn.query("SELECT name FROM parent ORDER BY id");
        COFFER_RETURN_IF_ERROR(rows);
        std::string out;
        for (const Row& row : *rows) out += row.text(0) + " ";
        return out;
      });
  ASSERT_TRUE(names.is_ok());
  EXPECT_EQ(*names, "w0 w1 w2 w4 w6 w7 blocker ");
  EXPECT_EQ(sqlite_writes_queued(*db_), 0u);
}

TEST_F(SqliteDatabaseTest, BusyWriterFromAnotherProcessIsRetried) {
  // A second Database on the same file stands in for another process (e.g. an admin command).
  SqliteOptions impatient;
  impatient.busy_timeout_ms = 1;
  impatient.busy_retries = 10;
  auto other = open_sqlite_database(dir_.file("test.db"), impatient);
  ASSERT_TRUE(other.is_ok()) << other.status().to_string();

  std::atomic<bool> holding{false};
  std::thread holder([&] {
    Status s = db_->transact(TxMode::kWrite, [&](Connection& conn) -> Status {
      COFFER_RETURN_IF_ERROR(conn.exec("INSERT INTO parent (id, name) VALUES (1, 'a')"));
      holding = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Status s = (*other)->transact(TxMode::kWrite, [&](Connection& conn) {
    return status_of(conn.exec("INSERT INTO parent (id, name) VALUES (2, 'b')"));
  });
  holder.join();
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(count("parent"), 2);
}

TEST_F(SqliteDatabaseTest, BusyBeyondRetriesIsUnavailable) {
  SqliteOptions impatient;
  impatient.busy_timeout_ms = 1;
  impatient.busy_retries = 1;
  auto other = open_sqlite_database(dir_.file("test.db"), impatient);
  ASSERT_TRUE(other.is_ok());
  std::atomic<bool> holding{false};
  std::atomic<bool> release{false};
  std::thread holder([&] {
    Status s = db_->transact(TxMode::kWrite, [&](Connection& conn) -> Status {
      COFFER_RETURN_IF_ERROR(conn.exec("INSERT INTO parent (id, name) VALUES (1, 'a')"));
      holding = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok());
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Status s = (*other)->transact(TxMode::kWrite, [](Connection& conn) {
    return status_of(conn.exec("INSERT INTO parent (id, name) VALUES (2, 'b')"));
  });
  release = true;
  holder.join();
  EXPECT_EQ(s.code(), Errc::kUnavailable) << s.to_string();
}

TEST(SqliteOpen, NotADatabaseIsCorruption) {
  TempDir dir;
  {
    std::ofstream out(dir.file("junk.db"), std::ios::binary);
    out << std::string(8192, 'x');
  }
  auto db = open_sqlite_database(dir.file("junk.db"));
  ASSERT_FALSE(db.is_ok());
  EXPECT_EQ(db.status().code(), Errc::kCorruption) << db.status().to_string();
}

TEST(SqliteOpen, MissingDirectoryIsIoError) {
  TempDir dir;
  auto db = open_sqlite_database(dir.file("no/such/dir/meta.db"));
  ASSERT_FALSE(db.is_ok());
  EXPECT_EQ(db.status().code(), Errc::kIoError) << db.status().to_string();
}

TEST(Dialect, RendersItsFragments) {
  const std::string sql = "CREATE TABLE t (id {{ID}}, name {{NAME}}){{NATURAL_KEY}}; {{OTHER}}";
  EXPECT_EQ(Dialect::sqlite().render(sql),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT) WITHOUT ROWID; "
            "{{OTHER}}");
  EXPECT_EQ(Dialect::postgres().render(sql),
            "CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT "
            "COLLATE \"C\"); {{OTHER}}");
}

TEST(Value, ReadsLeniently) {
  EXPECT_EQ(Value("123").as_int64(), 123);
  EXPECT_EQ(Value("12x").as_int64(), 0);
  EXPECT_EQ(Value().as_int64(), 0);
  EXPECT_EQ(Value(uint32_t{7}).as_text(), "7");
  EXPECT_TRUE(Value(std::optional<int64_t>()).is_null());
  EXPECT_EQ(Value(std::optional<int64_t>(5)).as_int64(), 5);
}

}  // namespace
}  // namespace coffer::meta
