#include "core/usage_history.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

constexpr Micros kDay = 86'400'000'000LL;

TEST(UsageHistoryDays, UtcDaysAndTheirNames) {
  EXPECT_EQ(day_of(0), 0);
  EXPECT_EQ(day_of(kDay - 1), 0);
  EXPECT_EQ(day_of(kDay), 1);
  EXPECT_EQ(day_of(-1), -1);  // the last microsecond of 1969-12-31
  EXPECT_EQ(day_name(0), "1970-01-01");
  EXPECT_EQ(day_name(-1), "1969-12-31");
  EXPECT_EQ(day_name(20415), "2025-11-23");
  EXPECT_EQ(day_name(11016), "2000-02-29");
}

}  // namespace
}  // namespace coffer
