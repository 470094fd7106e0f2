#include "http/stream_slots.h"

#include <algorithm>

namespace coffer::http {

unsigned StreamSlots::for_workers(unsigned workers) {
  if (workers < 2) return 1;
  return workers - std::max(1u, workers / 4);
}

bool StreamSlots::try_acquire() {
  std::lock_guard lock(mu_);
  if (free_ == 0) return false;
  --free_;
  return true;
}

void StreamSlots::enqueue(std::function<void()> grant) {
  {
    std::lock_guard lock(mu_);
    if (free_ == 0) {
      waiters_.push_back(std::move(grant));
      return;
    }
    --free_;
  }
  grant();
}

void StreamSlots::release() {
  std::function<void()> grant;
  {
    std::lock_guard lock(mu_);
    if (waiters_.empty()) {
      ++free_;
      return;
    }
    grant = std::move(waiters_.front());
    waiters_.pop_front();
  }
  grant();  // the slot passes to the waiter
}

}  // namespace coffer::http
