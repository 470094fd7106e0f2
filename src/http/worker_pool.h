#pragma once
// The threads that run handlers. Handlers block (database, fsync, reading a slow client's
// body), so they never run on an I/O thread.
//
// Why not asio::thread_pool: with many more threads than cores, every job woke a sleeping
// thread and every thread went back to sleep after its job — about two context switches per
// request, which cost more CPU than the request itself. This pool wakes the most recently
// idle thread (warm caches, the rest stay asleep), and lets one idle thread spin briefly for
// the next job before it sleeps, so under load a job is usually picked up with no wake-up.
// A thread that takes a job while more are queued wakes another first, so jobs that block
// still run in parallel on up to `threads` threads.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace coffer::http {

class WorkerPool {
 public:
  using Job = std::function<void()>;

  explicit WorkerPool(unsigned threads);
  // Runs the jobs already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Thread-safe. `job` must not throw.
  void post(Job job);
  // Waits for the queued jobs to finish and joins the threads. Idempotent; no post() after.
  void join();

 private:
  struct Worker {
    std::binary_semaphore wake{0};
    std::thread thread;
  };

  void run(Worker& self);
  // REQUIRES: mu_ held. Pops the most recently idle worker if a job needs one.
  Worker* take_idle_locked();

  std::mutex mu_;
  std::deque<Job> queue_;
  std::vector<Worker*> idle_;  // a stack: the back went idle last
  bool stopping_ = false;
  std::atomic<size_t> queued_{0};    // queue_.size(), readable without mu_ by the spinner
  std::atomic<unsigned> spinning_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace coffer::http
