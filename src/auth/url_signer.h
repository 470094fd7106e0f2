#pragma once
// Signed download URLs: a capability to read one version of one file until a deadline, that
// any node holding the same server key verifies without a session or a database lookup of
// the signer. The token is
//
//   <file id>.<version id>.<expires, Unix seconds>.<a|i>[.<signer id>].<base64url HMAC-SHA256>
//
// where the HMAC covers everything before it under a key derived from the server key for
// this purpose alone ("cofferDL"), so a download token can never pass for an access token or
// the reverse. The fields are not secret; the signature is, and never reaches a log.
// The signer is the user whose access the token borrows: a download URL carries it so that
// its redemption can ask whether that user may still read the file; capabilities that need
// no user (a link's unlocked password) leave it out.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::auth {

struct DownloadGrant {
  int64_t file_id = 0;
  int64_t version_id = 0;
  int64_t expires_at = 0;  // Unix seconds
  bool inline_disposition = false;
  int64_t signer_id = 0;  // 0: none (not written into the token)
};

class UrlSigner {
 public:
  // `purpose` (8 characters) derives a key of its own: "cofferDL" for download URLs;
  // other capabilities of the same shape (a share link's unlocked password) use another.
  explicit UrlSigner(const std::vector<unsigned char>& master_key,
                     const char (&purpose)[9] = "cofferDL");

  std::string sign(const DownloadGrant& grant) const;
  // Errors: kSignatureInvalid (malformed, or not signed with this key), kExpired (signed, but
  // at or past its expiry). The signature is checked first, in constant time, so an expired
  // forgery is still reported as invalid.
  Result<DownloadGrant> verify(std::string_view token, int64_t now_unix) const;

 private:
  std::array<unsigned char, 32> mac(std::string_view signed_part) const;

  std::array<unsigned char, 32> key_{};
};

}  // namespace coffer::auth
