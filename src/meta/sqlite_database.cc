#include "meta/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace coffer::meta {
namespace {

// Maps an SQLite result code (extended codes enabled) to the Errc contract of database.h.
Status sqlite_status(int rc, sqlite3* db) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status(Errc::kAlreadyExists, "sqlite: " + detail);
      }
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return Status(Errc::kConflict, "sqlite: " + detail);
      return Status(Errc::kInternal, "sqlite: " + detail);
    case SQLITE_FULL:
      return Status(Errc::kIoError, "disk full (sqlite: " + detail + ")");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return Status(Errc::kIoError, "sqlite: " + detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(Errc::kCorruption, "sqlite: " + detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(Errc::kUnavailable, "the database is busy (sqlite: " + detail + ")");
    case SQLITE_NOMEM:
      return Status(Errc::kUnavailable, "sqlite: out of memory");
    default:
      return Status(Errc::kInternal, "sqlite: " + detail);
  }
}

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, size_t cache_size) : db_(db), cache_size_(cache_size) {}
  ~SqliteConnection() override {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    COFFER_RETURN_IF_ERROR(run(sql, params, nullptr));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Result<std::vector<Row>> query(std::string_view sql, const Params& params) override {
    std::vector<Row> rows;
    std::function<Status(const Row&)> collect = [&](const Row& row) {
      rows.push_back(row);
      return Status::ok();
    };
    COFFER_RETURN_IF_ERROR(run(sql, params, &collect));
    return rows;
  }

  Status query_each(std::string_view sql, const Params& params,
                    const std::function<Status(const Row&)>& fn) override {
    return run(sql, params, &fn);
  }

  Status exec_script(std::string_view sql) override {
    COFFER_RETURN_IF_ERROR(check_transaction_alive());
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(rc);
    return Status::ok();
  }

  // Transaction control, used by SqliteDatabase only.
  Status begin(std::string_view statement) {
    busy_ = false;
    rows_seen_ = 0;
    COFFER_RETURN_IF_ERROR(run(statement, {}, nullptr));
    in_transaction_ = true;
    return Status::ok();
  }
  Status commit() {
    COFFER_RETURN_IF_ERROR(check_transaction_alive());
    Status s = run("COMMIT", {}, nullptr);
    if (s.is_ok()) in_transaction_ = false;
    return s;
  }
  // Ends the transaction whatever state it is in; SQLite may already have rolled it back
  // itself after an I/O error or a full disk.
  void rollback() {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_transaction_ = false;
  }
  // Whether the transaction begun last is still open (SQLite has not rolled it back itself).
  bool alive() const { return in_transaction_ && !sqlite3_get_autocommit(db_); }
  // Whether a statement in this transaction failed because the database was busy.
  bool saw_busy() const { return busy_; }
  // Rows handed to the transaction function so far.
  int64_t rows_seen() const { return rows_seen_; }

  // Runs a statement whose single text result is returned (a PRAGMA). Outside transactions.
  Result<std::string> pragma(std::string_view sql) {
    std::string out;
    std::function<Status(const Row&)> first = [&](const Row& row) {
      if (out.empty() && row.size() > 0) out = row.text(0);
      return Status::ok();
    };
    COFFER_RETURN_IF_ERROR(run(sql, {}, &first));
    return out;
  }

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  // A prepared statement borrowed for one run: cached statements are reset and returned to
  // the cache, one-off statements (cache full or the cached one busy in an outer query_each)
  // are finalized.
  class Lease {
   public:
    Lease(sqlite3_stmt* stmt, Cached* cached) : stmt_(stmt), cached_(cached) {}
    ~Lease() {
      if (stmt_ == nullptr) return;
      if (cached_ != nullptr) {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        cached_->in_use = false;
      } else {
        sqlite3_finalize(stmt_);
      }
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    sqlite3_stmt* get() const { return stmt_; }

   private:
    sqlite3_stmt* stmt_;
    Cached* cached_;
  };

  Status fail(int rc) {
    if (is_busy(rc)) busy_ = true;
    return sqlite_status(rc, db_);
  }

  // After some errors (I/O, full disk, busy during commit) SQLite rolls the whole transaction
  // back. Running on would execute the remaining statements one by one in autocommit mode,
  // so refuse instead.
  Status check_transaction_alive() const {
    if (in_transaction_ && sqlite3_get_autocommit(db_)) {
      return Status(Errc::kIoError, "the transaction was rolled back by an earlier failure");
    }
    return Status::ok();
  }

  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return fail(rc);
    if (stmt == nullptr) return Status(Errc::kInternal, "sqlite: empty statement");
    std::string_view rest(tail, sql.data() + sql.size() - tail);
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(stmt);
      return Status(Errc::kInternal, "sqlite: more than one statement; use exec_script");
    }
    return stmt;
  }

  Result<Cached*> cached_statement(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return &it->second;
    if (cache_.size() >= cache_size_) {
      // Rarely reached: the catalog's statements are a fixed set. Drop the idle ones.
      std::erase_if(cache_, [](auto& entry) {
        if (entry.second.in_use) return false;
        sqlite3_finalize(entry.second.stmt);
        return true;
      });
    }
    auto stmt = prepare(sql);
    COFFER_RETURN_IF_ERROR(stmt);
    return &cache_.emplace(std::string(sql), Cached{*stmt, false}).first->second;
  }

  Status bind(sqlite3_stmt* stmt, const Params& params) {
    if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
      return Status(Errc::kInternal, "sqlite: wrong number of parameters for the statement");
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      switch (v.type()) {
        case Value::Type::kNull:
          rc = sqlite3_bind_null(stmt, index);
          break;
        case Value::Type::kInt64:
          rc = sqlite3_bind_int64(stmt, index, v.as_int64());
          break;
        case Value::Type::kDouble:
          rc = sqlite3_bind_double(stmt, index, v.as_double());
          break;
        case Value::Type::kText: {
          std::string text = v.as_text();
          rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
          break;
        }
      }
      if (rc != SQLITE_OK) return fail(rc);
    }
    return Status::ok();
  }

  static Row read_row(sqlite3_stmt* stmt) {
    const int n = sqlite3_column_count(stmt);
    std::vector<Value> values;
    values.reserve(n);
    for (int i = 0; i < n; ++i) {
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_INTEGER:
          values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
          break;
        case SQLITE_FLOAT:
          values.emplace_back(sqlite3_column_double(stmt, i));
          break;
        case SQLITE_NULL:
          values.emplace_back();
          break;
        default: {  // TEXT or BLOB: bytes as they are
          const void* data = sqlite3_column_blob(stmt, i);
          const int size = sqlite3_column_bytes(stmt, i);
          values.emplace_back(
              std::string(data != nullptr ? static_cast<const char*>(data) : "", size));
          break;
        }
      }
    }
    return Row(std::move(values));
  }

  Status run(std::string_view sql, const Params& params,
             const std::function<Status(const Row&)>* on_row) {
    COFFER_RETURN_IF_ERROR(check_transaction_alive());
    auto cached = cached_statement(sql);
    COFFER_RETURN_IF_ERROR(cached);
    sqlite3_stmt* stmt = nullptr;
    Cached* owner = nullptr;
    if (!(*cached)->in_use) {
      owner = *cached;
      owner->in_use = true;
      stmt = owner->stmt;
    } else {
      auto fresh = prepare(sql);
      COFFER_RETURN_IF_ERROR(fresh);
      stmt = *fresh;
    }
    Lease lease(stmt, owner);
    COFFER_RETURN_IF_ERROR(bind(stmt, params));
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::ok();
      if (rc != SQLITE_ROW) return fail(rc);
      if (on_row == nullptr) continue;
      ++rows_seen_;
      COFFER_RETURN_IF_ERROR((*on_row)(read_row(stmt)));
    }
  }

  sqlite3* db_;
  size_t cache_size_;
  std::unordered_map<std::string, Cached, StringHash, std::equal_to<>> cache_;
  bool in_transaction_ = false;
  bool busy_ = false;
  int64_t rows_seen_ = 0;
};

// Process-wide SQLite settings, applied once before the library initializes (sqlite3_config
// refuses them afterwards; then SQLite keeps its defaults, which are correct, only slower).
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Group commit gives every member a savepoint, and SQLite keeps what a savepoint may have
    // to roll back in a statement journal, spilled to a temporary file past 64 KiB: one small
    // upload's pages crossed that, and the spill cost more pwrite calls than the WAL itself.
    // Kept in memory it is a few pages per member of the group in flight; nothing durable
    // lives there (the WAL is the record that survives a crash).
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
  });
}

Result<std::unique_ptr<SqliteConnection>> open_connection(const std::string& path, bool writer,
                                                          const SqliteOptions& options) {
  configure_sqlite_once();
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (writer) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = sqlite_status(rc, db);
    sqlite3_close_v2(db);
    return Status(s.code(), "cannot open the database " + path + ": " + s.message());
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // Double-quoted strings are identifiers in standard SQL; refusing SQLite's legacy reading
  // keeps the catalog's SQL portable to PostgreSQL.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  auto conn = std::make_unique<SqliteConnection>(db, options.statement_cache_size);

  if (writer) {
    // Persistent in the file: readers opened later find WAL already on.
    auto mode = conn->pragma("PRAGMA journal_mode=WAL");
    COFFER_RETURN_IF_ERROR(mode);
    if (*mode != "wal") {
      return Status(Errc::kInvalidArgument,
                    "the database " + path + " cannot use WAL journaling (mode " + *mode + ")");
    }
    COFFER_RETURN_IF_ERROR(conn->pragma(options.durable_commits ? "PRAGMA synchronous=FULL"
                                                                : "PRAGMA synchronous=NORMAL"));
    COFFER_RETURN_IF_ERROR(conn->pragma("PRAGMA foreign_keys=ON"));
  } else {
    COFFER_RETURN_IF_ERROR(conn->pragma("PRAGMA query_only=ON"));
  }
  return conn;
}

class SqliteDatabase final : public Database {
 private:
  // A write transaction waiting in the group-commit queue (write()).
  struct PendingWrite {
    PendingWrite(const std::function<Status(Connection&)>* fn, TxMode mode) : fn(fn), mode(mode) {}
    const std::function<Status(Connection&)>* fn;
    TxMode mode;
    Status status;
    bool retry = false;
    bool done = false;  // GUARDED_BY(queue_mu_)
    std::condition_variable cv;
  };
  // Bounds the work one leader does for others (and so their added latency).
  static constexpr size_t kMaxGroup = 64;

 public:
  SqliteDatabase(std::string path, SqliteOptions options, std::unique_ptr<SqliteConnection> writer)
      : path_(std::move(path)), options_(options), writer_(std::move(writer)) {}

  const Dialect& dialect() const override { return Dialect::sqlite(); }

  size_t writes_queued() {
    std::lock_guard lock(queue_mu_);
    return queue_.size();
  }

  Status transact(TxMode mode, const std::function<Status(Connection&)>& fn) override {
    for (int attempt = 0;; ++attempt) {
      bool retry = false;
      // BEGIN IMMEDIATE already excludes every other writer, so a schema change is a write.
      Status s = mode == TxMode::kRead ? read(fn, retry) : write(mode, fn, retry);
      if (s.is_ok() || !retry || attempt >= options_.busy_retries) return s;
      // 5, 10, 20, ... ms, capped: another process holds the write lock for a while.
      std::this_thread::sleep_for(std::chrono::milliseconds(5 << std::min(attempt, 6)));
    }
  }

 private:
  // REQUIRES: the caller has exclusive use of `conn`.
  static Status run(SqliteConnection& conn, TxMode mode,
                    const std::function<Status(Connection&)>& fn, bool& retry) {
    Status s = conn.begin(mode == TxMode::kRead ? "BEGIN" : "BEGIN IMMEDIATE");
    if (s.is_ok()) {
      s = fn(conn);
      if (s.is_ok()) s = conn.commit();
    }
    if (!s.is_ok()) conn.rollback();
    // A reader is retried only before it delivered rows (database.h); in WAL mode a reader
    // meets SQLITE_BUSY only while taking its snapshot, so this rarely withholds a retry.
    retry = conn.saw_busy() && (mode != TxMode::kRead || conn.rows_seen() == 0);
    return s;
  }

  // Group commit (LevelDB's write queue): a write transaction joins the queue; the one at its
  // front leads, takes the transactions queued behind it and runs them all in one SQLite
  // transaction, each inside its own savepoint so that a failing one rolls back only its own
  // statements, then commits once. With synchronous=FULL that is one WAL fsync for the group
  // instead of one per transaction, which is what lets concurrent small uploads share a flush.
  // Every caller returns only after the commit holding its writes is durable (or has failed:
  // then every member of the group fails with it, and none was acknowledged).
  //
  // The members run one after another on the leader's thread, in queue order, each seeing the
  // writes of those before it: the same serial order as without grouping. A schema
  // transaction (migrations) always runs alone.
  Status write(TxMode mode, const std::function<Status(Connection&)>& fn, bool& retry) {
    PendingWrite self{&fn, mode};
    std::unique_lock lock(queue_mu_);
    queue_.push_back(&self);
    self.cv.wait(lock, [&] { return self.done || queue_.front() == &self; });
    if (self.done) {
      retry = self.retry;
      return self.status;
    }
    std::vector<PendingWrite*> group{&self};
    if (mode != TxMode::kSchema) {
      for (size_t i = 1; i < queue_.size() && group.size() < kMaxGroup; ++i) {
        if (queue_[i]->mode == TxMode::kSchema) break;
        group.push_back(queue_[i]);
      }
    }
    lock.unlock();
    run_group(group);
    lock.lock();
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(group.size()));
    // Notified under the lock: a follower may return (and destroy its condition variable) as
    // soon as it can take the lock after seeing `done`.
    for (PendingWrite* member : group) {
      if (member == &self) continue;
      member->done = true;
      member->cv.notify_one();
    }
    if (!queue_.empty()) queue_.front()->cv.notify_one();
    retry = self.retry;
    return self.status;
  }

  // REQUIRES: the caller leads `group` (the front of the queue), so it alone uses writer_.
  void run_group(const std::vector<PendingWrite*>& group) {
    SqliteConnection& conn = *writer_;
    if (group.size() == 1) {
      PendingWrite& only = *group.front();
      only.status = run(conn, only.mode, *only.fn, only.retry);
      return;
    }
    Status begun = conn.begin("BEGIN IMMEDIATE");
    if (!begun.is_ok()) {
      const bool busy = conn.saw_busy();
      conn.rollback();
      for (PendingWrite* member : group) {
        member->status = begun;
        member->retry = busy;
      }
      return;
    }
    for (PendingWrite* member : group) {
      member->retry = false;
      if (!conn.alive()) {
        member->status =
            Status(Errc::kIoError, "the transaction was rolled back by an earlier failure");
        continue;
      }
      member->status = conn.exec("SAVEPOINT group_member", {}).status();
      if (!member->status.is_ok()) continue;
      member->status = (*member->fn)(conn);
      if (member->status.is_ok()) {
        member->status = conn.exec("RELEASE group_member", {}).status();
      } else if (conn.alive()) {
        // Failing here leaves the transaction dead, which the next member and the commit see.
        (void)conn.exec("ROLLBACK TO group_member", {});
        (void)conn.exec("RELEASE group_member", {});
      }
    }
    // SQLite rolls the whole transaction back itself after some failures (I/O error, full
    // disk): then the members that had succeeded lost their writes too.
    Status committed = conn.alive() ? conn.commit()
                                    : Status(Errc::kIoError,
                                             "the transaction was rolled back by a failure in its "
                                             "commit group");
    if (committed.is_ok()) return;
    const bool busy = conn.saw_busy();
    conn.rollback();
    for (PendingWrite* member : group) {
      if (!member->status.is_ok()) continue;
      member->status = committed;
      member->retry = busy;
    }
  }

  Status read(const std::function<Status(Connection&)>& fn, bool& retry) {
    auto reader = acquire_reader();
    COFFER_RETURN_IF_ERROR(reader);
    Status s = run(**reader, TxMode::kRead, fn, retry);
    release_reader(std::move(*reader));
    return s;
  }

  Result<std::unique_ptr<SqliteConnection>> acquire_reader() {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_.empty() || open_readers_ < options_.max_readers; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_readers_;
    lock.unlock();
    auto conn = open_connection(path_, /*writer=*/false, options_);
    if (!conn.is_ok()) {
      lock.lock();
      --open_readers_;
      pool_cv_.notify_one();
    }
    return conn;
  }

  void release_reader(std::unique_ptr<SqliteConnection> conn) {
    std::lock_guard lock(pool_mu_);
    idle_.push_back(std::move(conn));
    pool_cv_.notify_one();
  }

  const std::string path_;
  const SqliteOptions options_;

  std::mutex queue_mu_;
  std::deque<PendingWrite*> queue_;           // GUARDED_BY(queue_mu_); its front leads
  std::unique_ptr<SqliteConnection> writer_;  // used only by the leader of the queue

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // GUARDED_BY(pool_mu_)
  int open_readers_ = 0;                                 // GUARDED_BY(pool_mu_)
};

}  // namespace

void set_sqlite_memory_limit(int64_t bytes) { sqlite3_soft_heap_limit64(bytes); }

size_t sqlite_writes_queued(Database& db) {
  auto* sqlite = dynamic_cast<SqliteDatabase*>(&db);
  return sqlite != nullptr ? sqlite->writes_queued() : 0;
}

Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       const SqliteOptions& options) {
  auto writer = open_connection(path, /*writer=*/true, options);
  COFFER_RETURN_IF_ERROR(writer);
  SqliteOptions effective = options;
  effective.max_readers = std::max(1, options.max_readers);
  return std::unique_ptr<Database>(
      std::make_unique<SqliteDatabase>(path, effective, std::move(*writer)));
}

}  // namespace coffer::meta
