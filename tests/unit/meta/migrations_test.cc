#include "meta/migrations.h"

#include <gtest/gtest.h>

#include "core/natural_sort.h"
#include "meta/catalog.h"
#include "meta/sql_search_index.h"
#include "meta/sqlite_database.h"
#include "temp_dir.h"

namespace coffer::meta {
namespace {

using testing::TempDir;

std::unique_ptr<Database> open_db(const std::string& path) {
  auto db = open_sqlite_database(path);
  EXPECT_TRUE(db.is_ok()) << db.status().to_string();
  return db.is_ok() ? std::move(*db) : nullptr;
}

int64_t count_rows(Database& db, const std::string& sql) {
  auto n = transact_value<int64_t>(db, TxMode::kRead, [&](Connection& conn) -> Result<int64_t> {
    auto row = conn.query_row(sql);
    COFFER_RETURN_IF_ERROR(row);
    return (*row)->int64(0);
  });
  EXPECT_TRUE(n.is_ok()) << n.status().to_string();
  return n.is_ok() ? *n : -1;
}

TEST(Migrations, VersionsAreContiguousFromOne) {
  int expected = 1;
  for (const Migration& m : migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.description.empty());
  }
  EXPECT_EQ(latest_schema_version(), expected - 1);
}

TEST(Migrations, RenderForEveryDialectWithoutTheOthersSyntax) {
  for (const Migration& m : migrations()) {
    const std::string sqlite = Dialect::sqlite().render(m.sql);
    const std::string postgres = Dialect::postgres().render(m.sql);
    EXPECT_EQ(sqlite.find("{{"), std::string::npos);
    EXPECT_EQ(postgres.find("{{"), std::string::npos);
    EXPECT_EQ(postgres.find("AUTOINCREMENT"), std::string::npos);
    EXPECT_EQ(postgres.find("WITHOUT ROWID"), std::string::npos);
    EXPECT_EQ(sqlite.find("BIGSERIAL"), std::string::npos);
  }
}

TEST(Migrations, FreshDatabaseReachesTheLatestVersion) {
  TempDir dir;
  auto db = open_db(dir.file("meta.db"));
  ASSERT_NE(db, nullptr);
  auto before = current_schema_version(*db);
  ASSERT_TRUE(before.is_ok()) << before.status().to_string();
  EXPECT_EQ(*before, 0);

  Status s = migrate(*db);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  auto after = current_schema_version(*db);
  ASSERT_TRUE(after.is_ok());
  EXPECT_EQ(*after, latest_schema_version());
  EXPECT_EQ(count_rows(*db, "SELECT COUNT(*) FROM schema_migrations"), latest_schema_version());
  for (const char* table : {"users", "nodes", "versions", "version_chunks", "chunks"}) {
    EXPECT_EQ(count_rows(*db, std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
}

TEST(Migrations, ReopeningIsANoOp) {
  TempDir dir;
  {
    auto db = open_db(dir.file("meta.db"));
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(migrate(*db).is_ok());
    ASSERT_TRUE(migrate(*db).is_ok());
  }
  auto db = open_db(dir.file("meta.db"));
  ASSERT_NE(db, nullptr);
  auto applied_at = [&] {
    return count_rows(*db, "SELECT MAX(applied_at) FROM schema_migrations");
  };
  const int64_t first = applied_at();
  Status s = migrate(*db);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(applied_at(), first);
  EXPECT_EQ(count_rows(*db, "SELECT COUNT(*) FROM schema_migrations"), latest_schema_version());
  auto version = current_schema_version(*db);
  ASSERT_TRUE(version.is_ok());
  EXPECT_EQ(*version, latest_schema_version());
}

TEST(Migrations, NewerDatabaseIsRefused) {
  TempDir dir;
  const int newer = latest_schema_version() + 1;
  {
    auto db = open_db(dir.file("meta.db"));
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(migrate(*db).is_ok());
    const std::string sql =
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES (" +
        std::to_string(newer) + ", 'from the future', 0)";
    ASSERT_TRUE(db->transact(TxMode::kWrite, [&](Connection& conn) {
                    return status_of(conn.exec(sql));
                  }).is_ok());
  }
  auto db = open_db(dir.file("meta.db"));
  ASSERT_NE(db, nullptr);
  Status s = migrate(*db);
  EXPECT_EQ(s.code(), Errc::kUnavailable) << s.to_string();
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s.message();

  auto catalog = open_sqlite_catalog(dir.file("meta.db"));
  ASSERT_FALSE(catalog.is_ok());
  EXPECT_EQ(catalog.status().code(), Errc::kUnavailable);
}

Status exec(Database& db, const std::string& sql, Params params = {}) {
  return db.transact(TxMode::kWrite,
                     [&](Connection& conn) { return status_of(conn.exec(sql, params)); });
}

// Version 19 computes the natural sort keys of the nodes that were there before it.
TEST(Migrations, NameKeysAreFilledForExistingNodes) {
  TempDir dir;
  auto db = open_db(dir.file("meta.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(migrate_to(*db, 18).is_ok());
  ASSERT_TRUE(exec(*db,
                   "INSERT INTO users (username, password_hash, role, status, created_at) "
                   "VALUES ('ann', 'x', 'user', 'active', 0)")
                  .is_ok());
  for (const char* name : {"root", "doc-10.txt", "Doc-2.txt"}) {
    ASSERT_TRUE(exec(*db,
                     "INSERT INTO nodes (owner_id, parent_id, name, kind, created_at, "
                     "modified_at) VALUES (1, NULL, ?, 'folder', 0, 0)",
                     {std::string(name)})
                    .is_ok());
  }
  ASSERT_TRUE(migrate(*db).is_ok());
  auto keys = transact_value<std::vector<std::string>>(
      *db, TxMode::kRead, [&](Connection& conn) -> Result<std::vector<std::string>> {
        auto rows = conn.query("SELECT name, name_key FROM nodes ORDER BY name_key");
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<std::string> out;
        for (const Row& row : *rows) {
          EXPECT_EQ(row.text(1), natural_sort_key(row.text(0)));
          out.push_back(row.text(0));
        }
        return out;
      });
  ASSERT_TRUE(keys.is_ok()) << keys.status().to_string();
  EXPECT_EQ(*keys, (std::vector<std::string>{"Doc-2.txt", "doc-10.txt", "root"}));
}

// Version 23 drops the folder paths from the search documents and rebuilds the SQLite index
// over the rows that were there: the file is still found by its name and by its folder's.
TEST(Migrations, SearchDocumentsWrittenWithPathsAreFoundWithout) {
  TempDir dir;
  auto db = open_db(dir.file("meta.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(migrate_to(*db, 22).is_ok());
  ASSERT_TRUE(exec(*db,
                   "INSERT INTO users (username, password_hash, role, status, created_at) "
                   "VALUES ('ann', 'x', 'user', 'active', 0)")
                  .is_ok());
  const char* nodes[][3] = {{"1", "", "root"}, {"2", "1", "Quarterly"}, {"3", "2", "tapir.txt"}};
  for (const auto& [id, parent, name] : nodes) {
    ASSERT_TRUE(exec(*db,
                     "INSERT INTO nodes (id, owner_id, parent_id, name, name_key, kind, "
                     "created_at, modified_at) VALUES (?, 1, NULLIF(?, ''), ?, ?, ?, 0, 0)",
                     {std::string(id), std::string(parent), std::string(name),
                      natural_sort_key(name), std::string(id[0] == '3' ? "file" : "folder")})
                    .is_ok());
  }
  ASSERT_TRUE(exec(*db,
                   "INSERT INTO search_docs (node_id, owner_id, name, path) VALUES "
                   "(2, 1, 'Quarterly', ''), (3, 1, 'tapir.txt', '/Quarterly')")
                  .is_ok());
  ASSERT_TRUE(migrate(*db).is_ok());

  SqlSearchIndex index(*db);
  for (const char* text : {"tapir", "quarterly"}) {
    SearchRequest request;
    request.owner_id = 1;
    request.kind = NodeKind::kFile;
    request.query = *parse_search_query(text);
    auto hits = index.search(request);
    ASSERT_TRUE(hits.is_ok()) << hits.status().to_string();
    ASSERT_EQ(hits->size(), 1u) << text;
    EXPECT_EQ((*hits)[0].node.id, 3);
    EXPECT_EQ((*hits)[0].path, "/Quarterly");
  }
}

TEST(Migrations, OpenSqliteCatalogMigrates) {
  TempDir dir;
  auto catalog = open_sqlite_catalog(dir.file("meta.db"));
  ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
  EXPECT_TRUE((*catalog)->ping().is_ok());
  auto db = open_db(dir.file("meta.db"));
  ASSERT_NE(db, nullptr);
  auto version = current_schema_version(*db);
  ASSERT_TRUE(version.is_ok());
  EXPECT_EQ(*version, latest_schema_version());
}

}  // namespace
}  // namespace coffer::meta
