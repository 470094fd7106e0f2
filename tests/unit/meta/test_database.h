#pragma once
// The database an engine-neutral meta test runs on: a SQLite file by default, or the
// PostgreSQL database named by COFFER_TEST_POSTGRES_URL. tests/unit/with_postgres.py starts a
// throw-away cluster, sets that variable and runs the tests again (ctest: meta_on_postgres).

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "meta/database.h"
#include "meta/migrations.h"
#include "meta/postgres_database.h"
#include "meta/sql_catalog.h"
#include "meta/sqlite_database.h"

namespace coffer::meta::testing {

// The PostgreSQL test database (its owner role), or "" when the tests run on SQLite.
inline std::string postgres_test_url() {
  const char* url = std::getenv("COFFER_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

// Drops everything in the PostgreSQL test database's public schema.
inline Status empty_postgres_database(Database& db) {
  return db.transact(TxMode::kSchema, [](Connection& conn) {
    return conn.exec_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  });
}

// An empty database: SQLite at `sqlite_path`, or the PostgreSQL test database, emptied.
inline Result<std::unique_ptr<Database>> open_empty_test_database(
    const std::string& sqlite_path, const PostgresOptions& options = {}) {
  const std::string url = postgres_test_url();
  if (url.empty()) return open_sqlite_database(sqlite_path);
  auto db = open_postgres_database(url, options);
  COFFER_RETURN_IF_ERROR(db);
  COFFER_RETURN_IF_ERROR(empty_postgres_database(**db));
  return db;
}

// A migrated, empty catalog on the test database (see open_empty_test_database).
inline Result<std::unique_ptr<SqlCatalog>> open_empty_test_catalog(const std::string& sqlite_path) {
  auto db = open_empty_test_database(sqlite_path);
  COFFER_RETURN_IF_ERROR(db);
  COFFER_RETURN_IF_ERROR(migrate(**db));
  return std::make_unique<SqlCatalog>(std::move(*db));
}

}  // namespace coffer::meta::testing
