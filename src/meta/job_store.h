#pragma once
// The persistent job queue (docs/schema.md, "jobs"). Jobs are enqueued by the transaction
// that commits the change they follow (SqlCatalog::commit_file), and claimed with a lease:
// a worker that dies leaves its job to be reclaimed by any process once the lease expires,
// so across every node a job runs at most once at a time.
//
// Every operation that names a lease owner only applies while that owner still holds the
// lease: a worker whose lease was taken over cannot complete or fail a job it lost.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/job.h"
#include "core/status.h"

namespace coffer::meta {

class JobStore {
 public:
  virtual ~JobStore() = default;

  // Claims the job that is due first among `kinds`: a queued job whose run_at has come, or a
  // running one whose lease expired before `now`. The claim increments attempts and leases the
  // job to `owner` until `lease_until`. nullopt when nothing is due.
  virtual Result<std::optional<Job>> claim(const std::vector<std::string>& kinds,
                                           const std::string& owner, Micros now,
                                           Micros lease_until) = 0;
  // Extends the lease. Errors: kNotFound (the lease is no longer `owner`'s).
  virtual Status renew(int64_t id, const std::string& owner, Micros lease_until) = 0;
  // done. When it was the node's last pending job, a `pending` node becomes `active`.
  // Errors: kNotFound (lease lost).
  virtual Status complete(int64_t id, const std::string& owner, Micros now) = 0;
  // A failed attempt: queued again at `retry_at`, or dead when `dead`. A dead job releases the
  // node's `pending` status like a done one (the file itself is fine). Errors: kNotFound.
  virtual Status fail(int64_t id, const std::string& owner, const std::string& error,
                      Micros retry_at, bool dead, Micros now) = 0;

  // Operators.
  virtual Result<std::vector<JobCount>> counts() = 0;
  // Jobs in `state` (all states when nullopt), newest first, at most `limit`.
  virtual Result<std::vector<Job>> list(std::optional<JobState> state, int limit) = 0;
  // Jobs that failed at least once (queued for a retry, or dead), newest failure first.
  virtual Result<std::vector<Job>> failures(int limit) = 0;
  virtual Result<Job> get(int64_t id) = 0;
  // Puts a dead job back in the queue with its attempts reset. Errors: kNotFound, kConflict
  // (not dead).
  virtual Result<Job> retry(int64_t id, Micros now) = 0;

  // Deletes done jobs last updated before `cutoff` (dead ones stay for operators); returns
  // how many.
  virtual Result<int64_t> prune_done(Micros cutoff) = 0;

  // The state that matters for `sha256`'s `kind` work: running or queued if any such job is
  // (the work is pending), else dead if any is, else done if any is; nullopt when none exists.
  virtual Result<std::optional<JobState>> content_state(const std::string& kind,
                                                        const std::string& sha256) = 0;
};

}  // namespace coffer::meta
