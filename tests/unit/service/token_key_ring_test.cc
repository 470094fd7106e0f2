// The generations of the access-token signing key as nodes sharing one database see them:
// scheduled and commanded rotation, retired keys accepted exactly as long as their tokens can
// live, a rotation on one node seen at once by another, and racing rotations making one new
// generation.

#include "service/token_key_ring.h"

#include <gtest/gtest.h>

#include "sqlite_catalog_test.h"

namespace coffer::service {
namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kDay = 86400 * kSecond;

class TokenKeyRingTest : public testing::SqliteCatalogTest {
 protected:
  TokenKeyRing ring(Micros rotation = 30 * kDay) {
    return TokenKeyRing(catalog_->accounts(),
                        TokenKeyRingOptions{rotation, 900 * kSecond, 30 * kSecond});
  }

  const Micros t0_ = 1'700'000'000 * kSecond;
};

TEST_F(TokenKeyRingTest, RotatesOnScheduleAndAcceptsTheOldKeyWhileItsTokensLive) {
  TokenKeyRing keys = ring();
  EXPECT_EQ(*keys.signing_generation(t0_), 1);
  EXPECT_EQ(*keys.signing_generation(t0_ + 30 * kDay - kSecond), 1);
  const Micros rotated = t0_ + 30 * kDay;
  EXPECT_EQ(*keys.signing_generation(rotated), 2);
  EXPECT_EQ(*keys.accepted(rotated), (std::vector<int64_t>{1, 2}));
  // Token lifetime (900 s) + reload interval (30 s) + clock skew (60 s).
  EXPECT_TRUE(keys.accepts(1, rotated + 990 * kSecond - 1));
  EXPECT_FALSE(keys.accepts(1, rotated + 990 * kSecond));
  EXPECT_EQ(*keys.accepted(rotated + 990 * kSecond), (std::vector<int64_t>{2}));
  EXPECT_FALSE(keys.accepts(0, rotated));
  EXPECT_FALSE(keys.accepts(7, rotated));
}

TEST_F(TokenKeyRingTest, NoScheduleRotatesOnlyOnCommand) {
  TokenKeyRing keys = ring(0);
  EXPECT_EQ(*keys.signing_generation(t0_), 1);
  EXPECT_EQ(*keys.signing_generation(t0_ + 3650 * kDay), 1);
  EXPECT_EQ(*keys.rotate(t0_ + 3650 * kDay), 2);
  EXPECT_EQ(*keys.signing_generation(t0_ + 3650 * kDay), 2);
}

TEST_F(TokenKeyRingTest, AnotherNodesRotationIsAcceptedAtOnce) {
  TokenKeyRing a = ring();
  TokenKeyRing b = ring();
  EXPECT_EQ(*a.signing_generation(t0_), 1);
  EXPECT_EQ(*b.signing_generation(t0_), 1);
  EXPECT_EQ(*a.rotate(t0_ + kSecond), 2);
  // b has not reloaded, but a token of generation 2 makes it look.
  EXPECT_TRUE(b.accepts(2, t0_ + 2 * kSecond));
  EXPECT_EQ(*b.signing_generation(t0_ + 2 * kSecond), 2);
  // An unknown generation does not make it look again within the second.
  EXPECT_FALSE(b.accepts(3, t0_ + 2 * kSecond + 1));
}

TEST_F(TokenKeyRingTest, RotationsRacingFromOneGenerationMakeOneNew) {
  TokenKeyRing a = ring();
  TokenKeyRing b = ring();
  EXPECT_EQ(*a.signing_generation(t0_), 1);
  EXPECT_EQ(*b.signing_generation(t0_), 1);
  // Both see the key due in the same instant; the second finds it rotated already.
  EXPECT_EQ(*a.signing_generation(t0_ + 30 * kDay), 2);
  EXPECT_EQ(*b.signing_generation(t0_ + 30 * kDay), 2);
  auto generations = catalog_->accounts().token_key_generations(t0_ + 30 * kDay);
  ASSERT_TRUE(generations.is_ok());
  ASSERT_EQ(generations->size(), 2u);
  EXPECT_EQ((*generations)[0].retired, t0_ + 30 * kDay);
  EXPECT_FALSE((*generations)[1].retired);
}

}  // namespace
}  // namespace coffer::service
