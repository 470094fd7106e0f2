#include "meta/sql_retention.h"

#include "core/retention.h"

namespace coffer::meta {
namespace {

// Anything to enforce at all? Both tables are empty on most servers, and this one cheap
// look-up spares every delete, move and overwrite the walk up (and down) the tree.
Result<bool> any_locks(Connection& conn, Micros now) {
  auto row = conn.query_row(
      "SELECT 1 FROM legal_holds UNION ALL "
      "SELECT 1 FROM retention_rules WHERE retain_until > ? LIMIT 1",
      {now});
  COFFER_RETURN_IF_ERROR(row);
  return row->has_value();
}

constexpr std::string_view kUp =
    "WITH RECURSIVE up(id) AS ("
    "  SELECT CAST(? AS BIGINT)"
    "  UNION ALL"
    "  SELECT n.parent_id FROM nodes n JOIN up u ON n.id = u.id WHERE n.parent_id IS NOT NULL)";

constexpr std::string_view kDown =
    ", down(id) AS ("
    "  SELECT CAST(? AS BIGINT)"
    "  UNION ALL"
    "  SELECT n.id FROM nodes n JOIN down d ON n.parent_id = d.id)";

// Holds first (they are reported before retention), then the latest active retention date.
std::string lock_query(LockScope scope) {
  const bool below = scope == LockScope::kSubtree;
  const std::string within =
      below ? "(SELECT id FROM up UNION SELECT id FROM down)" : "(SELECT id FROM up)";
  return std::string(kUp) + (below ? std::string(kDown) : std::string()) +
         " SELECT 0 AS kind, CAST(0 AS BIGINT) AS until FROM legal_holds WHERE node_id IN " +
         within + " UNION ALL SELECT 1, retain_until FROM retention_rules WHERE retain_until > ? " +
         "AND node_id IN " + within + " ORDER BY 1, 2 DESC LIMIT 1";
}

}  // namespace

Status refuse_locked(Connection& conn, int64_t node_id, LockScope scope, Micros now) {
  auto any = any_locks(conn, now);
  COFFER_RETURN_IF_ERROR(any);
  if (!*any) return Status::ok();
  static const std::string node_sql = lock_query(LockScope::kNode);
  static const std::string subtree_sql = lock_query(LockScope::kSubtree);
  auto row = scope == LockScope::kSubtree ? conn.query_row(subtree_sql, {node_id, node_id, now})
                                          : conn.query_row(node_sql, {node_id, now});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status::ok();
  if ((*row)->int64(0) == 0) return legal_hold_refusal();
  return retention_refusal((*row)->int64(1));
}

std::string locked_nodes_cte() {
  return "WITH RECURSIVE locked(id) AS ("
         "  SELECT id FROM (SELECT node_id AS id FROM legal_holds UNION "
         "    SELECT node_id FROM retention_rules WHERE retain_until > ?) roots"
         "  UNION"
         "  SELECT n.id FROM nodes n JOIN locked l ON n.parent_id = l.id) ";
}

}  // namespace coffer::meta
