// open_sqlite_catalog (catalog.h): the one place that joins the SQLite backend to the catalog.

#include "meta/catalog.h"
#include "meta/sql_catalog.h"
#include "meta/sqlite_database.h"

namespace coffer::meta {

Result<std::unique_ptr<Catalog>> open_sqlite_catalog(const std::string& path, int max_readers) {
  SqliteOptions options;
  options.max_readers = max_readers;
  auto db = open_sqlite_database(path, options);
  COFFER_RETURN_IF_ERROR(db);
  return open_catalog(std::move(*db));
}

}  // namespace coffer::meta
