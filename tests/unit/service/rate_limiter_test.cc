#include "service/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace coffer::service {
namespace {

constexpr Micros kSecond = 1'000'000;

// A clock the test moves by hand.
struct FakeClock {
  Micros now = 1000 * kSecond;
  RateLimiter::Clock clock() {
    return [this] { return now; };
  }
};

TEST(RateLimiter, AllowsTheBurstThenAsksToWait) {
  FakeClock t;
  RateLimiter limiter(RateLimit{2, 5}, 1000, t.clock());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.acquire("alice"), 0) << i;
  EXPECT_EQ(limiter.acquire("alice"), 1);  // one token comes back after half a second
}

TEST(RateLimiter, RetryAfterIsTheWholeSecondsUntilTheNextToken) {
  FakeClock t;
  RateLimiter limiter(RateLimit{0.25, 1}, 1000, t.clock());
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 4);
  t.now += 3 * kSecond + kSecond / 2;
  EXPECT_EQ(limiter.acquire("k"), 1);
  t.now += kSecond / 2;
  EXPECT_EQ(limiter.acquire("k"), 0);
}

TEST(RateLimiter, ATinyRateGivesABoundedRetryAfter) {
  FakeClock t;
  RateLimiter limiter(RateLimit{1e-300, 1}, 1000, t.clock());
  ASSERT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 86400 * 365);
}

TEST(RateLimiter, RefillsAtTheRateUpToTheBurst) {
  FakeClock t;
  RateLimiter limiter(RateLimit{10, 3}, 1000, t.clock());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limiter.acquire("k"), 0);
  ASSERT_GT(limiter.acquire("k"), 0);
  t.now += kSecond / 10;  // exactly one token
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_GT(limiter.acquire("k"), 0);
  t.now += 3600 * kSecond;  // a long quiet spell refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.acquire("k"), 0) << i;
  EXPECT_GT(limiter.acquire("k"), 0);
}

TEST(RateLimiter, KeysHaveSeparateBuckets) {
  FakeClock t;
  RateLimiter limiter(RateLimit{1, 2}, 1000, t.clock());
  EXPECT_EQ(limiter.acquire("user:1"), 0);
  EXPECT_EQ(limiter.acquire("user:1"), 0);
  EXPECT_GT(limiter.acquire("user:1"), 0);
  EXPECT_EQ(limiter.acquire("user:2"), 0);
  EXPECT_EQ(limiter.acquire("user:2"), 0);
}

TEST(RateLimiter, DisabledLimitAllowsEverything) {
  FakeClock t;
  RateLimiter off(RateLimit{0, 100}, 1000, t.clock());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(off.acquire("k"), 0);
  EXPECT_EQ(off.size(), 0u);
  RateLimiter no_burst(RateLimit{5, 0}, 1000, t.clock());
  EXPECT_FALSE(no_burst.limit().enabled());
  EXPECT_EQ(no_burst.acquire("k"), 0);
}

TEST(RateLimiter, AClockSteppingBackwardsDoesNotDrainOrRefill) {
  FakeClock t;
  RateLimiter limiter(RateLimit{1, 2}, 1000, t.clock());
  ASSERT_EQ(limiter.acquire("k"), 0);
  ASSERT_EQ(limiter.acquire("k"), 0);
  t.now -= 60 * kSecond;
  EXPECT_GT(limiter.acquire("k"), 0);
  t.now += 60 * kSecond + kSecond;
  EXPECT_EQ(limiter.acquire("k"), 0);
}

TEST(RateLimiter, AFloodOfDistinctKeysStaysWithinTheBound) {
  FakeClock t;
  RateLimiter limiter(RateLimit{0.001, 1}, 256, t.clock());  // buckets take ages to refill
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(limiter.acquire("ip:" + std::to_string(i)), 0);
  EXPECT_LE(limiter.size(), 256u);
}

TEST(RateLimiter, IdleBucketsAreDroppedOnceRefilled) {
  FakeClock t;
  RateLimiter limiter(RateLimit{100, 10}, 100000, t.clock());
  for (int i = 0; i < 1000; ++i) limiter.acquire("ip:" + std::to_string(i));
  EXPECT_EQ(limiter.size(), 1000u);
  t.now += kSecond;  // every bucket is full again
  for (int i = 0; i < 16 * 4; ++i) limiter.acquire("new:" + std::to_string(i));
  EXPECT_LE(limiter.size(), 16u * 4);
}

TEST(RateLimiter, ConcurrentCallersNeverSpendMoreThanTheBurst) {
  FakeClock t;  // time stands still: exactly `burst` requests may pass, whatever the threads
  RateLimiter limiter(RateLimit{1, 1000}, 1000, t.clock());
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 500; ++j) {
        if (limiter.acquire("shared") == 0) allowed.fetch_add(1);
        limiter.acquire("own:" + std::to_string(j));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1000);
}

}  // namespace
}  // namespace coffer::service
