#include "core/retention.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

constexpr Micros kNow = 1'700'000'000 * kMicrosPerSecond;
constexpr Micros kDay = 86'400 * kMicrosPerSecond;

TEST(RetentionRule, AFirstDateMustLieInTheFutureWithinTheLimit) {
  EXPECT_TRUE(check_retention_change(std::nullopt, kNow + kDay, kNow).is_ok());
  EXPECT_EQ(check_retention_change(std::nullopt, kNow, kNow).code(), Errc::kInvalidArgument);
  EXPECT_EQ(check_retention_change(std::nullopt, kNow - kDay, kNow).code(), Errc::kInvalidArgument);
  EXPECT_EQ(
      check_retention_change(std::nullopt, kNow + (kMaxRetentionDays + 1) * kDay, kNow).code(),
      Errc::kInvalidArgument);
}

TEST(RetentionRule, AnActiveDateIsExtendedNeverShortened) {
  const Micros until = kNow + 10 * kDay;
  EXPECT_TRUE(check_retention_change(until, until + kDay, kNow).is_ok());
  EXPECT_TRUE(check_retention_change(until, until, kNow).is_ok());
  Status shorter = check_retention_change(until, until - kDay, kNow);
  EXPECT_EQ(shorter.code(), Errc::kRetentionActive);
  EXPECT_NE(shorter.message().find("never shortened"), std::string::npos);
}

TEST(RetentionRule, AnExpiredRuleIsReplacedFreely) {
  const Micros expired = kNow - kDay;
  EXPECT_TRUE(check_retention_change(expired, kNow + kDay, kNow).is_ok());
  EXPECT_TRUE(check_retention_removal(expired, kNow).is_ok());
}

TEST(RetentionRule, AnActiveRuleIsNotRemoved) {
  EXPECT_EQ(check_retention_removal(kNow + 1, kNow).code(), Errc::kRetentionActive);
  // The rule stops locking at its date exactly.
  EXPECT_FALSE(retention_active(kNow, kNow));
  EXPECT_TRUE(retention_active(kNow + 1, kNow));
}

TEST(RetentionRule, RefusalsCarryTheirStableCodesAndTheDate) {
  Status retained = retention_refusal(kNow);
  EXPECT_EQ(errc_name(retained.code()), "RETENTION_ACTIVE");
  EXPECT_NE(retained.message().find("2023-11-14T22:13:20Z"), std::string::npos);
  EXPECT_EQ(errc_name(legal_hold_refusal().code()), "LEGAL_HOLD");
}

}  // namespace
}  // namespace coffer
