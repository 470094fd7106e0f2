#include "s3/s3_url.h"

#include <gtest/gtest.h>

namespace coffer::s3 {
namespace {

TEST(S3UrlTest, EndpointRegionAndAddressing) {
  auto l =
      parse_s3_url("s3://my-bucket/some/prefix/?endpoint=http://127.0.0.1:9000&region=eu-west-1");
  ASSERT_TRUE(l.is_ok()) << l.status().to_string();
  EXPECT_EQ(l->options.bucket, "my-bucket");
  EXPECT_EQ(l->prefix, "some/prefix");
  EXPECT_EQ(l->options.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(l->options.region, "eu-west-1");
  EXPECT_FALSE(l->options.virtual_hosted);  // a custom endpoint defaults to path-style

  l = parse_s3_url("s3://my-bucket?endpoint=https://minio.example:9000&addressing=virtual");
  ASSERT_TRUE(l.is_ok());
  EXPECT_EQ(l->prefix, "");
  EXPECT_TRUE(l->options.virtual_hosted);
  EXPECT_EQ(l->options.region, "us-east-1");
}

TEST(S3UrlTest, AwsByDefault) {
  auto l = parse_s3_url("s3://my-bucket/p?region=eu-central-1");
  ASSERT_TRUE(l.is_ok());
  EXPECT_EQ(l->options.endpoint, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_TRUE(l->options.virtual_hosted);
  l = parse_s3_url("s3://my-bucket/p?addressing=path");
  ASSERT_TRUE(l.is_ok());
  EXPECT_FALSE(l->options.virtual_hosted);
}

TEST(S3UrlTest, MistakesAreClearErrors) {
  for (const char* bad :
       {"http://bucket/p", "s3://", "s3://B/p", "s3://ab/p", "s3://key:secret@bucket/p",
        "s3://bucket/p?endpoint=ftp://h", "s3://bucket/p?endpoint=http://h/path",
        "s3://bucket/p?addressing=dns", "s3://bucket/p?secret=x", "s3://bucket/p?region="}) {
    auto l = parse_s3_url(bad);
    EXPECT_EQ(l.status().code(), Errc::kInvalidArgument) << bad;
  }
  EXPECT_NE(parse_s3_url("s3://bucket/p?secret=x").status().message().find("unknown parameter"),
            std::string::npos);
}

}  // namespace
}  // namespace coffer::s3
