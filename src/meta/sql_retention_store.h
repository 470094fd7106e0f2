#pragma once
// The RetentionStore over any Database dialect (tables retention_rules and legal_holds,
// migration 17). Thread-safe: every operation is one transaction of the underlying Database;
// those that lock a node run in line with its owner's changes (transact_exclusive on the
// owner's id, as the Catalog's), so a hold and a deletion never pass each other.

#include "meta/database.h"
#include "meta/retention_store.h"

namespace coffer::meta {

class SqlRetentionStore final : public RetentionStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlRetentionStore(Database& db) : db_(db) {}

  Result<RetentionRule> set_retention(int64_t node_id, Micros retain_until, int64_t set_by,
                                      Micros now) override;
  Status remove_retention(int64_t node_id, Micros now) override;
  Result<std::vector<RetentionRule>> list_retention() override;
  Result<LegalHold> place_hold(int64_t node_id, const std::string& reason, int64_t set_by,
                               Micros now) override;
  Status release_hold(int64_t node_id) override;
  Result<std::vector<LegalHold>> list_holds() override;
  Status refuse_if_owner_locked(int64_t user_id, Micros now) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
