#include "service/login_throttle.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace coffer::service
