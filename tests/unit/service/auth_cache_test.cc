#include "service/auth_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace coffer::service {
namespace {

constexpr Micros kSecond = 1'000'000;

struct FakeClock {
  Micros now = 1000 * kSecond;
  AuthCache::Clock clock() {
    return [this] { return now; };
  }
};

CachedIdentity alice() {
  return CachedIdentity{Principal{7, Role::kUser, kScopeFilesRead, 42, 0}, "alice"};
}

TEST(AuthCache, ServesWhatWasPutUnderTheCurrentGeneration) {
  FakeClock t;
  AuthCache cache(16, 2 * kSecond, t.clock());
  EXPECT_FALSE(cache.find("s:42"));
  cache.put("s:42", alice(), cache.generation());
  auto hit = cache.find("s:42");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->principal.user_id, 7);
  EXPECT_EQ(hit->principal.session_id, 42);
  EXPECT_EQ(hit->username, "alice");
  EXPECT_FALSE(cache.find("s:43"));
}

TEST(AuthCache, ARevocationMakesEveryEntryUnusableAtOnce) {
  FakeClock t;
  AuthCache cache(16, 2 * kSecond, t.clock());
  cache.put("s:42", alice(), cache.generation());
  cache.put("t:abc", alice(), cache.generation());
  cache.invalidate_all();
  EXPECT_FALSE(cache.find("s:42"));
  EXPECT_FALSE(cache.find("t:abc"));
  EXPECT_EQ(cache.size(), 0u);  // dropped as they were noticed
}

TEST(AuthCache, AnEntryReadBeforeARevocationIsNeverServed) {
  // A request reads the generation, then the database; a sign-out commits and invalidates in
  // between; what the request read is stale and must not be kept.
  FakeClock t;
  AuthCache cache(16, 2 * kSecond, t.clock());
  const uint64_t before = cache.generation();
  cache.invalidate_all();
  cache.put("s:42", alice(), before);
  EXPECT_FALSE(cache.find("s:42"));
}

TEST(AuthCache, EntriesExpireAfterTheMaxAge) {
  FakeClock t;
  AuthCache cache(16, 2 * kSecond, t.clock());
  cache.put("s:42", alice(), cache.generation());
  t.now += 2 * kSecond - 1;
  EXPECT_TRUE(cache.find("s:42"));
  t.now += 1;
  EXPECT_FALSE(cache.find("s:42"));
}

TEST(AuthCache, AShorterLifetimeWins) {
  // An API token that expires in half a second is not remembered for two.
  FakeClock t;
  AuthCache cache(16, 2 * kSecond, t.clock());
  cache.put("t:abc", alice(), cache.generation(), kSecond / 2);
  t.now += kSecond / 2;
  EXPECT_FALSE(cache.find("t:abc"));
  cache.put("t:old", alice(), cache.generation(), 0);  // already expired
  EXPECT_FALSE(cache.find("t:old"));
}

TEST(AuthCache, HoldsAtMostItsCapacityForgettingTheLeastRecentlyUsed) {
  FakeClock t;
  AuthCache cache(3, 2 * kSecond, t.clock());
  const uint64_t g = cache.generation();
  cache.put("a", alice(), g);
  cache.put("b", alice(), g);
  cache.put("c", alice(), g);
  EXPECT_TRUE(cache.find("a"));  // "b" is now the least recently used
  cache.put("d", alice(), g);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.find("a"));
  EXPECT_FALSE(cache.find("b"));
  EXPECT_TRUE(cache.find("c"));
  EXPECT_TRUE(cache.find("d"));
}

TEST(AuthCache, PuttingAKeyAgainReplacesIt) {
  FakeClock t;
  AuthCache cache(3, 2 * kSecond, t.clock());
  cache.put("s:42", alice(), cache.generation());
  CachedIdentity demoted = alice();
  demoted.principal.scopes = 0;
  cache.put("s:42", demoted, cache.generation());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find("s:42")->principal.scopes, 0u);
}

TEST(AuthCache, AZeroMaxAgeKeepsNothing) {
  FakeClock t;
  AuthCache cache(16, 0, t.clock());
  EXPECT_FALSE(cache.enabled());
  cache.put("s:42", alice(), cache.generation());
  EXPECT_FALSE(cache.find("s:42"));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AuthCache, ConcurrentUseStaysWithinCapacity) {
  AuthCache cache(64, 60 * kSecond);
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&cache, n] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "t:" + std::to_string((i * 7 + n) % 200);
        cache.put(key, alice(), cache.generation());
        (void)cache.find(key);
        if (i % 500 == 0) cache.invalidate_all();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(cache.size(), 64u);
}

}  // namespace
}  // namespace coffer::service
