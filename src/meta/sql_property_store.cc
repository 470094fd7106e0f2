#include "meta/sql_property_store.h"

#include <algorithm>

namespace coffer::meta {
namespace {

// Only live nodes of the owner have properties that can be read or changed.
Status check_live_node(Connection& conn, int64_t owner_id, int64_t node_id) {
  auto row =
      conn.query_row("SELECT 1 FROM nodes WHERE id = ? AND owner_id = ? AND deleted_at IS NULL",
                     {node_id, owner_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such node");
  return Status::ok();
}

DeadProperty property_from_row(const Row& row, size_t first) {
  return DeadProperty{row.text(first), row.text(first + 1), row.text(first + 2)};
}

}  // namespace

Result<std::vector<DeadProperty>> SqlPropertyStore::list(int64_t owner_id, int64_t node_id) {
  return transact_value<std::vector<DeadProperty>>(
      db_, TxMode::kRead, [&](Connection& conn) -> Result<std::vector<DeadProperty>> {
        COFFER_RETURN_IF_ERROR(check_live_node(conn, owner_id, node_id));
        auto rows = conn.query(
            "SELECT ns, name, xml FROM dead_properties WHERE node_id = ? ORDER BY ns, name",
            {node_id});
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<DeadProperty> out;
        out.reserve(rows->size());
        for (const Row& row : *rows) out.push_back(property_from_row(row, 0));
        return out;
      });
}

Result<std::map<int64_t, std::vector<DeadProperty>>> SqlPropertyStore::list_nodes(
    int64_t owner_id, const std::vector<int64_t>& node_ids) {
  using Map = std::map<int64_t, std::vector<DeadProperty>>;
  // Bounded so that a statement never nears an engine's limit on bound parameters (SQLite's
  // default is 32,766; PostgreSQL's 65,535).
  constexpr size_t kIdsPerQuery = 1000;
  return transact_value<Map>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Map> {
    Map out;
    for (size_t first = 0; first < node_ids.size(); first += kIdsPerQuery) {
      const size_t count = std::min(kIdsPerQuery, node_ids.size() - first);
      std::string sql =
          "SELECT p.node_id, p.ns, p.name, p.xml FROM dead_properties p "
          "JOIN nodes n ON n.id = p.node_id "
          "WHERE n.owner_id = ? AND n.deleted_at IS NULL AND p.node_id IN (?";
      for (size_t i = 1; i < count; ++i) sql += ", ?";
      sql += ") ORDER BY p.node_id, p.ns, p.name";
      Params params;
      params.reserve(count + 1);
      params.emplace_back(owner_id);
      for (size_t i = first; i < first + count; ++i) params.emplace_back(node_ids[i]);
      COFFER_RETURN_IF_ERROR(conn.query_each(sql, params, [&](const Row& row) {
        out[row.int64(0)].push_back(property_from_row(row, 1));
        return Status::ok();
      }));
    }
    return out;
  });
}

Status SqlPropertyStore::patch(int64_t owner_id, int64_t node_id,
                               const std::vector<PropertyChange>& changes) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(check_live_node(conn, owner_id, node_id));
    bool adds = false;
    for (const PropertyChange& change : changes) {
      COFFER_RETURN_IF_ERROR(
          conn.exec("DELETE FROM dead_properties WHERE node_id = ? AND ns = ? AND name = ?",
                    {node_id, change.ns, change.name}));
      if (change.xml.empty()) continue;
      adds = true;
      COFFER_RETURN_IF_ERROR(
          conn.exec("INSERT INTO dead_properties (node_id, ns, name, xml) VALUES (?, ?, ?, ?)",
                    {node_id, change.ns, change.name, change.xml}));
    }
    // Removing is always allowed, even past the bounds (so a client can get back under them).
    if (!adds) return Status::ok();
    auto held =
        conn.query_row("SELECT COUNT(*), CAST(COALESCE(SUM(" + db_.dialect().byte_length("xml") +
                           "), 0) AS BIGINT) FROM dead_properties WHERE node_id = ?",
                       {node_id});
    COFFER_RETURN_IF_ERROR(held);
    if ((*held)->int64(0) > kMaxDeadPropertiesPerNode ||
        (*held)->int64(1) > kMaxDeadPropertyBytesPerNode) {
      return Status(Errc::kQuotaExceeded,
                    "a resource holds at most " + std::to_string(kMaxDeadPropertiesPerNode) +
                        " dead properties of " + std::to_string(kMaxDeadPropertyBytesPerNode) +
                        " bytes in all");
    }
    return within_quota_ ? within_quota_(conn, owner_id) : Status::ok();
  });
}

Status SqlPropertyStore::copy(int64_t owner_id, int64_t from_node, int64_t to_node) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(check_live_node(conn, owner_id, from_node));
    COFFER_RETURN_IF_ERROR(check_live_node(conn, owner_id, to_node));
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM dead_properties WHERE node_id = ?", {to_node}));
    COFFER_RETURN_IF_ERROR(
        conn.exec("INSERT INTO dead_properties (node_id, ns, name, xml) "
                  "SELECT ?, ns, name, xml FROM dead_properties WHERE node_id = ?",
                  {to_node, from_node}));
    // The copy's properties are stored again: they count towards the quota again.
    return within_quota_ ? within_quota_(conn, owner_id) : Status::ok();
  });
}

}  // namespace coffer::meta
