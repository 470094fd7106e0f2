#include "core/digest.h"

#include <gtest/gtest.h>

#include <string_view>

#include "core/hex.h"

namespace coffer {
namespace {

TEST(DigestTest, KnownSha1DigestsInPiecesAndWhole) {
  Digest empty(Digest::Kind::kSha1);
  EXPECT_EQ(empty.finish_hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  Digest whole(Digest::Kind::kSha1);
  whole.update("abc");
  EXPECT_EQ(whole.finish_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  Digest pieces(Digest::Kind::kSha1);  // FIPS 180 test vector 2, fed in uneven pieces
  pieces.update("abcdbcdecdefdefgefghfghighij");
  pieces.update("");
  pieces.update("hijkijkljklmklmnlmnomnopnopq");
  EXPECT_EQ(pieces.finish_hex(), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(DigestTest, KnownMd5AndSha256) {
  Digest md5(Digest::Kind::kMd5);
  md5.update("abc");
  EXPECT_EQ(md5.finish_hex(), "900150983cd24fb0d6963f7d28e17f72");
  Digest sha256(Digest::Kind::kSha256);
  sha256.update("abc");
  const std::string raw = sha256.finish();
  EXPECT_EQ(raw.size(), 32u);
  EXPECT_EQ(to_hex(raw), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HexTest, LowerCaseTwoDigitsPerByte) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
  EXPECT_EQ(to_hex(std::span<const uint8_t>()), "");
  EXPECT_EQ(to_hex(std::string_view("\x01\xfe", 2)), "01fe");
}

}  // namespace
}  // namespace coffer
