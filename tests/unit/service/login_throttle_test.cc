#include "service/login_throttle.h"

#include <gtest/gtest.h>

#include "sqlite_catalog_test.h"

namespace coffer::service {
namespace {

constexpr Micros kSecond = 1'000'000;

TEST(LoginThrottle, BlocksDoubleAfterTheFreeFailuresUpToTheCeiling) {
  ThrottlePolicy policy;
  meta::ThrottleState state;
  Micros now = 100 * kSecond;
  for (int i = 0; i < 5; ++i) {
    state = LoginThrottle::after_failure(state, 5, policy, now);
    EXPECT_EQ(state.blocked_until, 0) << i;
  }
  Micros expected = policy.first_block;
  for (int i = 0; i < 12; ++i) {
    state = LoginThrottle::after_failure(state, 5, policy, now);
    EXPECT_EQ(state.blocked_until - now, std::min(expected, policy.max_block)) << i;
    expected *= 2;
  }
}

TEST(LoginThrottle, AQuietKeyStartsOver) {
  ThrottlePolicy policy;
  meta::ThrottleState state;
  for (int i = 0; i < 4; ++i) state = LoginThrottle::after_failure(state, 5, policy, 0);
  state = LoginThrottle::after_failure(state, 5, policy, policy.forget_after + 1);
  EXPECT_EQ(state.failures, 1);
}

// Against the real account store (SQLite): which failures count against which sign-ins.
class LoginThrottleStoreTest : public testing::SqliteCatalogTest {
 protected:
  // Fails `username` from `ip` until blocked; returns how many failures that took.
  int fail_until_blocked(LoginThrottle& throttle, std::string_view username, std::string_view ip) {
    for (int i = 1; i <= 50; ++i) {
      EXPECT_TRUE(throttle.record_failure(username, ip, now_).is_ok());
      if (!throttle.check(username, ip, now_).is_ok()) return i;
    }
    return -1;
  }

  const Micros now_ = 1'700'000'000 * kSecond;
};

TEST_F(LoginThrottleStoreTest, AGuesserElsewhereNeverBlocksTheOwnersAddress) {
  LoginThrottle throttle(catalog_->accounts(), ThrottlePolicy{});
  EXPECT_EQ(fail_until_blocked(throttle, "Alice", "192.0.2.66"), 6);
  EXPECT_EQ(throttle.check("alice", "192.0.2.66", now_).code(), Errc::kTooManyRequests);
  EXPECT_TRUE(throttle.check("alice", "198.51.100.7", now_).is_ok());
  // The owner's success clears only the owner's count.
  EXPECT_TRUE(throttle.record_success("alice", "198.51.100.7").is_ok());
  EXPECT_EQ(throttle.check("alice", "192.0.2.66", now_).code(), Errc::kTooManyRequests);
}

TEST_F(LoginThrottleStoreTest, AnIpv6HostIsOneClientAcrossItsSlash64) {
  LoginThrottle throttle(catalog_->accounts(), ThrottlePolicy{});
  // Five failures spread over five addresses of one /64, then the sixth blocks them all.
  for (int i = 1; i <= 5; ++i) {
    const std::string ip = "2001:db8:1:2::" + std::to_string(i);
    ASSERT_TRUE(throttle.record_failure("alice", ip, now_).is_ok());
    ASSERT_TRUE(throttle.check("alice", ip, now_).is_ok()) << i;
  }
  ASSERT_TRUE(throttle.record_failure("alice", "2001:db8:1:2:ffff::9", now_).is_ok());
  EXPECT_EQ(throttle.check("alice", "2001:db8:1:2::77", now_).code(), Errc::kTooManyRequests);
  EXPECT_TRUE(throttle.check("alice", "2001:db8:1:3::1", now_).is_ok());
}

TEST_F(LoginThrottleStoreTest, OneAddressGuessingManyNamesIsBlockedForAll) {
  LoginThrottle throttle(catalog_->accounts(), ThrottlePolicy{});
  for (int i = 0; i < 21; ++i) {
    ASSERT_TRUE(throttle.record_failure("user" + std::to_string(i), "192.0.2.66", now_).is_ok());
  }
  EXPECT_EQ(throttle.check("somebody-else", "192.0.2.66", now_).code(), Errc::kTooManyRequests);
  EXPECT_TRUE(throttle.check("somebody-else", "192.0.2.67", now_).is_ok());
}

}  // namespace
}  // namespace coffer::service
