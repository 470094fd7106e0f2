#pragma once
// Background jobs as the domain sees them: work that follows a committed change (a thumbnail
// for an uploaded image, the text of a document for search). Jobs live in the metadata
// database (meta::JobStore) and run in service::JobRunner; handlers are registered by kind in
// service::JobRegistry. No I/O here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace coffer {

// Job kinds. Stable: they are stored in the database and shown to operators.
inline constexpr std::string_view kJobThumbnail = "thumbnail";  // thumbnails, dimensions, EXIF
inline constexpr std::string_view kJobText = "text";            // text extraction for search

// queued: waiting for a worker (a new job, or a failed one waiting out its backoff);
// running: leased by a worker until lease_until; done; dead: failed max_attempts times and
// left for an operator (who may retry it).
enum class JobState { kQueued, kRunning, kDone, kDead };
std::string_view job_state_name(JobState state);
std::optional<JobState> parse_job_state(std::string_view name);

// One job, always about one committed file version (its content named by sha256).
struct Job {
  int64_t id = 0;
  std::string kind;
  int64_t owner_id = 0;
  int64_t node_id = 0;
  int64_t version_id = 0;
  std::string sha256;
  std::string mime;  // the sniffed type of the content
  JobState state = JobState::kQueued;
  int attempts = 0;  // claims so far, including the one running now
  Micros run_at = 0;
  std::string lease_owner;
  Micros lease_until = 0;
  std::string last_error;
  Micros created = 0;
  Micros updated = 0;
};

// How many jobs of one kind are in one state.
struct JobCount {
  std::string kind;
  JobState state = JobState::kQueued;
  int64_t count = 0;
};

}  // namespace coffer
