#include "service/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace coffer::service {

Micros RateLimiter::monotonic_now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

RateLimiter::RateLimiter(RateLimit limit, size_t max_keys, Clock clock)
    : limit_(limit),
      max_keys_per_shard_(std::max<size_t>(1, (max_keys + kShards - 1) / kShards)),
      clock_(std::move(clock)) {}

double RateLimiter::refilled(const Bucket& bucket, Micros now) const {
  // A clock that steps backwards must not drain a bucket.
  const Micros elapsed = std::max<Micros>(0, now - bucket.updated);
  return std::min(limit_.burst,
                  bucket.tokens + static_cast<double>(elapsed) / 1e6 * limit_.rate_per_second);
}

void RateLimiter::drop_full_buckets(Shard& shard, Micros now) const {
  while (!shard.lru.empty() && refilled(shard.lru.back(), now) >= limit_.burst) {
    shard.index.erase(shard.lru.back().key);
    shard.lru.pop_back();
  }
}

int64_t RateLimiter::acquire(std::string_view key) {
  if (!limit_.enabled()) return 0;
  const Micros now = clock_();
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);

  auto found = shard.index.find(key);
  if (found != shard.index.end()) {
    shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
  } else {
    drop_full_buckets(shard, now);
    if (shard.lru.size() >= max_keys_per_shard_) {
      shard.index.erase(shard.lru.back().key);
      shard.lru.pop_back();
    }
    shard.lru.push_front(Bucket{std::string(key), limit_.burst, now});
    shard.index.emplace(shard.lru.front().key, shard.lru.begin());
  }

  Bucket& bucket = shard.lru.front();
  bucket.tokens = refilled(bucket, now);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  // Bounded so that a tiny configured rate cannot overflow the conversion.
  constexpr double kMaxWaitSeconds = 86400.0 * 365;
  const double wait_seconds =
      std::min(kMaxWaitSeconds, (1 - bucket.tokens) / limit_.rate_per_second);
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_seconds)));
}

size_t RateLimiter::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.lru.size();
  }
  return total;
}

}  // namespace coffer::service
