#pragma once
// In-process workers for the persistent job queue (meta::JobStore). Each worker claims a due
// job with a lease, runs its kind's handler (JobRegistry) and records the outcome: done, a
// retry after an exponential backoff, or dead after max_attempts. A watchdog renews the leases
// of running jobs until their time limit, then cancels them; a job whose process died is
// reclaimed by any node once its lease expires, so jobs survive restarts and run at most once
// at a time across nodes.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/job.h"
#include "meta/job_store.h"
#include "service/job_registry.h"

namespace coffer::service {

struct JobRunnerOptions {
  unsigned workers = 2;                      // jobs running at once in this process
  int64_t lease_micros = 60'000'000;         // renewed while the job runs
  int64_t time_limit_micros = 120'000'000;   // per attempt; then the job is cancelled
  int max_attempts = 5;                      // then the job is dead
  int64_t backoff_base_micros = 10'000'000;  // first retry delay; doubles each attempt
  int64_t backoff_max_micros = 3600'000'000;
  int64_t poll_micros = 1'000'000;  // how often idle workers look for due jobs
  std::string worker_id;            // lease owner name; empty: host, pid and a random part
  // Told about every failed attempt (for the log). May be empty.
  std::function<void(const Job&, const Status&, bool dead)> on_failure;
};

// The delay before attempt `attempts + 1`: base * 2^(attempts - 1), at most `max`.
int64_t job_backoff_micros(int attempts, int64_t base, int64_t max);

class JobRunner {
 public:
  JobRunner(meta::JobStore& store, const JobRegistry& registry, JobRunnerOptions options);
  // Stops the workers (running handlers are cancelled and their jobs retried later).
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Starts the worker threads and the lease watchdog.
  void start();
  void stop();
  // Wakes idle workers: a job was just enqueued.
  void notify();
  // Claims and runs one due job in the calling thread (tests, tools). Returns whether one ran.
  Result<bool> run_one();

  const std::string& worker_id() const { return options_.worker_id; }

 private:
  struct Running;
  void worker_loop();
  void watchdog_loop();
  void execute(const Job& job);

  meta::JobStore& store_;
  const JobRegistry& registry_;
  JobRunnerOptions options_;
  std::vector<std::string> kinds_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                // GUARDED_BY(mu_)
  bool woken_ = false;                                   // GUARDED_BY(mu_)
  std::map<int64_t, std::shared_ptr<Running>> running_;  // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace coffer::service
