#include "service/auth_cache.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace coffer::service {

Micros AuthCache::monotonic_now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

AuthCache::AuthCache(size_t capacity, Micros max_age, Clock clock)
    : capacity_(capacity), max_age_(std::max<Micros>(max_age, 0)), clock_(std::move(clock)) {}

std::optional<CachedIdentity> AuthCache::find(const std::string& key) {
  if (!enabled()) return std::nullopt;
  const uint64_t current = generation();
  const Micros now = clock_();
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  Entry& entry = *it->second;
  if (entry.generation != current || now >= entry.expires) {
    auto node = it->second;
    index_.erase(it);
    lru_.erase(node);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return entry.identity;
}

void AuthCache::put(const std::string& key, CachedIdentity identity, uint64_t generation,
                    Micros lifetime) {
  if (!enabled() || lifetime <= 0) return;
  // Made from reads that a revocation may already have overtaken: not worth keeping.
  if (generation != this->generation()) return;
  const Micros expires = clock_() + std::min(max_age_, lifetime);
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    auto node = it->second;
    index_.erase(it);
    lru_.erase(node);
  }
  lru_.push_front(Entry{key, std::move(identity), generation, expires});
  index_.emplace(lru_.front().key, lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

size_t AuthCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace coffer::service
