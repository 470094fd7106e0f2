#pragma once
// The PostgreSQL implementation of Database: metadata shared by several stateless coffer
// nodes. libpq stays inside postgres_database.cc.
//
// Connections: a bounded pool, opened on demand. A transaction that finds every connection
// busy waits at most acquire_timeout, then fails with kUnavailable. A connection found broken
// (the server restarted, the network dropped it) is discarded with every idle one, and the
// transaction is retried once on a fresh connection when that is safe (COMMIT not yet sent).
//
// Isolation: write transactions run at SERIALIZABLE and are retried with jittered exponential
// backoff on serialization failures and deadlocks (SQLSTATE 40001, 40P01); read transactions
// run at REPEATABLE READ READ ONLY (one snapshot). Schema transactions (TxMode::kSchema) take
// the dialect's migration lock before anything else and run at READ COMMITTED, so each
// statement sees what an earlier migrator committed while it waited.
//
// Statements: `?` placeholders are rewritten to $1, $2, ... (outside quotes and comments);
// values are sent as typed parameters (bigint, double precision, text; NULL untyped), never
// spliced into SQL text. Prepared statements are cached per connection.
//
// Errors follow database.h. Messages carry the server's primary message and SQLSTATE only,
// never its DETAIL (which quotes the offending values), and never the connection password.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "meta/database.h"

namespace coffer::meta {

struct PostgresOptions {
  // Upper bound of open connections to the server.
  int max_connections = 16;
  // How long a transaction waits for a free connection before kUnavailable.
  std::chrono::milliseconds acquire_timeout{10000};
  // Passed to libpq as connect_timeout unless the URL sets it.
  int connect_timeout_seconds = 5;
  // Whole-transaction retries after a serialization failure or deadlock.
  int conflict_retries = 10;
  // Prepared statements kept per connection; statements beyond it run unprepared.
  size_t statement_cache_size = 128;
};

// Connects to the database named by `url` (a libpq URI, postgres://user:password@host:port/db,
// or a key=value connection string) and checks that the server answers. Does not migrate.
// Errors: kInvalidArgument (malformed URL), kUnavailable (cannot connect or authenticate).
Result<std::unique_ptr<Database>> open_postgres_database(const std::string& url,
                                                         const PostgresOptions& options = {});

// `url` with its password replaced by "***", for messages and logs. A URL libpq cannot
// parse is replaced entirely, since where its password ends is unknown.
std::string redact_database_url(std::string_view url);

// `sql` with each `?` outside string literals, quoted identifiers, dollar-quoted strings and
// comments replaced by $1, $2, ...; `count` receives the number of placeholders. Exposed for
// tests.
std::string rewrite_placeholders(std::string_view sql, int& count);

}  // namespace coffer::meta
