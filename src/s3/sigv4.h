#pragma once
// AWS Signature Version 4 (the "AWS4-HMAC-SHA256" algorithm), written against the AWS
// documentation and checked with the published test vectors (tests/unit/s3/sigv4_test.cc).
// Two forms: an Authorization header (every request the chunk store sends) and a presigned
// query string (a URL that works without credentials until it expires).
//
// Paths are not normalised (S3 does not normalise them either): "/a//b" signs as itself.
//
// Never log a Credentials value, a signing key or a signature.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coffer::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; empty otherwise
};

// A header or query parameter: name and value, not percent-encoded.
using Field = std::pair<std::string, std::string>;

// The parts of an HTTP request that a signature covers.
struct SignableRequest {
  std::string method = "GET";
  std::string path = "/";      // not percent-encoded; '/' separates segments
  std::vector<Field> query;    // not percent-encoded; any order
  std::vector<Field> headers;  // every header to sign, Host included; any order and case
  std::string payload_hash;    // lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// Percent-encodes everything but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~),
// with upper-case hex; '/' is kept when keep_slash (paths) and encoded otherwise.
std::string uri_encode(std::string_view in, bool keep_slash);

// Lower-case hex of SHA-256.
std::string sha256_hex(std::string_view data);

// "20130524T000000Z" for a Unix time.
std::string amz_date(int64_t unix_seconds);

// The pieces of the algorithm, exposed so that tests check each against the vectors.
std::string canonical_query_string(const std::vector<Field>& query);
// Canonical headers (each "name:value\n", names lower-case and sorted, values trimmed with
// inner runs of spaces collapsed, repeated names joined with ',') and the signed header list.
std::pair<std::string, std::string> canonical_headers(const std::vector<Field>& headers);
std::string canonical_request(const SignableRequest& request);
// The same from parts already in canonical form: `canonical_uri` percent-encoded as SigV4
// wants it (a server rebuilds it from the raw request target, whose segments may hold an
// encoded '/') and `canonical_query` as canonical_query_string returns it.
std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const std::vector<Field>& headers,
                              std::string_view payload_hash);
// scope: "20130524/us-east-1/s3/aws4_request"
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::array<uint8_t, 32> signing_key(std::string_view secret, std::string_view date,
                                    std::string_view region, std::string_view service);
// Lower-case hex HMAC-SHA256 of `to_sign` under a signing key: a request's signature, and
// each aws-chunked chunk's.
std::string signature_hex(const std::array<uint8_t, 32>& key, std::string_view to_sign);

class Signer {
 public:
  Signer(Credentials credentials, std::string region, std::string service = "s3");

  // Adds X-Amz-Date (replacing one the request has), X-Amz-Security-Token when the
  // credentials carry a session token, and Authorization, to request.headers. Everything in
  // request.headers is signed.
  void sign(SignableRequest& request, int64_t now_unix) const;

  // Adds the X-Amz-* query parameters of a presigned URL, X-Amz-Signature last, for a URL
  // valid `expires_seconds` (1 to 604800) from `now_unix`. The payload is unsigned.
  void presign(SignableRequest& request, int64_t now_unix, int64_t expires_seconds) const;

  const std::string& region() const { return region_; }

 private:
  std::string scope(std::string_view date) const;
  std::string signature(std::string_view date, std::string_view to_sign) const;

  Credentials credentials_;
  std::string region_;
  std::string service_;
};

}  // namespace coffer::s3
