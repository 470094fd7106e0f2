#include "http/connection_set.h"

#include <utility>

namespace coffer::http {

ConnectionSet::Id ConnectionSet::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mu_);
  Id id = next_id_++;
  live_.emplace(id, connection);
  return id;
}

void ConnectionSet::remove(Id id) {
  std::function<void()> on_empty;
  {
    std::lock_guard lock(mu_);
    live_.erase(id);
    if (live_.empty()) on_empty = std::exchange(on_empty_, nullptr);
  }
  if (on_empty) on_empty();
}

size_t ConnectionSet::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

std::vector<std::shared_ptr<Connection>> ConnectionSet::snapshot() const {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard lock(mu_);
  out.reserve(live_.size());
  for (const auto& [id, weak] : live_) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

void ConnectionSet::when_empty(std::function<void()> on_empty) {
  {
    std::lock_guard lock(mu_);
    if (!live_.empty()) {
      on_empty_ = std::move(on_empty);
      return;
    }
  }
  on_empty();
}

}  // namespace coffer::http
