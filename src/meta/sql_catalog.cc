#include "meta/sql_catalog.h"

#include <algorithm>
#include <utility>

#include "core/name_rules.h"
#include "core/natural_sort.h"
#include "meta/chunk_rows.h"
#include "meta/migrations.h"
#include "meta/node_row.h"
#include "meta/search_docs.h"
#include "meta/sql_retention.h"
#include "meta/user_row.h"

namespace coffer::meta {
namespace {

// The largest page of children (1000, the API's) and one more, by which a caller asking for
// a page and one learns whether another page follows.
constexpr uint32_t kMaxListLimit = 1001;
// commit_file attempts when a concurrent transaction created the same name first (possible
// where write transactions run concurrently, e.g. PostgreSQL; never with SQLite's one writer).
constexpr int kCommitAttempts = 5;

Result<User> load_user(Connection& conn, std::string_view where, const Params& params) {
  auto row = conn.query_row(std::string(kUserSelect) + std::string(where), params);
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such user");
  return user_from_row(**row);
}

// A live node of `owner_id`. Errors: kNotFound (missing, deleted or someone else's).
Result<Node> load_node(Connection& conn, int64_t owner_id, int64_t node_id) {
  static const std::string sql =
      node_sql("WHERE n.id = ? AND n.owner_id = ? AND n.deleted_at IS NULL");
  auto row = conn.query_row(sql, {node_id, owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such file or folder");
  return node_from_row(**row);
}

// kArchived when `node_id` is archived: archived documents are read-only.
Status refuse_archived(Connection& conn, int64_t node_id) {
  auto row = conn.query_row("SELECT status FROM nodes WHERE id = ?", {node_id});
  COFFER_RETURN_IF_ERROR(row);
  if (*row && (*row)->text(0) == "archived") {
    return Status(Errc::kArchived, "the document is archived (read-only); make it active first");
  }
  return Status::ok();
}

// A live folder of `owner_id` that can receive children. Errors: kNotFound, kConflict.
Result<Node> load_folder(Connection& conn, int64_t owner_id, int64_t folder_id) {
  auto node = load_node(conn, owner_id, folder_id);
  COFFER_RETURN_IF_ERROR(node);
  if (node->kind != NodeKind::kFolder) return Status(Errc::kConflict, "the parent is a file");
  return node;
}

Result<std::optional<Node>> live_child(Connection& conn, int64_t owner_id, int64_t parent_id,
                                       const std::string& name) {
  static const std::string sql =
      node_sql("WHERE n.parent_id = ? AND n.name = ? AND n.owner_id = ? AND n.deleted_at IS NULL");
  auto row = conn.query_row(sql, {parent_id, name, owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return std::optional<Node>();
  return std::optional<Node>(node_from_row(**row));
}

// Whether `node_id` is `ancestor_id` or lies below it, walking up the parent links.
Result<bool> is_within(Connection& conn, int64_t ancestor_id, int64_t node_id) {
  auto row = conn.query_row(
      "WITH RECURSIVE up(id, parent_id) AS ("
      "  SELECT id, parent_id FROM nodes WHERE id = ?"
      "  UNION ALL"
      "  SELECT n.id, n.parent_id FROM nodes n JOIN up ON n.id = up.parent_id)"
      "SELECT 1 FROM up WHERE id = ? LIMIT 1",
      {node_id, ancestor_id});
  COFFER_RETURN_IF_ERROR(row);
  return row->has_value();
}

Status name_conflict_or(const Status& s) {
  if (s.code() == Errc::kAlreadyExists) {
    return Status(Errc::kNameConflict, "the name is taken in that folder");
  }
  return s;
}

Status require_name(const std::string& name) {
  // The name rules (core/name_rules.h) are the caller's; the empty name is reserved for roots.
  if (name.empty()) return Status(Errc::kInvalidName, "the name is empty");
  return Status::ok();
}

// Marks `node_id` and every folder above it as changed (Node::tree_changed) in the
// transaction of the change: to `now`, or one more than before when that is not later, so
// that the value moves on with every change even within one microsecond.
Status touch_tree(Connection& conn, int64_t node_id, Micros now) {
  return status_of(conn.exec(
      "WITH RECURSIVE up(id) AS ("
      "  SELECT CAST(? AS BIGINT)"
      "  UNION ALL"
      "  SELECT n.parent_id FROM nodes n JOIN up u ON n.id = u.id WHERE n.parent_id IS NOT NULL) "
      "UPDATE nodes SET tree_changed = CASE WHEN tree_changed >= CAST(? AS BIGINT) "
      "THEN tree_changed + 1 ELSE CAST(? AS BIGINT) END WHERE id IN (SELECT id FROM up)",
      {node_id, now, now}));
}

// Inserts a live node. Errors: kAlreadyExists when the name is taken (the unique index).
Result<int64_t> insert_node(Connection& conn, int64_t owner_id, std::optional<int64_t> parent_id,
                            const std::string& name, NodeKind kind, uint64_t size, Micros now) {
  auto rows = conn.query(
      "INSERT INTO nodes (owner_id, parent_id, name, name_key, kind, current_version_id, size, "
      "created_at, modified_at, deleted_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL) "
      "RETURNING id",
      {owner_id, parent_id, name, natural_sort_key(name), kind_text(kind), size, now, now});
  COFFER_RETURN_IF_ERROR(rows);
  if (rows->size() != 1) return Status(Errc::kInternal, "INSERT ... RETURNING gave no id");
  const int64_t id = (*rows)[0].int64(0);
  COFFER_RETURN_IF_ERROR(index_node(conn, id));
  COFFER_RETURN_IF_ERROR(touch_tree(conn, id, now));
  return id;
}

// Records `version` as the new current version of file `node_id`: its chunks (kept once,
// whoever committed them first), the version row, its chunk list and the node's mirror columns.
Status add_version(Connection& conn, int64_t node_id, const NewVersion& version, Micros now) {
  for (const VersionChunk& c : version.chunks) COFFER_RETURN_IF_ERROR(record_chunk(conn, c, now));
  auto inserted = conn.query(
      "INSERT INTO versions (node_id, size, sha256, mime, declared_mime, created_at, md5, "
      "object_headers, sha1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {node_id, version.size, version.sha256, version.mime,
       version.declared_mime.empty() ? Value() : Value(version.declared_mime), now,
       version.md5.empty() ? Value() : Value(version.md5),
       version.object_headers.empty() ? Value() : Value(version.object_headers),
       version.sha1.empty() ? Value() : Value(version.sha1)});
  COFFER_RETURN_IF_ERROR(inserted);
  if (inserted->size() != 1) return Status(Errc::kInternal, "INSERT ... RETURNING gave no id");
  const int64_t version_id = (*inserted)[0].int64(0);
  for (size_t seq = 0; seq < version.chunks.size(); ++seq) {
    const VersionChunk& c = version.chunks[seq];
    COFFER_RETURN_IF_ERROR(conn.exec(
        "INSERT INTO version_chunks (version_id, seq, chunk, byte_offset, size, stored_size, "
        "encoding) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {version_id, seq, c.chunk, c.offset, c.size, c.stored_size, c.encoding}));
  }
  COFFER_RETURN_IF_ERROR(
      conn.exec("UPDATE nodes SET current_version_id = ?, size = ?, modified_at = ? WHERE id = ?",
                {version_id, version.size, version.modified.value_or(now), node_id}));
  return touch_tree(conn, node_id, now);
}

// Copies one node under `parent_id`; a file gets a new version row whose chunk list names the
// same chunks as the source's current version (no chunk data is copied). Parameters in a
// SELECT list are CAST: PostgreSQL cannot infer their type from a target column there.
Result<int64_t> copy_one(Connection& conn, const Node& source, int64_t parent_id,
                         const std::string& name, Micros now) {
  auto id = insert_node(conn, source.owner_id, parent_id, name, source.kind, source.size, now);
  COFFER_RETURN_IF_ERROR(id);
  if (source.kind != NodeKind::kFile || source.version_id == 0) return id;
  auto version = conn.query(
      "INSERT INTO versions (node_id, size, sha256, mime, declared_mime, created_at, md5, "
      "object_headers, sha1) "
      "SELECT CAST(? AS BIGINT), size, sha256, mime, declared_mime, CAST(? AS BIGINT), md5, "
      "object_headers, sha1 FROM versions "
      "WHERE id = ? RETURNING id",
      {*id, now, source.version_id});
  COFFER_RETURN_IF_ERROR(version);
  if (version->size() != 1) return Status(Errc::kInternal, "the source version is missing");
  const int64_t version_id = (*version)[0].int64(0);
  COFFER_RETURN_IF_ERROR(conn.exec(
      "INSERT INTO version_chunks (version_id, seq, chunk, byte_offset, size, stored_size, "
      "encoding) SELECT CAST(? AS BIGINT), seq, chunk, byte_offset, size, stored_size, encoding "
      "FROM version_chunks WHERE version_id = ?",
      {version_id, source.version_id}));
  COFFER_RETURN_IF_ERROR(
      conn.exec("UPDATE nodes SET current_version_id = ? WHERE id = ?", {version_id, *id}));
  COFFER_RETURN_IF_ERROR(copy_indexed_content(conn, source.id, *id, version_id));
  return id;
}

std::string_view sort_column(SortKey key) {
  switch (key) {
    case SortKey::kName:
      return "n.name_key";
    case SortKey::kModified:
      return "n.modified_at";
    case SortKey::kSize:
      return "n.size";
    case SortKey::kCreated:
      return "n.created_at";
  }
  return "n.name_key";
}

Value sort_value(SortKey key, const Node& node) {
  switch (key) {
    case SortKey::kName:
      return natural_sort_key(node.name);
    case SortKey::kModified:
      return node.modified;
    case SortKey::kSize:
      return static_cast<int64_t>(node.size);
    case SortKey::kCreated:
      return node.created;
  }
  return natural_sort_key(node.name);
}

// One kind's segment of a listing page. Folders and files are listed by separate queries, each
// an ordered range scan of an index (parent_id, kind, sort column, id), rather than one query
// that must sort the whole folder to put folders first.
Status list_segment(Connection& conn, int64_t owner_id, int64_t parent_id, NodeKind kind,
                    const ListOptions& options, const Node* after, uint32_t limit,
                    std::vector<Node>& out) {
  const std::string_view column = sort_column(options.sort);
  const std::string_view dir = options.descending ? " DESC" : " ASC";
  std::string sql =
      node_sql("WHERE n.parent_id = ? AND n.owner_id = ? AND n.kind = ? AND n.deleted_at IS NULL");
  Params params = {parent_id, owner_id, kind_text(kind)};
  if (options.status) {
    sql += " AND n.status = ?";
    params.emplace_back(doc_status_name(*options.status));
  } else if (!options.include_archived) {
    sql += " AND n.status <> 'archived'";
  }
  if (options.tag) {
    sql += " AND EXISTS (SELECT 1 FROM node_tags t WHERE t.node_id = n.id AND t.tag = ?)";
    params.emplace_back(*options.tag);
  }
  if (options.mime_prefix) {
    // SUBSTR rather than LIKE, so no wildcard in user input matters, and byte equality
    // rather than a range, which a PostgreSQL collation would not order by bytes.
    sql += " AND SUBSTR(v.mime, 1, LENGTH(?)) = ?";
    params.emplace_back(*options.mime_prefix);
    params.emplace_back(*options.mime_prefix);
  }
  if (options.size_min) {
    sql += " AND n.size >= ?";
    params.emplace_back(static_cast<int64_t>(*options.size_min));
  }
  if (options.size_max) {
    sql += " AND n.size <= ?";
    params.emplace_back(static_cast<int64_t>(*options.size_max));
  }
  if (options.modified_after) {
    sql += " AND n.modified_at >= ?";
    params.emplace_back(*options.modified_after);
  }
  if (options.modified_before) {
    sql += " AND n.modified_at < ?";
    params.emplace_back(*options.modified_before);
  }
  if (after != nullptr) {
    sql +=
        " AND (" + std::string(column) + ", n.id) " + (options.descending ? "<" : ">") + " (?, ?)";
    params.push_back(sort_value(options.sort, *after));
    params.push_back(after->id);
  }
  sql += " ORDER BY " + std::string(column) + std::string(dir) + ", n.id" + std::string(dir) +
         " LIMIT ?";
  params.push_back(limit);
  return conn.query_each(sql, params, [&](const Row& row) {
    out.push_back(node_from_row(row));
    return Status::ok();
  });
}

}  // namespace

SqlCatalog::SqlCatalog(std::unique_ptr<Database> db) : db_(std::move(db)) {}

Result<User> SqlCatalog::create_user(const std::string& username, const std::string& password_hash,
                                     Role role) {
  const Micros now = now_micros();
  return transact_value<User>(*db_, TxMode::kWrite, [&](Connection& conn) -> Result<User> {
    auto user = conn.query(
        "INSERT INTO users (username, password_hash, role, status, root_id, quota_bytes, "
        "created_at) VALUES (?, ?, ?, ?, NULL, NULL, ?) RETURNING id",
        {username, password_hash, role_name(role), user_status_name(UserStatus::kActive), now});
    if (!user.is_ok()) {
      if (user.status().code() == Errc::kAlreadyExists) {
        return Status(Errc::kAlreadyExists, "the username is taken");
      }
      return user.status();
    }
    if (user->size() != 1) return Status(Errc::kInternal, "INSERT ... RETURNING gave no id");
    const int64_t user_id = (*user)[0].int64(0);
    auto root = insert_node(conn, user_id, std::nullopt, "", NodeKind::kFolder, 0, now);
    COFFER_RETURN_IF_ERROR(root);
    COFFER_RETURN_IF_ERROR(
        conn.exec("UPDATE users SET root_id = ? WHERE id = ?", {*root, user_id}));
    return load_user(conn, "WHERE id = ?", {user_id});
  });
}

Result<User> SqlCatalog::find_user(int64_t id) {
  return transact_value<User>(
      *db_, TxMode::kRead, [&](Connection& conn) { return load_user(conn, "WHERE id = ?", {id}); });
}

Result<User> SqlCatalog::find_user_by_name(const std::string& username) {
  return transact_value<User>(*db_, TxMode::kRead, [&](Connection& conn) {
    return load_user(conn, "WHERE username = ?", {username});
  });
}

Result<std::vector<User>> SqlCatalog::list_users() {
  using Users = std::vector<User>;
  return transact_value<Users>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Users> {
    auto rows = conn.query(std::string(kUserSelect) + "ORDER BY id");
    COFFER_RETURN_IF_ERROR(rows);
    Users users;
    users.reserve(rows->size());
    for (const Row& row : *rows) {
      auto user = user_from_row(row);
      COFFER_RETURN_IF_ERROR(user);
      users.push_back(std::move(*user));
    }
    return users;
  });
}

Status SqlCatalog::set_password_hash(int64_t user_id, const std::string& password_hash) {
  return db_->transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto changed =
        conn.exec("UPDATE users SET password_hash = ? WHERE id = ?", {password_hash, user_id});
    COFFER_RETURN_IF_ERROR(changed);
    if (*changed == 0) return Status(Errc::kNotFound, "no such user");
    return Status::ok();
  });
}

Result<Node> SqlCatalog::get_node(int64_t owner_id, int64_t node_id) {
  return transact_value<Node>(*db_, TxMode::kRead,
                              [&](Connection& conn) { return load_node(conn, owner_id, node_id); });
}

Result<Node> SqlCatalog::find_child(int64_t owner_id, int64_t parent_id, const std::string& name) {
  return transact_value<Node>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Node> {
    auto child = live_child(conn, owner_id, parent_id, name);
    COFFER_RETURN_IF_ERROR(child);
    if (!*child) return Status(Errc::kNotFound, "no such file or folder");
    return std::move(**child);
  });
}

Result<Node> SqlCatalog::find_path(int64_t owner_id, int64_t parent_id,
                                   const std::vector<std::string>& names) {
  if (names.empty()) return Status(Errc::kInvalidArgument, "find_path needs a name");
  return transact_value<Node>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Node> {
    std::optional<Node> at;
    for (const std::string& name : names) {
      auto child = live_child(conn, owner_id, at ? at->id : parent_id, name);
      COFFER_RETURN_IF_ERROR(child);
      if (!*child) return Status(Errc::kNotFound, "no such file or folder");
      at = std::move(*child);
    }
    return std::move(*at);
  });
}

Result<Node> SqlCatalog::create_folder(int64_t owner_id, int64_t parent_id, const std::string& name,
                                       Micros now) {
  COFFER_RETURN_IF_ERROR(require_name(name));
  return transact_exclusive_value<Node>(*db_, owner_id, [&](Connection& conn) -> Result<Node> {
    COFFER_RETURN_IF_ERROR(load_folder(conn, owner_id, parent_id));
    auto id = insert_node(conn, owner_id, parent_id, name, NodeKind::kFolder, 0, now);
    if (!id.is_ok()) return name_conflict_or(id.status());
    return load_node(conn, owner_id, *id);
  });
}

Result<std::vector<Node>> SqlCatalog::list_children(int64_t owner_id, int64_t parent_id,
                                                    const ListOptions& options) {
  using Nodes = std::vector<Node>;
  const uint32_t limit = std::min(options.limit, kMaxListLimit);
  return transact_value<Nodes>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Nodes> {
    auto parent = load_node(conn, owner_id, parent_id);
    COFFER_RETURN_IF_ERROR(parent);
    if (parent->kind != NodeKind::kFolder) return Status(Errc::kConflict, "not a folder");
    Nodes out;
    if (limit == 0) return out;
    out.reserve(std::min<uint32_t>(limit, 256));
    // Folders come first in either direction; a cursor on a file means the folders are done.
    const Node* after = options.after ? &*options.after : nullptr;
    const bool after_file = after != nullptr && after->kind == NodeKind::kFile;
    if (!after_file && !options.filters_files()) {
      COFFER_RETURN_IF_ERROR(
          list_segment(conn, owner_id, parent_id, NodeKind::kFolder, options, after, limit, out));
    }
    if (out.size() < limit) {
      COFFER_RETURN_IF_ERROR(list_segment(conn, owner_id, parent_id, NodeKind::kFile, options,
                                          after_file ? after : nullptr,
                                          limit - static_cast<uint32_t>(out.size()), out));
    }
    return out;
  });
}

namespace {

// The user's quota: their own, else `default_quota`; 0 from the default means unlimited.
Result<int64_t> quota_of(Connection& conn, int64_t owner_id, int64_t default_quota) {
  auto row = conn.query_row("SELECT quota_bytes FROM users WHERE id = ?", {owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such user");
  if ((*row)->is_null(0)) return default_quota > 0 ? default_quota : int64_t{-1};
  return (*row)->int64(0);
}

// The bytes of the WebDAV dead properties of the user's nodes (stored for them like content).
Result<int64_t> property_bytes(Connection& conn, const Dialect& dialect, int64_t owner_id) {
  auto row = conn.query_row("SELECT CAST(COALESCE(SUM(" + dialect.byte_length("p.xml") +
                                "), 0) AS BIGINT) FROM dead_properties p "
                                "JOIN nodes n ON n.id = p.node_id WHERE n.owner_id = ?",
                            {owner_id});
  COFFER_RETURN_IF_ERROR(row);
  return (*row)->int64(0);
}

// Logical bytes of every version of every file the user owns, trash included, and the bytes
// of their nodes' dead properties.
Result<int64_t> used_bytes(Connection& conn, const Dialect& dialect, int64_t owner_id) {
  auto row = conn.query_row(
      "SELECT CAST(COALESCE(SUM(v.size), 0) AS BIGINT) FROM versions v "
      "JOIN nodes n ON n.id = v.node_id WHERE n.owner_id = ?",
      {owner_id});
  COFFER_RETURN_IF_ERROR(row);
  auto properties = property_bytes(conn, dialect, owner_id);
  COFFER_RETURN_IF_ERROR(properties);
  return (*row)->int64(0) + *properties;
}

// Fails with kQuotaExceeded when `extra` more bytes would not fit. Runs inside the write
// transaction that adds them, which is what makes concurrent commits safe: SQLite has one
// writer, and PostgreSQL's serializable isolation aborts (and the Database retries) one of two
// transactions that both read the sum and then add to it.
Status check_quota(Connection& conn, const Dialect& dialect, int64_t owner_id, uint64_t extra,
                   int64_t default_quota) {
  if (extra == 0) return Status::ok();
  auto quota = quota_of(conn, owner_id, default_quota);
  COFFER_RETURN_IF_ERROR(quota);
  if (*quota < 0) return Status::ok();
  auto used = used_bytes(conn, dialect, owner_id);
  COFFER_RETURN_IF_ERROR(used);
  if (static_cast<uint64_t>(*used) + extra > static_cast<uint64_t>(*quota)) {
    return Status(Errc::kQuotaExceeded, "the storage quota (" + std::to_string(*quota) +
                                            " bytes) cannot take " + std::to_string(extra) +
                                            " more bytes; " + std::to_string(*used) + " in use");
  }
  return Status::ok();
}

// Deletes versions of `node_id` that are neither current nor among the `keep` newest older
// ones. Their chunks go when garbage collection finds them unreferenced.
Status prune_old_versions(Connection& conn, int64_t node_id, int64_t keep) {
  if (keep <= 0) return Status::ok();
  auto rows = conn.query(
      "SELECT v.id FROM versions v JOIN nodes n ON n.id = v.node_id "
      "WHERE v.node_id = ? AND v.id <> n.current_version_id ORDER BY v.id DESC",
      {node_id});
  COFFER_RETURN_IF_ERROR(rows);
  for (size_t i = static_cast<size_t>(keep); i < rows->size(); ++i) {
    const int64_t id = (*rows)[i].int64(0);
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM version_chunks WHERE version_id = ?", {id}));
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM versions WHERE id = ?", {id}));
  }
  return Status::ok();
}

// For operations that add bytes before they know how many (a folder copy): fails the
// transaction when the user is over quota once they are added.
Status within_quota(Connection& conn, const Dialect& dialect, int64_t owner_id,
                    int64_t default_quota, std::string_view what) {
  auto quota = quota_of(conn, owner_id, default_quota);
  COFFER_RETURN_IF_ERROR(quota);
  if (*quota < 0) return Status::ok();
  auto used = used_bytes(conn, dialect, owner_id);
  COFFER_RETURN_IF_ERROR(used);
  if (*used > *quota) {
    return Status(Errc::kQuotaExceeded, std::string(what) + " does not fit in the storage quota (" +
                                            std::to_string(*quota) + " bytes)");
  }
  return Status::ok();
}

// How many variants of a name a keep-both write tries ("name (2)" .. "name (999)").
constexpr int kMaxNameVariants = 1000;

// Whether what is at the name (`existing`) is what the write expects.
Status check_precondition(const WritePrecondition& expected, const std::optional<Node>& existing) {
  if (expected.absent && existing) {
    return Status(Errc::kPreconditionFailed, "something already has that name");
  }
  const bool file = existing && existing->kind == NodeKind::kFile;
  if ((expected.present || expected.current_version) && !file) {
    return Status(Errc::kPreconditionFailed, "no file has that name");
  }
  if (expected.current_version && existing->version_id != *expected.current_version) {
    return Status(Errc::kPreconditionFailed, "the file has changed since");
  }
  return Status::ok();
}

// The body of commit_file's transaction. `lost_race` is set when another transaction created
// the name after the look-up (then the whole transaction is to be retried).
Result<Node> commit_in(Connection& conn, const Dialect& dialect, int64_t owner_id,
                       int64_t parent_id, const std::string& name, const NewVersion& version,
                       Micros now, int64_t default_quota, int64_t keep_versions, bool& lost_race) {
  lost_race = false;
  COFFER_RETURN_IF_ERROR(load_folder(conn, owner_id, parent_id));
  std::string chosen = name;
  auto existing = live_child(conn, owner_id, parent_id, chosen);
  COFFER_RETURN_IF_ERROR(existing);
  for (int n = 2; version.precondition.keep_both && *existing; ++n) {
    if (n == kMaxNameVariants) return Status(Errc::kNameConflict, "too many files of that name");
    chosen = numbered_name(name, n);
    existing = live_child(conn, owner_id, parent_id, chosen);
    COFFER_RETURN_IF_ERROR(existing);
  }
  COFFER_RETURN_IF_ERROR(check_precondition(version.precondition, *existing));
  int64_t node_id = 0;
  if (*existing) {
    if ((*existing)->kind != NodeKind::kFile) {
      return Status(Errc::kNameConflict, "a folder has that name");
    }
    node_id = (*existing)->id;
    COFFER_RETURN_IF_ERROR(refuse_archived(conn, node_id));
    COFFER_RETURN_IF_ERROR(refuse_locked(conn, node_id, LockScope::kNode, now));
  } else {
    auto id = insert_node(conn, owner_id, parent_id, chosen, NodeKind::kFile, version.size, now);
    if (!id.is_ok()) {
      lost_race = id.status().code() == Errc::kAlreadyExists;
      return id.status();
    }
    node_id = *id;
  }
  COFFER_RETURN_IF_ERROR(check_quota(conn, dialect, owner_id, version.size, default_quota));
  COFFER_RETURN_IF_ERROR(add_version(conn, node_id, version, now));
  COFFER_RETURN_IF_ERROR(prune_old_versions(conn, node_id, keep_versions));
  auto committed = load_node(conn, owner_id, node_id);
  COFFER_RETURN_IF_ERROR(committed);
  COFFER_RETURN_IF_ERROR(enqueue_jobs(conn, version.jobs, owner_id, node_id, committed->version_id,
                                      version.sha256, version.mime, now));
  return committed;
}

// Whether commit_in failed for a reason of the one file (commit_files goes on with the
// others) rather than of the transaction.
bool fails_one_file(Errc code) {
  switch (code) {
    case Errc::kNotFound:
    case Errc::kConflict:
    case Errc::kNameConflict:
    case Errc::kInvalidName:
    case Errc::kQuotaExceeded:
    case Errc::kArchived:
    case Errc::kRetentionActive:
    case Errc::kLegalHold:
    case Errc::kPreconditionFailed:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<Node> SqlCatalog::commit_file(int64_t owner_id, int64_t parent_id, const std::string& name,
                                     const NewVersion& version, Micros now) {
  COFFER_RETURN_IF_ERROR(require_name(name));
  for (int attempt = 1;; ++attempt) {
    bool lost_race = false;
    auto node =
        transact_exclusive_value<Node>(*db_, owner_id, [&](Connection& conn) -> Result<Node> {
          return commit_in(conn, db_->dialect(), owner_id, parent_id, name, version, now,
                           default_quota_.load(), keep_versions_.load(), lost_race);
        });
    if (node.is_ok() || !lost_race) return node;
    if (attempt == kCommitAttempts) return name_conflict_or(node.status());
  }
}

std::vector<Result<Node>> SqlCatalog::commit_files(int64_t owner_id,
                                                   std::span<const FileCommit> files, Micros now) {
  std::vector<Result<Node>> out;
  for (int attempt = 1;; ++attempt) {
    bool lost_race = false;
    Status status = db_->transact_exclusive(owner_id, [&](Connection& conn) -> Status {
      out.clear();
      for (const FileCommit& file : files) {
        if (Status named = require_name(file.name); !named.is_ok()) {
          out.emplace_back(std::move(named));
          continue;
        }
        // Each file in a savepoint of its own, so that one refused leaves the others.
        COFFER_RETURN_IF_ERROR(conn.exec("SAVEPOINT commit_file").status());
        auto node =
            commit_in(conn, db_->dialect(), owner_id, file.parent_id, file.name, file.version, now,
                      default_quota_.load(), keep_versions_.load(), lost_race);
        if (node.is_ok()) {
          COFFER_RETURN_IF_ERROR(conn.exec("RELEASE commit_file").status());
          out.push_back(std::move(node));
          continue;
        }
        if (lost_race || !fails_one_file(node.status().code())) return node.status();
        COFFER_RETURN_IF_ERROR(conn.exec("ROLLBACK TO commit_file").status());
        COFFER_RETURN_IF_ERROR(conn.exec("RELEASE commit_file").status());
        out.push_back(std::move(node));
      }
      return Status::ok();
    });
    if (status.is_ok()) return out;
    if (!lost_race || attempt == kCommitAttempts) {
      const Status failed = lost_race ? name_conflict_or(status) : status;
      return std::vector<Result<Node>>(files.size(), Result<Node>(failed));
    }
  }
}

namespace {

// A node and everything below it, trashed or not: `subtree(id)` for the statement after it.
constexpr std::string_view kSubtree =
    "WITH RECURSIVE subtree(id) AS ("
    "  SELECT id FROM nodes WHERE id = ?"
    "  UNION ALL"
    "  SELECT n.id FROM nodes n JOIN subtree s ON n.parent_id = s.id) ";

// kPreconditionFailed unless `node` is a file whose current version is `if_version` (when set).
Status require_version(const Node& node, std::optional<int64_t> if_version) {
  if (!if_version || (node.kind == NodeKind::kFile && node.version_id == *if_version)) {
    return Status::ok();
  }
  return Status(Errc::kPreconditionFailed, "the file has changed since the ETag was read");
}

// The move or rename of move_node, inside the caller's transaction.
Result<Node> move_in(Connection& conn, int64_t owner_id, int64_t node_id,
                     std::optional<int64_t> new_parent_id,
                     const std::optional<std::string>& new_name, Micros now,
                     std::optional<int64_t> if_version = std::nullopt) {
  auto node = load_node(conn, owner_id, node_id);
  COFFER_RETURN_IF_ERROR(node);
  COFFER_RETURN_IF_ERROR(require_version(*node, if_version));
  if (node->parent_id == 0) return Status(Errc::kConflict, "a root folder cannot be moved");
  COFFER_RETURN_IF_ERROR(refuse_archived(conn, node_id));
  const int64_t parent_id = new_parent_id.value_or(node->parent_id);
  const std::string& name = new_name ? *new_name : node->name;
  if (parent_id != node->parent_id) {
    COFFER_RETURN_IF_ERROR(load_folder(conn, owner_id, parent_id));
    if (node->kind == NodeKind::kFolder) {
      auto inside = is_within(conn, node->id, parent_id);
      COFFER_RETURN_IF_ERROR(inside);
      if (*inside) {
        return Status(Errc::kConflict, "a folder cannot move into itself or its subfolders");
      }
    }
  } else if (name == node->name) {
    return std::move(*node);
  }
  COFFER_RETURN_IF_ERROR(refuse_locked(conn, node_id, LockScope::kSubtree, now));
  auto changed = conn.exec(
      "UPDATE nodes SET parent_id = ?, name = ?, name_key = ?, modified_at = ? "
      "WHERE id = ? AND owner_id = ?",
      {parent_id, name, natural_sort_key(name), now, node_id, owner_id});
  if (!changed.is_ok()) return name_conflict_or(changed.status());
  COFFER_RETURN_IF_ERROR(index_node(conn, node_id));  // its name; nothing below it changes
  COFFER_RETURN_IF_ERROR(touch_tree(conn, node->parent_id, now));  // moved out of there
  COFFER_RETURN_IF_ERROR(touch_tree(conn, node_id, now));
  return load_node(conn, owner_id, node_id);
}

// The copy of copy_node without its quota check, inside the caller's transaction; a folder
// without what is below it unless `deep`.
Result<Node> copy_in(Connection& conn, int64_t owner_id, int64_t node_id, int64_t new_parent_id,
                     const std::string& new_name, Micros now, bool deep = true) {
  auto source = load_node(conn, owner_id, node_id);
  COFFER_RETURN_IF_ERROR(source);
  if (source->parent_id == 0) return Status(Errc::kConflict, "a root folder cannot be copied");
  COFFER_RETURN_IF_ERROR(load_folder(conn, owner_id, new_parent_id));
  if (source->kind == NodeKind::kFolder) {
    // Copying into itself would keep finding the copies it makes.
    auto inside = is_within(conn, source->id, new_parent_id);
    COFFER_RETURN_IF_ERROR(inside);
    if (*inside) {
      return Status(Errc::kConflict, "a folder cannot be copied into itself or its subfolders");
    }
  }
  auto copy_id = copy_one(conn, *source, new_parent_id, new_name, now);
  if (!copy_id.is_ok()) return name_conflict_or(copy_id.status());

  // Folder trees, depth first with an explicit stack: (source folder, its copy).
  static const std::string children_sql =
      node_sql("WHERE n.parent_id = ? AND n.owner_id = ? AND n.deleted_at IS NULL ORDER BY n.id");
  std::vector<std::pair<int64_t, int64_t>> pending;
  if (deep && source->kind == NodeKind::kFolder) pending.emplace_back(source->id, *copy_id);
  while (!pending.empty()) {
    auto [from, to] = pending.back();
    pending.pop_back();
    auto rows = conn.query(children_sql, {from, owner_id});
    COFFER_RETURN_IF_ERROR(rows);
    for (const Node& child : nodes_from_rows(*rows)) {
      auto id = copy_one(conn, child, to, child.name, now);
      COFFER_RETURN_IF_ERROR(id);
      if (child.kind == NodeKind::kFolder) pending.emplace_back(child.id, *id);
    }
  }
  return load_node(conn, owner_id, *copy_id);
}

// The deletion of delete_node, inside the caller's transaction: `node` (live) and its live
// subtree go to the trash.
Status trash_in(Connection& conn, const Node& node, Micros now, int64_t api_token_id) {
  if (node.parent_id == 0) return Status(Errc::kConflict, "a root folder cannot be deleted");
  COFFER_RETURN_IF_ERROR(refuse_archived(conn, node.id));
  COFFER_RETURN_IF_ERROR(refuse_locked(conn, node.id, LockScope::kSubtree, now));
  // Every live node below goes with it; nodes already in the trash keep their own entry.
  COFFER_RETURN_IF_ERROR(
      conn.exec(std::string(kSubtree) +
                    "UPDATE nodes SET deleted_at = ?, trash_root_id = ?, deleted_by_token = ? "
                    "WHERE id IN (SELECT id FROM subtree) AND deleted_at IS NULL",
                {node.id, now, node.id, api_token_id == 0 ? Value() : Value(api_token_id)}));
  return touch_tree(conn, node.parent_id, now);
}

}  // namespace

Result<Node> SqlCatalog::move_node(int64_t owner_id, int64_t node_id,
                                   std::optional<int64_t> new_parent_id,
                                   std::optional<std::string> new_name, Micros now,
                                   std::optional<int64_t> if_version) {
  if (new_name) COFFER_RETURN_IF_ERROR(require_name(*new_name));
  return transact_exclusive_value<Node>(*db_, owner_id, [&](Connection& conn) {
    return move_in(conn, owner_id, node_id, new_parent_id, new_name, now, if_version);
  });
}

Result<Node> SqlCatalog::copy_node(int64_t owner_id, int64_t node_id, int64_t new_parent_id,
                                   const std::string& new_name, Micros now) {
  COFFER_RETURN_IF_ERROR(require_name(new_name));
  return transact_exclusive_value<Node>(*db_, owner_id, [&](Connection& conn) -> Result<Node> {
    auto copy = copy_in(conn, owner_id, node_id, new_parent_id, new_name, now);
    COFFER_RETURN_IF_ERROR(copy);
    COFFER_RETURN_IF_ERROR(
        meta::within_quota(conn, db_->dialect(), owner_id, default_quota_.load(), "the copy"));
    return copy;
  });
}

Result<Transferred> SqlCatalog::transfer_node(int64_t owner_id, Transfer transfer, int64_t node_id,
                                              int64_t parent_id, const std::string& name,
                                              bool overwrite, Micros now, int64_t api_token_id) {
  COFFER_RETURN_IF_ERROR(require_name(name));
  return transact_exclusive_value<Transferred>(
      *db_, owner_id, [&](Connection& conn) -> Result<Transferred> {
        Transferred out;
        auto there = live_child(conn, owner_id, parent_id, name);
        COFFER_RETURN_IF_ERROR(there);
        if (*there && overwrite) {
          // Replacing the source, or a folder that holds it, would take the source along.
          auto holds = is_within(conn, (*there)->id, node_id);
          COFFER_RETURN_IF_ERROR(holds);
          if (*holds) return Status(Errc::kConflict, "the destination holds the source");
          COFFER_RETURN_IF_ERROR(trash_in(conn, **there, now, api_token_id));
          out.previous = std::move(**there);
        }
        auto placed = transfer == Transfer::kMove
                          ? move_in(conn, owner_id, node_id, parent_id, name, now)
                          : copy_in(conn, owner_id, node_id, parent_id, name, now,
                                    transfer == Transfer::kCopy);
        COFFER_RETURN_IF_ERROR(placed);
        if (transfer != Transfer::kMove) {
          COFFER_RETURN_IF_ERROR(meta::within_quota(conn, db_->dialect(), owner_id,
                                                    default_quota_.load(), "the copy"));
        }
        out.node = std::move(*placed);
        return out;
      });
}

namespace {

// Deletes the rows of a node and of everything below it, trashed or not. Chunk rows stay:
// garbage collection decides.
Status purge_subtree(Connection& conn, int64_t node_id) {
  const std::string statements[] = {
      std::string(kSubtree) +
          "DELETE FROM version_chunks WHERE version_id IN "
          "(SELECT v.id FROM versions v WHERE v.node_id IN (SELECT id FROM subtree))",
      std::string(kSubtree) + "DELETE FROM versions WHERE node_id IN (SELECT id FROM subtree)",
      std::string(kSubtree) + "DELETE FROM node_tags WHERE node_id IN (SELECT id FROM subtree)",
      std::string(kSubtree) + "DELETE FROM shares WHERE node_id IN (SELECT id FROM subtree)",
      std::string(kSubtree) + "DELETE FROM share_links WHERE node_id IN (SELECT id FROM subtree)",
      std::string(kSubtree) +
          "DELETE FROM dead_properties WHERE node_id IN (SELECT id FROM subtree)",
      std::string(kSubtree) + "DELETE FROM search_docs WHERE node_id IN (SELECT id FROM subtree)",
      // Only expired rules can be here: refuse_locked() stopped the purge of anything else.
      std::string(kSubtree) +
          "DELETE FROM retention_rules WHERE node_id IN (SELECT id FROM subtree)",
      std::string(kSubtree) + "DELETE FROM nodes WHERE id IN (SELECT id FROM subtree)",
  };
  for (const std::string& sql : statements) COFFER_RETURN_IF_ERROR(conn.exec(sql, {node_id}));
  return Status::ok();
}

// A trash item (the node a user deleted) of `owner_id`. Errors: kNotFound.
Result<Node> load_trash_root(Connection& conn, int64_t owner_id, int64_t node_id) {
  static const std::string sql =
      node_sql("WHERE n.id = ? AND n.owner_id = ? AND n.trash_root_id = n.id");
  auto row = conn.query_row(sql, {node_id, owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such item in the trash");
  return node_from_row(**row);
}

// The live folder that stands where the (possibly trashed) folder `folder_id` stood: itself
// when live, else a live folder of the same name under the live stand-in of its parent,
// created when there is none. Errors: kNameConflict (a file has the name).
Result<int64_t> live_stand_in(Connection& conn, int64_t owner_id, int64_t folder_id, Micros now,
                              int depth = 0) {
  if (depth > 4096) return Status(Errc::kInternal, "the folder tree is too deep");
  auto row =
      conn.query_row("SELECT parent_id, name, deleted_at FROM nodes WHERE id = ? AND owner_id = ?",
                     {folder_id, owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "a parent folder is missing");
  if ((*row)->is_null(2)) return folder_id;
  if ((*row)->is_null(0)) return Status(Errc::kInternal, "a root folder is in the trash");
  const std::string name = (*row)->text(1);
  auto parent = live_stand_in(conn, owner_id, (*row)->int64(0), now, depth + 1);
  COFFER_RETURN_IF_ERROR(parent);
  auto existing = live_child(conn, owner_id, *parent, name);
  COFFER_RETURN_IF_ERROR(existing);
  if (*existing) {
    if ((*existing)->kind == NodeKind::kFolder) return (*existing)->id;
    return Status(Errc::kNameConflict, "a file has the name of a folder to recreate: " + name);
  }
  return insert_node(conn, owner_id, *parent, name, NodeKind::kFolder, 0, now);
}

}  // namespace

Status SqlCatalog::delete_node(int64_t owner_id, int64_t node_id, Micros now, int64_t api_token_id,
                               std::optional<int64_t> if_version) {
  return db_->transact_exclusive(owner_id, [&](Connection& conn) -> Status {
    auto node = load_node(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(node);
    COFFER_RETURN_IF_ERROR(require_version(*node, if_version));
    return trash_in(conn, *node, now, api_token_id);
  });
}

Result<std::vector<TrashItem>> SqlCatalog::list_trash(int64_t owner_id) {
  using Items = std::vector<TrashItem>;
  static const std::string sql =
      "SELECT " + std::string(node_columns()) +
      ", n.deleted_at, n.deleted_by_token, CASE WHEN p.deleted_at IS NULL THEN 1 ELSE 0 END" +
      std::string(kNodeFrom) +
      "JOIN nodes p ON p.id = n.parent_id "
      "WHERE n.owner_id = ? AND n.trash_root_id = n.id ORDER BY n.deleted_at DESC, n.id DESC";
  return transact_value<Items>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Items> {
    auto rows = conn.query(sql, {owner_id});
    COFFER_RETURN_IF_ERROR(rows);
    Items items;
    for (const Row& row : *rows) {
      items.push_back(TrashItem{node_from_row(row), row.int64(node_extra_column(0)),
                                row.opt_int64(node_extra_column(1)).value_or(0),
                                row.int64(node_extra_column(2)) != 0});
    }
    return items;
  });
}

Result<Node> SqlCatalog::restore_trashed(int64_t owner_id, int64_t node_id,
                                         const std::optional<std::string>& new_name, Micros now) {
  if (new_name) COFFER_RETURN_IF_ERROR(require_name(*new_name));
  return transact_exclusive_value<Node>(*db_, owner_id, [&](Connection& conn) -> Result<Node> {
    auto node = load_trash_root(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(node);
    auto parent = live_stand_in(conn, owner_id, node->parent_id, now);
    COFFER_RETURN_IF_ERROR(parent);
    const std::string name = new_name.value_or(node->name);
    auto taken = live_child(conn, owner_id, *parent, name);
    COFFER_RETURN_IF_ERROR(taken);
    if (*taken) return Status(Errc::kNameConflict, "the name is taken there now; give a new name");
    COFFER_RETURN_IF_ERROR(
        conn.exec("UPDATE nodes SET parent_id = ?, name = ?, name_key = ? WHERE id = ?",
                  {*parent, name, natural_sort_key(name), node_id}));
    COFFER_RETURN_IF_ERROR(conn.exec(
        "UPDATE nodes SET deleted_at = NULL, trash_root_id = NULL, deleted_by_token = NULL "
        "WHERE owner_id = ? AND trash_root_id = ?",
        {owner_id, node_id}));
    COFFER_RETURN_IF_ERROR(index_node(conn, node_id));
    COFFER_RETURN_IF_ERROR(touch_tree(conn, node_id, now));
    return load_node(conn, owner_id, node_id);
  });
}

Result<std::vector<int64_t>> SqlCatalog::trashed_between(int64_t owner_id, Micros after,
                                                         Micros before,
                                                         std::optional<int64_t> api_token_id) {
  std::string sql =
      "SELECT id FROM nodes WHERE owner_id = ? AND trash_root_id = id "
      "AND deleted_at >= ? AND deleted_at < ?";
  Params params{owner_id, after, before};
  if (api_token_id) {
    sql += " AND deleted_by_token = ?";
    params.emplace_back(*api_token_id);
  }
  sql += " ORDER BY deleted_at DESC, id DESC";
  using Ids = std::vector<int64_t>;
  return transact_value<Ids>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Ids> {
    auto rows = conn.query(sql, params);
    COFFER_RETURN_IF_ERROR(rows);
    Ids ids;
    for (const Row& row : *rows) ids.push_back(row.int64(0));
    return ids;
  });
}

Result<int64_t> SqlCatalog::count_deleted_since(int64_t owner_id, int64_t api_token_id,
                                                Micros since) {
  return transact_value<int64_t>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<int64_t> {
    auto row = api_token_id != 0
                   ? conn.query_row(
                         "SELECT COUNT(*) FROM nodes WHERE owner_id = ? AND deleted_at >= ? "
                         "AND deleted_by_token = ?",
                         {owner_id, since, api_token_id})
                   : conn.query_row(
                         "SELECT COUNT(*) FROM nodes WHERE owner_id = ? AND deleted_at >= ? "
                         "AND deleted_by_token IS NULL",
                         {owner_id, since});
    COFFER_RETURN_IF_ERROR(row);
    return (*row)->int64(0);
  });
}

Status SqlCatalog::purge_trashed(int64_t owner_id, int64_t node_id) {
  return db_->transact_exclusive(owner_id, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(load_trash_root(conn, owner_id, node_id));
    COFFER_RETURN_IF_ERROR(refuse_locked(conn, node_id, LockScope::kSubtree, now_micros()));
    return purge_subtree(conn, node_id);
  });
}

Result<int64_t> SqlCatalog::empty_trash(int64_t owner_id) {
  const Micros now = now_micros();
  return transact_exclusive_value<int64_t>(
      *db_, owner_id, [&](Connection& conn) -> Result<int64_t> {
        auto rows =
            conn.query("SELECT id FROM nodes WHERE owner_id = ? AND trash_root_id = id ORDER BY id",
                       {owner_id});
        COFFER_RETURN_IF_ERROR(rows);
        int64_t purged = 0;
        for (const Row& row : *rows) {
          // An item inside an item purged earlier in this loop is already gone.
          auto still = conn.query_row("SELECT id FROM nodes WHERE id = ?", {row.int64(0)});
          COFFER_RETURN_IF_ERROR(still);
          if (!*still) continue;
          Status locked = refuse_locked(conn, row.int64(0), LockScope::kSubtree, now);
          if (is_lock_refusal(locked)) continue;  // stays in the trash until released
          COFFER_RETURN_IF_ERROR(locked);
          COFFER_RETURN_IF_ERROR(purge_subtree(conn, row.int64(0)));
          ++purged;
        }
        return purged;
      });
}

Result<int64_t> SqlCatalog::purge_trash_before(Micros cutoff) {
  auto ids = transact_value<std::vector<std::pair<int64_t, int64_t>>>(
      *db_, TxMode::kRead,
      [&](Connection& conn) -> Result<std::vector<std::pair<int64_t, int64_t>>> {
        auto rows = conn.query(
            "SELECT owner_id, id FROM nodes WHERE trash_root_id = id AND deleted_at < ? "
            "ORDER BY id",
            {cutoff});
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<std::pair<int64_t, int64_t>> out;
        for (const Row& row : *rows) out.emplace_back(row.int64(0), row.int64(1));
        return out;
      });
  COFFER_RETURN_IF_ERROR(ids);
  int64_t purged = 0;
  // One transaction per item: a large trash does not hold the write lock for long.
  for (const auto& [owner, id] : *ids) {
    Status s = purge_trashed(owner, id);
    if (s.code() == Errc::kNotFound) continue;  // went with an enclosing item
    if (is_lock_refusal(s)) continue;           // held or retained: kept until released
    COFFER_RETURN_IF_ERROR(s);
    ++purged;
  }
  return purged;
}

namespace {

// A live file of `owner_id`. Errors: kNotFound (also for folders: they have no versions).
Result<Node> load_file(Connection& conn, int64_t owner_id, int64_t node_id) {
  auto node = load_node(conn, owner_id, node_id);
  COFFER_RETURN_IF_ERROR(node);
  if (node->kind != NodeKind::kFile) return Status(Errc::kNotFound, "no such file");
  return node;
}

// Version `version_id` of the file `node`. Errors: kNotFound.
Result<FileVersion> load_version(Connection& conn, const Node& node, int64_t version_id) {
  auto row = conn.query_row(
      "SELECT id, node_id, size, sha256, mime, created_at FROM versions "
      "WHERE id = ? AND node_id = ?",
      {version_id, node.id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such version");
  const Row& r = **row;
  return FileVersion{r.int64(0), r.int64(1), static_cast<uint64_t>(r.int64(2)), r.text(3),
                     r.text(4),  r.int64(5), r.int64(0) == node.version_id};
}

Result<std::vector<VersionChunk>> load_chunks(Connection& conn, int64_t version_id) {
  return load_chunk_list(conn, "version_chunks", "l.version_id = ?", {version_id});
}

}  // namespace

namespace {

Result<NodeAttributes> load_attributes(Connection& conn, int64_t node_id) {
  auto row = conn.query_row("SELECT status, metadata FROM nodes WHERE id = ?", {node_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such file or folder");
  NodeAttributes a;
  a.status = parse_doc_status((*row)->text(0)).value_or(DocStatus::kActive);
  a.metadata_json = (*row)->text(1);
  auto tags = conn.query("SELECT tag FROM node_tags WHERE node_id = ? ORDER BY tag", {node_id});
  COFFER_RETURN_IF_ERROR(tags);
  for (const Row& t : *tags) a.tags.push_back(t.text(0));
  return a;
}

}  // namespace

Result<NodeAttributes> SqlCatalog::attributes(int64_t owner_id, int64_t node_id) {
  return transact_value<NodeAttributes>(
      *db_, TxMode::kRead, [&](Connection& conn) -> Result<NodeAttributes> {
        COFFER_RETURN_IF_ERROR(load_node(conn, owner_id, node_id));
        return load_attributes(conn, node_id);
      });
}

Result<NodeAttributes> SqlCatalog::set_attributes(int64_t owner_id, int64_t node_id,
                                                  const AttributeChanges& changes, Micros now,
                                                  std::optional<int64_t> if_version) {
  return transact_exclusive_value<NodeAttributes>(
      *db_, owner_id, [&](Connection& conn) -> Result<NodeAttributes> {
        auto node = load_node(conn, owner_id, node_id);
        COFFER_RETURN_IF_ERROR(node);
        COFFER_RETURN_IF_ERROR(require_version(*node, if_version));
        auto current = load_attributes(conn, node_id);
        COFFER_RETURN_IF_ERROR(current);
        if (changes.status) {
          if (!doc_status_transition_allowed(current->status, *changes.status)) {
            return Status(Errc::kStatusTransition,
                          "status cannot change from " +
                              std::string(doc_status_name(current->status)) + " to " +
                              std::string(doc_status_name(*changes.status)));
          }
          COFFER_RETURN_IF_ERROR(conn.exec("UPDATE nodes SET status = ? WHERE id = ?",
                                           {doc_status_name(*changes.status), node_id}));
        }
        if (changes.tags) {
          COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM node_tags WHERE node_id = ?", {node_id}));
          for (const std::string& tag : *changes.tags) {
            COFFER_RETURN_IF_ERROR(conn.exec(
                "INSERT INTO node_tags (node_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                {node_id, tag}));
          }
        }
        if (changes.metadata_json) {
          COFFER_RETURN_IF_ERROR(conn.exec(
              "UPDATE nodes SET metadata = ? WHERE id = ?",
              {changes.metadata_json->empty() ? Value() : Value(*changes.metadata_json), node_id}));
        }
        if (changes.status || changes.tags || changes.metadata_json) {
          COFFER_RETURN_IF_ERROR(
              conn.exec("UPDATE nodes SET modified_at = ? WHERE id = ?", {now, node_id}));
        }
        auto updated = load_attributes(conn, node_id);
        COFFER_RETURN_IF_ERROR(updated);
        if (changes.tags || changes.metadata_json) {
          COFFER_RETURN_IF_ERROR(
              index_attributes(conn, node_id, updated->tags, updated->metadata_json));
        }
        return updated;
      });
}

Result<std::vector<FileVersion>> SqlCatalog::list_versions(int64_t owner_id, int64_t node_id) {
  using Versions = std::vector<FileVersion>;
  return transact_value<Versions>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Versions> {
    auto file = load_file(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(file);
    auto rows = conn.query(
        "SELECT id, node_id, size, sha256, mime, created_at, md5 FROM versions WHERE node_id = ? "
        "ORDER BY id DESC",
        {node_id});
    COFFER_RETURN_IF_ERROR(rows);
    Versions versions;
    for (const Row& r : *rows) {
      versions.push_back(FileVersion{r.int64(0), r.int64(1), static_cast<uint64_t>(r.int64(2)),
                                     r.text(3), r.text(4), r.int64(5),
                                     r.int64(0) == file->version_id, r.text(6)});
    }
    return versions;
  });
}

Result<Node> SqlCatalog::file_at_version(int64_t owner_id, int64_t node_id, int64_t version_id) {
  return transact_value<Node>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Node> {
    auto file = load_file(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(file);
    auto version = load_version(conn, *file, version_id);
    COFFER_RETURN_IF_ERROR(version);
    Node at = *file;
    at.version_id = version->id;
    at.size = version->size;
    at.sha256 = version->sha256;
    at.mime = version->mime;
    at.modified = version->created;
    return at;
  });
}

Result<Node> SqlCatalog::restore_version(int64_t owner_id, int64_t node_id, int64_t version_id,
                                         const std::vector<std::string>& jobs, Micros now) {
  return transact_exclusive_value<Node>(*db_, owner_id, [&](Connection& conn) -> Result<Node> {
    auto file = load_file(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(file);
    COFFER_RETURN_IF_ERROR(refuse_locked(conn, node_id, LockScope::kNode, now));
    auto version = load_version(conn, *file, version_id);
    COFFER_RETURN_IF_ERROR(version);
    auto chunks = load_chunks(conn, version_id);
    COFFER_RETURN_IF_ERROR(chunks);
    NewVersion copy{version->size, version->sha256, version->mime, std::move(*chunks)};
    COFFER_RETURN_IF_ERROR(
        check_quota(conn, db_->dialect(), owner_id, copy.size, default_quota_.load()));
    COFFER_RETURN_IF_ERROR(add_version(conn, node_id, copy, now));
    auto restored = load_node(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(restored);
    COFFER_RETURN_IF_ERROR(enqueue_jobs(conn, jobs, owner_id, node_id, restored->version_id,
                                        copy.sha256, copy.mime, now));
    return restored;
  });
}

Status SqlCatalog::delete_version(int64_t owner_id, int64_t node_id, int64_t version_id) {
  return db_->transact_exclusive(owner_id, [&](Connection& conn) -> Status {
    auto file = load_file(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(file);
    auto version = load_version(conn, *file, version_id);
    COFFER_RETURN_IF_ERROR(version);
    if (version->current) {
      return Status(Errc::kConflict, "the current version cannot be deleted; delete the file");
    }
    COFFER_RETURN_IF_ERROR(refuse_locked(conn, node_id, LockScope::kNode, now_micros()));
    COFFER_RETURN_IF_ERROR(
        conn.exec("DELETE FROM version_chunks WHERE version_id = ?", {version_id}));
    return status_of(conn.exec("DELETE FROM versions WHERE id = ?", {version_id}));
  });
}

Result<Node> SqlCatalog::get_file_version(int64_t file_id, int64_t version_id) {
  return transact_value<Node>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Node> {
    static const std::string sql =
        "SELECT " + std::string(node_columns(NodeVersion::kJoined)) +
        " FROM nodes n JOIN versions v ON v.node_id = n.id JOIN users u ON u.id = n.owner_id "
        "WHERE n.id = ? AND v.id = ? AND n.kind = 'file' AND n.deleted_at IS NULL "
        "AND u.status = 'active'";
    auto row = conn.query_row(sql, {file_id, version_id});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "no such file version");
    return node_from_row(**row);
  });
}

Result<std::vector<VersionChunk>> SqlCatalog::version_chunks(int64_t version_id) {
  using Chunks = std::vector<VersionChunk>;
  return transact_value<Chunks>(*db_, TxMode::kRead,
                                [&](Connection& conn) { return load_chunks(conn, version_id); });
}

Status SqlCatalog::for_each_referenced_chunk(const std::function<Status(const std::string&)>& fn) {
  return db_->transact(TxMode::kRead, [&](Connection& conn) {
    // Partial uploads and thumbnails are stored as chunks too (meta/upload_store.h,
    // meta/chunked_upload_store.h, meta/media_store.h).
    return conn.query_each(
        "SELECT chunk FROM version_chunks UNION SELECT chunk FROM upload_chunks "
        "UNION SELECT chunk FROM chunked_upload_chunks UNION SELECT chunk FROM thumbnail_chunks",
        {}, [&](const Row& row) { return fn(row.text(0)); });
  });
}

Status SqlCatalog::for_each_version(const std::function<Status(const VersionRecord&)>& fn) {
  return db_->transact(TxMode::kRead, [&](Connection& conn) {
    return conn.query_each(
        "SELECT id, node_id, size, sha256 FROM versions ORDER BY id", {}, [&](const Row& row) {
          return fn(VersionRecord{row.int64(0), row.int64(1), static_cast<uint64_t>(row.int64(2)),
                                  row.text(3)});
        });
  });
}

Status SqlCatalog::within_quota(Connection& conn, int64_t owner_id) {
  return meta::within_quota(conn, db_->dialect(), owner_id, default_quota_.load(),
                            "the dead properties");
}

Result<std::optional<uint64_t>> SqlCatalog::quota_room(int64_t owner_id) {
  using Room = std::optional<uint64_t>;
  return transact_value<Room>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Room> {
    auto quota = quota_of(conn, owner_id, default_quota_.load());
    COFFER_RETURN_IF_ERROR(quota);
    if (*quota < 0) return Room();
    auto used = used_bytes(conn, db_->dialect(), owner_id);
    COFFER_RETURN_IF_ERROR(used);
    return Room(static_cast<uint64_t>(std::max<int64_t>(0, *quota - *used)));
  });
}

Result<Usage> SqlCatalog::usage(int64_t owner_id) {
  return transact_value<Usage>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Usage> {
    Usage u;
    auto quota = quota_of(conn, owner_id, default_quota_.load());
    COFFER_RETURN_IF_ERROR(quota);
    u.limit = *quota < 0 ? 0 : *quota;
    // One pass over the user's versions, classified by where their file is.
    auto row = conn.query_row(
        "SELECT "
        "CAST(COALESCE(SUM(CASE WHEN n.deleted_at IS NULL AND v.id = n.current_version_id "
        "THEN v.size END), 0) AS BIGINT), "
        "CAST(COALESCE(SUM(CASE WHEN n.deleted_at IS NULL AND v.id <> n.current_version_id "
        "THEN v.size END), 0) AS BIGINT), "
        "CAST(COALESCE(SUM(CASE WHEN n.deleted_at IS NOT NULL THEN v.size END), 0) AS BIGINT), "
        "COUNT(CASE WHEN n.deleted_at IS NULL AND v.id <> n.current_version_id THEN 1 END) "
        "FROM versions v JOIN nodes n ON n.id = v.node_id WHERE n.owner_id = ?",
        {owner_id});
    COFFER_RETURN_IF_ERROR(row);
    u.files_bytes = (*row)->int64(0);
    u.versions_bytes = (*row)->int64(1);
    u.trash_bytes = (*row)->int64(2);
    u.versions = (*row)->int64(3);
    auto properties = property_bytes(conn, db_->dialect(), owner_id);
    COFFER_RETURN_IF_ERROR(properties);
    u.properties_bytes = *properties;
    auto counts = conn.query_row(
        "SELECT COUNT(CASE WHEN deleted_at IS NULL AND kind = 'file' THEN 1 END), "
        "COUNT(CASE WHEN deleted_at IS NULL AND kind = 'folder' AND parent_id IS NOT NULL "
        "THEN 1 END), COUNT(CASE WHEN trash_root_id = id THEN 1 END) "
        "FROM nodes WHERE owner_id = ?",
        {owner_id});
    COFFER_RETURN_IF_ERROR(counts);
    u.files = (*counts)->int64(0);
    u.folders = (*counts)->int64(1);
    u.trash_items = (*counts)->int64(2);
    return u;
  });
}

Result<StorageStats> SqlCatalog::storage_stats() {
  return transact_value<StorageStats>(*db_, TxMode::kRead, read_storage_stats);
}

Result<int64_t> SqlCatalog::prune_versions_before(Micros cutoff) {
  return transact_value<int64_t>(*db_, TxMode::kWrite, [&](Connection& conn) -> Result<int64_t> {
    // Versions of held or retained files stay whatever their age.
    static const std::string old_versions =
        "SELECT v.id FROM versions v JOIN nodes n ON n.id = v.node_id "
        "WHERE v.created_at < ? AND v.id <> n.current_version_id "
        "AND v.node_id NOT IN (SELECT id FROM locked)";
    static const std::string delete_chunks = locked_nodes_cte() +
                                             "DELETE FROM version_chunks WHERE version_id IN (" +
                                             old_versions + ")";
    static const std::string delete_versions =
        locked_nodes_cte() + "DELETE FROM versions WHERE id IN (" + old_versions + ")";
    const Micros now = now_micros();
    COFFER_RETURN_IF_ERROR(conn.exec(delete_chunks, {now, cutoff}));
    return conn.exec(delete_versions, {now, cutoff});
  });
}

Result<uint64_t> SqlCatalog::stored_bytes() {
  return transact_value<uint64_t>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<uint64_t> {
    // Every file's current version, trashed files included: they are still stored.
    auto row = conn.query_row(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM nodes WHERE kind = 'file'");
    COFFER_RETURN_IF_ERROR(row);
    return static_cast<uint64_t>(*row ? (*row)->int64(0) : 0);
  });
}

Status SqlCatalog::ping() {
  return db_->transact(TxMode::kRead,
                       [&](Connection& conn) { return status_of(conn.query_row("SELECT 1")); });
}

Result<std::unique_ptr<Catalog>> open_catalog(std::unique_ptr<Database> db) {
  COFFER_RETURN_IF_ERROR(migrate(*db));
  return std::unique_ptr<Catalog>(std::make_unique<SqlCatalog>(std::move(db)));
}

}  // namespace coffer::meta
