#include "meta/sql_retention_store.h"

#include "meta/sql_statements.h"

namespace coffer::meta {
namespace {

RetentionRule rule_from_row(const Row& row) {
  return RetentionRule{row.int64(0), row.int64(1), row.int64(2), row.int64(3), row.int64(4)};
}

LegalHold hold_from_row(const Row& row) {
  return LegalHold{row.int64(0), row.int64(1), row.text(2), row.int64(3), row.int64(4)};
}

struct NodeOwner {
  int64_t owner_id = 0;
  bool folder = false;
};

// The owner of node `node_id`, live or (with `trashed_too`) in the trash. Errors: kNotFound.
Result<NodeOwner> node_owner(Connection& conn, int64_t node_id, bool trashed_too) {
  auto row = conn.query_row(trashed_too ? "SELECT owner_id, kind FROM nodes WHERE id = ?"
                                        : "SELECT owner_id, kind FROM nodes WHERE id = ? "
                                          "AND deleted_at IS NULL",
                            {node_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such file or folder");
  return NodeOwner{(*row)->int64(0), (*row)->text(1) == "folder"};
}

// Runs fn(conn, owner) in line with the changes of the node's owner: the owner is looked up
// first, then again inside, in case the node was purged meanwhile.
template <typename T, typename Fn>
Result<T> with_node_owner(Database& db, int64_t node_id, bool trashed_too, Fn&& fn) {
  auto owner = transact_value<NodeOwner>(
      db, TxMode::kRead, [&](Connection& conn) { return node_owner(conn, node_id, trashed_too); });
  COFFER_RETURN_IF_ERROR(owner);
  return transact_exclusive_value<T>(db, owner->owner_id, [&](Connection& conn) -> Result<T> {
    auto again = node_owner(conn, node_id, trashed_too);
    COFFER_RETURN_IF_ERROR(again);
    return fn(conn, *again);
  });
}

constexpr std::string_view kRuleColumns =
    "SELECT node_id, owner_id, retain_until, set_by, set_at FROM retention_rules ";
constexpr std::string_view kHoldColumns =
    "SELECT node_id, owner_id, reason, set_by, set_at FROM legal_holds ";

}  // namespace

Result<RetentionRule> SqlRetentionStore::set_retention(int64_t node_id, Micros retain_until,
                                                       int64_t set_by, Micros now) {
  return with_node_owner<RetentionRule>(
      db_, node_id, false, [&](Connection& conn, const NodeOwner& owner) -> Result<RetentionRule> {
        if (!owner.folder) {
          return Status(Errc::kConflict, "retention applies to folders; hold a file instead");
        }
        auto current =
            conn.query_row("SELECT retain_until FROM retention_rules WHERE node_id = ?", {node_id});
        COFFER_RETURN_IF_ERROR(current);
        std::optional<Micros> until;
        if (*current) until = (*current)->int64(0);
        COFFER_RETURN_IF_ERROR(check_retention_change(until, retain_until, now));
        COFFER_RETURN_IF_ERROR(
            conn.exec("DELETE FROM retention_rules WHERE node_id = ?", {node_id}));
        COFFER_RETURN_IF_ERROR(conn.exec(
            "INSERT INTO retention_rules (node_id, owner_id, retain_until, set_by, set_at) "
            "VALUES (?, ?, ?, ?, ?)",
            {node_id, owner.owner_id, retain_until, set_by, now}));
        return RetentionRule{node_id, owner.owner_id, retain_until, set_by, now};
      });
}

Status SqlRetentionStore::remove_retention(int64_t node_id, Micros now) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto current =
        conn.query_row("SELECT retain_until FROM retention_rules WHERE node_id = ?", {node_id});
    COFFER_RETURN_IF_ERROR(current);
    if (!*current) return Status(Errc::kNotFound, "no retention rule on that folder");
    COFFER_RETURN_IF_ERROR(check_retention_removal((*current)->int64(0), now));
    return status_of(conn.exec("DELETE FROM retention_rules WHERE node_id = ?", {node_id}));
  });
}

Result<std::vector<RetentionRule>> SqlRetentionStore::list_retention() {
  return read_all(db_, std::string(kRuleColumns) + "ORDER BY node_id", {}, rule_from_row);
}

Result<LegalHold> SqlRetentionStore::place_hold(int64_t node_id, const std::string& reason,
                                                int64_t set_by, Micros now) {
  return with_node_owner<LegalHold>(
      db_, node_id, true, [&](Connection& conn, const NodeOwner& owner) -> Result<LegalHold> {
        COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM legal_holds WHERE node_id = ?", {node_id}));
        COFFER_RETURN_IF_ERROR(
            conn.exec("INSERT INTO legal_holds (node_id, owner_id, reason, set_by, set_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      {node_id, owner.owner_id, reason, set_by, now}));
        return LegalHold{node_id, owner.owner_id, reason, set_by, now};
      });
}

Status SqlRetentionStore::release_hold(int64_t node_id) {
  return update_one(db_, "DELETE FROM legal_holds WHERE node_id = ?", {node_id},
                    "no legal hold on that node");
}

Result<std::vector<LegalHold>> SqlRetentionStore::list_holds() {
  return read_all(db_, std::string(kHoldColumns) + "ORDER BY node_id", {}, hold_from_row);
}

Status SqlRetentionStore::refuse_if_owner_locked(int64_t user_id, Micros now) {
  return db_.transact(TxMode::kRead, [&](Connection& conn) -> Status {
    auto held = conn.query_row("SELECT 1 FROM legal_holds WHERE owner_id = ? LIMIT 1", {user_id});
    COFFER_RETURN_IF_ERROR(held);
    if (*held) {
      return Status(Errc::kLegalHold,
                    "the account owns files under legal hold; release the holds first");
    }
    auto retained = conn.query_row(
        "SELECT MAX(retain_until) FROM retention_rules WHERE owner_id = ? AND retain_until > ?",
        {user_id, now});
    COFFER_RETURN_IF_ERROR(retained);
    if (*retained && !(*retained)->is_null(0)) {
      return Status(Errc::kRetentionActive,
                    "the account owns folders under retention; it may be deleted after they "
                    "expire");
    }
    return Status::ok();
  });
}

}  // namespace coffer::meta
