// Signed download URLs: what verifies, and what each kind of tampering is reported as.

#include "auth/url_signer.h"

#include <gtest/gtest.h>

namespace coffer::auth {
namespace {

const std::vector<unsigned char> kKey(32, 3);

DownloadGrant grant() { return DownloadGrant{42, 97, 2'000'000'000, false}; }

TEST(UrlSigner, RoundTripsItsOwnGrant) {
  UrlSigner signer(kKey);
  auto token = signer.sign(grant());
  EXPECT_TRUE(token.starts_with("42.97.2000000000.a."));
  auto verified = signer.verify(token, 1'900'000'000);
  ASSERT_TRUE(verified.is_ok()) << verified.status().to_string();
  EXPECT_EQ(verified->file_id, 42);
  EXPECT_EQ(verified->version_id, 97);
  EXPECT_EQ(verified->expires_at, 2'000'000'000);
  EXPECT_FALSE(verified->inline_disposition);
}

TEST(UrlSigner, AlteredFieldsAndForeignKeysAreInvalid) {
  UrlSigner signer(kKey);
  const std::string token = signer.sign(grant());
  const std::string sig = token.substr(token.rfind('.'));
  for (const std::string& forged :
       {"43.97.2000000000.a" + sig, "42.98.2000000000.a" + sig, "42.97.2000000001.a" + sig,
        "42.97.2000000000.i" + sig, "042.97.2000000000.a" + sig, std::string("garbage"),
        token + "A", token.substr(0, token.size() - 1), std::string()}) {
    auto result = signer.verify(forged, 0);
    ASSERT_FALSE(result.is_ok()) << forged;
    EXPECT_EQ(result.status().code(), Errc::kSignatureInvalid) << forged;
  }
  UrlSigner other(std::vector<unsigned char>(32, 4));
  EXPECT_EQ(other.verify(token, 0).status().code(), Errc::kSignatureInvalid);
}

// A download URL names the user whose access it borrows; the name is signed like the rest.
TEST(UrlSigner, CarriesItsSignerUnderTheSignature) {
  UrlSigner signer(kKey);
  DownloadGrant signed_by = grant();
  signed_by.signer_id = 7;
  const std::string token = signer.sign(signed_by);
  EXPECT_TRUE(token.starts_with("42.97.2000000000.a.7."));
  auto verified = signer.verify(token, 0);
  ASSERT_TRUE(verified.is_ok()) << verified.status().to_string();
  EXPECT_EQ(verified->signer_id, 7);
  EXPECT_EQ(signer.verify(signer.sign(grant()), 0)->signer_id, 0);
  const std::string sig = token.substr(token.rfind('.'));
  for (const std::string& forged : {"42.97.2000000000.a.8" + sig, "42.97.2000000000.a" + sig,
                                    "42.97.2000000000.a.0" + sig, "42.97.2000000000.a.7.7" + sig}) {
    EXPECT_EQ(signer.verify(forged, 0).status().code(), Errc::kSignatureInvalid) << forged;
  }
}

TEST(UrlSigner, ExpiresAtItsDeadline) {
  UrlSigner signer(kKey);
  const std::string token = signer.sign(grant());
  EXPECT_TRUE(signer.verify(token, 1'999'999'999).is_ok());
  EXPECT_EQ(signer.verify(token, 2'000'000'000).status().code(), Errc::kExpired);
}

}  // namespace
}  // namespace coffer::auth
