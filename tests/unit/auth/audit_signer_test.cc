#include "auth/audit_signer.h"

#include <gtest/gtest.h>

#include <vector>

namespace coffer::auth {
namespace {

AuditSeal head_seal() { return AuditSeal{1, 42, std::string(64, 'b'), 123456, "", ""}; }

TEST(AuditSignerTest, SealsVerifyWithTheDerivedPublicKeyOnly) {
  const std::vector<unsigned char> master(32, 7);
  AuditSigner signer(master);
  EXPECT_EQ(signer.public_key().size(), 64u);
  AuditSeal seal = head_seal();
  signer.sign(seal);
  EXPECT_EQ(seal.public_key, signer.public_key());
  EXPECT_TRUE(AuditSigner::verify(seal, signer.public_key()));

  AuditSigner other(std::vector<unsigned char>(32, 8));
  EXPECT_NE(other.public_key(), signer.public_key());
  EXPECT_FALSE(AuditSigner::verify(seal, other.public_key()));
  // A seal re-signed by another key names that key: not trusted as this server's.
  AuditSeal resigned = seal;
  other.sign(resigned);
  EXPECT_FALSE(AuditSigner::verify(resigned, signer.public_key()));
}

TEST(AuditSignerTest, TheSameMasterKeyGivesEveryNodeTheSameKey) {
  const std::vector<unsigned char> master(32, 7);
  EXPECT_EQ(AuditSigner(master).public_key(), AuditSigner(master).public_key());
}

TEST(AuditSignerTest, AnAlteredSealFailsVerification) {
  AuditSigner signer(std::vector<unsigned char>(32, 7));
  AuditSeal seal = head_seal();
  signer.sign(seal);
  for (auto change :
       {+[](AuditSeal& s) { s.head_id += 1; }, +[](AuditSeal& s) { s.head_hash[0] = 'c'; },
        +[](AuditSeal& s) { s.sealed_at += 1; },
        +[](AuditSeal& s) { s.signature[0] = s.signature[0] == '0' ? '1' : '0'; },
        +[](AuditSeal& s) { s.signature = "zz"; }}) {
    AuditSeal altered = seal;
    change(altered);
    EXPECT_FALSE(AuditSigner::verify(altered, signer.public_key()));
  }
}

}  // namespace
}  // namespace coffer::auth
