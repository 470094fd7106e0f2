// PostgresDatabase against a real server: error mapping, typed parameters, streaming,
// serialization retries, the bounded pool, reconnection and concurrent migrators. Runs where
// COFFER_TEST_POSTGRES_URL names a database (ctest's meta_on_postgres starts a throw-away
// cluster for it); elsewhere these tests are skipped.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>

#include "meta/migrations.h"
#include "meta/postgres_database.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::postgres_test_url().empty()) {
      GTEST_SKIP() << "COFFER_TEST_POSTGRES_URL is not set (ctest runs meta_on_postgres)";
    }
    db_ = open(PostgresOptions{});
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(testing::empty_postgres_database(*db_).is_ok());
  }

  static std::unique_ptr<Database> open(const PostgresOptions& options) {
    auto db = open_postgres_database(testing::postgres_test_url(), options);
    EXPECT_TRUE(db.is_ok()) << db.status().to_string();
    return db.is_ok() ? std::move(*db) : nullptr;
  }

  Status write(const std::string& sql, const Params& params = {}) {
    return db_->transact(TxMode::kWrite,
                         [&](Connection& conn) { return status_of(conn.exec(sql, params)); });
  }

  Status schema(const std::string& sql) {
    return db_->transact(TxMode::kSchema, [&](Connection& conn) { return conn.exec_script(sql); });
  }

  int64_t scalar(const std::string& sql, const Params& params = {}) {
    auto n = transact_value<int64_t>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<int64_t> {
      auto row = conn.query_row(sql, params);
      COFFER_RETURN_IF_ERROR(row);
      return *row ? (*row)->int64(0) : -1;
    });
    EXPECT_TRUE(n.is_ok()) << n.status().to_string();
    return n.is_ok() ? *n : -1;
  }

  using Transaction = std::function<Status(Connection&)>;

  // `each` read-modify-write increments of one counter row from each of `threads` threads,
  // each run as run(thread, increment). Expects every one to land; returns how many times an
  // increment ran (more than threads * each when conflicts made some run again).
  int increment_concurrently(int threads, int each,
                             const std::function<Status(int, const Transaction&)>& run) {
    EXPECT_TRUE(schema("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)").is_ok());
    EXPECT_TRUE(write("INSERT INTO counter VALUES (1, 0)").is_ok());
    std::atomic<int> runs{0};
    const Transaction increment = [&](Connection& conn) -> Status {
      ++runs;
      auto row = conn.query_row("SELECT n FROM counter WHERE id = 1");
      COFFER_RETURN_IF_ERROR(row);
      return status_of(conn.exec("UPDATE counter SET n = ? WHERE id = 1", {(*row)->int64(0) + 1}));
    };
    std::vector<std::thread> pool;
    std::vector<Status> failures(threads);
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (int i = 0; i < each; ++i) {
          Status s = run(t, increment);
          if (!s.is_ok()) failures[t] = s;
        }
      });
    }
    for (auto& th : pool) th.join();
    for (const Status& s : failures) EXPECT_TRUE(s.is_ok()) << s.to_string();
    EXPECT_EQ(scalar("SELECT n FROM counter"), threads * each);
    return runs.load();
  }

  std::unique_ptr<Database> db_;
};

TEST_F(PostgresDatabaseTest, MapsConstraintViolationsAndHidesTheValues) {
  ASSERT_TRUE(schema("CREATE TABLE parent (id BIGINT PRIMARY KEY, secret TEXT NOT NULL UNIQUE);"
                     "CREATE TABLE child (parent_id BIGINT NOT NULL REFERENCES parent (id));")
                  .is_ok());
  ASSERT_TRUE(write("INSERT INTO parent (id, secret) VALUES (?, ?)", {1, "hunter2-hash"}).is_ok());

  Status dup = write("INSERT INTO parent (id, secret) VALUES (?, ?)", {2, "hunter2-hash"});
  EXPECT_EQ(dup.code(), Errc::kAlreadyExists) << dup.to_string();
  EXPECT_EQ(dup.message().find("hunter2"), std::string::npos) << dup.message();
  EXPECT_NE(dup.message().find("23505"), std::string::npos) << dup.message();

  Status fk = write("INSERT INTO child (parent_id) VALUES (?)", {99});
  EXPECT_EQ(fk.code(), Errc::kConflict) << fk.to_string();
  EXPECT_EQ(fk.message().find("99"), std::string::npos) << fk.message();

  Status not_null = write("INSERT INTO parent (id, secret) VALUES (?, ?)", {3, nullptr});
  EXPECT_EQ(not_null.code(), Errc::kInternal) << not_null.to_string();

  Status bad_value = write("INSERT INTO parent (id, secret) VALUES (CAST(? AS BIGINT), 'x')",
                           {"not-a-number-hunter2"});
  EXPECT_EQ(bad_value.code(), Errc::kInternal);
  EXPECT_EQ(bad_value.message().find("hunter2"), std::string::npos) << bad_value.message();

  Status bad_sql = write("SELEKT 1");
  EXPECT_EQ(bad_sql.code(), Errc::kInternal);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM parent"), 1);
}

TEST_F(PostgresDatabaseTest, TypedParametersRoundTrip) {
  ASSERT_TRUE(schema("CREATE TABLE t (i BIGINT, small INTEGER, d DOUBLE PRECISION, s TEXT, n TEXT)")
                  .is_ok());
  const int64_t big = std::numeric_limits<int64_t>::max();
  const std::string text = "it's \"quoted\" ? -- not a comment; ünïcode";
  ASSERT_TRUE(write("INSERT INTO t (i, small, d, s, n) VALUES (?, ?, ?, ?, ?)",
                    {big, 7, 0.1, text, nullptr})
                  .is_ok());
  ASSERT_TRUE(write("INSERT INTO t (i, small, d, s, n) VALUES (?, ?, ?, ?, ?)",
                    {std::numeric_limits<int64_t>::min(), nullptr, -2.5e300, "", "x"})
                  .is_ok());
  auto rows = transact_value<std::vector<Row>>(*db_, TxMode::kRead, [](Connection& conn) {
    return conn.query("SELECT i, small, d, s, n, '?' FROM t WHERE i > ? ORDER BY i", {0});
  });
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 1u);
  const Row& row = (*rows)[0];
  EXPECT_EQ(row.int64(0), big);
  EXPECT_EQ(row.int64(1), 7);
  EXPECT_EQ(row.real(2), 0.1);
  EXPECT_EQ(row.text(3), text);
  EXPECT_TRUE(row.is_null(4));
  EXPECT_EQ(row.text(5), "?");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM t WHERE s = ? AND small IS NULL", {""}), 1);
}

TEST_F(PostgresDatabaseTest, QueryEachStreamsAndAnEarlyStopLeavesTheConnectionUsable) {
  ASSERT_TRUE(schema("CREATE TABLE t (i BIGINT)").is_ok());
  ASSERT_TRUE(write("INSERT INTO t SELECT generate_series(1, 5000)").is_ok());
  int seen = 0;
  Status s = db_->transact(TxMode::kRead, [&](Connection& conn) {
    return conn.query_each("SELECT i FROM t ORDER BY i", {}, [&](const Row& row) {
      EXPECT_EQ(row.int64(0), ++seen);
      return seen == 10 ? Status(Errc::kCorruption, "stop here") : Status::ok();
    });
  });
  EXPECT_EQ(s.code(), Errc::kCorruption);
  EXPECT_EQ(seen, 10);  // a read that delivered rows is never retried
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM t"), 5000);
  EXPECT_EQ(write("INSERT INTO t VALUES (?)", {0}).code(), Errc::kOk);
}

TEST_F(PostgresDatabaseTest, ReadTransactionsCannotWrite) {
  ASSERT_TRUE(schema("CREATE TABLE t (i BIGINT)").is_ok());
  Status s = db_->transact(TxMode::kRead, [](Connection& conn) {
    return status_of(conn.exec("INSERT INTO t VALUES (1)"));
  });
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM t"), 0);
}

TEST_F(PostgresDatabaseTest, ConflictingReadModifyWritesAreRetriedUntilAllLand) {
  const int runs = increment_concurrently(
      4, 25, [&](int, const Transaction& fn) { return db_->transact(TxMode::kWrite, fn); });
  // Serializable isolation really was at work: some runs lost and ran again.
  EXPECT_GT(runs, 4 * 25);
}

TEST_F(PostgresDatabaseTest, ExclusiveWritersOfOneKeyOnSeveralNodesNeverConflict) {
  // The same increments through transact_exclusive() of one key, each thread on a Database
  // of its own (as on separate nodes: only the server's advisory lock is shared).
  std::vector<std::unique_ptr<Database>> nodes;
  for (int t = 0; t < 4; ++t) nodes.push_back(open(PostgresOptions{}));
  const int runs = increment_concurrently(4, 25, [&](int thread, const Transaction& fn) {
    return nodes[thread]->transact_exclusive(/*key=*/7, fn);
  });
  // One at a time: no run was aborted and repeated.
  EXPECT_EQ(runs, 4 * 25);
  // Every advisory lock was given back.
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"), 0);
}

TEST_F(PostgresDatabaseTest, AFullPoolMakesWaitersUnavailableAfterTheTimeout) {
  PostgresOptions options;
  options.max_connections = 1;
  options.acquire_timeout = std::chrono::milliseconds(200);
  auto db = open(options);
  ASSERT_NE(db, nullptr);
  std::mutex mu;
  std::condition_variable cv;
  bool holding = false;
  bool release = false;
  std::thread holder([&] {
    Status s = db->transact(TxMode::kRead, [&](Connection&) {
      std::unique_lock lock(mu);
      holding = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok());
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return holding; });
  }
  const auto start = std::chrono::steady_clock::now();
  Status waited = db->transact(TxMode::kRead, [](Connection&) { return Status::ok(); });
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(waited.code(), Errc::kUnavailable) << waited.to_string();
  EXPECT_GE(elapsed, std::chrono::milliseconds(200));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  holder.join();
  EXPECT_TRUE(db->transact(TxMode::kRead, [](Connection&) { return Status::ok(); }).is_ok());
}

TEST_F(PostgresDatabaseTest, ReconnectsAfterTheServerDroppedItsConnections) {
  ASSERT_EQ(scalar("SELECT 1"), 1);  // leaves an idle pooled connection behind
  auto other = open(PostgresOptions{});
  ASSERT_NE(other, nullptr);
  // Every other coffer session of this role ends, as after a server restart or a failover.
  ASSERT_TRUE(other
                  ->transact(TxMode::kRead,
                             [](Connection& conn) {
                               return status_of(conn.query(
                                   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE application_name = 'coffer' AND usename = current_user "
                                   "AND datname = current_database() AND pid <> pg_backend_pid()"));
                             })
                  .is_ok());
  EXPECT_EQ(scalar("SELECT 2"), 2);
  EXPECT_TRUE(write("SELECT 1").is_ok());
}

TEST_F(PostgresDatabaseTest, ConcurrentMigratorsLeaveOneWholeSchema) {
  constexpr int kMigrators = 4;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kMigrators; ++i) dbs.push_back(open(PostgresOptions{}));
  std::vector<Status> results(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] { results[i] = migrate(*dbs[i]); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM schema_migrations"), latest_schema_version());
  auto version = current_schema_version(*db_);
  ASSERT_TRUE(version.is_ok());
  EXPECT_EQ(*version, latest_schema_version());
}

TEST_F(PostgresDatabaseTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(migrate(*db_).is_ok());
  ASSERT_TRUE(write("INSERT INTO schema_migrations (version, description, applied_at) "
                    "VALUES (?, 'from the future', 0)",
                    {latest_schema_version() + 1})
                  .is_ok());
  Status s = migrate(*db_);
  EXPECT_EQ(s.code(), Errc::kUnavailable) << s.to_string();
}

}  // namespace
}  // namespace coffer::meta
