#pragma once
// Token buckets keyed by a string (a user id, a client address): each key may spend `burst`
// requests at once and regains `rate_per_second` of them every second. The state lives in this
// process only, so behind a load balancer each node enforces its own buckets.
//
// Memory is bounded: at most `max_keys` buckets exist. A bucket that has refilled completely
// carries no information and is dropped as soon as it is noticed; when the table is full of
// busy buckets, the least recently used one is forgotten (that key starts again with a full
// bucket). A flood of distinct keys therefore costs a fixed amount of memory and O(1) work per
// request.
//
// Thread-safe: the table is split into shards, each behind its own mutex.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/model.h"

namespace coffer::service {

struct RateLimit {
  double rate_per_second = 0;  // tokens regained per second; 0 disables the limit
  double burst = 0;            // bucket size: requests allowed at once after a quiet spell
  bool enabled() const { return rate_per_second > 0 && burst >= 1; }
};

class RateLimiter {
 public:
  // A monotonic time in microseconds; tests inject their own.
  using Clock = std::function<Micros()>;
  static Micros monotonic_now();

  static constexpr size_t kDefaultMaxKeys = 65536;

  explicit RateLimiter(RateLimit limit, size_t max_keys = kDefaultMaxKeys,
                       Clock clock = &RateLimiter::monotonic_now);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Spends one token of `key`'s bucket. Returns 0 when the request may proceed, otherwise the
  // whole number of seconds (at least 1) after which one token will be available again. Always
  // 0 when the limit is disabled.
  int64_t acquire(std::string_view key);

  const RateLimit& limit() const { return limit_; }
  // How many buckets exist now (for tests and metrics).
  size_t size() const;

 private:
  struct Bucket {
    std::string key;
    double tokens = 0;
    Micros updated = 0;
  };
  // Most recently used first; `index` points into `lru` (list nodes never move, so the
  // string_view keys stay valid).
  struct Shard {
    mutable std::mutex mu;
    std::list<Bucket> lru;                                                    // GUARDED_BY(mu)
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> index;  // GUARDED_BY(mu)
  };
  static constexpr size_t kShards = 16;

  // The bucket's tokens at `now`, never more than the burst.
  double refilled(const Bucket& bucket, Micros now) const;
  // REQUIRES: shard.mu is held. Drops buckets at the cold end that have refilled completely.
  void drop_full_buckets(Shard& shard, Micros now) const;

  const RateLimit limit_;
  const size_t max_keys_per_shard_;
  const Clock clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace coffer::service
