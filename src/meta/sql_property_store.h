#pragma once
// The PropertyStore over any Database dialect (docs/schema.md, table dead_properties).
// Thread-safe: every operation is one transaction of the underlying Database.

#include <functional>

#include "meta/database.h"
#include "meta/property_store.h"

namespace coffer::meta {

class SqlPropertyStore final : public PropertyStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  // `within_quota` fails (kQuotaExceeded) when the owner's usage, property bytes included, is
  // past their quota; patch() asks it inside its transaction, after the changes.
  using QuotaCheck = std::function<Status(Connection&, int64_t owner_id)>;
  SqlPropertyStore(Database& db, QuotaCheck within_quota)
      : db_(db), within_quota_(std::move(within_quota)) {}

  Result<std::vector<DeadProperty>> list(int64_t owner_id, int64_t node_id) override;
  Result<std::map<int64_t, std::vector<DeadProperty>>> list_nodes(
      int64_t owner_id, const std::vector<int64_t>& node_ids) override;
  Status patch(int64_t owner_id, int64_t node_id,
               const std::vector<PropertyChange>& changes) override;
  Status copy(int64_t owner_id, int64_t from_node, int64_t to_node) override;

 private:
  Database& db_;
  QuotaCheck within_quota_;
};

}  // namespace coffer::meta
