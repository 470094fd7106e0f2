#include "meta/postgres_database.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

namespace coffer::meta {
namespace {

// Type OIDs from pg_type.h (stable across releases).
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat8Oid = 701;

struct PGresultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, PGresultDeleter>;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Whether an error with this SQLSTATE means the transaction lost a race and may simply be run
// again: serialization_failure, deadlock_detected.
bool is_conflict(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

// Maps a server error to the Errc contract of database.h. Only the primary message is used:
// DETAIL and the like quote the offending values, which may be secrets.
Status server_status(std::string_view sqlstate, std::string_view primary) {
  const std::string text =
      "postgresql: " + std::string(primary) + " (SQLSTATE " + std::string(sqlstate) + ")";
  if (sqlstate == "23505") return Status(Errc::kAlreadyExists, text);
  if (sqlstate == "23503") return Status(Errc::kConflict, text);
  if (sqlstate == "53100") return Status(Errc::kIoError, "disk full (" + text + ")");
  if (sqlstate == "58030") return Status(Errc::kIoError, text);
  if (sqlstate == "XX001" || sqlstate == "XX002") return Status(Errc::kCorruption, text);
  if (is_conflict(sqlstate)) {
    return Status(Errc::kUnavailable,
                  "the database is busy: concurrent transactions kept "
                  "conflicting (" +
                      text + ")");
  }
  // Connection exceptions, resource shortages, the server shutting down or starting up.
  if (starts_with(sqlstate, "08") || starts_with(sqlstate, "53") || starts_with(sqlstate, "57P")) {
    return Status(Errc::kUnavailable, text);
  }
  // Data exceptions quote the value they could not take in their primary message.
  if (starts_with(sqlstate, "22")) {
    return Status(Errc::kInternal,
                  "postgresql: a value was refused (SQLSTATE " + std::string(sqlstate) + ")");
  }
  return Status(Errc::kInternal, text);
}

// The first line of a libpq message (its own, not the server's), without the newline.
std::string first_line(const char* message) {
  std::string_view m = message != nullptr ? message : "";
  m = m.substr(0, m.find('\n'));
  return std::string(m);
}

// libpq's connection keywords parsed from `url`, or nullopt when it is malformed.
struct ConninfoDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

ConninfoPtr parse_conninfo(const std::string& url) {
  char* error = nullptr;
  ConninfoPtr options(PQconninfoParse(url.c_str(), &error));
  PQfreemem(error);  // may quote the URL, password included
  return options;
}

std::string conninfo_value(const PQconninfoOption* options, std::string_view keyword) {
  for (const PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    if (keyword == o->keyword && o->val != nullptr) return o->val;
  }
  return {};
}

// Replaces every occurrence of `secret` in `text`.
std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

std::string format_double(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round trip
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

class PgConnection final : public Connection {
 public:
  PgConnection(PGconn* conn, size_t cache_size) : conn_(conn), cache_size_(cache_size) {
    // libpq prints server notices ("relation already exists, skipping") to stderr by default.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PgConnection() override { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    auto result = run(sql, params);
    COFFER_RETURN_IF_ERROR(result);
    const char* tuples = PQcmdTuples(result->get());
    int64_t changed = 0;
    std::from_chars(tuples, tuples + std::strlen(tuples), changed);
    return changed;
  }

  Result<std::vector<Row>> query(std::string_view sql, const Params& params) override {
    auto result = run(sql, params);
    COFFER_RETURN_IF_ERROR(result);
    const int n = PQntuples(result->get());
    std::vector<Row> rows;
    rows.reserve(n);
    for (int i = 0; i < n; ++i) rows.push_back(read_row(result->get(), i));
    rows_seen_ += n;
    return rows;
  }

  Status query_each(std::string_view sql, const Params& params,
                    const std::function<Status(const Row&)>& fn) override {
    Bound bound;
    COFFER_RETURN_IF_ERROR(bind(sql, params, bound));
    const int sent =
        bound.name.empty()
            ? PQsendQueryParams(conn_, bound.text.c_str(), bound.count, bound.types.data(),
                                bound.values.data(), nullptr, nullptr, 0)
            : PQsendQueryPrepared(conn_, bound.name.c_str(), bound.count, bound.values.data(),
                                  nullptr, nullptr, 0);
    if (sent == 0) return client_failure();
    PQsetSingleRowMode(conn_);
    // Rows arrive one result each (all in the last one, should single-row mode be refused);
    // the last result says how the statement ended. Every result is read even after fn fails,
    // so the connection is ready for the next statement.
    Status status;
    for (ResultPtr r(PQgetResult(conn_)); r != nullptr; r.reset(PQgetResult(conn_))) {
      const ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
        for (int i = 0; i < PQntuples(r.get()) && status.is_ok(); ++i) {
          ++rows_seen_;
          status = fn(read_row(r.get(), i));
        }
      } else if (st != PGRES_COMMAND_OK && status.is_ok()) {
        status = failure(r.get());
      }
    }
    if (status.is_ok() && PQstatus(conn_) == CONNECTION_BAD) return client_failure();
    return status;
  }

  Status exec_script(std::string_view sql) override {
    // The simple query protocol runs several statements in one message.
    ResultPtr r(PQexec(conn_, std::string(sql).c_str()));
    return check(r.get());
  }

  // Transaction control, used by PostgresDatabase only. begin() also resets the counters.
  Status begin(TxMode mode, const Dialect& dialect) {
    rows_seen_ = 0;
    last_sqlstate_.clear();
    switch (mode) {
      case TxMode::kRead:
        return simple("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      case TxMode::kWrite:
        return simple("BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE");
      case TxMode::kSchema:
        COFFER_RETURN_IF_ERROR(simple("BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE"));
        return simple(dialect.migration_lock_statement());
    }
    return Status(Errc::kInternal, "unknown transaction mode");
  }
  Status commit() { return simple("COMMIT"); }
  void rollback() {
    if (PQstatus(conn_) != CONNECTION_OK) return;
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    ResultPtr r(PQexec(conn_, "ROLLBACK"));
  }

  // Ends the session (releasing whatever it holds); broken() is true after it.
  void close() {
    PQfinish(conn_);
    conn_ = nullptr;
  }

  // Whether the server is gone: the connection must not be reused.
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // Whether the last failure was a serialization failure or deadlock.
  bool conflicted() const { return is_conflict(last_sqlstate_); }
  int64_t rows_seen() const { return rows_seen_; }

  // For an idle connection: reads whatever the server sent meanwhile (a notice that it is
  // shutting down, or the end of the stream) without blocking; false when the connection is
  // no longer usable.
  bool still_alive() {
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    pollfd p{PQsocket(conn_), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) {
      if (PQconsumeInput(conn_) == 0) return false;
      while (PQisBusy(conn_) == 0) {
        ResultPtr r(PQgetResult(conn_));
        if (r == nullptr) break;
      }
    }
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

 private:
  struct Prepared {
    std::string name;
    int count = 0;
  };

  // A statement ready to send: prepared (name set) or one-off (text and types set).
  struct Bound {
    std::string name;
    std::string text;
    int count = 0;
    std::vector<Oid> types;
    std::vector<std::string> storage;
    std::vector<const char*> values;
  };

  // The parameter types of `params` as a key fragment: a prepared statement is typed, so the
  // same SQL with a NULL where an integer was is another statement.
  static Oid type_of(const Value& v) {
    switch (v.type()) {
      case Value::Type::kNull:
        return 0;  // the server infers it from the context
      case Value::Type::kInt64:
        return kInt8Oid;
      case Value::Type::kDouble:
        return kFloat8Oid;
      case Value::Type::kText:
        return kTextOid;
    }
    return 0;
  }

  Status bind(std::string_view sql, const Params& params, Bound& out) {
    out.types.reserve(params.size());
    out.storage.reserve(params.size());
    out.values.reserve(params.size());
    std::string key(sql);
    key.push_back('\0');
    for (const Value& v : params) {
      out.types.push_back(type_of(v));
      key += std::to_string(out.types.back()) + ",";
      switch (v.type()) {
        case Value::Type::kNull:
          out.storage.emplace_back();
          break;
        case Value::Type::kDouble:
          out.storage.push_back(format_double(v.as_double()));
          break;
        default:
          out.storage.push_back(v.as_text());
          break;
      }
    }
    for (size_t i = 0; i < params.size(); ++i) {
      out.values.push_back(params[i].is_null() ? nullptr : out.storage[i].c_str());
    }

    if (auto it = cache_.find(key); it != cache_.end()) {
      out.name = it->second.name;
      out.count = it->second.count;
    } else {
      out.text = rewrite_placeholders(sql, out.count);
      if (out.count != static_cast<int>(params.size())) {
        return Status(Errc::kInternal, "postgresql: wrong number of parameters for the statement");
      }
      if (cache_.size() < cache_size_) {
        std::string name = "coffer_" + std::to_string(cache_.size() + 1);
        ResultPtr r(PQprepare(conn_, name.c_str(), out.text.c_str(), out.count, out.types.data()));
        COFFER_RETURN_IF_ERROR(check(r.get()));
        cache_.emplace(std::move(key), Prepared{name, out.count});
        out.name = std::move(name);
      }
    }
    if (out.count != static_cast<int>(params.size())) {
      return Status(Errc::kInternal, "postgresql: wrong number of parameters for the statement");
    }
    return Status::ok();
  }

  Result<ResultPtr> run(std::string_view sql, const Params& params) {
    Bound bound;
    COFFER_RETURN_IF_ERROR(bind(sql, params, bound));
    ResultPtr r(bound.name.empty()
                    ? PQexecParams(conn_, bound.text.c_str(), bound.count, bound.types.data(),
                                   bound.values.data(), nullptr, nullptr, 0)
                    : PQexecPrepared(conn_, bound.name.c_str(), bound.count, bound.values.data(),
                                     nullptr, nullptr, 0));
    COFFER_RETURN_IF_ERROR(check(r.get()));
    return r;
  }

  Status simple(std::string_view sql) {
    ResultPtr r(PQexec(conn_, std::string(sql).c_str()));
    return check(r.get());
  }

  Status check(const PGresult* r) {
    if (r == nullptr) return client_failure();
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::ok();
    return failure(r);
  }

  Status failure(const PGresult* r) {
    const char* sqlstate = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (sqlstate == nullptr || PQstatus(conn_) != CONNECTION_OK) return client_failure();
    last_sqlstate_ = sqlstate;
    const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    return server_status(sqlstate, primary != nullptr ? primary : "unknown error");
  }

  // A failure libpq reports itself: the connection is lost, or a message could not be sent.
  Status client_failure() {
    last_sqlstate_.clear();
    return Status(Errc::kUnavailable, "the connection to the database was lost (" +
                                          first_line(PQerrorMessage(conn_)) + ")");
  }

  static Row read_row(const PGresult* r, int row) {
    const int n = PQnfields(r);
    std::vector<Value> values;
    values.reserve(n);
    for (int i = 0; i < n; ++i) {
      if (PQgetisnull(r, row, i)) {
        values.emplace_back();
      } else {
        values.emplace_back(std::string(PQgetvalue(r, row, i), PQgetlength(r, row, i)));
      }
    }
    return Row(std::move(values));
  }

  PGconn* conn_;
  size_t cache_size_;
  std::unordered_map<std::string, Prepared> cache_;
  std::string last_sqlstate_;
  int64_t rows_seen_ = 0;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, PostgresOptions options)
      : url_(std::move(url)),
        options_(options),
        password_(conninfo_value(parse_conninfo(url_).get(), "password")) {}

  const Dialect& dialect() const override { return Dialect::postgres(); }

  Status transact(TxMode mode, const std::function<Status(Connection&)>& fn) override {
    return transact_keyed(mode, fn, std::nullopt);
  }

  Status transact_exclusive(int64_t key, const std::function<Status(Connection&)>& fn) override {
    // In this process, writers of one key wait on a mutex rather than each holding a pooled
    // connection while the server makes them wait; across processes, an advisory lock.
    std::lock_guard in_process(key_mutexes_[static_cast<uint64_t>(key) % key_mutexes_.size()]);
    return transact_keyed(TxMode::kWrite, fn, key);
  }

  // Opens one connection and returns it to the pool, so that a bad URL or an unreachable
  // server is reported when the database is opened.
  Status check_connection() {
    auto conn = acquire();
    COFFER_RETURN_IF_ERROR(conn);
    release(std::move(*conn));
    return Status::ok();
  }

 private:
  struct Outcome {
    Status status;
    bool lost_before_commit = false;
  };

  // The advisory lock of transact_exclusive(): the two-integer form, whose key space is
  // separate from the one-bigint form of the migration lock. Taken before BEGIN, so the
  // transaction's snapshot already sees what the previous holder committed. Keys beyond 32
  // bits share a lock with another key: they wait a little more, nothing else.
  static constexpr int64_t kExclusiveWriterClass = 0x436f6666;  // "Coff"
  static int64_t lock_key(int64_t key) { return static_cast<int64_t>(static_cast<int32_t>(key)); }

  Status transact_keyed(TxMode mode, const std::function<Status(Connection&)>& fn,
                        std::optional<int64_t> key) {
    bool reconnected = false;
    for (int attempt = 0;; ++attempt) {
      auto conn = acquire();
      COFFER_RETURN_IF_ERROR(conn);
      if (key) {
        auto locked =
            (*conn)->exec("SELECT pg_advisory_lock(CAST(? AS integer), CAST(? AS integer))",
                          {kExclusiveWriterClass, lock_key(*key)});
        if (!locked.is_ok()) {
          const bool lost = (*conn)->broken();
          release(std::move(*conn));
          if (lost && !reconnected) {
            reconnected = true;
            continue;
          }
          return locked.status();
        }
      }
      Outcome outcome = run(**conn, mode, fn);
      if (key && !(*conn)->broken()) {
        // A failed unlock leaves the lock held by a pooled session: drop the connection.
        auto unlocked =
            (*conn)->exec("SELECT pg_advisory_unlock(CAST(? AS integer), CAST(? AS integer))",
                          {kExclusiveWriterClass, lock_key(*key)});
        if (!unlocked.is_ok()) (*conn)->close();
      }
      const bool delivered = mode == TxMode::kRead && (*conn)->rows_seen() > 0;
      const bool conflicted = (*conn)->conflicted();
      release(std::move(*conn));
      if (outcome.status.is_ok() || delivered) return outcome.status;
      if (outcome.lost_before_commit && !reconnected) {
        // A stale pooled connection, most likely: once more on a fresh one, at once.
        reconnected = true;
        continue;
      }
      if (!conflicted || attempt >= options_.conflict_retries) return outcome.status;
      backoff(attempt);
    }
  }

  Outcome run(PgConnection& conn, TxMode mode, const std::function<Status(Connection&)>& fn) {
    Status s = conn.begin(mode, dialect());
    if (s.is_ok()) s = fn(conn);
    if (!s.is_ok()) {
      const bool lost = conn.broken();
      conn.rollback();
      return {std::move(s), lost};
    }
    // A connection lost during COMMIT leaves the outcome unknown: never retried. A COMMIT the
    // server refused (a serialization failure) has ended the transaction already.
    s = conn.commit();
    if (!s.is_ok()) conn.rollback();
    return {std::move(s), false};
  }

  void backoff(int attempt) {
    // Full jitter over an exponential window: 2, 4, 8, ... ms, capped at 256 ms.
    const int window_ms = 2 << std::min(attempt, 7);
    thread_local std::minstd_rand rng(std::random_device{}());
    std::uniform_int_distribution<int> pick(window_ms / 2, window_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(rng)));
  }

  Result<std::unique_ptr<PgConnection>> acquire() {
    const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    std::unique_lock lock(mu_);
    for (;;) {
      const bool ready = cv_.wait_until(
          lock, deadline, [&] { return !idle_.empty() || open_ < options_.max_connections; });
      if (!ready) {
        return Status(Errc::kUnavailable, "all " + std::to_string(options_.max_connections) +
                                              " database connections stayed busy for " +
                                              std::to_string(options_.acquire_timeout.count()) +
                                              " ms");
      }
      if (idle_.empty()) break;
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->still_alive()) return conn;
      // The server closed it while it was idle; the others are most likely gone too.
      open_ -= 1 + static_cast<int>(idle_.size());
      idle_.clear();
      cv_.notify_all();
    }
    ++open_;
    lock.unlock();
    auto conn = connect();
    if (!conn.is_ok()) {
      lock.lock();
      --open_;
      cv_.notify_one();
    }
    return conn;
  }

  void release(std::unique_ptr<PgConnection> conn) {
    std::lock_guard lock(mu_);
    if (conn->broken()) {
      // Whatever broke this one (a restart, a network failure) broke the idle ones too.
      open_ -= 1 + static_cast<int>(idle_.size());
      idle_.clear();
    } else {
      idle_.push_back(std::move(conn));
    }
    cv_.notify_all();
  }

  Result<std::unique_ptr<PgConnection>> connect() {
    // Later keywords win: the URL (expanded from dbname) overrides these defaults.
    const std::string timeout = std::to_string(options_.connect_timeout_seconds);
    const char* keys[] = {"connect_timeout",  "application_name", "client_encoding",
                          "keepalives",       "keepalives_idle",  "keepalives_interval",
                          "keepalives_count", "dbname",           nullptr};
    const char* values[] = {timeout.c_str(), "coffer", "UTF8", "1", "30", "10", "3",
                            url_.c_str(),    nullptr};
    PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (raw == nullptr) return Status(Errc::kUnavailable, "postgresql: out of memory");
    if (PQstatus(raw) != CONNECTION_OK) {
      std::string why = scrub(first_line(PQerrorMessage(raw)), password_);
      PQfinish(raw);
      return Status(Errc::kUnavailable,
                    "cannot connect to the database " + redact_database_url(url_) + ": " + why);
    }
    return std::make_unique<PgConnection>(raw, options_.statement_cache_size);
  }

  const std::string url_;
  const PostgresOptions options_;
  const std::string password_;

  std::array<std::mutex, 64> key_mutexes_;  // transact_exclusive(), by key modulo 64
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                                     // GUARDED_BY(mu_): idle and leased
};

}  // namespace

std::string rewrite_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  const size_t n = sql.size();
  auto is_ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  size_t i = 0;
  while (i < n) {
    const char c = sql[i];
    if (c == '?') {
      out += '$' + std::to_string(++count);
      ++i;
    } else if (c == '\'' || c == '"') {
      // A literal or quoted identifier; a doubled quote is an escaped one. E'...' strings also
      // escape with a backslash.
      const bool backslashes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                               (i < 2 || !is_ident(sql[i - 2]));
      size_t j = i + 1;
      while (j < n) {
        if (backslashes && sql[j] == '\\') {
          j += 2;
        } else if (sql[j] == c) {
          if (j + 1 < n && sql[j + 1] == c) {
            j += 2;
          } else {
            ++j;
            break;
          }
        } else {
          ++j;
        }
      }
      j = std::min(j, n);
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t j = end == std::string_view::npos ? n : end;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      // Block comments nest in PostgreSQL.
      size_t j = i + 2;
      int depth = 1;
      while (j < n && depth > 0) {
        if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '$' && (i == 0 || !is_ident(sql[i - 1]))) {
      // A dollar-quoted string: $$...$$ or $tag$...$tag$ (a tag does not start with a digit).
      size_t j = i + 1;
      while (j < n && is_ident(sql[j]) && !(j == i + 1 && sql[j] >= '0' && sql[j] <= '9')) ++j;
      if (j < n && sql[j] == '$') {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const size_t close = sql.find(tag, j + 1);
        const size_t end = close == std::string_view::npos ? n : close + tag.size();
        out.append(sql.substr(i, end - i));
        i = end;
      } else {
        out += c;
        ++i;
      }
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::string redact_database_url(std::string_view url) {
  const std::string text(url);
  ConninfoPtr options = parse_conninfo(text);
  if (options == nullptr) return "(a malformed database URL)";
  const std::string password = conninfo_value(options.get(), "password");
  if (password.empty()) return text;
  // In a URI the password may be percent-encoded: drop the whole userinfo password part.
  if (const size_t scheme = text.find("://"); scheme != std::string::npos) {
    const size_t authority = scheme + 3;
    const size_t at = text.find('@', authority);
    const size_t colon = text.find(':', authority);
    std::string out = text;
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      out = text.substr(0, colon + 1) + "***" + text.substr(at);
    }
    // A password may also come as a query parameter, percent-encoded or not.
    for (size_t p = out.find("password="); p != std::string::npos;
         p = out.find("password=", p + 1)) {
      const size_t value = p + 9;
      const size_t end = std::min(out.find('&', value), out.size());
      out.replace(value, end - value, "***");
    }
    return scrub(std::move(out), password);
  }
  return scrub(text, password);
}

Result<std::unique_ptr<Database>> open_postgres_database(const std::string& url,
                                                         const PostgresOptions& options) {
  if (parse_conninfo(url) == nullptr) {
    return Status(Errc::kInvalidArgument,
                  "the database URL is malformed (expected "
                  "postgres://USER:PASSWORD@HOST:PORT/DATABASE)");
  }
  PostgresOptions effective = options;
  effective.max_connections = std::max(1, options.max_connections);
  auto db = std::make_unique<PostgresDatabase>(url, effective);
  COFFER_RETURN_IF_ERROR(db->check_connection());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace coffer::meta
