#pragma once
// File activity: the services record an event after each operation that succeeded, and
// callers with read access to a node read its events (and, for a folder, its children's).
//
// Recording never fails or delays the operation: record() queues the event and returns; one
// writer thread stores whatever has queued in one transaction (so a burst of small uploads
// shares one commit instead of paying one each). A failed write is reported to the error
// sink and the events are dropped: activity is a convenience, never worth an operation.
// Readers first wait until what this process queued before them is stored, so a client sees
// its own operations at once.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "core/activity.h"
#include "core/change_signal.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/access_policy.h"

namespace coffer::service {

// One field of an event's detail object.
using ActivityValue = std::variant<int64_t, bool, std::string, std::vector<std::string>>;
using ActivityField = std::pair<std::string_view, ActivityValue>;

// The JSON object of `fields`, in order.
std::string activity_detail(std::initializer_list<ActivityField> fields);

// An event about `node` (its owner, parent and name as they are now).
NewActivity activity_of(const Node& node, int64_t actor, std::string_view action,
                        std::string detail_json = "");

class ActivityLog {
 public:
  // Called with each failure to store events (from the writer thread).
  using ErrorSink = std::function<void(const Status&, size_t events_lost)>;

  // Ids follow the order events are stored, which is the order they happened but for what a
  // process had queued (stored within moments): an event may be stored up to this long after
  // it happened, so one this much older than a moment comes before every event after it.
  static constexpr Micros kQueueSlack = 60 * kMicrosPerSecond;

  explicit ActivityLog(meta::Catalog& catalog, ErrorSink on_error = {});
  // Stores what is queued, then stops the writer.
  ~ActivityLog();
  ActivityLog(const ActivityLog&) = delete;
  ActivityLog& operator=(const ActivityLog&) = delete;

  void record(NewActivity event);

  // Events of a node `actor` may read (AccessPolicy::check): a file's own, a folder's own and
  // its direct children's; newest first. The owner gets them all; a share recipient only the
  // content events since the share, inside what it lets them read, with the ids and names of
  // other nodes left out (docs/insights.md, "What a recipient sees"). Errors: those of
  // AccessPolicy::check.
  Result<std::vector<ActivityEvent>> node_activity(int64_t actor, int64_t node_id,
                                                   const ActivityPage& page);
  // Events anywhere in `actor`'s own tree, whoever acted; newest first.
  Result<std::vector<ActivityEvent>> own_activity(int64_t actor, const ActivityPage& page);
  // Deletes events older than `cutoff`; returns how many.
  Result<int64_t> prune_before(Micros cutoff);

  // Waits until every event queued before the call is stored (or dropped).
  void flush();

  // Notified after each batch of events is stored: what long polls of the change feed wait on.
  ChangeSignal& stored_signal() { return changes_; }

 private:
  void run();

  meta::Catalog& catalog_;
  AccessPolicy access_;
  ErrorSink on_error_;

  std::mutex mu_;
  std::condition_variable wake_;     // the writer: events queued, or stopping
  std::condition_variable written_;  // readers: the writer finished a batch
  std::vector<NewActivity> queue_;   // GUARDED_BY(mu_)
  uint64_t queued_ = 0;              // GUARDED_BY(mu_) events ever queued
  uint64_t done_ = 0;                // GUARDED_BY(mu_) events ever stored or dropped
  bool stopping_ = false;            // GUARDED_BY(mu_)
  ChangeSignal changes_;
  std::thread writer_;
};

}  // namespace coffer::service
