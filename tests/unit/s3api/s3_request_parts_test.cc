// The pure pieces of the S3 API's request handling: addressing, keys as paths, S3's
// timestamps, ETags and URL-encoded keys.

#include <gtest/gtest.h>

#include "s3api/object_keys.h"
#include "s3api/s3_response.h"
#include "s3api/s3_target.h"

namespace coffer::s3api {
namespace {

api::Request request_to(std::string target, std::string host = "127.0.0.1:9000") {
  api::Request r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers.push_back({"Host", std::move(host)});
  return r;
}

TEST(S3TargetTest, PathStyleKeepsEveryByteOfTheKey) {
  auto t = parse_target(request_to("/bucket/a/b%20c+d//e?list-type=2&prefix=x%2By"), "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->bucket, "bucket");
  EXPECT_EQ(t->key, "a/b c+d//e");
  EXPECT_EQ(t->param("list-type"), "2");
  EXPECT_EQ(t->param("prefix"), "x+y");
  EXPECT_FALSE(t->has("delimiter"));
}

TEST(S3TargetTest, ServiceBucketAndValuelessParameters) {
  auto service = parse_target(request_to("/"), "");
  ASSERT_TRUE(service);
  EXPECT_EQ(service->bucket, "");
  auto bucket = parse_target(request_to("/b?uploads"), "");
  ASSERT_TRUE(bucket);
  EXPECT_EQ(bucket->bucket, "b");
  EXPECT_EQ(bucket->key, "");
  EXPECT_TRUE(bucket->has("uploads"));
}

TEST(S3TargetTest, VirtualHostedStyleNeedsTheBaseDomain) {
  auto hosted =
      parse_target(request_to("/dir/file.txt", "Photos.S3.Example.com:443"), "s3.example.com");
  ASSERT_TRUE(hosted);
  EXPECT_EQ(hosted->bucket, "photos");
  EXPECT_EQ(hosted->key, "dir/file.txt");
  // The base domain itself, or another host: path-style.
  auto plain = parse_target(request_to("/b/k", "s3.example.com"), "s3.example.com");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->bucket, "b");
  auto other = parse_target(request_to("/b/k", "evil-s3.example.com"), "s3.example.com");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->bucket, "b");
}

TEST(S3TargetTest, MalformedTargetsAreRefused) {
  EXPECT_FALSE(parse_target(request_to("bucket/key"), ""));
  EXPECT_FALSE(parse_target(request_to("/b/%zz"), ""));
}

// Found by fuzz/s3api/s3_request_fuzz.cc: whatever the Host header held before the base
// domain became the bucket, '/' and NUL included. A Host is a DNS name: anything else there is
// a malformed request.
TEST(S3TargetTest, AHostThatIsNoDnsNameNamedABucketWithASlash) {
  for (std::string_view host : std::initializer_list<std::string_view>{
           "a/b.s3.example.com", "a%00b.s3.example.com",
           std::string_view("a\0b.s3.example.com", 18), "a b.s3.example.com", "a..s3.example.com",
           "a;b.s3.example.com:80"}) {
    EXPECT_FALSE(parse_target(request_to("/k", std::string(host)), "s3.example.com")) << host;
  }
  auto dotted = parse_target(request_to("/k", "my-bucket.v2.s3.example.com"), "s3.example.com");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->bucket, "my-bucket.v2");
}

TEST(ObjectKeyTest, SegmentsAreNamesAndATrailingSlashMarksAFolder) {
  auto key = parse_key("2024/reports/q1.pdf");
  ASSERT_TRUE(key.is_ok());
  EXPECT_EQ(key->segments, (std::vector<std::string>{"2024", "reports", "q1.pdf"}));
  EXPECT_FALSE(key->folder_marker);
  auto marker = parse_key("a/b/");
  ASSERT_TRUE(marker.is_ok());
  EXPECT_TRUE(marker->folder_marker);
  EXPECT_EQ(marker->segments, (std::vector<std::string>{"a", "b"}));
  // NFC, like every name.
  auto decomposed = parse_key("caf\x65\xcc\x81");
  ASSERT_TRUE(decomposed.is_ok());
  EXPECT_EQ(decomposed->segments[0], "caf\xc3\xa9");
}

TEST(ObjectKeyTest, KeysAFileTreeCannotHoldAreRefused) {
  for (std::string_view bad : {"", "/", "a//b", "/a", "a/./b", "a/../b", "..", "a/b//", "x\x01y"}) {
    EXPECT_FALSE(parse_key(bad).is_ok()) << bad;
  }
  EXPECT_FALSE(parse_key(std::string(1025, 'k')).is_ok());
  EXPECT_TRUE(parse_key(std::string(200, 'k') + "/" + std::string(200, 'k')).is_ok());
}

TEST(S3ResponseTest, TimestampsEtagsAndEncodedKeys) {
  EXPECT_EQ(iso8601_millis(1'255'369'830'123'456), "2009-10-12T17:50:30.123Z");
  Node file;
  file.kind = NodeKind::kFile;
  file.sha256 = std::string(64, 'a');
  EXPECT_EQ(etag_of(file), "\"" + std::string(32, 'a') + "-1\"");
  file.md5 = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(etag_of(file), "\"0123456789abcdef0123456789abcdef\"");
  EXPECT_EQ(url_encode_key("a/b c+d/é"), "a/b+c%2Bd/%C3%A9");
}

TEST(S3ResponseTest, ErrorsAreS3XmlAndHeadCarriesOnlyTheCode) {
  api::Response get = error_response({404, "NoSuchKey", "no <key>"}, "GET", "/b/k", "req-1");
  EXPECT_EQ(get.status, 404);
  EXPECT_NE(get.body.find("<Code>NoSuchKey</Code><Message>no &lt;key&gt;</Message>"),
            std::string::npos);
  EXPECT_NE(get.body.find("<RequestId>req-1</RequestId>"), std::string::npos);
  api::Response head = error_response({404, "NoSuchKey", "gone"}, "HEAD", "/b/k", "req-2");
  EXPECT_TRUE(head.body.empty());
  EXPECT_TRUE(head.content_length.has_value());
}

}  // namespace
}  // namespace coffer::s3api
