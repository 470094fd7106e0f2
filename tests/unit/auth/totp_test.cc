#include "auth/totp.h"

#include <gtest/gtest.h>

namespace coffer::auth {
namespace {

std::vector<unsigned char> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// RFC 6238 Appendix B, SHA-1 rows (8 digits, the 20-byte ASCII secret "1234567890..." ).
TEST(Totp, Rfc6238TestVectors) {
  const auto secret = bytes("12345678901234567890");
  struct Row {
    int64_t time;
    const char* code;
  };
  for (const Row& row :
       {Row{59, "94287082"}, Row{1111111109, "07081804"}, Row{1111111111, "14050471"},
        Row{1234567890, "89005924"}, Row{2000000000, "69279037"}, Row{20000000000, "65353130"}}) {
    EXPECT_EQ(hotp(secret, static_cast<uint64_t>(row.time / 30), 8), row.code) << row.time;
  }
}

// RFC 4226 Appendix D: HOTP values for counters 0..9.
TEST(Totp, Rfc4226HotpVectors) {
  const auto secret = bytes("12345678901234567890");
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(hotp(secret, i), expected[i]) << i;
}

TEST(Totp, AcceptsOneStepEitherSideAndNeverTheSameStepTwice) {
  const auto secret = bytes("12345678901234567890");
  const int64_t now = 1111111111;
  const int64_t step = now / 30;
  EXPECT_EQ(totp_match(secret, hotp(secret, step), now, 0), step);
  EXPECT_EQ(totp_match(secret, hotp(secret, step - 1), now, 0), step - 1);
  EXPECT_EQ(totp_match(secret, hotp(secret, step + 1), now, 0), step + 1);
  EXPECT_EQ(totp_match(secret, hotp(secret, step - 2), now, 0), std::nullopt);
  EXPECT_EQ(totp_match(secret, hotp(secret, step + 2), now, 0), std::nullopt);
  EXPECT_EQ(totp_match(secret, hotp(secret, step), now, step), std::nullopt);  // replay
  EXPECT_EQ(totp_match(secret, "12345", now, 0), std::nullopt);
  EXPECT_EQ(totp_match(secret, "", now, 0), std::nullopt);
}

TEST(Totp, Base32RoundTripsAndMatchesRfc4648) {
  EXPECT_EQ(base32_encode(bytes("foobar")), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode(bytes("f")), "MY");
  EXPECT_EQ(base32_decode("mzxw6ytboi======"), bytes("foobar"));
  EXPECT_EQ(base32_decode("MZXW 6YTB OI"), bytes("foobar"));
  EXPECT_EQ(base32_decode("MZ1W"), std::nullopt);
}

TEST(Totp, OtpauthUriNamesIssuerAndAccount) {
  EXPECT_EQ(otpauth_uri("Coffer", "alice smith", bytes("foobar")),
            "otpauth://totp/Coffer:alice%20smith?secret=MZXW6YTBOI&issuer=Coffer"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace coffer::auth
