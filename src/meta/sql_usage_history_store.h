#pragma once
// The UsageHistoryStore over any Database dialect (tables of migration 11).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "core/model.h"
#include "meta/database.h"
#include "meta/usage_history_store.h"

namespace coffer::meta {

// The installation's logical, unique and stored bytes and chunk count, read on `conn` (shared
// with Catalog::storage_stats).
Result<StorageStats> read_storage_stats(Connection& conn);

class SqlUsageHistoryStore final : public UsageHistoryStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlUsageHistoryStore(Database& db) : db_(db) {}

  Result<StorageSample> sample(Day day) override;
  Result<std::vector<StorageSample>> storage_history(Day from, Day to) override;
  Result<std::vector<UserUsageSample>> user_history(int64_t user_id, Day from, Day to) override;
  Result<std::vector<UserUsageSample>> users_on(Day day) override;
  Result<int64_t> prune_before(Day day) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
