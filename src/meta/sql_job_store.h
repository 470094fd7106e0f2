#pragma once
// The JobStore over any Database dialect (docs/schema.md, "jobs").
// Thread-safe: every operation is one transaction of the underlying Database.

#include <string>
#include <vector>

#include "meta/database.h"
#include "meta/job_store.h"

namespace coffer::meta {

// Inserts one queued job per kind for the version `version_id` of `node_id`, inside the
// caller's transaction (the one that commits the version), and marks an active node pending
// until they finish.
Status enqueue_jobs(Connection& conn, const std::vector<std::string>& kinds, int64_t owner_id,
                    int64_t node_id, int64_t version_id, const std::string& sha256,
                    const std::string& mime, Micros now);

class SqlJobStore final : public JobStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlJobStore(Database& db) : db_(db) {}

  Result<std::optional<Job>> claim(const std::vector<std::string>& kinds, const std::string& owner,
                                   Micros now, Micros lease_until) override;
  Status renew(int64_t id, const std::string& owner, Micros lease_until) override;
  Status complete(int64_t id, const std::string& owner, Micros now) override;
  Status fail(int64_t id, const std::string& owner, const std::string& error, Micros retry_at,
              bool dead, Micros now) override;
  Result<std::vector<JobCount>> counts() override;
  Result<std::vector<Job>> list(std::optional<JobState> state, int limit) override;
  Result<std::vector<Job>> failures(int limit) override;
  Result<Job> get(int64_t id) override;
  Result<Job> retry(int64_t id, Micros now) override;
  Result<int64_t> prune_done(Micros cutoff) override;
  Result<std::optional<JobState>> content_state(const std::string& kind,
                                                const std::string& sha256) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
