#include "http/worker_pool.h"

#include <algorithm>

namespace coffer::http {

WorkerPool::WorkerPool(unsigned threads) {
  threads = std::max(1u, threads);
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>();
    Worker* w = worker.get();
    workers_.push_back(std::move(worker));
    w->thread = std::thread([this, w] { run(*w); });
  }
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::enqueue(std::unique_ptr<Job> job) {
  Worker* wake = nullptr;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
    if (!idle_.empty()) {
      wake = idle_.back();
      idle_.pop_back();
    }
  }
  if (wake) wake->wake.release();
}

void WorkerPool::join() {
  std::vector<Worker*> sleeping;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    sleeping.swap(idle_);
  }
  for (Worker* w : sleeping) w->wake.release();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

void WorkerPool::run(Worker& self) {
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::lock_guard lock(mu_);
      if (!queue_.empty()) {
        job = std::move(queue_.front());
        queue_.pop_front();
      } else if (stopping_) {
        return;
      } else {
        // A worker is in idle_ exactly while it waits below; whoever pops it releases it.
        idle_.push_back(&self);
      }
    }
    if (job) {
      job->run();
    } else {
      self.wake.acquire();
    }
  }
}

}  // namespace coffer::http
