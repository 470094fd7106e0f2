#pragma once
// Tells waiters that something changed, without any of them holding a thread meanwhile: a long
// poll (GET /api/v1/changes?wait=) subscribes and is woken by the next notify().
//
// Waking is edge-triggered but never lost: a waiter reads version() before it looks for
// changes, and subscribe() with that version calls it back at once if a notify() came in
// between.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace coffer {

class ChangeSignal {
 public:
  using Ticket = uint64_t;

  ChangeSignal() = default;
  ChangeSignal(const ChangeSignal&) = delete;
  ChangeSignal& operator=(const ChangeSignal&) = delete;

  // Thread-safe. How many times notify() has run.
  uint64_t version() const;

  // Thread-safe. Calls `wake` once: at the first notify() after version `seen` (at once, on
  // this thread, if there was one already). `wake` runs on the notifying thread with no lock
  // held; it must be quick (post to an executor). Returns a ticket for cancel().
  Ticket subscribe(uint64_t seen, std::function<void()> wake);

  // Thread-safe. Forgets a subscription that has not fired (nothing if it has).
  void cancel(Ticket ticket);

  // Thread-safe. Wakes every subscriber.
  void notify();

 private:
  mutable std::mutex mu_;
  uint64_t version_ = 0;                             // GUARDED_BY(mu_)
  Ticket next_ticket_ = 1;                           // GUARDED_BY(mu_)
  std::map<Ticket, std::function<void()>> waiters_;  // GUARDED_BY(mu_)
};

}  // namespace coffer
