// The x-amz-checksum-* algorithms against their standard check values (the CRC catalogue's
// "123456789"), FIPS 180 "abc", and values S3 clients sent: boto3's CRC32 trailer and the
// CRC32C trailer of the AWS documentation's trailing-header example.

#include "s3api/checksum.h"

#include <gtest/gtest.h>

#include <string>

namespace coffer::s3api {
namespace {

std::string checksum_of(ChecksumAlgorithm algorithm, std::string_view data) {
  Checksum c(algorithm);
  c.update(data);
  return c.finish();
}

TEST(ChecksumTest, CheckValues) {
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc32, "123456789"), "y/Q5Jg==");   // cbf43926
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc32c, "123456789"), "4waSgw==");  // e3069283
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc64Nvme, "123456789"), "rosUhgp5mIg=");
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kSha1, "abc"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kSha256, "abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc32, ""), "AAAAAA==");
}

TEST(ChecksumTest, ValuesClientsSent) {
  // The AWS example "Signature calculations for trailing headers": 66560 bytes of 'a'.
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc32c, std::string(66560, 'a')), "sOO8/Q==");
  // boto3 1.43.11's trailer for bytes (i * 7 + 3) % 256, i < 20000 (see
  // aws_chunked_body_test.cc).
  std::string data;
  for (int i = 0; i < 20000; ++i) data.push_back(static_cast<char>((i * 7 + 3) % 256));
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc32, data), "3r2hYw==");
}

TEST(ChecksumTest, PiecesGiveTheSameValueAsTheWhole) {
  const std::string data = "The quick brown fox jumps over the lazy dog, twice over.";
  for (auto algorithm :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
        ChecksumAlgorithm::kSha256, ChecksumAlgorithm::kCrc64Nvme}) {
    Checksum pieces(algorithm);
    for (size_t i = 0; i < data.size(); i += 7) pieces.update(std::string_view(data).substr(i, 7));
    EXPECT_EQ(pieces.finish(), checksum_of(algorithm, data)) << checksum_display_name(algorithm);
  }
}

TEST(ChecksumTest, Names) {
  EXPECT_EQ(parse_checksum_algorithm("CRC32"), ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(parse_checksum_algorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(parse_checksum_algorithm("sha256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(parse_checksum_algorithm("md5"), std::nullopt);
  EXPECT_EQ(checksum_from_header_name("X-Amz-Checksum-SHA1"), ChecksumAlgorithm::kSha1);
  EXPECT_EQ(checksum_from_header_name("x-amz-checksum-type"), std::nullopt);
  EXPECT_EQ(checksum_header_name(ChecksumAlgorithm::kCrc32c), "x-amz-checksum-crc32c");
  EXPECT_EQ(checksum_size(ChecksumAlgorithm::kSha1), 20U);
}

}  // namespace
}  // namespace coffer::s3api
