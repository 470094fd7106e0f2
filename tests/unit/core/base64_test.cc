#include "core/base64.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

TEST(Base64, EncodesRfc4648TestVectorsInBothAlphabets) {
  EXPECT_EQ(base64_encode(std::string_view(""), Base64::kStandard), "");
  EXPECT_EQ(base64_encode(std::string_view("f"), Base64::kStandard), "Zg==");
  EXPECT_EQ(base64_encode(std::string_view("fo"), Base64::kStandard), "Zm8=");
  EXPECT_EQ(base64_encode(std::string_view("foobar"), Base64::kStandard), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string_view("f"), Base64::kUrlSafe), "Zg");
  EXPECT_EQ(base64_encode(std::string_view("\xfb\xff"), Base64::kStandard), "+/8=");
  EXPECT_EQ(base64_encode(std::string_view("\xfb\xff"), Base64::kUrlSafe), "-_8");
}

TEST(Base64, DecodesWhatItEncodes) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n < 8; ++n) {
    const std::string_view prefix(bytes.data(), n);
    for (auto alphabet : {Base64::kStandard, Base64::kUrlSafe}) {
      EXPECT_EQ(base64_decode(base64_encode(prefix, alphabet), alphabet), std::string(prefix));
    }
  }
  EXPECT_EQ(base64_decode(base64_encode(bytes, Base64::kUrlSafe), Base64::kUrlSafe), bytes);
}

TEST(Base64, RefusesAnythingButItsOwnAlphabetToTheLastByte) {
  EXPECT_FALSE(base64_decode("Zm8", Base64::kStandard));  // padding missing
  EXPECT_FALSE(base64_decode("Zm8=", Base64::kUrlSafe));  // padding present
  EXPECT_FALSE(base64_decode("-_8", Base64::kStandard));  // the other alphabet
  EXPECT_FALSE(base64_decode("+/8=", Base64::kUrlSafe));
  EXPECT_FALSE(base64_decode("Zm9v YmFy", Base64::kStandard));  // white space
  EXPECT_FALSE(base64_decode("Zm9vYmFy\n", Base64::kStandard));
  EXPECT_FALSE(base64_decode("Zm9v!", Base64::kStandard));
  // Canonical only: non-zero bits after the last byte would let one value have two spellings
  // (S3 compares checksums as text).
  EXPECT_FALSE(base64_decode("aGVsbG9=", Base64::kStandard));
  EXPECT_FALSE(base64_decode("Zh==", Base64::kStandard));
  EXPECT_FALSE(base64_decode("Zg===", Base64::kStandard));
  EXPECT_EQ(base64_decode("", Base64::kStandard), "");
}

}  // namespace
}  // namespace coffer
