#pragma once
// One-statement transactions the SQL stores share: read every row of a query, or write one
// row and tell when there was none.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/account.h"
#include "core/model.h"
#include "core/status.h"
#include "meta/database.h"

namespace coffer::meta {

// Every row of a read query, converted by from_row.
template <typename T>
Result<std::vector<T>> read_all(Database& db, const std::string& sql, const Params& params,
                                T (*from_row)(const Row&)) {
  using Items = std::vector<T>;
  return transact_value<Items>(db, TxMode::kRead, [&](Connection& conn) -> Result<Items> {
    auto rows = conn.query(sql, params);
    COFFER_RETURN_IF_ERROR(rows);
    Items items;
    items.reserve(rows->size());
    for (const Row& row : *rows) items.push_back(from_row(row));
    return items;
  });
}

// A write that must change exactly one row; kNotFound with `not_found` when it changed none.
inline Status update_one(Database& db, const std::string& sql, const Params& params,
                         const char* not_found) {
  return db.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec(sql, params);
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kNotFound, not_found);
    return Status::ok();
  });
}

// Records that the credential in row `id` of `table` (api_tokens, s3_keys) was used at `now`,
// unless `last_used` is more recent than kCredentialUseResolution; updates `last_used`.
inline Status record_credential_use(Database& db, std::string_view table, int64_t id,
                                    std::optional<Micros>& last_used, Micros now) {
  if (last_used && *last_used + kCredentialUseResolution > now) return Status::ok();
  const std::string sql = "UPDATE " + std::string(table) + " SET last_used_at = ? WHERE id = ?";
  COFFER_RETURN_IF_ERROR(db.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    return status_of(conn.exec(sql, {now, id}));
  }));
  last_used = now;
  return Status::ok();
}

}  // namespace coffer::meta
