#pragma once
// Server-side verification of AWS Signature Version 4 on an S3 request: the Authorization
// header form and the presigned query form, answered with the S3 error codes and HTTP
// statuses AWS answers with. The canonical request is built with the same functions the
// client signer uses (s3/sigv4.h).
//
// The canonical URI is rebuilt from the raw request target: each path segment is
// percent-decoded, then encoded again with s3::uri_encode, so that clients that encode
// differently ("~" or "%7E", "!" or "%21") verify alike while an encoded "/" inside a
// segment stays one. Query parameters are decoded ('+' as a space, as form encoding and
// S3-compatible servers read it) and encoded again by s3::canonical_query_string.
//
// Never logs or reports a secret, a signing key or a signature.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/exchange.h"
#include "s3api/s3_error.h"

namespace coffer::s3api {

// How the body of a verified request is covered (the x-amz-content-sha256 header).
enum class PayloadMode {
  kSigned,                    // a lower-case hex SHA-256 of the body
  kUnsigned,                  // UNSIGNED-PAYLOAD, and presigned URLs
  kStreamingSigned,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingSignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

// What the verifier needs of an HTTP request. `headers` must outlive the call.
struct SignedRequestView {
  std::string_view method;
  std::string_view target;  // raw request target: percent-encoded path + "?" query
  const std::vector<api::Header>* headers = nullptr;
};

struct VerifiedSignature {
  std::string access_key_id;
  PayloadMode payload = PayloadMode::kUnsigned;
  std::string payload_sha256;  // kSigned: the declared lower-case hex hash of the body
  bool presigned = false;
  // What chunk signatures of the streaming modes chain from.
  std::string seed_signature;  // hex: the request's own signature
  std::string amz_date;        // "20130524T000000Z"
  std::string scope;           // "20130524/us-east-1/s3/aws4_request"
  std::array<uint8_t, 32> signing_key{};
};

// The access key's secret; nullopt when there is no such key, or it is not active.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key_id)>;

// Either the verified signature or the S3 error to answer with.
using VerifyResult = std::variant<VerifiedSignature, S3Error>;

// Header form clocks may differ by this much from the server's (RequestTimeTooSkewed).
inline constexpr int64_t kMaxClockSkewSeconds = 15 * 60;
// The longest a presigned URL may be valid (X-Amz-Expires).
inline constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;

// True when the request carries no credentials of any form (no Authorization header, no
// X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature parameter): the caller may then
// treat it as anonymous instead of answering verify_request's AccessDenied.
bool is_anonymous(const SignedRequestView& request);

// Verifies the request's signature at `now_unix`. The errors, as AWS answers them:
//   403 AccessDenied: no credentials; a missing or unparsable X-Amz-Date; a presigned URL
//       past its X-Amz-Expires ("Request has expired") or not yet valid; host or an
//       x-amz-* header present but not signed.
//   403 InvalidAccessKeyId, 403 SignatureDoesNotMatch, 403 RequestTimeTooSkewed (header
//       form more than kMaxClockSkewSeconds away).
//   400 AuthorizationHeaderMalformed (header form) / AuthorizationQueryParametersError
//       (presigned): unparsable, a Credential scope of another service, terminator or date;
//       X-Amz-Expires outside 1..kMaxPresignSeconds.
//   400 InvalidRequest: x-amz-content-sha256 missing or not signed (header form); another
//       algorithm (SigV2, SigV4a); a streaming payload on a presigned URL.
//   400 InvalidArgument: an unsupported x-amz-content-sha256 value; both forms at once.
//   400 InvalidToken: an X-Amz-Security-Token (Coffer issues no temporary credentials).
// The scope's region is accepted whatever it is: clients configured for another region
// sign with it, and the signature covers it.
VerifyResult verify_request(const SignedRequestView& request, const SecretLookup& lookup,
                            int64_t now_unix);

}  // namespace coffer::s3api
