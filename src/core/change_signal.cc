#include "core/change_signal.h"

#include <utility>

namespace coffer {

uint64_t ChangeSignal::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

ChangeSignal::Ticket ChangeSignal::subscribe(uint64_t seen, std::function<void()> wake) {
  {
    std::lock_guard lock(mu_);
    const Ticket ticket = next_ticket_++;
    if (version_ == seen) {
      waiters_.emplace(ticket, std::move(wake));
      return ticket;
    }
  }
  wake();
  return 0;
}

void ChangeSignal::cancel(Ticket ticket) {
  std::lock_guard lock(mu_);
  waiters_.erase(ticket);
}

void ChangeSignal::notify() {
  std::map<Ticket, std::function<void()>> woken;
  {
    std::lock_guard lock(mu_);
    ++version_;
    woken.swap(waiters_);
  }
  for (auto& [ticket, wake] : woken) wake();
}

}  // namespace coffer
