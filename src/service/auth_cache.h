#pragma once
// Positive authentication results kept in memory for a short while, so that a request whose
// credential was checked a moment ago needs no database read to be let in again.
//
// Keys never hold a secret: callers key a session by its id ("s:<id>"), an API token by its
// SHA-256 ("t:<hex>") and an S3 access key by its access key id ("k:<id>", S3Keys). Only
// successes are kept; a failure is always decided afresh.
//
// Revocation on this node is immediate: every write that revokes or changes a credential or
// an account (sign-out, session revoke, refresh-token reuse, password change or reset, API token
// revoke, user status or role change, second-factor changes, settings) calls `invalidate_all`,
// which bumps a generation counter; an entry made under an older generation is never used.
// Callers read `generation()` *before* the database reads an entry is built from and hand it to
// `put`, so a revocation that lands while they read leaves a stale entry that is never served.
// Another node's revocation is seen here once the entry is older than `max_age` (the entry
// expires; the next request reads the database).
//
// Memory is bounded: at most `capacity` entries, the least recently used forgotten first.
// Thread-safe.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/account.h"
#include "core/model.h"

namespace coffer::service {

// What a successful check established about the caller.
struct CachedIdentity {
  Principal principal;
  std::string username;  // for HTTP Basic, whose user name must match the credential's owner
  std::string secret;    // an S3 access key's secret, which its signature check needs; else ""
};

class AuthCache {
 public:
  // A monotonic time in microseconds; tests inject their own.
  using Clock = std::function<Micros()>;
  static Micros monotonic_now();

  static constexpr size_t kDefaultCapacity = 4096;

  // max_age 0 (or capacity 0) turns the cache off: nothing is kept.
  AuthCache(size_t capacity, Micros max_age, Clock clock = &AuthCache::monotonic_now);
  AuthCache(const AuthCache&) = delete;
  AuthCache& operator=(const AuthCache&) = delete;

  // The current generation; read it before reading what an entry will be made of.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Every entry made so far becomes unusable. Call after the write that revokes has committed.
  void invalidate_all() { generation_.fetch_add(1, std::memory_order_acq_rel); }

  // The entry under `key` if it was made under the current generation and is younger than
  // max_age (and than the lifetime given to put).
  std::optional<CachedIdentity> find(const std::string& key);
  // Keeps `identity` under `key`, made under `generation`, for at most min(max_age, lifetime).
  void put(const std::string& key, CachedIdentity identity, uint64_t generation,
           Micros lifetime = std::numeric_limits<Micros>::max());

  bool enabled() const { return capacity_ > 0 && max_age_ > 0; }
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    CachedIdentity identity;
    uint64_t generation = 0;
    Micros expires = 0;  // on clock_
  };

  const size_t capacity_;
  const Micros max_age_;
  const Clock clock_;
  std::atomic<uint64_t> generation_{1};
  mutable std::mutex mu_;
  std::list<Entry> lru_;                                                    // GUARDED_BY(mu_)
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // GUARDED_BY(mu_)
};

}  // namespace coffer::service
