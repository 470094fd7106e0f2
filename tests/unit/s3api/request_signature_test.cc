// Server-side SigV4 verification against published requests: the S3 API reference's
// examples ("Signature Calculations for the Authorization Header", "Authenticating
// Requests: Using Query Parameters", the chunked upload examples with and without trailing
// headers, key AKIAIOSFODNN7EXAMPLE), requests boto3 sent, the aws-sig-v4-test-suite's
// paths and queries re-signed for S3, and one test for each way a request is refused.

#include "s3api/request_signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "s3/sigv4.h"

namespace coffer::s3api {
namespace {

using Headers = std::vector<api::Header>;

constexpr int64_t kS3Time = 1369353600;  // 20130524T000000Z
constexpr std::string_view kExampleKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SecretLookup secrets(std::string key = std::string(kExampleKey),
                     std::string secret = std::string(kExampleSecret)) {
  return [key, secret](std::string_view id) -> std::optional<std::string> {
    if (id == key) return secret;
    return std::nullopt;
  };
}

VerifyResult verify(std::string_view method, std::string_view target, const Headers& headers,
                    int64_t now, const SecretLookup& lookup = secrets()) {
  return verify_request(SignedRequestView{method, target, &headers}, lookup, now);
}

VerifiedSignature ok(const VerifyResult& r) {
  if (const auto* e = std::get_if<S3Error>(&r)) {
    ADD_FAILURE() << e->http_status << " " << e->code << ": " << e->message;
    return {};
  }
  return std::get<VerifiedSignature>(r);
}

S3Error err(const VerifyResult& r) {
  if (const auto* e = std::get_if<S3Error>(&r)) return *e;
  ADD_FAILURE() << "verified, but an error was expected";
  return {};
}

// The S3 API reference's examples

Headers get_object_headers(std::string_view separator) {
  return {{"Host", "examplebucket.s3.amazonaws.com"},
          {"Range", "bytes=0-9"},
          {"x-amz-content-sha256", kEmptyHash},
          {"x-amz-date", "20130524T000000Z"},
          {"Authorization",
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
           "aws4_request" +
               std::string(separator) + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date" +
               std::string(separator) +
               "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}};
}

TEST(RequestSignatureTest, DocumentedGetObject) {
  for (std::string_view separator : {", ", ","}) {
    const auto v = ok(verify("GET", "/test.txt", get_object_headers(separator), kS3Time));
    EXPECT_EQ(v.access_key_id, kExampleKey);
    EXPECT_EQ(v.payload, PayloadMode::kSigned);
    EXPECT_EQ(v.payload_sha256, kEmptyHash);
    EXPECT_EQ(v.scope, "20130524/us-east-1/s3/aws4_request");
    EXPECT_EQ(v.amz_date, "20130524T000000Z");
    EXPECT_FALSE(v.presigned);
  }
}

const std::string kPresignedTarget =
    "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%"
    "2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
    "SignedHeaders=host&X-Amz-Signature="
    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

TEST(RequestSignatureTest, DocumentedPresignedUrl) {
  const Headers headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  const auto v = ok(verify("GET", kPresignedTarget, headers, kS3Time + 86400));
  EXPECT_TRUE(v.presigned);
  EXPECT_EQ(v.payload, PayloadMode::kUnsigned);
  EXPECT_EQ(v.access_key_id, kExampleKey);
}

TEST(RequestSignatureTest, ExpiredPresignedUrlIsAccessDenied) {
  const Headers headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  const S3Error e = err(verify("GET", kPresignedTarget, headers, kS3Time + 86401));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "AccessDenied");
  EXPECT_EQ(e.message, "Request has expired");
  EXPECT_EQ(err(verify("GET", kPresignedTarget, headers, kS3Time - 3600)).code, "AccessDenied");
}

TEST(RequestSignatureTest, PresignedExpiresOutOfRange) {
  const Headers headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  for (std::string_view expires : {"604801", "0", "-1", "soon"}) {
    std::string target = kPresignedTarget;
    target.replace(target.find("86400"), 5, expires);
    const S3Error e = err(verify("GET", target, headers, kS3Time));
    EXPECT_EQ(e.http_status, 400) << expires;
    EXPECT_EQ(e.code, "AuthorizationQueryParametersError") << expires;
  }
}

TEST(RequestSignatureTest, PresignedSignatureCoversThePath) {
  const Headers headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  std::string target = kPresignedTarget;
  target.replace(0, 9, "/test.txu");
  EXPECT_EQ(err(verify("GET", target, headers, kS3Time)).code, "SignatureDoesNotMatch");
}

// "Signature Calculations for the Authorization Header: Transferring Payload in Multiple
// Chunks": the seed signature of the PUT, and what the chunks chain from.
Headers streaming_headers() {
  return {{"Host", "s3.amazonaws.com"},
          {"x-amz-date", "20130524T000000Z"},
          {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
          {"Authorization",
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
           "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
           "x-amz-decoded-content-length;x-amz-storage-class,Signature="
           "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
          {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
          {"Content-Encoding", "aws-chunked"},
          {"x-amz-decoded-content-length", "66560"},
          {"Content-Length", "66824"}};
}

TEST(RequestSignatureTest, DocumentedStreamingSeed) {
  const auto v = ok(verify("PUT", "/examplebucket/chunkObject.txt", streaming_headers(), kS3Time));
  EXPECT_EQ(v.payload, PayloadMode::kStreamingSigned);
  EXPECT_EQ(v.seed_signature, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  EXPECT_EQ(v.signing_key, s3::signing_key(kExampleSecret, "20130524", "us-east-1", "s3"));
}

// "Signature calculations for trailing headers (chunked uploads)".
TEST(RequestSignatureTest, DocumentedStreamingTrailerSeed) {
  const Headers headers = {
      {"Host", "s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
       "x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature="
       "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"},
      {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
      {"Content-Encoding", "aws-chunked"},
      {"x-amz-trailer", "x-amz-checksum-crc32c"},
      {"x-amz-decoded-content-length", "66560"}};
  const auto v = ok(verify("PUT", "/examplebucket/chunkObject.txt", headers, kS3Time));
  EXPECT_EQ(v.payload, PayloadMode::kStreamingSignedTrailer);
  EXPECT_EQ(v.seed_signature, "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e");
}

// Requests boto3 sent
// Captured from boto3/botocore 1.43.11 (Python 3.11) through a 'before-send' event hook,
// endpoint 127.0.0.1:9000, path-style, key AKIDCOFFERTEST / "coffer/secret+KEY", at
// 20261206T193520Z (PUT over HTTPS: 20261206T193537Z). Object key "dir/a b+c~(1).bin".

constexpr int64_t kBotoTime = 1796585720;
constexpr int64_t kBotoHttpsTime = 1796585737;

SecretLookup boto_secrets() { return secrets("AKIDCOFFERTEST", "coffer/secret+KEY"); }

std::string boto_authorization(std::string_view date, std::string_view signed_headers,
                               std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDCOFFERTEST/" + std::string(date) +
         "/us-east-1/s3/aws4_request, SignedHeaders=" + std::string(signed_headers) +
         ", Signature=" + std::string(signature);
}

TEST(RequestSignatureTest, BotoPutObjectWithSignedPayload) {
  const Headers headers = {
      {"Host", "127.0.0.1:9000"},
      {"User-Agent", "Boto3/1.43.11 md/Botocore#1.43.11"},
      {"Expect", "100-continue"},
      {"x-amz-checksum-crc32", "3r2hYw=="},
      {"x-amz-sdk-checksum-algorithm", "CRC32"},
      {"X-Amz-Date", "20261206T193520Z"},
      {"X-Amz-Content-SHA256", "576358d0914fe2133920b1c1f46867d49959124d425af9434f431548791cca79"},
      {"Authorization",
       boto_authorization("20261206",
                          "host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;"
                          "x-amz-sdk-checksum-algorithm",
                          "f759db5a2aad0f69cc229595711a560936ad3f981799533e5104158c8f26016e")},
      {"Content-Length", "20000"}};
  const auto& v =
      ok(verify("PUT", "/bkt/dir/a%20b%2Bc~%281%29.bin", headers, kBotoTime, boto_secrets()));
  EXPECT_EQ(v.payload, PayloadMode::kSigned);
  EXPECT_EQ(v.payload_sha256, "576358d0914fe2133920b1c1f46867d49959124d425af9434f431548791cca79");
  EXPECT_EQ(v.access_key_id, "AKIDCOFFERTEST");
}

TEST(RequestSignatureTest, BotoPutObjectWithUnsignedTrailer) {
  const Headers headers = {
      {"Host", "127.0.0.1:9000"},
      {"Expect", "100-continue"},
      {"Transfer-Encoding", "chunked"},
      {"Content-Encoding", "aws-chunked"},
      {"X-Amz-Trailer", "x-amz-checksum-crc32"},
      {"X-Amz-Decoded-Content-Length", "20000"},
      {"x-amz-sdk-checksum-algorithm", "CRC32"},
      {"X-Amz-Date", "20261206T193537Z"},
      {"X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
      {"Authorization",
       boto_authorization("20261206",
                          "content-encoding;host;x-amz-content-sha256;x-amz-date;"
                          "x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;"
                          "x-amz-trailer",
                          "bf251bf95c93ab6c91f19a0febaa50383b7ec843cee4bff8a255794e51b833e1")}};
  const auto& v =
      ok(verify("PUT", "/bkt/dir/a%20b%2Bc~%281%29.bin", headers, kBotoHttpsTime, boto_secrets()));
  EXPECT_EQ(v.payload, PayloadMode::kStreamingUnsignedTrailer);
}

TEST(RequestSignatureTest, BotoGetObjectAndListObjects) {
  const Headers get = {
      {"Host", "127.0.0.1:9000"},
      {"Range", "bytes=0-9"},
      {"x-amz-checksum-mode", "ENABLED"},
      {"X-Amz-Date", "20261206T193520Z"},
      {"X-Amz-Content-SHA256", kEmptyHash},
      {"Authorization",
       boto_authorization("20261206",
                          "host;range;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date",
                          "93136fa85d7df8dfbedc2f9e7177e8d932e78e3b6248aaccfdc85eb25e48dc1f")}};
  ok(verify("GET", "/bkt/dir/a%20b%2Bc~%281%29.bin", get, kBotoTime, boto_secrets()));
  const Headers list = {
      {"Host", "127.0.0.1:9000"},
      {"X-Amz-Date", "20261206T193520Z"},
      {"X-Amz-Content-SHA256", kEmptyHash},
      {"Authorization",
       boto_authorization("20261206", "host;x-amz-content-sha256;x-amz-date",
                          "1abe35c6cde2a2eaa7ab514e92f8a1578474b897f266ec8b92e6a2d77f47b239")}};
  ok(verify("GET", "/bkt?list-type=2&prefix=dir%2Fa%20b&delimiter=%2F&encoding-type=url", list,
            kBotoTime, boto_secrets()));
}

TEST(RequestSignatureTest, BotoPresignedUrl) {
  const Headers headers = {{"Host", "127.0.0.1:9000"}};
  const std::string target =
      "/bkt/dir/x%20y.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDCOFFERTEST%"
      "2F20261206%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261206T193520Z&X-Amz-Expires=3600&"
      "X-Amz-SignedHeaders=host&X-Amz-Signature="
      "529cb4c371689197d720a25573bbbcc97e7e34551a958ec79a49ab3e8a9a4037";
  ok(verify("GET", target, headers, kBotoTime + 3600, boto_secrets()));
  EXPECT_EQ(err(verify("GET", target, headers, kBotoTime + 3601, boto_secrets())).message,
            "Request has expired");
}

// Requests signed here by the client signer, sent with raw targets

constexpr int64_t kNow = 1700000000;

struct Signed {
  std::string target;
  Headers headers;
};

// Signs `method path?query` as s3::Signer does and returns it as the server receives it:
// `raw_target` is the target as the client spelled it on the wire.
Signed sign(std::string method, std::string path, std::vector<s3::Field> query,
            std::string raw_target, std::vector<s3::Field> extra_headers = {},
            std::string region = "us-east-1", std::string payload = kEmptyHash) {
  s3::SignableRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = std::move(extra_headers);
  r.headers.emplace_back("Host", "files.example.com");
  r.headers.emplace_back("x-amz-content-sha256", payload);
  r.payload_hash = payload;
  s3::Signer(s3::Credentials{std::string(kExampleKey), std::string(kExampleSecret), ""}, region)
      .sign(r, kNow);
  Signed out{std::move(raw_target), {}};
  for (auto& [n, v] : r.headers) out.headers.push_back({n, v});
  return out;
}

TEST(RequestSignatureTest, PathsAndQueriesOfTheTestSuite) {
  // get-space, get-utf8, get-unreserved, get-vanilla-query-order-key-case,
  // get-vanilla-query-order-value, get-vanilla-utf8-query.
  const std::vector<Signed> cases = {
      sign("GET", "/example space/", {}, "/example%20space/"),
      sign("GET", "/\xE1\x88\xB4", {}, "/%E1%88%B4"),
      sign("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {},
           "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
      sign("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}},
           "/?Param2=value2&Param1=value1"),
      sign("GET", "/", {{"Param1", "value2"}, {"Param1", "value1"}},
           "/?Param1=value2&Param1=value1"),
      sign("GET", "/", {{"\xE1\x88\xB4", "bar"}}, "/?%E1%88%B4=bar"),
  };
  for (const auto& c : cases) ok(verify("GET", c.target, c.headers, kNow));
}

TEST(RequestSignatureTest, ClientsThatEncodeDifferentlyVerifyAlike) {
  // '~' and '!' sent encoded or not, lower-case hex, a value-less parameter, '+' for space.
  ok(verify("GET", "/b/%7Ea%21b", sign("GET", "/b/~a!b", {}, "").headers, kNow));
  ok(verify("GET", "/b/~a!b", sign("GET", "/b/~a!b", {}, "").headers, kNow));
  ok(verify("GET", "/b/%e1%88%b4", sign("GET", "/b/\xE1\x88\xB4", {}, "").headers, kNow));
  ok(verify("GET", "/b?uploads", sign("GET", "/b", {{"uploads", ""}}, "").headers, kNow));
  ok(verify("GET", "/b?prefix=a+b", sign("GET", "/b", {{"prefix", "a b"}}, "").headers, kNow));
}

TEST(RequestSignatureTest, AnEncodedSlashIsNotASlash) {
  // A key "a/b" in one segment signs as "a%2Fb": sending "/b/a/b" is another request.
  const auto plain = sign("GET", "/b/a/b", {}, "/b/a/b");
  ok(verify("GET", "/b/a/b", plain.headers, kNow));
  EXPECT_EQ(err(verify("GET", "/b/a%2Fb", plain.headers, kNow)).code, "SignatureDoesNotMatch");
}

TEST(RequestSignatureTest, AnyRegionIsAccepted) {
  const auto s = sign("GET", "/b/k", {}, "/b/k", {}, "eu-central-1");
  EXPECT_EQ(ok(verify("GET", s.target, s.headers, kNow)).scope,
            "20231114/eu-central-1/s3/aws4_request");
}

TEST(RequestSignatureTest, PayloadModes) {
  const std::vector<std::pair<std::string, PayloadMode>> modes = {
      {"UNSIGNED-PAYLOAD", PayloadMode::kUnsigned},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", PayloadMode::kStreamingSigned},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", PayloadMode::kStreamingSignedTrailer},
      {"STREAMING-UNSIGNED-PAYLOAD-TRAILER", PayloadMode::kStreamingUnsignedTrailer}};
  for (const auto& [value, mode] : modes) {
    const auto s = sign("PUT", "/b/k", {}, "/b/k", {}, "us-east-1", value);
    EXPECT_EQ(ok(verify("PUT", s.target, s.headers, kNow)).payload, mode) << value;
  }
  const auto bad =
      sign("PUT", "/b/k", {}, "/b/k", {}, "us-east-1", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD");
  const S3Error e = err(verify("PUT", bad.target, bad.headers, kNow));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "InvalidArgument");
}

// Refusals

TEST(RequestSignatureTest, SkewedClock) {
  const Headers headers = get_object_headers(", ");
  ok(verify("GET", "/test.txt", headers, kS3Time + 900));
  ok(verify("GET", "/test.txt", headers, kS3Time - 900));
  for (int64_t now : {kS3Time + 901, kS3Time - 901}) {
    const S3Error e = err(verify("GET", "/test.txt", headers, now));
    EXPECT_EQ(e.http_status, 403);
    EXPECT_EQ(e.code, "RequestTimeTooSkewed");
  }
}

TEST(RequestSignatureTest, UnknownKey) {
  const S3Error e =
      err(verify("GET", "/test.txt", get_object_headers(", "), kS3Time, secrets("OTHER", "x")));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "InvalidAccessKeyId");
}

TEST(RequestSignatureTest, WrongSecretOrTamperedRequest) {
  const Headers headers = get_object_headers(", ");
  EXPECT_EQ(err(verify("GET", "/test.txt", headers, kS3Time,
                       secrets(std::string(kExampleKey), "not the secret")))
                .code,
            "SignatureDoesNotMatch");
  EXPECT_EQ(err(verify("HEAD", "/test.txt", headers, kS3Time)).code, "SignatureDoesNotMatch");
  EXPECT_EQ(err(verify("GET", "/test.txt?x=1", headers, kS3Time)).code, "SignatureDoesNotMatch");
  Headers other_range = headers;
  other_range[1].value = "bytes=0-99";
  const S3Error e = err(verify("GET", "/test.txt", other_range, kS3Time));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.message.find("f0e8bdb8"), std::string::npos);  // no signature in messages
}

TEST(RequestSignatureTest, SignedHeadersMustIncludeHost) {
  Headers headers;
  s3::SignableRequest r;
  r.method = "GET";
  r.path = "/b/k";
  r.headers = {{"x-amz-content-sha256", kEmptyHash}};
  r.payload_hash = kEmptyHash;
  s3::Signer(s3::Credentials{std::string(kExampleKey), std::string(kExampleSecret), ""},
             "us-east-1")
      .sign(r, kNow);
  for (auto& [n, v] : r.headers) headers.push_back({n, v});
  headers.push_back({"Host", "files.example.com"});  // sent, but not signed
  const S3Error e = err(verify("GET", "/b/k", headers, kNow));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "AccessDenied");
  EXPECT_NE(e.message.find("host"), std::string::npos);
}

TEST(RequestSignatureTest, UnsignedAmzHeadersAreRefused) {
  auto s = sign("PUT", "/b/k", {}, "/b/k");
  s.headers.push_back({"x-amz-copy-source", "/other/secret"});
  const S3Error e = err(verify("PUT", s.target, s.headers, kNow));
  EXPECT_EQ(e.code, "AccessDenied");
  EXPECT_NE(e.message.find("x-amz-copy-source"), std::string::npos);
}

TEST(RequestSignatureTest, ContentSha256IsRequired) {
  Headers headers = get_object_headers(", ");
  headers.erase(headers.begin() + 2);
  const S3Error e = err(verify("GET", "/test.txt", headers, kS3Time));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "InvalidRequest");
  EXPECT_EQ(e.message, "Missing required header for this request: x-amz-content-sha256");
}

TEST(RequestSignatureTest, MalformedCredentials) {
  struct Case {
    std::string credential;
    std::string expected_code;
  };
  const std::vector<Case> cases = {
      {"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3", "AuthorizationHeaderMalformed"},
      {"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request", "AuthorizationHeaderMalformed"},
      {"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request", "AuthorizationHeaderMalformed"},
      {"AKIAIOSFODNN7EXAMPLE/20130525/us-east-1/s3/aws4_request", "AuthorizationHeaderMalformed"},
  };
  for (const auto& c : cases) {
    Headers headers = get_object_headers(", ");
    headers[4].value = "AWS4-HMAC-SHA256 Credential=" + c.credential +
                       ", SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=00";
    const S3Error e = err(verify("GET", "/test.txt", headers, kS3Time));
    EXPECT_EQ(e.http_status, 400) << c.credential;
    EXPECT_EQ(e.code, c.expected_code) << c.credential;
  }
  Headers missing = get_object_headers(", ");
  missing[4].value =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request, Signature=00";
  EXPECT_EQ(err(verify("GET", "/test.txt", missing, kS3Time)).code, "AuthorizationHeaderMalformed");
}

TEST(RequestSignatureTest, NoCredentialsIsAnonymous) {
  const Headers headers = {{"Host", "files.example.com"}};
  EXPECT_TRUE(is_anonymous(SignedRequestView{"GET", "/b/k?versionId=1", &headers}));
  const S3Error e = err(verify("GET", "/b/k", headers, kNow));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "AccessDenied");
  const Headers signed_headers = get_object_headers(", ");
  EXPECT_FALSE(is_anonymous(SignedRequestView{"GET", "/test.txt", &signed_headers}));
  EXPECT_FALSE(is_anonymous(SignedRequestView{"GET", kPresignedTarget, &headers}));
}

TEST(RequestSignatureTest, OtherMechanismsAreRefused) {
  Headers v2 = {{"Host", "files.example.com"}, {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:abc="}};
  EXPECT_EQ(err(verify("GET", "/b/k", v2, kNow)).code, "InvalidRequest");
  EXPECT_EQ(err(verify("GET", "/b/k?AWSAccessKeyId=AKID&Signature=x&Expires=1", {}, kNow)).code,
            "InvalidRequest");
  Headers both = get_object_headers(", ");
  EXPECT_EQ(err(verify("GET", kPresignedTarget, both, kS3Time)).code, "InvalidArgument");
}

TEST(RequestSignatureTest, SessionTokensAreRefused) {
  auto s = sign("GET", "/b/k", {}, "/b/k", {{"x-amz-security-token", "TOKEN"}});
  const S3Error e = err(verify("GET", s.target, s.headers, kNow));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "InvalidToken");
}

TEST(RequestSignatureTest, MissingDate) {
  Headers headers = get_object_headers(", ");
  headers.erase(headers.begin() + 3);
  const S3Error e = err(verify("GET", "/test.txt", headers, kS3Time));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "AccessDenied");
}

}  // namespace
}  // namespace coffer::s3api
