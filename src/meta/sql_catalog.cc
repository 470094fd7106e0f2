#include "meta/sql_catalog.h"

#include <algorithm>
#include <utility>

#include "meta/migrations.h"
#include "meta/user_row.h"

namespace coffer::meta {
namespace {

constexpr uint32_t kMaxListLimit = 1000;
// commit_file attempts when a concurrent transaction created the same name first (possible
// where write transactions run concurrently, e.g. PostgreSQL; never with SQLite's one writer).
constexpr int kCommitAttempts = 5;

Result<User> load_user(Connection& conn, std::string_view where, const Params& params) {
  auto row = conn.query_row(std::string(kUserSelect) + std::string(where), params);
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such user");
  return user_from_row(**row);
}

// Files take size, sha256, mime and version id from their current version; nodes.size
// mirrors the current version's size so that listings can sort by it through an index.
constexpr std::string_view kNodeSelect =
    "SELECT n.id, n.owner_id, n.parent_id, n.name, n.kind, n.created_at, n.modified_at, "
    "n.current_version_id, n.size, v.sha256, v.mime "
    "FROM nodes n LEFT JOIN versions v ON v.id = n.current_version_id ";

std::string node_sql(std::string_view rest) { return std::string(kNodeSelect) + std::string(rest); }

std::string_view kind_text(NodeKind kind) { return kind == NodeKind::kFile ? "file" : "folder"; }

Node node_from_row(const Row& row) {
  Node node;
  node.id = row.int64(0);
  node.owner_id = row.int64(1);
  node.parent_id = row.opt_int64(2).value_or(0);
  node.name = row.text(3);
  node.kind = row.text(4) == "file" ? NodeKind::kFile : NodeKind::kFolder;
  node.created = row.int64(5);
  node.modified = row.int64(6);
  node.version_id = row.opt_int64(7).value_or(0);
  node.size = static_cast<uint64_t>(row.int64(8));
  node.sha256 = row.text(9);
  node.mime = row.text(10);
  return node;
}

std::vector<Node> nodes_from_rows(const std::vector<Row>& rows) {
  std::vector<Node> nodes;
  nodes.reserve(rows.size());
  for (const Row& row : rows) nodes.push_back(node_from_row(row));
  return nodes;
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

// Inserts a live node. Errors: kAlreadyExists when the name is taken (the unique index).
Result<int64_t> insert_node(Connection& conn, int64_t owner_id, std::optional<int64_t> parent_id,
                            const std::string& name, NodeKind kind, uint64_t size, Micros now) {
  auto rows = conn.query(
      "INSERT INTO nodes (owner_id, parent_id, name, kind, current_version_id, size, "
      "created_at, modified_at, deleted_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, NULL) "
      "RETURNING id",
      {owner_id, parent_id, name, kind_text(kind), size, now, now});
  COFFER_RETURN_IF_ERROR(rows);
  if (rows->size() != 1) return Status(Errc::kInternal, "INSERT ... RETURNING gave no id");
  return (*rows)[0].int64(0);
}

// Records `version` as the new current version of file `node_id`: its chunks (kept once,
// whoever committed them first), the version row, its chunk list and the node's mirror columns.
Status add_version(Connection& conn, int64_t node_id, const NewVersion& version, Micros now) {
  for (const VersionChunk& c : version.chunks) {
    COFFER_RETURN_IF_ERROR(
        conn.exec("INSERT INTO chunks (hash, size, stored_size, encoding, created_at) "
                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                  {c.chunk, c.size, c.stored_size, c.encoding, now}));
  }
  auto inserted = conn.query(
      "INSERT INTO versions (node_id, size, sha256, mime, created_at) VALUES (?, ?, ?, ?, ?) "
      "RETURNING id",
      {node_id, version.size, version.sha256, version.mime, now});
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
  return status_of(
      conn.exec("UPDATE nodes SET current_version_id = ?, size = ?, modified_at = ? WHERE id = ?",
                {version_id, version.size, now, node_id}));
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
      "INSERT INTO versions (node_id, size, sha256, mime, created_at) "
      "SELECT CAST(? AS BIGINT), size, sha256, mime, CAST(? AS BIGINT) FROM versions "
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
  return id;
}

std::string_view sort_column(SortKey key) {
  switch (key) {
    case SortKey::kName:
      return "n.name";
    case SortKey::kModified:
      return "n.modified_at";
    case SortKey::kSize:
      return "n.size";
  }
  return "n.name";
}

Value sort_value(SortKey key, const Node& node) {
  switch (key) {
    case SortKey::kName:
      return node.name;
    case SortKey::kModified:
      return node.modified;
    case SortKey::kSize:
      return static_cast<int64_t>(node.size);
  }
  return node.name;
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

Result<Node> SqlCatalog::create_folder(int64_t owner_id, int64_t parent_id, const std::string& name,
                                       Micros now) {
  COFFER_RETURN_IF_ERROR(require_name(name));
  return transact_value<Node>(*db_, TxMode::kWrite, [&](Connection& conn) -> Result<Node> {
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
    if (!after_file) {
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

Result<Node> SqlCatalog::commit_file(int64_t owner_id, int64_t parent_id, const std::string& name,
                                     const NewVersion& version, Micros now) {
  COFFER_RETURN_IF_ERROR(require_name(name));
  for (int attempt = 1;; ++attempt) {
    bool lost_race = false;
    auto node = transact_value<Node>(*db_, TxMode::kWrite, [&](Connection& conn) -> Result<Node> {
      lost_race = false;
      COFFER_RETURN_IF_ERROR(load_folder(conn, owner_id, parent_id));
      auto existing = live_child(conn, owner_id, parent_id, name);
      COFFER_RETURN_IF_ERROR(existing);
      int64_t node_id = 0;
      if (*existing) {
        if ((*existing)->kind != NodeKind::kFile) {
          return Status(Errc::kNameConflict, "a folder has that name");
        }
        node_id = (*existing)->id;
      } else {
        auto id = insert_node(conn, owner_id, parent_id, name, NodeKind::kFile, version.size, now);
        if (!id.is_ok()) {
          // Another transaction created the name after our look-up: retry, adding a version.
          lost_race = id.status().code() == Errc::kAlreadyExists;
          return id.status();
        }
        node_id = *id;
      }
      COFFER_RETURN_IF_ERROR(add_version(conn, node_id, version, now));
      return load_node(conn, owner_id, node_id);
    });
    if (node.is_ok() || !lost_race) return node;
    if (attempt == kCommitAttempts) return name_conflict_or(node.status());
  }
}

Result<Node> SqlCatalog::move_node(int64_t owner_id, int64_t node_id,
                                   std::optional<int64_t> new_parent_id,
                                   std::optional<std::string> new_name, Micros now) {
  if (new_name) COFFER_RETURN_IF_ERROR(require_name(*new_name));
  return transact_value<Node>(*db_, TxMode::kWrite, [&](Connection& conn) -> Result<Node> {
    auto node = load_node(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(node);
    if (node->parent_id == 0) return Status(Errc::kConflict, "a root folder cannot be moved");
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
    auto changed = conn.exec(
        "UPDATE nodes SET parent_id = ?, name = ?, modified_at = ? WHERE id = ? AND owner_id = ?",
        {parent_id, name, now, node_id, owner_id});
    if (!changed.is_ok()) return name_conflict_or(changed.status());
    return load_node(conn, owner_id, node_id);
  });
}

Result<Node> SqlCatalog::copy_node(int64_t owner_id, int64_t node_id, int64_t new_parent_id,
                                   const std::string& new_name, Micros now) {
  COFFER_RETURN_IF_ERROR(require_name(new_name));
  return transact_value<Node>(*db_, TxMode::kWrite, [&](Connection& conn) -> Result<Node> {
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
    if (source->kind == NodeKind::kFolder) pending.emplace_back(source->id, *copy_id);
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
  });
}

Status SqlCatalog::delete_node(int64_t owner_id, int64_t node_id) {
  return db_->transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto node = load_node(conn, owner_id, node_id);
    COFFER_RETURN_IF_ERROR(node);
    if (node->parent_id == 0) return Status(Errc::kConflict, "a root folder cannot be deleted");
    // Every node below, trashed ones included. Chunk rows stay: garbage collection decides.
    constexpr std::string_view kSubtree =
        "WITH RECURSIVE subtree(id) AS ("
        "  SELECT id FROM nodes WHERE id = ?"
        "  UNION ALL"
        "  SELECT n.id FROM nodes n JOIN subtree s ON n.parent_id = s.id) ";
    const std::string statements[] = {
        std::string(kSubtree) +
            "DELETE FROM version_chunks WHERE version_id IN "
            "(SELECT v.id FROM versions v WHERE v.node_id IN (SELECT id FROM subtree))",
        std::string(kSubtree) + "DELETE FROM versions WHERE node_id IN (SELECT id FROM subtree)",
        std::string(kSubtree) + "DELETE FROM nodes WHERE id IN (SELECT id FROM subtree)",
    };
    for (const std::string& sql : statements) {
      COFFER_RETURN_IF_ERROR(conn.exec(sql, {node_id}));
    }
    return Status::ok();
  });
}

Result<Node> SqlCatalog::get_file_version(int64_t file_id, int64_t version_id) {
  return transact_value<Node>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Node> {
    auto row = conn.query_row(
        "SELECT n.id, n.owner_id, n.parent_id, n.name, n.kind, n.created_at, v.created_at, v.id, "
        "v.size, v.sha256, v.mime FROM nodes n JOIN versions v ON v.node_id = n.id "
        "JOIN users u ON u.id = n.owner_id "
        "WHERE n.id = ? AND v.id = ? AND n.kind = 'file' AND n.deleted_at IS NULL "
        "AND u.status = 'active'",
        {file_id, version_id});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "no such file version");
    return node_from_row(**row);
  });
}

Result<std::vector<VersionChunk>> SqlCatalog::version_chunks(int64_t version_id) {
  using Chunks = std::vector<VersionChunk>;
  return transact_value<Chunks>(*db_, TxMode::kRead, [&](Connection& conn) -> Result<Chunks> {
    Chunks chunks;
    COFFER_RETURN_IF_ERROR(conn.query_each(
        "SELECT chunk, byte_offset, size, stored_size, encoding FROM version_chunks "
        "WHERE version_id = ? ORDER BY seq",
        {version_id}, [&](const Row& row) {
          chunks.push_back(VersionChunk{
              row.text(0), static_cast<uint64_t>(row.int64(1)), static_cast<uint32_t>(row.int64(2)),
              static_cast<uint32_t>(row.int64(3)), static_cast<uint8_t>(row.int64(4))});
          return Status::ok();
        }));
    return chunks;
  });
}

Status SqlCatalog::for_each_referenced_chunk(const std::function<Status(const std::string&)>& fn) {
  return db_->transact(TxMode::kRead, [&](Connection& conn) {
    return conn.query_each("SELECT DISTINCT chunk FROM version_chunks", {},
                           [&](const Row& row) { return fn(row.text(0)); });
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
