#include "meta/sql_usage_history_store.h"

#include "core/model.h"

namespace coffer::meta {

Result<StorageStats> read_storage_stats(Connection& conn) {
  StorageStats st;
  auto logical = conn.query_row("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM versions");
  COFFER_RETURN_IF_ERROR(logical);
  st.logical_bytes = (*logical)->int64(0);
  auto chunks = conn.query_row(
      "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT), "
      "CAST(COALESCE(SUM(stored_size), 0) AS BIGINT), COUNT(*) FROM chunks");
  COFFER_RETURN_IF_ERROR(chunks);
  st.unique_bytes = (*chunks)->int64(0);
  st.stored_bytes = (*chunks)->int64(1);
  st.chunks = (*chunks)->int64(2);
  return st;
}

Result<StorageSample> SqlUsageHistoryStore::sample(Day day) {
  return transact_value<StorageSample>(
      db_, TxMode::kWrite, [&](Connection& conn) -> Result<StorageSample> {
        auto stats = read_storage_stats(conn);
        COFFER_RETURN_IF_ERROR(stats);
        StorageSample s;
        s.day = day;
        s.logical_bytes = stats->logical_bytes;
        s.unique_bytes = stats->unique_bytes;
        s.physical_bytes = stats->stored_bytes;
        s.chunks = stats->chunks;
        auto files =
            conn.query_row("SELECT COUNT(*) FROM nodes WHERE kind = 'file' AND deleted_at IS NULL");
        COFFER_RETURN_IF_ERROR(files);
        s.files = (*files)->int64(0);

        // Delete and insert rather than an upsert: the same two statements on every engine.
        COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM storage_history WHERE day = ?", {day}));
        COFFER_RETURN_IF_ERROR(conn.exec(
            "INSERT INTO storage_history (day, logical_bytes, unique_bytes, physical_bytes, "
            "chunks, files, sampled_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {day, s.logical_bytes, s.unique_bytes, s.physical_bytes, s.chunks, s.files,
             now_micros()}));
        COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM user_usage_history WHERE day = ?", {day}));
        // Used bytes as the quota counts them (Catalog::usage): every version of the user's
        // files, live or in the trash.
        COFFER_RETURN_IF_ERROR(
            conn.exec("INSERT INTO user_usage_history (day, user_id, used_bytes, files) "
                      "SELECT ?, u.id, "
                      "(SELECT CAST(COALESCE(SUM(v.size), 0) AS BIGINT) FROM versions v "
                      "JOIN nodes n ON n.id = v.node_id WHERE n.owner_id = u.id), "
                      "(SELECT COUNT(*) FROM nodes n WHERE n.owner_id = u.id AND n.kind = 'file' "
                      "AND n.deleted_at IS NULL) "
                      "FROM users u WHERE u.status <> 'deleted'",
                      {day}));
        return s;
      });
}

Result<std::vector<StorageSample>> SqlUsageHistoryStore::storage_history(Day from, Day to) {
  return transact_value<std::vector<StorageSample>>(
      db_, TxMode::kRead, [&](Connection& conn) -> Result<std::vector<StorageSample>> {
        auto rows = conn.query(
            "SELECT day, logical_bytes, unique_bytes, physical_bytes, chunks, files "
            "FROM storage_history WHERE day >= ? AND day <= ? ORDER BY day",
            {from, to});
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<StorageSample> out;
        out.reserve(rows->size());
        for (const Row& row : *rows) {
          out.push_back(StorageSample{row.int64(0), row.int64(1), row.int64(2), row.int64(3),
                                      row.int64(4), row.int64(5)});
        }
        return out;
      });
}

Result<std::vector<UserUsageSample>> SqlUsageHistoryStore::user_history(int64_t user_id, Day from,
                                                                        Day to) {
  return transact_value<std::vector<UserUsageSample>>(
      db_, TxMode::kRead, [&](Connection& conn) -> Result<std::vector<UserUsageSample>> {
        auto rows = conn.query(
            "SELECT day, user_id, used_bytes, files FROM user_usage_history "
            "WHERE user_id = ? AND day >= ? AND day <= ? ORDER BY day",
            {user_id, from, to});
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<UserUsageSample> out;
        out.reserve(rows->size());
        for (const Row& row : *rows) {
          out.push_back(UserUsageSample{row.int64(0), row.int64(1), row.int64(2), row.int64(3)});
        }
        return out;
      });
}

Result<std::vector<UserUsageSample>> SqlUsageHistoryStore::users_on(Day day) {
  return transact_value<std::vector<UserUsageSample>>(
      db_, TxMode::kRead, [&](Connection& conn) -> Result<std::vector<UserUsageSample>> {
        auto rows = conn.query(
            "SELECT h.day, h.user_id, h.used_bytes, h.files, u.username "
            "FROM user_usage_history h JOIN users u ON u.id = h.user_id "
            "WHERE h.day = ? ORDER BY h.used_bytes DESC, h.user_id",
            {day});
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<UserUsageSample> out;
        out.reserve(rows->size());
        for (const Row& row : *rows) {
          out.push_back(
              UserUsageSample{row.int64(0), row.int64(1), row.int64(2), row.int64(3), row.text(4)});
        }
        return out;
      });
}

Result<int64_t> SqlUsageHistoryStore::prune_before(Day day) {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<int64_t> {
    auto a = conn.exec("DELETE FROM storage_history WHERE day < ?", {day});
    COFFER_RETURN_IF_ERROR(a);
    auto b = conn.exec("DELETE FROM user_usage_history WHERE day < ?", {day});
    COFFER_RETURN_IF_ERROR(b);
    return *a + *b;
  });
}

}  // namespace coffer::meta
