#pragma once
// The threads that run handlers. Handlers block (database, fsync, reading a slow client's
// body); a handler that reads a request body always runs here, because its reads are served
// on the connection's strand (see ServerOptions::inline_bodyless_handlers for the others).
// One that may wait for its client holds a StreamSlots slot, so such handlers never occupy
// every thread.
//
// Why not asio::thread_pool: it wakes an arbitrary sleeping thread per job, so with many
// more threads than cores every thread stays cold (caches, malloc arenas). This pool wakes the
// thread that went idle last; the others stay asleep until concurrency needs them. (A longer
// busy spin before sleeping was tried and cost more CPU than the wake-ups it saved on 2 cores.
// The short sched_yield loop that libstdc++'s std::binary_semaphore runs before it sleeps is
// kept on purpose: perf counts it as ~4 % of the CPU at 4 KiB GETs c64, but a wake-up that
// sleeps at once — a mutex and condition variable — measured 16.1–22.5k GETs/s against
// 30.0–31.1k with the semaphore, A/B alternating on one data directory, 2026-12-07: in this
// paravirtualised guest a futex sleep and wake costs more than the yields.)

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace coffer::http {

class WorkerPool {
 public:
  // A queued piece of work; move-only callables (completion handlers) fit, unlike in
  // std::function.
  class Job {
   public:
    virtual ~Job() = default;
    virtual void run() noexcept = 0;
  };

  explicit WorkerPool(unsigned threads);
  // Runs the jobs already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Thread-safe. `fn` must not throw.
  template <typename Fn>
  void post(Fn fn) {
    struct Holder final : Job {
      explicit Holder(Fn f) : fn(std::move(f)) {}
      void run() noexcept override { fn(); }
      Fn fn;
    };
    enqueue(std::make_unique<Holder>(std::move(fn)));
  }
  // Waits for the queued jobs to finish and joins the threads. Idempotent; no post() after.
  void join();

 private:
  struct Worker {
    std::binary_semaphore wake{0};
    std::thread thread;
  };

  void enqueue(std::unique_ptr<Job> job);
  void run(Worker& self);

  std::mutex mu_;
  std::deque<std::unique_ptr<Job>> queue_;
  std::vector<Worker*> idle_;  // a stack: the back went idle last
  bool stopping_ = false;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace coffer::http
