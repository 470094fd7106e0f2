#pragma once
// File activity in the metadata database (table `activity`, docs/schema.md). Who may read
// which events is the service's business; this store only filters by node and owner.

#include <cstdint>
#include <vector>

#include "core/activity.h"
#include "core/status.h"

namespace coffer::meta {

class ActivityStore {
 public:
  virtual ~ActivityStore() = default;

  // Appends the events in one transaction.
  virtual Status record(const std::vector<NewActivity>& events) = 0;
  // Events of `node_id` in `owner_id`'s tree, and with `with_children` also those whose
  // parent at the time was `node_id`; newest first.
  virtual Result<std::vector<ActivityEvent>> node_events(int64_t owner_id, int64_t node_id,
                                                         bool with_children,
                                                         const ActivityPage& page) = 0;
  // Events anywhere in `owner_id`'s tree, by anybody; newest first.
  virtual Result<std::vector<ActivityEvent>> owner_events(int64_t owner_id,
                                                          const ActivityPage& page) = 0;
  // Events after `after_id` in the trees of `owner_ids`, by anybody; oldest first, at most
  // `limit`. Ids grow in the order events are stored, in every process sharing the database,
  // so a reader that has seen up to an id never later finds a smaller one stored.
  virtual Result<std::vector<ActivityEvent>> events_after(const std::vector<int64_t>& owner_ids,
                                                          int64_t after_id, int limit) = 0;
  // The largest id stored (0 when there is none).
  virtual Result<int64_t> latest_id() = 0;
  // Deletes events older than `cutoff`; returns how many.
  virtual Result<int64_t> prune_before(Micros cutoff) = 0;
};

}  // namespace coffer::meta
