#pragma once
// A small, dialect-neutral SQL database interface. Everything above it (migrations, the
// catalog) is written against these types only, so the same code runs on SQLite today and on
// PostgreSQL later. SQLite-specific code lives in sqlite_database.cc; the few SQL fragments
// that differ between engines are Dialect's (database.cc), and nothing else names an engine.
//
// SQL conventions for code using this interface:
//   - `?` placeholders, bound positionally (a PostgreSQL implementation rewrites them to $n);
//   - portable syntax only: INSERT ... ON CONFLICT DO NOTHING, INSERT ... RETURNING id,
//     WITH RECURSIVE, row-value comparisons, partial indexes, LIMIT ?;
//   - where the dialects really differ, ask Dialect for the fragment.
//
// Error mapping, identical for every implementation (this is how callers learn the kind of a
// violated constraint and decide what it means to them):
//   UNIQUE or PRIMARY KEY violation      -> kAlreadyExists
//   FOREIGN KEY violation                -> kConflict
//   other constraint (NOT NULL, CHECK)   -> kInternal
//   disk full                            -> kIoError ("disk full")
//   other I/O failure, cannot open       -> kIoError
//   damaged database file, not a database-> kCorruption
//   still busy after retries, shut down  -> kUnavailable
//   anything else (e.g. bad SQL)         -> kInternal
// Messages never contain bound parameter values: they may be secrets (password hashes).

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace coffer::meta {

// One SQL value: NULL, a 64-bit integer, a double or text. Implicit conversions from the C++
// types make parameter lists read naturally: conn.query(sql, {owner_id, name, nullptr}).
class Value {
 public:
  enum class Type { kNull, kInt64, kDouble, kText };

  Value() = default;
  Value(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)
  template <std::integral T>
  Value(T v) : v_(static_cast<int64_t>(v)) {}        // NOLINT(google-explicit-constructor)
  Value(double v) : v_(v) {}                         // NOLINT(google-explicit-constructor)
  Value(std::string v) : v_(std::move(v)) {}         // NOLINT(google-explicit-constructor)
  Value(std::string_view v) : v_(std::string(v)) {}  // NOLINT(google-explicit-constructor)
  Value(const char* v) : v_(std::string(v)) {}       // NOLINT(google-explicit-constructor)
  template <typename T>
  Value(const std::optional<T>& v) {  // NOLINT(google-explicit-constructor)
    if (v) *this = Value(*v);
  }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }

  // Lenient accessors, so that an implementation that reads every column as text (libpq's
  // text format) needs no type bookkeeping: an integer is parsed from text, a double is
  // truncated, NULL or unparsable text reads as 0 / "".
  int64_t as_int64() const;
  double as_double() const;
  std::string as_text() const;

 private:
  std::variant<std::monostate, int64_t, double, std::string> v_;
};

using Params = std::vector<Value>;

// One result row; columns are addressed by their position in the SELECT list.
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  const Value& operator[](size_t i) const { return values_.at(i); }
  bool is_null(size_t i) const { return values_.at(i).is_null(); }
  int64_t int64(size_t i) const { return values_.at(i).as_int64(); }
  std::optional<int64_t> opt_int64(size_t i) const {
    if (is_null(i)) return std::nullopt;
    return int64(i);
  }
  double real(size_t i) const { return values_.at(i).as_double(); }
  std::string text(size_t i) const { return values_.at(i).as_text(); }

 private:
  std::vector<Value> values_;
};

// The SQL fragments that differ between the supported engines. Schema text uses tokens that
// render() replaces, so one migration text serves every dialect:
//   {{ID}}         an auto-assigned 64-bit primary key whose values are never reused
//   {{NAME}}       the type of a text column compared and ordered by bytes (names, usernames):
//                  declaring the collation on the column makes every ORDER BY, comparison and
//                  index on it binary without per-query fragments
//   {{NATURAL_KEY}} the table suffix for a table whose primary key is its natural key
//   {{SEARCH_SCHEMA}} the search_docs table and the engine's full-text index over it
class Dialect {
 public:
  enum class Kind { kSqlite, kPostgres };

  static const Dialect& sqlite();
  static const Dialect& postgres();

  Kind kind() const { return kind_; }
  std::string_view name() const;

  std::string_view id_primary_key() const;
  std::string_view binary_text_type() const;
  std::string_view natural_key_table_suffix() const;
  // A query with one `?` (a table name) that returns a row when that table exists.
  std::string_view table_exists_query() const;
  // The statement that starts a TxMode::kSchema transaction to serialize migrators on several
  // machines; empty when a write transaction already excludes other writers (SQLite).
  std::string_view migration_lock_statement() const;
  // Appended to a `SELECT ... LIMIT n` that picks rows to claim, so that concurrent claimers
  // pass over each other's rows instead of waiting (PostgreSQL FOR UPDATE SKIP LOCKED); empty
  // where one writer at a time already serializes claims (SQLite).
  std::string_view skip_locked_suffix() const;
  // The length in bytes of the text expression `expr` (SQLite's and PostgreSQL's length()
  // count characters).
  std::string byte_length(std::string_view expr) const;
  // The search_docs table (docs/schema.md) and its full-text index: an FTS5 table kept in step
  // by triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL.
  std::string_view search_schema() const;
  // Migration 23: the same without the folder path, whose rows then hold only the node's own
  // fields (sql_search_index.h).
  std::string_view search_without_paths() const;

  // `sql` with the {{TOKENS}} above replaced by this dialect's fragments.
  std::string render(std::string_view sql) const;

 private:
  explicit Dialect(Kind kind) : kind_(kind) {}
  Kind kind_;
};

// One session with the database, handed to a transaction function. Not thread-safe: it
// belongs to the transaction that received it and must not be kept after it returns.
class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement; returns the number of rows it inserted, updated or deleted.
  virtual Result<int64_t> exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement and returns all its rows (SELECT, or a statement with RETURNING).
  virtual Result<std::vector<Row>> query(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement and calls fn for each row as it is read, without collecting them; stops
  // at fn's first error and returns it. fn must not use this connection.
  virtual Status query_each(std::string_view sql, const Params& params,
                            const std::function<Status(const Row&)>& fn) = 0;
  // Runs several `;`-separated statements without parameters (schema migrations).
  virtual Status exec_script(std::string_view sql) = 0;

  // The first row of a query, or nullopt when it returns none.
  Result<std::optional<Row>> query_row(std::string_view sql, const Params& params = {});
};

enum class TxMode {
  kRead,   // one consistent snapshot; no writes
  kWrite,  // serializable writes
  // A write that changes the schema (migrations). Schema transactions exclude each other
  // across every process using the database, from before their first read, so each one sees
  // everything an earlier one committed.
  kSchema,
};

class Database {
 public:
  Database() = default;
  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  virtual const Dialect& dialect() const = 0;

  // Runs fn inside one transaction and commits it when fn returns OK, rolls it back otherwise
  // and returns fn's Status (or the commit's failure).
  //
  // Promises: write transactions are serializable (fn sees no concurrent write in between its
  // statements), and a write that returned OK is durable — it survives a crash or power loss.
  // Read transactions see one consistent snapshot and may run concurrently with each other
  // and with a writer.
  //
  // fn may run more than once: when the database was busy (another process holds the write
  // lock) or a write conflicted, the implementation rolls back, backs off and retries. So fn
  // must reset whatever it captures at its start. A read transaction is never retried once fn
  // has been given a row, so streaming results to a caller never delivers a row twice.
  //
  // fn must not start another transaction on the same Database (connections are pooled; a
  // nested transaction may wait for a connection the outer one holds). Thread-safe.
  virtual Status transact(TxMode mode, const std::function<Status(Connection&)>& fn) = 0;

  // A write transaction (as transact(TxMode::kWrite, fn)) that runs one at a time with every
  // other transact_exclusive() of the same `key`, in every process sharing the database. For
  // writers that would otherwise keep aborting each other under serializable isolation: one
  // user's burst of uploads into one folder reads and inserts in the same index pages, and
  // waiting in line is cheaper than retrying (and never runs out of retries). The default
  // suits a database that runs one writer at a time anyway (SQLite).
  virtual Status transact_exclusive(int64_t key, const std::function<Status(Connection&)>& fn) {
    (void)key;
    return transact(TxMode::kWrite, fn);
  }
};

namespace detail {
// Runs `run(body)` where body adapts fn (Connection& -> Result<T>) to a Status-returning
// transaction function, and returns fn's value.
template <typename T, typename Fn, typename Run>
Result<T> value_of_transaction(Fn&& fn, Run&& run) {
  std::optional<T> out;
  Status status = run([&](Connection& conn) -> Status {
    out.reset();
    Result<T> r = fn(conn);
    if (!r.is_ok()) return r.status();
    out.emplace(std::move(r).value());
    return Status::ok();
  });
  if (!status.is_ok()) return status;
  return std::move(*out);
}
}  // namespace detail

// transact() for a function that produces a value: Connection& -> Result<T>.
template <typename T, typename Fn>
Result<T> transact_value(Database& db, TxMode mode, Fn&& fn) {
  return detail::value_of_transaction<T>(std::forward<Fn>(fn),
                                         [&](const auto& body) { return db.transact(mode, body); });
}

// transact_exclusive() for a function that produces a value.
template <typename T, typename Fn>
Result<T> transact_exclusive_value(Database& db, int64_t key, Fn&& fn) {
  return detail::value_of_transaction<T>(
      std::forward<Fn>(fn), [&](const auto& body) { return db.transact_exclusive(key, body); });
}

}  // namespace coffer::meta
