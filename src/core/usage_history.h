#pragma once
// Storage usage over time: one sample per UTC day (the day's latest), for the installation
// and for each user.

#include <cstdint>
#include <string>

#include "core/model.h"

namespace coffer {

// Days since 1970-01-01, UTC.
using Day = int64_t;

// The UTC day of an instant.
Day day_of(Micros t);
// "2026-11-23"
std::string day_name(Day day);

struct StorageSample {
  Day day = 0;
  int64_t logical_bytes = 0;   // every version of every file
  int64_t unique_bytes = 0;    // distinct chunks, uncompressed
  int64_t physical_bytes = 0;  // distinct chunks as stored
  int64_t chunks = 0;
  int64_t files = 0;  // live files
};

struct UserUsageSample {
  Day day = 0;
  int64_t user_id = 0;
  int64_t used_bytes = 0;  // what the quota counts: live files, older versions and the trash
  int64_t files = 0;       // live files
  std::string username;    // filled by UsageHistoryStore::users_on only
};

}  // namespace coffer
