#pragma once
// The change feed: every change to what a user can see, in the order it happened, from a
// position the client keeps (GET /api/v1/changes, docs/api.md "Change feed"). Coffer's own
// clients and the web UI follow it instead of re-listing folders.
//
// It reads the activity log: each stored event is a change, and event ids are the positions
// (ids grow in the order events are stored, in every process sharing the database, see
// meta::ActivityStore::events_after). A user sees every event in their own tree (including the
// notices that something was shared with them or no longer is) and, of the trees of those who
// share with them, what RecipientView lets them see.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/activity.h"
#include "core/change_signal.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/access_policy.h"
#include "service/activity_log.h"

namespace coffer::service {

// What a change did, as clients switch on it; the event's action says it in detail.
enum class ChangeKind { kCreated, kUpdated, kMoved, kDeleted, kShared, kUnshared };
std::string_view change_kind_name(ChangeKind kind);
// nullopt for an action that changes nothing a client shows.
std::optional<ChangeKind> change_kind_of(std::string_view action);

struct Change {
  ChangeKind kind = ChangeKind::kUpdated;
  ActivityEvent event;
};

// Where a client is in the feed: every event up to `id` was considered, and every event after
// it happened at `at` or later (give or take what another process was about to store), which
// tells whether the activity retention may have pruned some of them.
struct FeedPosition {
  int64_t id = 0;
  Micros at = 0;
};

struct ChangePage {
  std::vector<Change> changes;  // oldest first
  FeedPosition next;            // ask again from here
  bool more = false;            // more events were stored after `next` already
};

class ChangeFeed {
 public:
  // `retention`: how long the activity log keeps events (0: for ever). `recheck`: how often a
  // long poll looks again by itself, for the changes other processes sharing the database
  // make (they wake nobody here); for a database only this process writes, never.
  ChangeFeed(meta::Catalog& catalog, ActivityLog& log, Micros retention,
             std::chrono::milliseconds recheck = std::chrono::milliseconds::max())
      : catalog_(catalog), access_(catalog), log_(log), retention_(retention), recheck_(recheck) {}

  // The newest position now: where a client that starts following begins.
  Result<FeedPosition> latest();
  // What `actor` may see of the next `scan` events after `from`. Waits first until what this
  // process recorded before the call is stored, so a client sees its own changes at once.
  // Errors: kExpired when events after `from` may have been pruned already (the client must
  // list what it follows again and start from latest()).
  Result<ChangePage> after(int64_t actor, FeedPosition from, int scan);
  // Moves each time events are stored by this process (the long poll waits on it).
  ChangeSignal& signal() { return log_.stored_signal(); }
  std::chrono::milliseconds recheck() const { return recheck_; }

 private:
  meta::Catalog& catalog_;
  AccessPolicy access_;
  ActivityLog& log_;
  Micros retention_;
  std::chrono::milliseconds recheck_;
};

}  // namespace coffer::service
