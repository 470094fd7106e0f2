#include "auth/token_signer.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json.hpp>
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
  return TokenSigner(std::vector<unsigned char>(32, fill), 900);
}

const auto kAnyGeneration = [](int64_t) { return true; };

TEST(TokenSigner, IssuedTokenVerifies) {
  auto s = signer();
  const std::string token = s.issue(42, 7, 1'000'000, 3);
  auto claims = s.verify(token, 1'000'010, kAnyGeneration);
  ASSERT_TRUE(claims.is_ok()) << claims.status().to_string();
  EXPECT_EQ(claims->user_id, 42);
  EXPECT_EQ(claims->session_id, 7);
  EXPECT_EQ(claims->expires_at, 1'000'900);
  EXPECT_EQ(claims->generation, 3);
  // The header says EdDSA and names the key by its generation and fingerprint.
  std::string header;
  header.resize(100);
  size_t len = 0;
  ASSERT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(header.data()), header.size(),
                              token.data(), token.find('.'), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            0);
  header.resize(len);
  EXPECT_EQ(header, R"({"alg":"EdDSA","typ":"JWT","kid":")" + s.key_id(3) + R"("})");
  EXPECT_TRUE(s.key_id(3).starts_with("3."));
  // Remembered, it still answers the same.
  auto again = s.verify(token, 1'000'020, kAnyGeneration);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->user_id, 42);
}

TEST(TokenSigner, RejectsExpiredAndFutureTokens) {
  auto s = signer();
  std::string token = s.issue(1, 7, 1'000'000, 1);
  EXPECT_EQ(s.verify(token, 999'000, kAnyGeneration).status().code(), Errc::kUnauthenticated);
  ASSERT_TRUE(s.verify(token, 1'000'001, kAnyGeneration).is_ok());
  // Remembered as verified, and still refused once expired.
  EXPECT_EQ(s.verify(token, 1'000'900, kAnyGeneration).status().code(), Errc::kUnauthenticated);
}

TEST(TokenSigner, RejectsRetiredGenerationsEvenWhenRemembered) {
  auto s = signer();
  const std::string token = s.issue(1, 7, 1'000'000, 2);
  ASSERT_TRUE(s.verify(token, 1'000'001, kAnyGeneration).is_ok());
  const auto only_three = [](int64_t g) { return g == 3; };
  EXPECT_EQ(s.verify(token, 1'000'002, only_three).status().code(), Errc::kUnauthenticated);
  EXPECT_FALSE(signer().verify(token, 1'000'002, only_three).is_ok());
}

TEST(TokenSigner, RejectsOtherKeysAndTampering) {
  auto s = signer(1);
  std::string token = s.issue(7, 7, 1'000'000, 1);
  // Another master key derives other keys (and another fingerprint).
  EXPECT_FALSE(signer(2).verify(token, 1'000'001, kAnyGeneration).is_ok());
  size_t dot = token.find('.');
  size_t dot2 = token.find('.', dot + 1);
  std::string forged_claims =
      b64url(R"({"sub":"8","sid":7,"iat":1000000,"nbf":1000000,"exp":1000900})");
  EXPECT_FALSE(s.verify(token.substr(0, dot + 1) + forged_claims + token.substr(dot2), 1'000'001,
                        kAnyGeneration)
                   .is_ok());
  // The same signature under another generation's kid.
  std::string other_kid = b64url(R"({"alg":"EdDSA","typ":"JWT","kid":")" + s.key_id(2) + "\"}");
  EXPECT_FALSE(s.verify(other_kid + token.substr(dot), 1'000'001, kAnyGeneration).is_ok());
  std::string none = b64url(R"({"alg":"none","typ":"JWT"})") + token.substr(dot, dot2 - dot) + ".";
  EXPECT_FALSE(s.verify(none, 1'000'001, kAnyGeneration).is_ok());
  // HS256 with the public key as its secret (the algorithm confusion attack).
  std::string hs_header = b64url(R"({"alg":"HS256","typ":"JWT","kid":")" + s.key_id(1) + "\"}");
  EXPECT_FALSE(s.verify(hs_header + token.substr(dot), 1'000'001, kAnyGeneration).is_ok());
  for (const std::string& bad :
       std::vector<std::string>{"", "a", "a.b", "a.b.c.d", "....", std::string(5000, 'a')}) {
    EXPECT_FALSE(s.verify(bad, 1'000'001, kAnyGeneration).is_ok()) << bad;
  }
}

TEST(TokenSigner, PublishesEachGenerationsPublicKeyAsAJwk) {
  auto s = signer();
  const boost::json::object jwk = s.public_jwk(4);
  EXPECT_EQ(jwk.at("kty").as_string(), "OKP");
  EXPECT_EQ(jwk.at("crv").as_string(), "Ed25519");
  EXPECT_EQ(jwk.at("alg").as_string(), "EdDSA");
  EXPECT_EQ(jwk.at("use").as_string(), "sig");
  EXPECT_EQ(jwk.at("kid").as_string(), s.key_id(4));
  EXPECT_EQ(jwk.at("x").as_string().size(), 43u);  // 32 bytes, base64url
  EXPECT_NE(jwk.at("x"), s.public_jwk(5).at("x"));
  EXPECT_EQ(jwk.at("x"), signer().public_jwk(4).at("x"));  // the same master key, the same key
  EXPECT_FALSE(jwk.contains("d"));
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
