#pragma once
// The SQLite implementation of Database: the embedded default for a single machine. The
// SQLite headers stay inside sqlite_database.cc.
//
// Durability: WAL journal with synchronous=FULL, so a commit that returned OK has been
// fsynced and survives power loss. Foreign keys are enforced.
//
// Concurrency: one writer connection, serialized by a mutex (SQLite allows one writer at a
// time), and a small pool of read-only connections that read concurrently with it (WAL).
// Write transactions start with BEGIN IMMEDIATE, so a transaction never discovers half-way
// that another process holds the write lock; SQLITE_BUSY (another process, e.g. an admin
// command) waits busy_timeout_ms, then the whole transaction is retried with backoff.

#include <memory>
#include <string>

#include "meta/database.h"

namespace coffer::meta {

struct SqliteOptions {
  // Read-only connections opened on demand; a reader waits when all of them are in use.
  int max_readers = 4;
  // How long one statement waits for a lock held by another process.
  int busy_timeout_ms = 5000;
  // Whole-transaction retries after SQLITE_BUSY, with exponential backoff between them.
  int busy_retries = 6;
  // Prepared statements kept per connection, keyed by SQL text.
  size_t statement_cache_size = 128;
  // synchronous=FULL: a committed write survives a power loss. false (synchronous=NORMAL):
  // a power loss may drop the last commits, though never corrupt the file; for databases
  // that can be rebuilt from elsewhere (store::VolumeStore's index).
  bool durable_commits = true;
};

// Opens the database file at `path`, creating it if needed, and switches it to WAL. Does not
// migrate (see migrations.h). Errors: kIoError (cannot open or create), kCorruption (not a
// database or damaged).
Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       const SqliteOptions& options = {});

// Bounds the memory of every SQLite database of this process together (page caches,
// prepared statements; sqlite3_soft_heap_limit64): past `bytes`, SQLite frees cached pages
// of idle connections before it allocates more, so a burst that read much of a database does
// not leave each connection's cache full. A soft limit: no allocation fails for it. 0: none.
void set_sqlite_memory_limit(int64_t bytes);

// Write transactions waiting for, or in, a group commit of `db` (an SQLite database opened
// above); 0 for any other Database. For tests of the grouping.
size_t sqlite_writes_queued(Database& db);

}  // namespace coffer::meta
