#include "meta/sql_activity_store.h"

#include <limits>

namespace coffer::meta {
namespace {

ActivityEvent event_from_row(const Row& row) {
  ActivityEvent e;
  e.id = row.int64(0);
  e.node_id = row.int64(1);
  e.owner_id = row.int64(2);
  e.actor_id = row.int64(3);
  e.actor_name = row.text(4);
  e.action = row.text(5);
  e.parent_id = row.opt_int64(6).value_or(0);
  e.name = row.text(7);
  e.detail_json = row.text(8);
  e.at = row.int64(9);
  return e;
}

// The columns every query returns, in event_from_row()'s order.
constexpr std::string_view kEventColumns =
    "SELECT a.id, a.node_id, a.owner_id, a.actor_id, COALESCE(u.username, ''), a.action, "
    "a.parent_id, a.name, a.detail, a.created_at FROM activity a "
    "LEFT JOIN users u ON u.id = a.actor_id WHERE ";

// The transact_exclusive() key of activity writers: not a user id (those are positive), so
// they wait only for each other.
constexpr int64_t kActivityWriters = -1;

}  // namespace

Status SqlActivityStore::record(const std::vector<NewActivity>& events) {
  if (events.empty()) return Status::ok();
  // One writer at a time across every process sharing the database, so ids are taken in the
  // order transactions commit, and a change feed that has read up to an id never misses a
  // smaller one committed later (events_after()).
  return db_.transact_exclusive(kActivityWriters, [&](Connection& conn) -> Status {
    for (const NewActivity& e : events) {
      COFFER_RETURN_IF_ERROR(conn.exec(
          "INSERT INTO activity (node_id, owner_id, actor_id, action, parent_id, name, detail, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {e.node_id, e.owner_id, e.actor_id, e.action,
           e.parent_id != 0 ? Value(e.parent_id) : Value(), e.name, e.detail_json, e.at}));
    }
    return Status::ok();
  });
}

Result<std::vector<ActivityEvent>> SqlActivityStore::select(const std::string& where, Params params,
                                                            const ActivityPage& page) {
  // Keyset pagination on the id, which grows with time.
  params.push_back(page.before.value_or(std::numeric_limits<int64_t>::max()));
  params.push_back(page.limit);
  return fetch(std::string(kEventColumns) + where + " AND a.id < ? ORDER BY a.id DESC LIMIT ?",
               params);
}

Result<std::vector<ActivityEvent>> SqlActivityStore::fetch(const std::string& sql,
                                                           const Params& params) {
  return transact_value<std::vector<ActivityEvent>>(
      db_, TxMode::kRead, [&](Connection& conn) -> Result<std::vector<ActivityEvent>> {
        auto rows = conn.query(sql, params);
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<ActivityEvent> out;
        out.reserve(rows->size());
        for (const Row& row : *rows) out.push_back(event_from_row(row));
        return out;
      });
}

Result<std::vector<ActivityEvent>> SqlActivityStore::node_events(int64_t owner_id, int64_t node_id,
                                                                 bool with_children,
                                                                 const ActivityPage& page) {
  if (with_children) {
    // Two indexed arms (activity_by_node, activity_by_parent) rather than one OR.
    return select(
        "a.id IN (SELECT id FROM activity WHERE node_id = ? AND owner_id = ? "
        "UNION ALL SELECT id FROM activity WHERE parent_id = ? AND owner_id = ?)",
        {node_id, owner_id, node_id, owner_id}, page);
  }
  return select("a.node_id = ? AND a.owner_id = ?", {node_id, owner_id}, page);
}

Result<std::vector<ActivityEvent>> SqlActivityStore::owner_events(int64_t owner_id,
                                                                  const ActivityPage& page) {
  return select("a.owner_id = ?", {owner_id}, page);
}

Result<std::vector<ActivityEvent>> SqlActivityStore::events_after(
    const std::vector<int64_t>& owner_ids, int64_t after_id, int limit) {
  if (owner_ids.empty()) return std::vector<ActivityEvent>();
  std::string in;
  for (size_t i = 0; i < owner_ids.size(); ++i) in += i == 0 ? "?" : ", ?";
  Params params(owner_ids.begin(), owner_ids.end());
  params.insert(params.end(), {Value(after_id), Value(int64_t{limit})});
  return fetch(
      std::string(kEventColumns) + "a.owner_id IN (" + in + ") AND a.id > ? ORDER BY a.id LIMIT ?",
      params);
}

Result<int64_t> SqlActivityStore::latest_id() {
  return transact_value<int64_t>(db_, TxMode::kRead, [&](Connection& conn) -> Result<int64_t> {
    auto rows = conn.query("SELECT COALESCE(MAX(id), 0) FROM activity");
    COFFER_RETURN_IF_ERROR(rows);
    return rows->empty() ? 0 : rows->front().int64(0);
  });
}

Result<int64_t> SqlActivityStore::prune_before(Micros cutoff) {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) {
    return conn.exec("DELETE FROM activity WHERE created_at < ?", {cutoff});
  });
}

}  // namespace coffer::meta
