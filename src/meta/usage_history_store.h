#pragma once
// Storage usage over time in the metadata database (tables `storage_history` and
// `user_usage_history`, docs/schema.md): one row per UTC day, rewritten by each sample of
// that day.

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/usage_history.h"

namespace coffer::meta {

class UsageHistoryStore {
 public:
  virtual ~UsageHistoryStore() = default;

  // Measures the installation and every user that is not deleted now and stores the result
  // as `day`'s rows, replacing earlier samples of that day. One transaction.
  virtual Result<StorageSample> sample(Day day) = 0;
  // The samples of days in [from, to], oldest first.
  virtual Result<std::vector<StorageSample>> storage_history(Day from, Day to) = 0;
  virtual Result<std::vector<UserUsageSample>> user_history(int64_t user_id, Day from, Day to) = 0;
  // Every user's sample of `day` with their username, largest usage first.
  virtual Result<std::vector<UserUsageSample>> users_on(Day day) = 0;
  // Deletes the samples of days before `day`; returns how many rows.
  virtual Result<int64_t> prune_before(Day day) = 0;
};

}  // namespace coffer::meta
