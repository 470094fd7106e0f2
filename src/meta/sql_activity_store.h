#pragma once
// The ActivityStore over any Database dialect (table of migration 11).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/activity_store.h"
#include "meta/database.h"

namespace coffer::meta {

class SqlActivityStore final : public ActivityStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlActivityStore(Database& db) : db_(db) {}

  Status record(const std::vector<NewActivity>& events) override;
  Result<std::vector<ActivityEvent>> node_events(int64_t owner_id, int64_t node_id,
                                                 bool with_children,
                                                 const ActivityPage& page) override;
  Result<std::vector<ActivityEvent>> owner_events(int64_t owner_id,
                                                  const ActivityPage& page) override;
  Result<std::vector<ActivityEvent>> events_after(const std::vector<int64_t>& owner_ids,
                                                  int64_t after_id, int limit) override;
  Result<int64_t> latest_id() override;
  Result<int64_t> prune_before(Micros cutoff) override;

 private:
  Result<std::vector<ActivityEvent>> select(const std::string& where, Params params,
                                            const ActivityPage& page);
  Result<std::vector<ActivityEvent>> fetch(const std::string& sql, const Params& params);

  Database& db_;
};

}  // namespace coffer::meta
