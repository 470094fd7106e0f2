#include "meta/sql_share_store.h"

#include <algorithm>
#include <map>

#include "meta/node_row.h"

namespace coffer::meta {
namespace {

// The groups a user belongs to, as a subquery with one parameter (the user id).
constexpr std::string_view kMemberOf =
    "(s.user_id = ? OR s.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?))";

constexpr std::string_view kShareColumns =
    "s.id, s.node_id, s.owner_id, s.user_id, s.group_id, s.permission, s.created_at, "
    "COALESCE(u.username, g.name, '') ";
constexpr std::string_view kShareFrom =
    "FROM shares s LEFT JOIN users u ON u.id = s.user_id "
    "LEFT JOIN user_groups g ON g.id = s.group_id ";
constexpr size_t kShareColumnCount = 8;

Share share_from_row(const Row& row) {
  Share share;
  share.id = row.int64(0);
  share.node_id = row.int64(1);
  share.owner_id = row.int64(2);
  share.user_id = row.opt_int64(3).value_or(0);
  share.group_id = row.opt_int64(4).value_or(0);
  share.permission = parse_permission(row.text(5)).value_or(Permission::kRead);
  share.created = row.int64(6);
  share.recipient_name = row.text(7);
  return share;
}

Result<Share> load_share(Connection& conn, int64_t share_id) {
  auto row = conn.query_row(
      "SELECT " + std::string(kShareColumns) + std::string(kShareFrom) + "WHERE s.id = ?",
      {share_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such share");
  return share_from_row(**row);
}

// A live node of `owner_id`, or kNotFound.
Status require_owned_node(Connection& conn, int64_t owner_id, int64_t node_id,
                          bool refuse_root = false) {
  auto row = conn.query_row(
      "SELECT parent_id FROM nodes WHERE id = ? AND owner_id = ? AND deleted_at IS NULL",
      {node_id, owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such file or folder");
  if (refuse_root && (*row)->is_null(0)) {
    return Status(Errc::kConflict, "a root folder cannot be shared; share a folder in it");
  }
  return Status::ok();
}

constexpr std::string_view kLinkSelect =
    "SELECT l.id, l.node_id, l.owner_id, l.token_sealed, COALESCE(l.password_hash, ''), "
    "l.password_epoch, l.expires_at, l.max_downloads, l.downloads, l.views, l.disabled, "
    "l.file_drop, l.created_at FROM share_links l ";

ShareLink link_from_row(const Row& row) {
  ShareLink link;
  link.id = row.int64(0);
  link.node_id = row.int64(1);
  link.owner_id = row.int64(2);
  link.token_sealed = row.text(3);
  link.password_hash = row.text(4);
  link.password_epoch = row.int64(5);
  link.expires = row.opt_int64(6);
  link.max_downloads = row.opt_int64(7);
  link.downloads = row.int64(8);
  link.views = row.int64(9);
  link.disabled = row.int64(10) != 0;
  link.file_drop = row.int64(11) != 0;
  link.created = row.int64(12);
  return link;
}

Result<ShareLink> load_link(Connection& conn, int64_t owner_id, int64_t link_id) {
  auto row = conn.query_row(std::string(kLinkSelect) + "WHERE l.id = ? AND l.owner_id = ?",
                            {link_id, owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such link");
  return link_from_row(**row);
}

}  // namespace

Result<Share> SqlShareStore::put_share(int64_t owner_id, int64_t node_id, int64_t user_id,
                                       int64_t group_id, Permission permission, Micros now) {
  return transact_value<Share>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<Share> {
    COFFER_RETURN_IF_ERROR(require_owned_node(conn, owner_id, node_id, /*refuse_root=*/true));
    if (user_id != 0) {
      auto user =
          conn.query_row("SELECT 1 FROM users WHERE id = ? AND status <> 'deleted'", {user_id});
      COFFER_RETURN_IF_ERROR(user);
      if (!*user) return Status(Errc::kNotFound, "no such user");
    } else {
      auto group = conn.query_row("SELECT 1 FROM user_groups WHERE id = ?", {group_id});
      COFFER_RETURN_IF_ERROR(group);
      if (!*group) return Status(Errc::kNotFound, "no such group");
    }
    const std::string_view column = user_id != 0 ? "user_id" : "group_id";
    const int64_t recipient = user_id != 0 ? user_id : group_id;
    auto existing = conn.query_row(
        "SELECT id FROM shares WHERE node_id = ? AND " + std::string(column) + " = ?",
        {node_id, recipient});
    COFFER_RETURN_IF_ERROR(existing);
    int64_t share_id = 0;
    if (*existing) {
      share_id = (*existing)->int64(0);
      COFFER_RETURN_IF_ERROR(conn.exec("UPDATE shares SET permission = ? WHERE id = ?",
                                       {permission_name(permission), share_id}));
    } else {
      auto row = conn.query_row(
          "INSERT INTO shares (node_id, owner_id, user_id, group_id, permission, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
          {node_id, owner_id, user_id != 0 ? Value(user_id) : Value(nullptr),
           group_id != 0 ? Value(group_id) : Value(nullptr), permission_name(permission), now});
      COFFER_RETURN_IF_ERROR(row);
      if (!*row) return Status(Errc::kInternal, "INSERT ... RETURNING gave no id");
      share_id = (*row)->int64(0);
    }
    return load_share(conn, share_id);
  });
}

Result<std::vector<Share>> SqlShareStore::node_shares(int64_t owner_id, int64_t node_id) {
  using Shares = std::vector<Share>;
  return transact_value<Shares>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Shares> {
    COFFER_RETURN_IF_ERROR(require_owned_node(conn, owner_id, node_id));
    Shares out;
    COFFER_RETURN_IF_ERROR(conn.query_each("SELECT " + std::string(kShareColumns) +
                                               std::string(kShareFrom) +
                                               "WHERE s.node_id = ? ORDER BY s.id",
                                           {node_id}, [&](const Row& row) {
                                             out.push_back(share_from_row(row));
                                             return Status::ok();
                                           }));
    return out;
  });
}

Result<Share> SqlShareStore::get_share(int64_t share_id) {
  return transact_value<Share>(db_, TxMode::kRead,
                               [&](Connection& conn) { return load_share(conn, share_id); });
}

Status SqlShareStore::delete_share(int64_t share_id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec("DELETE FROM shares WHERE id = ?", {share_id});
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kNotFound, "no such share");
    return Status::ok();
  });
}

Result<std::vector<SharedWithMe>> SqlShareStore::shared_with(int64_t user_id) {
  using Items = std::vector<SharedWithMe>;
  return transact_value<Items>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Items> {
    // One row per share; a node shared both directly and through a group appears once, with
    // the strongest permission.
    const std::string sql = "SELECT " + std::string(kShareColumns) + ", o.username, " +
                            std::string(node_columns()) +
                            " FROM shares s LEFT JOIN users u ON u.id = s.user_id "
                            "LEFT JOIN user_groups g ON g.id = s.group_id "
                            "JOIN users o ON o.id = s.owner_id "
                            "JOIN nodes n ON n.id = s.node_id "
                            "LEFT JOIN versions v ON v.id = n.current_version_id "
                            "WHERE n.deleted_at IS NULL AND o.status = 'active' AND " +
                            std::string(kMemberOf) + " ORDER BY s.id DESC";
    Items out;
    std::map<int64_t, size_t> by_node;
    COFFER_RETURN_IF_ERROR(conn.query_each(sql, {user_id, user_id}, [&](const Row& row) {
      SharedWithMe item{share_from_row(row), node_from_row(row, kShareColumnCount + 1),
                        row.text(kShareColumnCount)};
      auto [it, inserted] = by_node.emplace(item.node.id, out.size());
      if (inserted) {
        out.push_back(std::move(item));
      } else if (item.share.permission == Permission::kWrite) {
        out[it->second].share.permission = Permission::kWrite;
      }
      return Status::ok();
    }));
    return out;
  });
}

Result<std::optional<Access>> SqlShareStore::share_access(int64_t user_id, int64_t node_id) {
  using Found = std::optional<Access>;
  return transact_value<Found>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Found> {
    // Walk from the node up to its root; every share on the way that reaches the user counts.
    // `depth` orders them nearest first, so the nearest of the strongest is the share root.
    const std::string sql =
        "WITH RECURSIVE up(id, parent_id, depth) AS ("
        "  SELECT id, parent_id, 0 FROM nodes WHERE id = ? AND deleted_at IS NULL"
        "  UNION ALL"
        "  SELECT n.id, n.parent_id, up.depth + 1 FROM nodes n JOIN up ON n.id = up.parent_id) "
        "SELECT s.node_id, s.owner_id, s.permission, s.created_at FROM shares s "
        "JOIN up ON s.node_id = up.id JOIN users o ON o.id = s.owner_id "
        "WHERE o.status = 'active' AND " +
        std::string(kMemberOf) + " ORDER BY up.depth";
    Found found;
    COFFER_RETURN_IF_ERROR(conn.query_each(sql, {node_id, user_id, user_id}, [&](const Row& row) {
      const Permission p = parse_permission(row.text(2)).value_or(Permission::kRead);
      const Micros created = row.int64(3);
      const Micros since = found ? std::min(found->shared_since, created) : created;
      if (!found || (p == Permission::kWrite && found->permission == Permission::kRead)) {
        found = Access{row.int64(1), p, row.int64(0)};
      }
      found->shared_since = since;
      return Status::ok();
    }));
    return found;
  });
}

Result<bool> SqlShareStore::is_within(int64_t ancestor_id, int64_t node_id) {
  return transact_value<bool>(db_, TxMode::kRead, [&](Connection& conn) -> Result<bool> {
    auto row = conn.query_row(
        "WITH RECURSIVE up(id, parent_id) AS ("
        "  SELECT id, parent_id FROM nodes WHERE id = ? AND deleted_at IS NULL"
        "  UNION ALL"
        "  SELECT n.id, n.parent_id FROM nodes n JOIN up ON n.id = up.parent_id) "
        "SELECT 1 FROM up WHERE id = ? LIMIT 1",
        {node_id, ancestor_id});
    COFFER_RETURN_IF_ERROR(row);
    return row->has_value();
  });
}

Result<ShareLink> SqlShareStore::create_link(int64_t owner_id, const NewLink& link, Micros now) {
  return transact_value<ShareLink>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<ShareLink> {
    COFFER_RETURN_IF_ERROR(require_owned_node(conn, owner_id, link.node_id));
    auto row = conn.query_row(
        "INSERT INTO share_links (node_id, owner_id, token_hash, token_sealed, password_hash, "
        "expires_at, max_downloads, file_drop, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        {link.node_id, owner_id, link.token_hash, link.token_sealed,
         link.password_hash.empty() ? Value(nullptr) : Value(link.password_hash), link.expires,
         link.max_downloads, link.file_drop ? 1 : 0, now});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kInternal, "INSERT ... RETURNING gave no id");
    return load_link(conn, owner_id, (*row)->int64(0));
  });
}

Result<std::vector<ShareLink>> SqlShareStore::list_links(int64_t owner_id,
                                                         std::optional<int64_t> node_id) {
  using Links = std::vector<ShareLink>;
  return transact_value<Links>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Links> {
    std::string sql = std::string(kLinkSelect) +
                      "JOIN nodes n ON n.id = l.node_id WHERE l.owner_id = ? "
                      "AND n.deleted_at IS NULL";
    Params params{owner_id};
    if (node_id) {
      sql += " AND l.node_id = ?";
      params.emplace_back(*node_id);
    }
    sql += " ORDER BY l.id DESC";
    Links out;
    COFFER_RETURN_IF_ERROR(conn.query_each(sql, params, [&](const Row& row) {
      out.push_back(link_from_row(row));
      return Status::ok();
    }));
    return out;
  });
}

Result<ShareLink> SqlShareStore::get_link(int64_t owner_id, int64_t link_id) {
  return transact_value<ShareLink>(
      db_, TxMode::kRead, [&](Connection& conn) { return load_link(conn, owner_id, link_id); });
}

Result<ShareLink> SqlShareStore::update_link(int64_t owner_id, int64_t link_id,
                                             const LinkChanges& changes) {
  return transact_value<ShareLink>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<ShareLink> {
    COFFER_RETURN_IF_ERROR(load_link(conn, owner_id, link_id));
    std::string sets;
    Params params;
    auto set = [&](std::string_view column, Value value) {
      sets += sets.empty() ? "" : ", ";
      sets += column;
      sets += " = ?";
      params.push_back(std::move(value));
    };
    if (changes.expires) set("expires_at", *changes.expires);
    if (changes.max_downloads) set("max_downloads", *changes.max_downloads);
    if (changes.disabled) set("disabled", *changes.disabled ? 1 : 0);
    if (changes.file_drop) set("file_drop", *changes.file_drop ? 1 : 0);
    if (changes.password_hash) {
      set("password_hash",
          changes.password_hash->empty() ? Value(nullptr) : Value(*changes.password_hash));
      sets += ", password_epoch = password_epoch + 1";
    }
    if (!sets.empty()) {
      params.emplace_back(link_id);
      COFFER_RETURN_IF_ERROR(conn.exec("UPDATE share_links SET " + sets + " WHERE id = ?", params));
    }
    return load_link(conn, owner_id, link_id);
  });
}

Status SqlShareStore::delete_link(int64_t owner_id, int64_t link_id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n =
        conn.exec("DELETE FROM share_links WHERE id = ? AND owner_id = ?", {link_id, owner_id});
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kNotFound, "no such link");
    return Status::ok();
  });
}

Result<std::optional<ShareLink>> SqlShareStore::find_link(const std::string& token_hash) {
  using Found = std::optional<ShareLink>;
  return transact_value<Found>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Found> {
    auto row = conn.query_row(std::string(kLinkSelect) +
                                  "JOIN nodes n ON n.id = l.node_id "
                                  "JOIN users o ON o.id = l.owner_id "
                                  "WHERE l.token_hash = ? AND n.deleted_at IS NULL "
                                  "AND o.status = 'active'",
                              {token_hash});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Found();
    return Found(link_from_row(**row));
  });
}

Status SqlShareStore::count_view(int64_t link_id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    return status_of(conn.exec("UPDATE share_links SET views = views + 1 WHERE id = ?", {link_id}));
  });
}

Result<bool> SqlShareStore::count_download(int64_t link_id) {
  return transact_value<bool>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<bool> {
    auto n = conn.exec(
        "UPDATE share_links SET downloads = downloads + 1 "
        "WHERE id = ? AND (max_downloads IS NULL OR downloads < max_downloads)",
        {link_id});
    COFFER_RETURN_IF_ERROR(n);
    return *n == 1;
  });
}

}  // namespace coffer::meta
