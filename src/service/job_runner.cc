#include "service/job_runner.h"

#include <unistd.h>

#include <chrono>
#include <random>

namespace coffer::service {

struct JobRunner::Running : JobControl {
  Micros deadline = 0;
  Micros renewed = 0;  // watchdog thread only
  std::atomic<bool> cancel{false};
  std::atomic<bool> timed_out{false};
  bool cancelled() const override { return cancel.load(); }
  const std::atomic<bool>& cancel_flag() const override { return cancel; }
};

namespace {

std::string default_worker_id() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(rd() % 100000);
}

}  // namespace

int64_t job_backoff_micros(int attempts, int64_t base, int64_t max) {
  int64_t delay = base;
  for (int i = 1; i < attempts && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

JobRunner::JobRunner(meta::JobStore& store, const JobRegistry& registry, JobRunnerOptions options)
    : store_(store), registry_(registry), options_(std::move(options)), kinds_(registry.kinds()) {
  if (options_.worker_id.empty()) options_.worker_id = default_worker_id();
}

JobRunner::~JobRunner() { stop(); }

void JobRunner::start() {
  if (kinds_.empty() || options_.workers == 0) return;
  for (unsigned i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { worker_loop(); });
  threads_.emplace_back([this] { watchdog_loop(); });
}

void JobRunner::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, r] : running_) r->cancel = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void JobRunner::notify() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

Result<bool> JobRunner::run_one() {
  const Micros now = now_micros();
  auto job = store_.claim(kinds_, options_.worker_id, now, now + options_.lease_micros);
  COFFER_RETURN_IF_ERROR(job);
  if (!*job) return false;
  execute(**job);
  return true;
}

void JobRunner::execute(const Job& job) {
  const Micros started = now_micros();
  if (job.attempts > options_.max_attempts) {
    // Claimed again after every earlier attempt's worker vanished (its lease expired): the job
    // may be what kills them. Give up rather than crash node after node.
    Status gave_up(Errc::kInternal, "abandoned after " + std::to_string(job.attempts - 1) +
                                        " attempts whose worker stopped before finishing");
    (void)store_.fail(job.id, options_.worker_id, gave_up.to_string(), started, true, started);
    if (options_.on_failure) options_.on_failure(job, gave_up, true);
    return;
  }
  auto running = std::make_shared<Running>();
  running->deadline = started + options_.time_limit_micros;
  running->renewed = started;
  {
    std::lock_guard lock(mu_);
    if (stopping_) running->cancel = true;
    running_[job.id] = running;
  }
  Status result;
  JobHandler* handler = registry_.find(job.kind);
  if (handler == nullptr) {
    result = Status(Errc::kInternal, "no handler for job kind " + job.kind);
  } else {
    try {
      result = handler->run(job, *running);
    } catch (const std::exception& e) {
      result = Status(Errc::kInternal, std::string("the handler threw: ") + e.what());
    } catch (...) {
      result = Status(Errc::kInternal, "the handler threw");
    }
  }
  {
    std::lock_guard lock(mu_);
    running_.erase(job.id);
  }
  if (running->timed_out) {
    result = Status(
        Errc::kUnavailable,
        "time limit of " + std::to_string(options_.time_limit_micros / 1'000'000) + " s exceeded");
  } else if (running->cancel && result.is_ok()) {
    result = Status(Errc::kUnavailable, "cancelled: the server is stopping");
  }
  const Micros now = now_micros();
  if (result.is_ok()) {
    (void)store_.complete(job.id, options_.worker_id, now);
    return;
  }
  const bool dead = job.attempts >= options_.max_attempts || is_permanent_job_failure(result);
  const Micros retry_at = now + job_backoff_micros(job.attempts, options_.backoff_base_micros,
                                                   options_.backoff_max_micros);
  (void)store_.fail(job.id, options_.worker_id, result.to_string(), retry_at, dead, now);
  if (options_.on_failure) options_.on_failure(job, result, dead);
}

void JobRunner::worker_loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    auto ran = run_one();
    if (ran.is_ok() && *ran) continue;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::microseconds(options_.poll_micros),
                 [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

void JobRunner::watchdog_loop() {
  // Time limits are checked often; leases are renewed when a third of them has passed.
  const int64_t renew_every = std::max<int64_t>(options_.lease_micros / 3, 1000);
  const auto period = std::chrono::microseconds(std::min<int64_t>(renew_every, 250'000));
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
    auto running = running_;
    lock.unlock();
    const Micros now = now_micros();
    for (auto& [id, r] : running) {
      if (now >= r->deadline) {
        // Past its time limit: stop renewing. The handler is asked to stop; if it does not,
        // the lease runs out and another worker may take the job over.
        r->timed_out = true;
        r->cancel = true;
      } else if (now - r->renewed >= renew_every) {
        if (store_.renew(id, options_.worker_id, now + options_.lease_micros).is_ok()) {
          r->renewed = now;
        } else {
          r->cancel = true;  // another worker holds the job now
        }
      }
    }
    lock.lock();
  }
}

}  // namespace coffer::service
