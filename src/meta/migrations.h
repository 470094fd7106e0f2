#pragma once
// Versioned schema migrations (docs/schema.md). Each migration is portable SQL with the
// dialect tokens of database.h, applied once, in order, each in its own write transaction
// together with its row in `schema_migrations` — so a crash leaves the schema at a whole
// version, never between two.

#include <span>
#include <string_view>

#include "core/status.h"
#include "meta/database.h"

namespace coffer::meta {

struct Migration {
  int version;  // 1, 2, 3, ... without gaps
  std::string_view description;
  std::string_view sql;  // ;-separated statements, dialect tokens allowed
  // Fills what SQL cannot compute (a key derived in C++), after `sql`, in the same
  // transaction; nullptr when there is nothing to fill.
  Status (*fill)(Connection& conn) = nullptr;
};

// Every migration this binary knows, in version order. Append only: a released migration is
// never edited, a change is a new migration.
std::span<const Migration> migrations();

// The version the last known migration brings a database to.
int latest_schema_version();

// The version of the schema in `db`: 0 for an empty database. Errors: as Database.
Result<int> current_schema_version(Database& db);

// Applies the pending migrations. Errors: kUnavailable when the database is newer than this
// binary (it was migrated by a later release; running on it could damage it), otherwise the
// failing migration's error, with the database left at the last whole version.
Status migrate(Database& db);
// The same, stopping at `version` (tests of a migration start from the version before it).
Status migrate_to(Database& db, int version);

}  // namespace coffer::meta
