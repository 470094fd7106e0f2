#include "meta/database.h"

#include <charconv>

namespace coffer::meta {

int64_t Value::as_int64() const {
  switch (type()) {
    case Type::kNull:
      return 0;
    case Type::kInt64:
      return std::get<int64_t>(v_);
    case Type::kDouble:
      return static_cast<int64_t>(std::get<double>(v_));
    case Type::kText: {
      const std::string& s = std::get<std::string>(v_);
      int64_t out = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      return ec == std::errc() && ptr == s.data() + s.size() ? out : 0;
    }
  }
  return 0;
}

double Value::as_double() const {
  switch (type()) {
    case Type::kNull:
      return 0;
    case Type::kInt64:
      return static_cast<double>(std::get<int64_t>(v_));
    case Type::kDouble:
      return std::get<double>(v_);
    case Type::kText: {
      const std::string& s = std::get<std::string>(v_);
      double out = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      return ec == std::errc() && ptr == s.data() + s.size() ? out : 0;
    }
  }
  return 0;
}

std::string Value::as_text() const {
  switch (type()) {
    case Type::kNull:
      return {};
    case Type::kInt64:
      return std::to_string(std::get<int64_t>(v_));
    case Type::kDouble:
      return std::to_string(std::get<double>(v_));
    case Type::kText:
      return std::get<std::string>(v_);
  }
  return {};
}

const Dialect& Dialect::sqlite() {
  static const Dialect kSqlite(Kind::kSqlite);
  return kSqlite;
}

const Dialect& Dialect::postgres() {
  static const Dialect kPostgres(Kind::kPostgres);
  return kPostgres;
}

std::string_view Dialect::name() const { return kind_ == Kind::kSqlite ? "sqlite" : "postgresql"; }

std::string_view Dialect::id_primary_key() const {
  // SQLite: an alias of the rowid; AUTOINCREMENT stops ids of deleted rows being handed out
  // again, which PostgreSQL sequences never do either — a stale id must never name a new node.
  // PostgreSQL: an identity column (SQL standard); ALWAYS refuses ids chosen by a client.
  return kind_ == Kind::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
}

std::string_view Dialect::binary_text_type() const {
  // SQLite compares text with BINARY by default; PostgreSQL uses the database's locale
  // unless told otherwise, which would make listings sort differently per installation.
  return kind_ == Kind::kSqlite ? "TEXT" : "TEXT COLLATE \"C\"";
}

std::string_view Dialect::natural_key_table_suffix() const {
  // SQLite otherwise stores the key twice: in the rowid table and in its unique index.
  return kind_ == Kind::kSqlite ? " WITHOUT ROWID" : "";
}

std::string_view Dialect::table_exists_query() const {
  return kind_ == Kind::kSqlite ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
                                // pg_tables lists every table, whatever the role's privileges
                                // (information_schema hides tables the role cannot use).
                                : "SELECT 1 FROM pg_catalog.pg_tables "
                                  "WHERE schemaname = current_schema() AND tablename = ?";
}

std::string_view Dialect::migration_lock_statement() const {
  // A constant key shared by every Coffer node ("coffer" in ASCII, 0x636f66666572). Advisory
  // locks are per database, and the _xact_ form is released by COMMIT or ROLLBACK.
  return kind_ == Kind::kSqlite ? "" : "SELECT pg_advisory_xact_lock(109330110506354)";
}

std::string Dialect::byte_length(std::string_view expr) const {
  return kind_ == Kind::kSqlite ? "length(CAST(" + std::string(expr) + " AS BLOB))"
                                : "octet_length(" + std::string(expr) + ")";
}

std::string_view Dialect::skip_locked_suffix() const {
  return kind_ == Kind::kSqlite ? "" : " FOR UPDATE SKIP LOCKED";
}

namespace {

// Rows are deleted and inserted again on every change (FTS5 has no in-place update); the
// content lives once, in search_docs (an external-content table).
constexpr std::string_view kSqliteSearchSchema = R"sql(
CREATE TABLE search_docs (
  node_id INTEGER PRIMARY KEY,
  owner_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  meta TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL DEFAULT '',
  content_version_id BIGINT
);
CREATE VIRTUAL TABLE search_fts USING fts5(
  name, path, tags, meta, content,
  content = 'search_docs', content_rowid = 'node_id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_docs_insert AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts (rowid, name, path, tags, meta, content)
  VALUES (new.node_id, new.name, new.path, new.tags, new.meta, new.content);
END;
CREATE TRIGGER search_docs_delete AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, name, path, tags, meta, content)
  VALUES ('delete', old.node_id, old.name, old.path, old.tags, old.meta, old.content);
END;
CREATE TRIGGER search_docs_update AFTER UPDATE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, name, path, tags, meta, content)
  VALUES ('delete', old.node_id, old.name, old.path, old.tags, old.meta, old.content);
  INSERT INTO search_fts (rowid, name, path, tags, meta, content)
  VALUES (new.node_id, new.name, new.path, new.tags, new.meta, new.content);
END;
)sql";

// 'simple': no stemming and no stop words, like SQLite's unicode61. PostgreSQL's parser
// reads "q3-report.pdf", "a@b.org" or "/x/y" as one token (a file, an email, a host) and
// hides the text after "<script>", so the characters that make such tokens become spaces
// first, and words match as on SQLite. A
// tsvector holds at most 1 MB, so only the first 256 KiB of the content are indexed.
constexpr std::string_view kPostgresSearchSchema = R"sql(
CREATE TABLE search_docs (
  node_id BIGINT NOT NULL PRIMARY KEY,
  owner_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  meta TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL DEFAULT '',
  content_version_id BIGINT,
  document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, translate(name, '-./@_:+~\<>&', '            ')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, translate(tags, '-./@_:+~\<>&', '            ')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, translate(path, '-./@_:+~\<>&', '            ')), 'B') ||
    setweight(to_tsvector('simple'::regconfig, translate(meta, '-./@_:+~\<>&', '            ')), 'C') ||
    setweight(to_tsvector('simple'::regconfig,
                          translate(left(content, 262144), '-./@_:+~\<>&', '            ')), 'D')) STORED
);
CREATE INDEX search_docs_document ON search_docs USING GIN (document);
)sql";

// Migration 23: documents without the folder path (sql_search_index.h). The FTS5 table is made
// anew over the same rows and rebuilt from them.
constexpr std::string_view kSqliteSearchWithoutPaths = R"sql(
DROP TRIGGER search_docs_insert;
DROP TRIGGER search_docs_delete;
DROP TRIGGER search_docs_update;
DROP TABLE search_fts;
ALTER TABLE search_docs DROP COLUMN path;
CREATE VIRTUAL TABLE search_fts USING fts5(
  name, tags, meta, content,
  content = 'search_docs', content_rowid = 'node_id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_docs_insert AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts (rowid, name, tags, meta, content)
  VALUES (new.node_id, new.name, new.tags, new.meta, new.content);
END;
CREATE TRIGGER search_docs_delete AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, name, tags, meta, content)
  VALUES ('delete', old.node_id, old.name, old.tags, old.meta, old.content);
END;
CREATE TRIGGER search_docs_update AFTER UPDATE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, name, tags, meta, content)
  VALUES ('delete', old.node_id, old.name, old.tags, old.meta, old.content);
  INSERT INTO search_fts (rowid, name, tags, meta, content)
  VALUES (new.node_id, new.name, new.tags, new.meta, new.content);
END;
INSERT INTO search_fts (search_fts) VALUES ('rebuild');
)sql";

// Weights: A the name (alone, so that a term can match folder names only), B tags, C metadata,
// D content.
constexpr std::string_view kPostgresSearchWithoutPaths = R"sql(
ALTER TABLE search_docs DROP COLUMN document;
ALTER TABLE search_docs DROP COLUMN path;
ALTER TABLE search_docs ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, translate(name, '-./@_:+~\<>&', '            ')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, translate(tags, '-./@_:+~\<>&', '            ')), 'B') ||
    setweight(to_tsvector('simple'::regconfig, translate(meta, '-./@_:+~\<>&', '            ')), 'C') ||
    setweight(to_tsvector('simple'::regconfig,
                          translate(left(content, 262144), '-./@_:+~\<>&', '            ')), 'D')) STORED;
CREATE INDEX search_docs_document ON search_docs USING GIN (document);
)sql";

}  // namespace

std::string_view Dialect::search_schema() const {
  return kind_ == Kind::kSqlite ? kSqliteSearchSchema : kPostgresSearchSchema;
}

std::string_view Dialect::search_without_paths() const {
  return kind_ == Kind::kSqlite ? kSqliteSearchWithoutPaths : kPostgresSearchWithoutPaths;
}

std::string Dialect::render(std::string_view sql) const {
  struct Token {
    std::string_view token;
    std::string_view fragment;
  };
  const Token tokens[] = {{"{{ID}}", id_primary_key()},
                          {"{{NAME}}", binary_text_type()},
                          {"{{NATURAL_KEY}}", natural_key_table_suffix()},
                          {"{{SEARCH_SCHEMA}}", search_schema()},
                          {"{{SEARCH_WITHOUT_PATHS}}", search_without_paths()}};
  std::string out;
  out.reserve(sql.size() + 256);
  size_t pos = 0;
  while (pos < sql.size()) {
    size_t open = sql.find("{{", pos);
    if (open == std::string_view::npos) break;
    out.append(sql.substr(pos, open - pos));
    bool replaced = false;
    for (const auto& t : tokens) {
      if (sql.substr(open, t.token.size()) == t.token) {
        out.append(t.fragment);
        pos = open + t.token.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out.append("{{");
      pos = open + 2;
    }
  }
  out.append(sql.substr(pos));
  return out;
}

Result<std::optional<Row>> Connection::query_row(std::string_view sql, const Params& params) {
  std::optional<Row> first;
  Status s = query_each(sql, params, [&](const Row& row) {
    if (!first) first = row;
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return first;
}

}  // namespace coffer::meta
