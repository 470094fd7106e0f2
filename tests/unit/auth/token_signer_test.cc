#include "auth/token_signer.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>

#include "auth/password.h"

namespace coffer::auth {
namespace {

std::string b64url(std::string_view s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

TokenSigner signer(unsigned char fill = 1) {
  return TokenSigner("kid1", std::vector<unsigned char>(32, fill), 900);
}

TEST(TokenSigner, IssuedTokenVerifies) {
  auto s = signer();
  auto claims = s.verify(s.issue(42, 7, 1'000'000), 1'000'010);
  ASSERT_TRUE(claims.is_ok()) << claims.status().to_string();
  EXPECT_EQ(claims->user_id, 42);
  EXPECT_EQ(claims->expires_at, 1'000'900);
}

TEST(TokenSigner, RejectsExpiredAndFutureTokens) {
  auto s = signer();
  std::string token = s.issue(1, 7, 1'000'000);
  EXPECT_EQ(s.verify(token, 1'000'900).status().code(), Errc::kUnauthenticated);
  EXPECT_EQ(s.verify(token, 999'000).status().code(), Errc::kUnauthenticated);
}

TEST(TokenSigner, RejectsOtherKeysAndTampering) {
  auto s = signer(1);
  std::string token = s.issue(7, 7, 1'000'000);
  EXPECT_FALSE(signer(2).verify(token, 1'000'001).is_ok());
  size_t dot = token.find('.');
  size_t dot2 = token.find('.', dot + 1);
  std::string forged_claims =
      b64url(R"({"sub":"8","sid":7,"iat":1000000,"nbf":1000000,"exp":1000900})");
  EXPECT_FALSE(
      s.verify(token.substr(0, dot + 1) + forged_claims + token.substr(dot2), 1'000'001).is_ok());
  std::string none = b64url(R"({"alg":"none","typ":"JWT"})") + token.substr(dot, dot2 - dot) + ".";
  EXPECT_FALSE(s.verify(none, 1'000'001).is_ok());
  for (const std::string& bad :
       std::vector<std::string>{"", "a", "a.b", "a.b.c.d", "....", std::string(5000, 'a')}) {
    EXPECT_FALSE(s.verify(bad, 1'000'001).is_ok()) << bad;
  }
}

TEST(Password, HashVerifiesOnlyTheRightPassword) {
  auto hash = hash_password("correct horse");
  ASSERT_TRUE(hash.is_ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password("correct horse", *hash));
  EXPECT_FALSE(verify_password("correct horsE", *hash));
  EXPECT_FALSE(verify_password("correct horse", "not a hash"));
}

TEST(Password, GeneratedPasswordsDiffer) {
  EXPECT_EQ(generate_password(20).size(), 20u);
  EXPECT_NE(generate_password(), generate_password());
}

}  // namespace
}  // namespace coffer::auth
