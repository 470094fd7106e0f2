// Signature Version 4 against published vectors: the aws-sig-v4-test-suite (service
// "service", region us-east-1, 2015-08-30T12:36:00Z, key AKIDEXAMPLE) and the S3 examples of
// the S3 API reference ("Signature Calculations for the Authorization Header" and
// "Authenticating Requests: Using Query Parameters", key AKIAIOSFODNN7EXAMPLE).

#include "s3/sigv4.h"

#include <gtest/gtest.h>

#include <string>

namespace coffer::s3 {
namespace {

constexpr int64_t kSuiteTime = 1440938160;  // 20150830T123600Z
constexpr int64_t kS3Time = 1369353600;     // 20130524T000000Z
const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Credentials kS3Credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 ""};
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string header(const SignableRequest& request, std::string_view name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return v;
  }
  return "";
}

// A request of the test suite: host example.amazonaws.com and X-Amz-Date, plus `headers`.
SignableRequest suite_request(std::string method, std::string path, std::vector<Field> query,
                              std::vector<Field> headers = {}, std::string_view body = "") {
  SignableRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = std::move(headers);
  r.headers.emplace_back("Host", "example.amazonaws.com");
  r.payload_hash = sha256_hex(body);
  return r;
}

std::string suite_authorization(SignableRequest request) {
  Signer(kSuiteCredentials, "us-east-1", "service").sign(request, kSuiteTime);
  return header(request, "Authorization");
}

std::string suite_expected(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" +
         std::string(signed_headers) + ", Signature=" + std::string(signature);
}

TEST(SigV4SuiteTest, GetVanilla) {
  auto request = suite_request("GET", "/", {});
  request.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  const std::string canonical = canonical_request(request);
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                kEmptyHash);
  EXPECT_EQ(
      string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical),
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
      "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(suite_authorization(suite_request("GET", "/", {})),
            suite_expected("host;x-amz-date",
                           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4SuiteTest, GetVanillaQueryOrderKeyCase) {
  auto request = suite_request("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}});
  EXPECT_EQ(canonical_query_string(request.query), "Param1=value1&Param2=value2");
  EXPECT_EQ(suite_authorization(request),
            suite_expected("host;x-amz-date",
                           "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4SuiteTest, GetVanillaQueryOrderValue) {
  auto request = suite_request("GET", "/", {{"Param1", "value2"}, {"Param1", "value1"}});
  EXPECT_EQ(canonical_query_string(request.query), "Param1=value1&Param1=value2");
  EXPECT_EQ(suite_authorization(request),
            suite_expected("host;x-amz-date",
                           "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"));
}

TEST(SigV4SuiteTest, GetVanillaUtf8Query) {
  auto request = suite_request("GET", "/", {{"\xE1\x88\xB4", "bar"}});
  EXPECT_EQ(canonical_query_string(request.query), "%E1%88%B4=bar");
  EXPECT_EQ(suite_authorization(request),
            suite_expected("host;x-amz-date",
                           "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
}

TEST(SigV4SuiteTest, GetUnreserved) {
  const std::string path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(uri_encode(path, true), path);
  EXPECT_EQ(suite_authorization(suite_request("GET", path, {})),
            suite_expected("host;x-amz-date",
                           "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
}

TEST(SigV4SuiteTest, PathsEncodeLikeTheSuiteCanonicalRequests) {
  EXPECT_EQ(uri_encode("/example space/", true), "/example%20space/");  // get-space
  EXPECT_EQ(uri_encode("/\xE1\x88\xB4", true), "/%E1%88%B4");           // get-utf8
  EXPECT_EQ(uri_encode("/test$file.text", true), "/test%24file.text");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
}

TEST(SigV4SuiteTest, GetHeaderValueTrim) {
  auto request =
      suite_request("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}});
  request.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  auto [canonical, names] = canonical_headers(request.headers);
  EXPECT_EQ(canonical,
            "host:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n");
  EXPECT_EQ(names, "host;my-header1;my-header2;x-amz-date");
  EXPECT_EQ(suite_authorization(request),
            suite_expected("host;my-header1;my-header2;x-amz-date",
                           "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST(SigV4SuiteTest, GetHeaderKeyDuplicate) {
  auto request =
      suite_request("GET", "/", {},
                    {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}});
  EXPECT_EQ(suite_authorization(request),
            suite_expected("host;my-header1;x-amz-date",
                           "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST(SigV4SuiteTest, GetHeaderValueOrder) {
  auto request = suite_request("GET", "/", {},
                               {{"My-Header1", "value4"},
                                {"My-Header1", "value1"},
                                {"My-Header1", "value3"},
                                {"My-Header1", "value2"}});
  EXPECT_EQ(suite_authorization(request),
            suite_expected("host;my-header1;x-amz-date",
                           "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
}

TEST(SigV4SuiteTest, PostVanilla) {
  EXPECT_EQ(suite_authorization(suite_request("POST", "/", {})),
            suite_expected("host;x-amz-date",
                           "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

TEST(SigV4SuiteTest, PostXWwwFormUrlencoded) {
  auto request = suite_request(
      "POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1");
  EXPECT_EQ(suite_authorization(request),
            suite_expected("content-type;host;x-amz-date",
                           "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(SigV4SuiteTest, SessionTokenIsSigned) {
  SignableRequest request = suite_request("GET", "/", {});
  Signer(Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN"},
         "us-east-1", "service")
      .sign(request, kSuiteTime);
  EXPECT_EQ(header(request, "X-Amz-Security-Token"), "TOKEN");
  EXPECT_NE(
      header(request, "Authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
      std::string::npos);
}

// The S3 examples: bucket examplebucket, virtual-hosted.
SignableRequest s3_request(std::string method, std::string path, std::vector<Field> query,
                           std::vector<Field> headers, std::string payload_hash) {
  SignableRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = std::move(headers);
  r.headers.emplace_back("Host", "examplebucket.s3.amazonaws.com");
  r.headers.emplace_back("x-amz-content-sha256", payload_hash);
  r.payload_hash = std::move(payload_hash);
  return r;
}

std::string s3_signature(SignableRequest request) {
  Signer(kS3Credentials, "us-east-1").sign(request, kS3Time);
  const std::string auth = header(request, "Authorization");
  return auth.substr(auth.find("Signature=") + 10);
}

TEST(SigV4S3ExamplesTest, GetObjectWithRange) {
  auto request = s3_request("GET", "/test.txt", {}, {{"Range", "bytes=0-9"}}, kEmptyHash);
  request.headers.emplace_back("x-amz-date", "20130524T000000Z");
  EXPECT_EQ(canonical_request(request),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                kEmptyHash + "\nx-amz-date:20130524T000000Z\n\n" +
                "host;range;x-amz-content-sha256;x-amz-date\n" + kEmptyHash);
  EXPECT_EQ(sha256_hex(canonical_request(request)),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  SignableRequest signed_request = request;
  Signer(kS3Credentials, "us-east-1").sign(signed_request, kS3Time);
  EXPECT_EQ(header(signed_request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3ExamplesTest, PutObject) {
  const std::string body_hash = sha256_hex("Welcome to Amazon S3.");
  ASSERT_EQ(body_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  auto request = s3_request(
      "PUT", "/test$file.text", {},
      {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      body_hash);
  SignableRequest dated = request;
  dated.headers.emplace_back("x-amz-date", "20130524T000000Z");
  EXPECT_EQ(sha256_hex(canonical_request(dated)),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s3_signature(request),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3ExamplesTest, GetBucketLifecycle) {
  auto request = s3_request("GET", "/", {{"lifecycle", ""}}, {}, kEmptyHash);
  EXPECT_EQ(canonical_query_string(request.query), "lifecycle=");
  EXPECT_EQ(s3_signature(request),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3ExamplesTest, ListObjects) {
  auto request = s3_request("GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {}, kEmptyHash);
  EXPECT_EQ(canonical_query_string(request.query), "max-keys=2&prefix=J");
  EXPECT_EQ(s3_signature(request),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4S3ExamplesTest, PresignedUrl) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  Signer(kS3Credentials, "us-east-1").presign(request, kS3Time, 86400);
  std::string signature;
  std::vector<Field> unsigned_query;
  for (const auto& f : request.query) {
    if (f.first == "X-Amz-Signature") {
      signature = f.second;
    } else {
      unsigned_query.push_back(f);
    }
  }
  EXPECT_EQ(canonical_query_string(unsigned_query),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
            "X-Amz-SignedHeaders=host");
  SignableRequest unsigned_request = request;
  unsigned_request.query = unsigned_query;
  EXPECT_EQ(sha256_hex(canonical_request(unsigned_request)),
            "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
  EXPECT_EQ(signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_EQ(request.query.back().first, "X-Amz-Signature");
}

TEST(SigV4Test, SigningKeyDependsOnEveryPart) {
  auto base = signing_key("secret", "20130524", "us-east-1", "s3");
  EXPECT_NE(base, signing_key("secreT", "20130524", "us-east-1", "s3"));
  EXPECT_NE(base, signing_key("secret", "20130525", "us-east-1", "s3"));
  EXPECT_NE(base, signing_key("secret", "20130524", "eu-west-1", "s3"));
  EXPECT_NE(base, signing_key("secret", "20130524", "us-east-1", "sts"));
}

TEST(SigV4Test, AmzDate) {
  EXPECT_EQ(amz_date(0), "19700101T000000Z");
  EXPECT_EQ(amz_date(kS3Time), "20130524T000000Z");
  EXPECT_EQ(amz_date(1709251199), "20240229T235959Z");
}

}  // namespace
}  // namespace coffer::s3
