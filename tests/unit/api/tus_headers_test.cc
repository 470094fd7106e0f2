#include "api/tus_headers.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

TEST(TusHeaders, NumbersAreDecimalDigitsOnly) {
  EXPECT_EQ(parse_tus_number("Upload-Length", "").value(), std::nullopt);
  EXPECT_EQ(parse_tus_number("Upload-Length", " 42 ").value(), 42u);
  EXPECT_EQ(parse_tus_number("Upload-Length", "18446744073709551615").value(), UINT64_MAX);
  for (std::string_view bad : {"+1", "-1", "1 2", "0x10", "18446744073709551616", "1.0"}) {
    auto parsed = parse_tus_number("Upload-Offset", bad);
    ASSERT_FALSE(parsed.is_ok()) << bad;
    EXPECT_EQ(parsed.status().code(), Errc::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("Upload-Offset"), std::string::npos);
  }
}

TEST(TusHeaders, MetadataPairsDecodeAndKeysMayStandAlone) {
  auto parsed =
      parse_upload_metadata("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==, is_confidential");
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(parsed->at("filename"), "world_domination_plan.pdf");
  EXPECT_EQ(parsed->at("is_confidential"), "");
  EXPECT_TRUE(parse_upload_metadata("").value().empty());
}

TEST(TusHeaders, MalformedMetadataIsRefused) {
  for (std::string_view bad : {"a Zg==, a Zm8=", "a not-base64", ", ,x Zg==", "a Zg==,,b"}) {
    EXPECT_FALSE(parse_upload_metadata(bad).is_ok()) << bad;
  }
  EXPECT_FALSE(parse_upload_metadata(std::string(kMaxUploadMetadataBytes + 1, 'a')).is_ok());
}

TEST(TusHeaders, ChecksumIsSha256AsHex) {
  // SHA-256 of "" in base64.
  auto parsed = parse_upload_checksum("sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(parsed.value(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(parse_upload_checksum("").value(), std::nullopt);
  EXPECT_FALSE(parse_upload_checksum("md5 1B2M2Y8AsgTpgAmY7PhCfg==").is_ok());
  EXPECT_FALSE(parse_upload_checksum("sha256 Zm9v").is_ok());
}

}  // namespace
}  // namespace coffer::api
