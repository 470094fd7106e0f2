#pragma once
// The PropertyStore over any Database dialect (docs/schema.md, table dead_properties).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/database.h"
#include "meta/property_store.h"

namespace coffer::meta {

class SqlPropertyStore final : public PropertyStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlPropertyStore(Database& db) : db_(db) {}

  Result<std::vector<DeadProperty>> list(int64_t owner_id, int64_t node_id) override;
  Result<std::map<int64_t, std::vector<DeadProperty>>> list_nodes(
      int64_t owner_id, const std::vector<int64_t>& node_ids) override;
  Status patch(int64_t owner_id, int64_t node_id,
               const std::vector<PropertyChange>& changes) override;
  Status copy(int64_t owner_id, int64_t from_node, int64_t to_node) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
