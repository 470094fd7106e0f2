// open_postgres_catalog (catalog.h): the one place that joins the PostgreSQL backend to the
// catalog, and where the two roles of a deployment meet: one that may change the schema
// (migrations) and one that may only read and write rows (the server).

#include "meta/catalog.h"
#include "meta/migrations.h"
#include "meta/postgres_database.h"
#include "meta/sql_catalog.h"

namespace coffer::meta {

Result<std::unique_ptr<Catalog>> open_postgres_catalog(const std::string& url,
                                                       const std::string& migration_url) {
  if (!migration_url.empty()) {
    // One connection is all a migration needs; it is closed before the server's pool opens.
    PostgresOptions options;
    options.max_connections = 1;
    auto migrator = open_postgres_database(migration_url, options);
    COFFER_RETURN_IF_ERROR(migrator);
    if (Status s = migrate(**migrator); !s.is_ok()) {
      return Status(s.code(),
                    "migrating through the migration database URL failed: " + s.message());
    }
  }
  auto db = open_postgres_database(url);
  COFFER_RETURN_IF_ERROR(db);
  auto version = current_schema_version(**db);
  COFFER_RETURN_IF_ERROR(version);
  if (*version < latest_schema_version()) {
    // Without a migration URL the server's own role migrates; a production role holding DML
    // rights only cannot, and says so here rather than at its first request.
    if (Status s = migrate(**db); !s.is_ok()) {
      return Status(Errc::kUnavailable,
                    "the database schema is at version " + std::to_string(*version) +
                        " and this coffer needs version " +
                        std::to_string(latest_schema_version()) +
                        ", which this database role could not apply (" + s.message() +
                        "); run `coffer migrate --migration-database-url URL` with a role "
                        "that may change the schema, or give the server that URL too");
    }
  }
  return open_catalog(std::move(*db));
}

}  // namespace coffer::meta
