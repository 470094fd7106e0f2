#include "auth/password_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "auth/opaque_token.h"

namespace coffer::auth {
namespace {

Errc verdict(std::string_view password, std::string_view username = {}) {
  return check_password_policy(password, username).code();
}

TEST(PasswordPolicy, LengthIsCountedInCharactersNotBytes) {
  EXPECT_EQ(verdict("nine char"), Errc::kWeakPassword);
  EXPECT_EQ(verdict("ten chars!"), Errc::kOk);
  // Nine characters, eighteen bytes: still too short.
  EXPECT_EQ(verdict("ééééééééé"), Errc::kWeakPassword);
  EXPECT_EQ(verdict("éééééééééé"), Errc::kOk);
}

TEST(PasswordPolicy, NoCompositionRulesButAnUpperBound) {
  EXPECT_EQ(verdict("all lower case words"), Errc::kOk);
  EXPECT_EQ(verdict(std::string(1024, 'q')), Errc::kOk);
  EXPECT_EQ(verdict(std::string(1025, 'q')), Errc::kWeakPassword);
}

TEST(PasswordPolicy, CommonPasswordsAndTheUsernameAreRefusedWhateverTheCase) {
  EXPECT_EQ(verdict("password123"), Errc::kWeakPassword);
  EXPECT_EQ(verdict("PassWord123"), Errc::kWeakPassword);
  EXPECT_EQ(verdict("QwertyUiop"), Errc::kWeakPassword);
  EXPECT_EQ(verdict("Margaret.Hamilton", "margaret.hamilton"), Errc::kWeakPassword);
  EXPECT_EQ(verdict("Margaret.Hamilton", "ada"), Errc::kOk);
}

TEST(PasswordPolicy, MessagesNeverContainThePassword) {
  Status s = check_password_policy("password123");
  EXPECT_EQ(s.message().find("password123"), std::string::npos);
}

TEST(OpaqueToken, PrefixedRandomAndHashedStably) {
  std::string a = new_opaque_token(kApiTokenPrefix);
  std::string b = new_opaque_token(kApiTokenPrefix);
  EXPECT_TRUE(a.starts_with("cft_"));
  EXPECT_EQ(a.size(), 4u + 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(opaque_token_hash(a), opaque_token_hash(a));
  EXPECT_NE(opaque_token_hash(a), opaque_token_hash(b));
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(opaque_token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace coffer::auth
