#include "meta/migrations.h"

#include <string>

#include "core/model.h"
#include "core/natural_sort.h"

namespace coffer::meta {
namespace {

// Version 1: users, the folder tree, file versions and the chunk records. docs/schema.md
// explains every column and index.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE users (
  id {{ID}},
  username {{NAME}} NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  status TEXT NOT NULL,
  root_id BIGINT,
  quota_bytes BIGINT,
  created_at BIGINT NOT NULL
);

CREATE TABLE nodes (
  id {{ID}},
  owner_id BIGINT NOT NULL REFERENCES users (id),
  parent_id BIGINT REFERENCES nodes (id),
  name {{NAME}} NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('folder', 'file')),
  current_version_id BIGINT,
  size BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE UNIQUE INDEX nodes_live_name ON nodes (parent_id, name) WHERE deleted_at IS NULL;
CREATE INDEX nodes_by_name ON nodes (parent_id, kind, name, id);
CREATE INDEX nodes_by_modified ON nodes (parent_id, kind, modified_at, id)
  WHERE deleted_at IS NULL;
CREATE INDEX nodes_by_size ON nodes (parent_id, kind, size, id) WHERE deleted_at IS NULL;

CREATE TABLE versions (
  id {{ID}},
  node_id BIGINT NOT NULL REFERENCES nodes (id),
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  mime TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX versions_by_node ON versions (node_id, id);

CREATE TABLE chunks (
  hash TEXT NOT NULL PRIMARY KEY,
  size BIGINT NOT NULL,
  stored_size BIGINT NOT NULL,
  encoding INTEGER NOT NULL,
  created_at BIGINT NOT NULL
){{NATURAL_KEY}};

CREATE TABLE version_chunks (
  version_id BIGINT NOT NULL REFERENCES versions (id),
  seq INTEGER NOT NULL,
  chunk TEXT NOT NULL REFERENCES chunks (hash),
  byte_offset BIGINT NOT NULL,
  size BIGINT NOT NULL,
  stored_size BIGINT NOT NULL,
  encoding INTEGER NOT NULL,
  PRIMARY KEY (version_id, seq)
){{NATURAL_KEY}};
CREATE INDEX version_chunks_by_chunk ON version_chunks (chunk);
)sql";

// Version 2: sign-in sessions and refresh tokens, personal API tokens, sign-in throttling
// and the audit log. Tokens are stored as SHA-256 hashes only.
constexpr std::string_view kAccountsSchema = R"sql(
CREATE TABLE sessions (
  id {{ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  revoked_at BIGINT,
  revoked_reason TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id, id);

CREATE TABLE refresh_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  session_id BIGINT NOT NULL REFERENCES sessions (id),
  created_at BIGINT NOT NULL,
  spent_at BIGINT
){{NATURAL_KEY}};
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

CREATE TABLE api_tokens (
  id {{ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, id);

CREATE TABLE login_throttle (
  throttle_key TEXT NOT NULL PRIMARY KEY,
  failures BIGINT NOT NULL,
  last_failure_at BIGINT NOT NULL,
  blocked_until BIGINT NOT NULL
){{NATURAL_KEY}};

CREATE TABLE audit_events (
  id {{ID}},
  at BIGINT NOT NULL,
  actor_id BIGINT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  request_id TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_by_actor ON audit_events (actor_id, id);
CREATE INDEX audit_by_action ON audit_events (action, id);
)sql";

// Version 3: second factor (TOTP and recovery codes), password-reset links, groups, server
// settings and registration invites.
constexpr std::string_view kSecuritySchema = R"sql(
CREATE TABLE totp (
  user_id BIGINT NOT NULL PRIMARY KEY REFERENCES users (id),
  secret_box TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  confirmed_at BIGINT,
  last_step BIGINT NOT NULL
){{NATURAL_KEY}};

CREATE TABLE recovery_codes (
  user_id BIGINT NOT NULL REFERENCES users (id),
  code_hash TEXT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (user_id, code_hash)
){{NATURAL_KEY}};

CREATE TABLE password_resets (
  token_hash TEXT NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id),
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
){{NATURAL_KEY}};

CREATE TABLE user_groups (
  id {{ID}},
  name {{NAME}} NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE group_members (
  group_id BIGINT NOT NULL REFERENCES user_groups (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  PRIMARY KEY (group_id, user_id)
){{NATURAL_KEY}};
CREATE INDEX group_members_by_user ON group_members (user_id);

CREATE TABLE settings (
  name TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
){{NATURAL_KEY}};

CREATE TABLE invites (
  token_hash TEXT NOT NULL PRIMARY KEY,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  used_by BIGINT REFERENCES users (id)
){{NATURAL_KEY}};
)sql";

// Version 4: the trash. A deletion marks the node and every live node below it with
// deleted_at and trash_root_id (the node the user deleted), and records the API token that
// did it, so a mass deletion by one script can be undone in one call.
constexpr std::string_view kTrashSchema = R"sql(
ALTER TABLE nodes ADD COLUMN trash_root_id BIGINT;
ALTER TABLE nodes ADD COLUMN deleted_by_token BIGINT;
CREATE INDEX nodes_trash ON nodes (owner_id, trash_root_id) WHERE deleted_at IS NOT NULL;
)sql";

// Version 5: document status (pending, active, archived, error), tags and a custom JSON
// metadata object per node.
constexpr std::string_view kAttributesSchema = R"sql(
ALTER TABLE nodes ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE nodes ADD COLUMN metadata TEXT;
CREATE TABLE node_tags (
  node_id BIGINT NOT NULL REFERENCES nodes (id),
  tag {{NAME}} NOT NULL,
  PRIMARY KEY (node_id, tag)
){{NATURAL_KEY}};
CREATE INDEX node_tags_by_tag ON node_tags (tag, node_id);
)sql";

// Version 6: shares of a node with a user or a group, and public links. A link's token is
// kept as its SHA-256 (lookup) and sealed under the server key (so its owner can copy it
// again); never in the clear.
constexpr std::string_view kSharingSchema = R"sql(
CREATE TABLE shares (
  id {{ID}},
  node_id BIGINT NOT NULL REFERENCES nodes (id),
  owner_id BIGINT NOT NULL REFERENCES users (id),
  user_id BIGINT REFERENCES users (id),
  group_id BIGINT REFERENCES user_groups (id),
  permission TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX shares_by_node_user ON shares (node_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX shares_by_node_group ON shares (node_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX shares_by_user ON shares (user_id);
CREATE INDEX shares_by_group ON shares (group_id);

CREATE TABLE share_links (
  id {{ID}},
  node_id BIGINT NOT NULL REFERENCES nodes (id),
  owner_id BIGINT NOT NULL REFERENCES users (id),
  token_hash TEXT NOT NULL UNIQUE,
  token_sealed TEXT NOT NULL,
  password_hash TEXT,
  password_epoch BIGINT NOT NULL DEFAULT 0,
  expires_at BIGINT,
  max_downloads BIGINT,
  downloads BIGINT NOT NULL DEFAULT 0,
  views BIGINT NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  file_drop INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX share_links_by_owner ON share_links (owner_id, node_id);
)sql";

// Version 7: resumable (tus) uploads in progress and the chunks holding their bytes so far.
// No foreign keys to users or nodes: an upload outlives neither (it expires), and purging a
// folder from the trash must not depend on uploads aimed at it.
constexpr std::string_view kUploadsSchema = R"sql(
CREATE TABLE uploads (
  id TEXT NOT NULL PRIMARY KEY,
  owner_id BIGINT NOT NULL,
  parent_id BIGINT NOT NULL,
  name {{NAME}} NOT NULL,
  length BIGINT,
  received BIGINT NOT NULL,
  metadata TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  file_id BIGINT
){{NATURAL_KEY}};
CREATE INDEX uploads_by_expiry ON uploads (expires_at);

CREATE TABLE upload_chunks (
  upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
  byte_offset BIGINT NOT NULL,
  chunk TEXT NOT NULL,
  size BIGINT NOT NULL,
  stored_size BIGINT NOT NULL,
  encoding INTEGER NOT NULL,
  PRIMARY KEY (upload_id, byte_offset)
){{NATURAL_KEY}};
CREATE INDEX upload_chunks_by_chunk ON upload_chunks (chunk);
)sql";

// Version 8: WebDAV dead properties (PROPPATCH), one row per property of a node, holding the
// property element as self-contained XML.
constexpr std::string_view kDavSchema = R"sql(
CREATE TABLE dead_properties (
  node_id BIGINT NOT NULL REFERENCES nodes (id),
  ns {{NAME}} NOT NULL,
  name {{NAME}} NOT NULL,
  xml TEXT NOT NULL,
  PRIMARY KEY (node_id, ns, name)
){{NATURAL_KEY}};
)sql";

// Version 9: background jobs, the client-declared MIME type beside the sniffed one, and what
// media processing derives from a content (thumbnails stored as chunks, dimensions and EXIF),
// keyed by the content's SHA-256 so identical files share them.
constexpr std::string_view kMediaSchema = R"sql(
ALTER TABLE versions ADD COLUMN declared_mime TEXT;
CREATE INDEX versions_by_sha256 ON versions (sha256);
CREATE TABLE jobs (
  id {{ID}},
  kind TEXT NOT NULL,
  owner_id BIGINT NOT NULL,
  node_id BIGINT NOT NULL,
  version_id BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  mime TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_at, id);
CREATE INDEX jobs_by_content ON jobs (kind, sha256);
CREATE INDEX jobs_by_node ON jobs (node_id, state);
CREATE TABLE thumbnails (
  sha256 TEXT NOT NULL,
  variant TEXT NOT NULL,
  mime TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  size BIGINT NOT NULL,
  thumb_sha256 TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (sha256, variant)
){{NATURAL_KEY}};
CREATE TABLE thumbnail_chunks (
  sha256 TEXT NOT NULL,
  variant TEXT NOT NULL,
  seq INTEGER NOT NULL,
  chunk TEXT NOT NULL REFERENCES chunks (hash),
  byte_offset BIGINT NOT NULL,
  size BIGINT NOT NULL,
  stored_size BIGINT NOT NULL,
  encoding INTEGER NOT NULL,
  PRIMARY KEY (sha256, variant, seq)
){{NATURAL_KEY}};
CREATE TABLE media_info (
  sha256 TEXT NOT NULL PRIMARY KEY,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  camera_make TEXT,
  camera_model TEXT,
  taken_at TEXT,
  created_at BIGINT NOT NULL
){{NATURAL_KEY}};
)sql";

// Version 10: full-text search. search_docs holds what the index reads per node (name, the
// path of its folder, tags, metadata values, extracted content); the engine's index follows
// it. Existing nodes are indexed by name, path and metadata here; tags at their next change,
// content when it is next extracted.
constexpr std::string_view kSearchSchema = R"sql(
{{SEARCH_SCHEMA}}
INSERT INTO search_docs (node_id, owner_id, name, path, meta)
WITH RECURSIVE tree(id, full_path) AS (
  SELECT id, name FROM nodes WHERE parent_id IS NULL
  UNION ALL
  SELECT n.id, t.full_path || '/' || n.name FROM nodes n JOIN tree t ON n.parent_id = t.id
)
SELECT n.id, n.owner_id, n.name, p.full_path, COALESCE(n.metadata, '')
FROM tree t JOIN nodes n ON n.id = t.id JOIN tree p ON p.id = n.parent_id;
)sql";

// Version 11: file activity (who did what to which node, kept --activity-retention-days) and
// storage usage over time (one sample per UTC day for the installation and for each user,
// kept --usage-history-days).
constexpr std::string_view kInsightsSchema = R"sql(
CREATE TABLE activity (
  id {{ID}},
  node_id BIGINT NOT NULL,
  owner_id BIGINT NOT NULL,
  actor_id BIGINT NOT NULL,
  action TEXT NOT NULL,
  parent_id BIGINT,
  name TEXT NOT NULL,
  detail TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX activity_by_node ON activity (node_id, id);
CREATE INDEX activity_by_parent ON activity (parent_id, id);
CREATE INDEX activity_by_owner ON activity (owner_id, id);
CREATE INDEX activity_by_time ON activity (created_at);
CREATE TABLE storage_history (
  day BIGINT NOT NULL PRIMARY KEY,
  logical_bytes BIGINT NOT NULL,
  unique_bytes BIGINT NOT NULL,
  physical_bytes BIGINT NOT NULL,
  chunks BIGINT NOT NULL,
  files BIGINT NOT NULL,
  sampled_at BIGINT NOT NULL
){{NATURAL_KEY}};
CREATE TABLE user_usage_history (
  day BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  used_bytes BIGINT NOT NULL,
  files BIGINT NOT NULL,
  PRIMARY KEY (user_id, day)
){{NATURAL_KEY}};
CREATE INDEX user_usage_history_by_day ON user_usage_history (day);
)sql";

// Version 12: when anything below a node last changed (Node::tree_changed), for folder ETags
// that sync clients poll. Existing rows start at 0: their ETags stay as they were until the
// first change below them.
constexpr std::string_view kTreeChangedSchema = R"sql(
ALTER TABLE nodes ADD COLUMN tree_changed BIGINT NOT NULL DEFAULT 0;
)sql";

// Version 13: sync clients signing in through the browser (Nextcloud Login Flow v2). Only
// hashes of the two tokens are kept; the app password is made when the client collects it.
constexpr std::string_view kLoginFlowsSchema = R"sql(
CREATE TABLE login_flows (
  poll_hash TEXT NOT NULL PRIMARY KEY,
  login_hash TEXT NOT NULL UNIQUE,
  client_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  user_id BIGINT REFERENCES users (id)
){{NATURAL_KEY}};
CREATE INDEX login_flows_by_expiry ON login_flows (expires_at);
)sql";

// Version 14: sync clients' chunked uploads (Nextcloud chunking NG and v2): the upload
// collections, their parts and the chunks holding each part until the file is assembled.
constexpr std::string_view kChunkedUploadsSchema = R"sql(
CREATE TABLE chunked_uploads (
  owner_id BIGINT NOT NULL REFERENCES users (id),
  transfer TEXT NOT NULL,
  total_length BIGINT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (owner_id, transfer)
){{NATURAL_KEY}};
CREATE INDEX chunked_uploads_by_expiry ON chunked_uploads (expires_at);

CREATE TABLE chunked_upload_parts (
  owner_id BIGINT NOT NULL,
  transfer TEXT NOT NULL,
  part TEXT NOT NULL,
  size BIGINT NOT NULL,
  modified_at BIGINT NOT NULL,
  PRIMARY KEY (owner_id, transfer, part)
){{NATURAL_KEY}};

CREATE TABLE chunked_upload_chunks (
  owner_id BIGINT NOT NULL,
  transfer TEXT NOT NULL,
  part TEXT NOT NULL,
  byte_offset BIGINT NOT NULL,
  chunk TEXT NOT NULL,
  size BIGINT NOT NULL,
  stored_size BIGINT NOT NULL,
  encoding INTEGER NOT NULL,
  PRIMARY KEY (owner_id, transfer, part, byte_offset)
){{NATURAL_KEY}};
CREATE INDEX chunked_upload_chunks_by_chunk ON chunked_upload_chunks (chunk);
)sql";

// Version 15: the S3-compatible API. Access keys (the secret sealed with the server key,
// because SigV4 verification needs it in the clear); per version the MD5 of the content
// (S3 ETags; recorded for versions S3 writes) and the object headers S3 stores with it
// (x-amz-meta-*, Cache-Control, Content-Disposition, ...; JSON, NULL when none); and for S3's
// multipart uploads, which are chunked uploads too, what the upload will become (bucket, key
// and headers; JSON) and each part's MD5 (its ETag).
constexpr std::string_view kS3Schema = R"sql(
CREATE TABLE s3_keys (
  id {{ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  access_key_id TEXT NOT NULL UNIQUE,
  sealed_secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX s3_keys_by_user ON s3_keys (user_id, id);
ALTER TABLE versions ADD COLUMN md5 TEXT;
ALTER TABLE versions ADD COLUMN object_headers TEXT;
ALTER TABLE chunked_uploads ADD COLUMN target TEXT;
ALTER TABLE chunked_upload_parts ADD COLUMN md5 TEXT;
)sql";

// Version 18: per version the SHA-1 of the content (lower-case hex), recorded when the client
// declared one and it matched (OC-Checksum: SHA1:..., as rclone's Nextcloud and ownCloud modes
// send it), so that oc:checksums can answer it; NULL otherwise.
constexpr std::string_view kSha1Schema = R"sql(
ALTER TABLE versions ADD COLUMN sha1 TEXT;
)sql";

// Version 19: listings sort names as people do (core/natural_sort.h) on every engine alike, by
// a key stored with each node. The index that served the name order serves this one, and
// keeps leading with parent_id for the children lookups it also serves.
constexpr std::string_view kNameKeySchema = R"sql(
ALTER TABLE nodes ADD COLUMN name_key {{NAME}} NOT NULL DEFAULT '';
DROP INDEX nodes_by_name;
CREATE INDEX nodes_by_name ON nodes (parent_id, kind, name_key, id);
)sql";

// The keys of the nodes that existed before version 19, a thousand at a time.
Status fill_name_keys(Connection& conn) {
  int64_t after = 0;
  for (;;) {
    auto rows =
        conn.query("SELECT id, name FROM nodes WHERE id > ? ORDER BY id LIMIT 1000", {after});
    COFFER_RETURN_IF_ERROR(rows);
    if (rows->empty()) return Status::ok();
    for (const Row& row : *rows) {
      after = row.int64(0);
      COFFER_RETURN_IF_ERROR(conn.exec("UPDATE nodes SET name_key = ? WHERE id = ?",
                                       {natural_sort_key(row.text(1)), after}));
    }
  }
}

// Version 20: the generations of the access tokens' signing key (auth/token_signer.h); the
// keys themselves are derived from the master key and never stored.
constexpr std::string_view kTokenKeysSchema = R"sql(
CREATE TABLE token_keys (
  generation BIGINT NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL,
  retired_at BIGINT
){{NATURAL_KEY}};
)sql";

// Version 21: a refresh token made void because the one before it was presented again within
// the grace for a lost response (meta/account_store.h, rotate_refresh). Presenting a
// superseded token is a reuse, so two holders of one session cannot take turns at the grace.
constexpr std::string_view kSupersededRefreshSchema = R"sql(
ALTER TABLE refresh_tokens ADD COLUMN superseded_at BIGINT;
)sql";

// Version 22: each chunk's fast check (store/chunk_check.h), compared on reads from local disk
// instead of the SHA-256; NULL for chunks written before, which are verified by their SHA-256.
// Uploads in progress keep the checks of their chunks until they commit.
constexpr std::string_view kChunkCheckSchema = R"sql(
ALTER TABLE chunks ADD COLUMN xxh3 BIGINT;
ALTER TABLE upload_chunks ADD COLUMN xxh3 BIGINT;
ALTER TABLE chunked_upload_chunks ADD COLUMN xxh3 BIGINT;
)sql";

// Version 16: the tamper-evident audit trail (core/audit_chain.h). Each audit entry carries
// the hash of the one before it and its own (hex); entries written before this migration keep
// NULL in both and stay outside the chain, which begins at the first entry written after it.
// Seals are signed statements of the chain's head (docs/archive.md).
constexpr std::string_view kAuditChainSchema = R"sql(
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN entry_hash TEXT;
CREATE TABLE audit_seals (
  id {{ID}},
  head_id BIGINT NOT NULL,
  head_hash TEXT NOT NULL,
  sealed_at BIGINT NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL
);
)sql";

// Version 17: retention and legal hold (docs/archive.md, "Retention and legal hold"). A
// retention rule locks a folder and everything below it until `retain_until` (WORM: nothing
// inside is deleted, overwritten, moved or renamed; new files may be added); it can be
// extended, never shortened or removed before then. A legal hold locks a node and its subtree
// the same way until an administrator releases it. One row per node in each table.
constexpr std::string_view kRetentionSchema = R"sql(
CREATE TABLE retention_rules (
  node_id BIGINT NOT NULL PRIMARY KEY REFERENCES nodes (id),
  owner_id BIGINT NOT NULL REFERENCES users (id),
  retain_until BIGINT NOT NULL,
  set_by BIGINT NOT NULL REFERENCES users (id),
  set_at BIGINT NOT NULL
){{NATURAL_KEY}};
CREATE INDEX retention_rules_by_owner ON retention_rules (owner_id);
CREATE TABLE legal_holds (
  node_id BIGINT NOT NULL PRIMARY KEY REFERENCES nodes (id),
  owner_id BIGINT NOT NULL REFERENCES users (id),
  reason TEXT NOT NULL,
  set_by BIGINT NOT NULL REFERENCES users (id),
  set_at BIGINT NOT NULL
){{NATURAL_KEY}};
CREATE INDEX legal_holds_by_owner ON legal_holds (owner_id);
)sql";

// Version 23: search documents without the folder path (finding 6 of the security review: a
// path per row cost depth² for nested folders, and renaming a folder rewrote every row below
// it). A term matches what is below a folder through the tree instead (sql_search_index.h).
constexpr std::string_view kSearchWithoutPathsSchema = R"sql(
{{SEARCH_WITHOUT_PATHS}}
)sql";

constexpr Migration kMigrations[] = {
    {1, "users, nodes, versions, chunks", kInitialSchema},
    {2, "sessions, refresh tokens, API tokens, sign-in throttling, audit log", kAccountsSchema},
    {3, "TOTP, recovery codes, password resets, groups, settings, invites", kSecuritySchema},
    {4, "trash", kTrashSchema},
    {5, "document status, tags, metadata", kAttributesSchema},
    {6, "shares with users and groups, public links", kSharingSchema},
    {7, "resumable uploads", kUploadsSchema},
    {8, "WebDAV dead properties", kDavSchema},
    {9, "jobs, declared MIME types, thumbnails, media info", kMediaSchema},
    {10, "full-text search", kSearchSchema},
    {11, "file activity, storage usage history", kInsightsSchema},
    {12, "subtree change times for folder ETags", kTreeChangedSchema},
    {13, "sync client sign-in through the browser", kLoginFlowsSchema},
    {14, "sync clients' chunked uploads", kChunkedUploadsSchema},
    {15, "S3 access keys, content MD5 and object headers", kS3Schema},
    {16, "tamper-evident audit trail: hash chain and seals", kAuditChainSchema},
    {17, "retention rules and legal holds", kRetentionSchema},
    {18, "content SHA-1 of versions whose client declared one", kSha1Schema},
    {19, "natural name order: a sort key per node", kNameKeySchema, fill_name_keys},
    {20, "access-token signing key generations", kTokenKeysSchema},
    {21, "refresh tokens superseded by a grace recovery", kSupersededRefreshSchema},
    {22, "a fast check per chunk", kChunkCheckSchema},
    {23, "search documents without folder paths", kSearchWithoutPathsSchema},
};

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER NOT NULL PRIMARY KEY, "
    "description TEXT NOT NULL, "
    "applied_at BIGINT NOT NULL)";

Result<int> read_version(Connection& conn, const Dialect& dialect) {
  auto exists = conn.query_row(dialect.table_exists_query(), {"schema_migrations"});
  COFFER_RETURN_IF_ERROR(exists);
  if (!*exists) return 0;
  auto row = conn.query_row("SELECT MAX(version) FROM schema_migrations");
  COFFER_RETURN_IF_ERROR(row);
  return *row ? static_cast<int>((*row)->int64(0)) : 0;
}

Status refuse_newer(int current) {
  return Status(Errc::kUnavailable, "the database schema is at version " + std::to_string(current) +
                                        ", newer than this coffer knows (" +
                                        std::to_string(latest_schema_version()) +
                                        "); run a coffer release that supports it");
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> current_schema_version(Database& db) {
  return transact_value<int>(db, TxMode::kRead,
                             [&](Connection& conn) { return read_version(conn, db.dialect()); });
}

Status migrate(Database& db) { return migrate_to(db, latest_schema_version()); }

Status migrate_to(Database& db, int version) {
  const Dialect& dialect = db.dialect();
  auto start = current_schema_version(db);
  COFFER_RETURN_IF_ERROR(start);
  if (*start > latest_schema_version()) return refuse_newer(*start);
  if (*start >= version) return Status::ok();

  for (const Migration& m : migrations()) {
    if (m.version <= *start) continue;
    if (m.version > version) break;
    const std::string sql = dialect.render(m.sql);
    // kSchema: the database takes the migration lock before this function's first read.
    Status s = db.transact(TxMode::kSchema, [&](Connection& conn) -> Status {
      COFFER_RETURN_IF_ERROR(conn.exec_script(kCreateMigrationsTable));
      // Re-read under the write lock: another process may have migrated meanwhile.
      auto current = read_version(conn, dialect);
      COFFER_RETURN_IF_ERROR(current);
      if (*current > latest_schema_version()) return refuse_newer(*current);
      if (*current >= m.version) return Status::ok();
      if (*current != m.version - 1) {
        return Status(Errc::kCorruption, "schema_migrations skips from version " +
                                             std::to_string(*current) + " to " +
                                             std::to_string(m.version));
      }
      COFFER_RETURN_IF_ERROR(conn.exec_script(sql));
      if (m.fill != nullptr) COFFER_RETURN_IF_ERROR(m.fill(conn));
      COFFER_RETURN_IF_ERROR(
          conn.exec("INSERT INTO schema_migrations (version, description, applied_at) "
                    "VALUES (?, ?, ?)",
                    {m.version, m.description, now_micros()}));
      return Status::ok();
    });
    if (!s.is_ok()) {
      return Status(s.code(), "migration " + std::to_string(m.version) + " (" +
                                  std::string(m.description) + ") failed: " + s.message());
    }
  }
  return Status::ok();
}

}  // namespace coffer::meta
