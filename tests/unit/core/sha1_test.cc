#include "core/sha1.h"

#include <gtest/gtest.h>

#include <string_view>

#include "core/hex.h"

namespace coffer {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) { return std::as_bytes(std::span(s)); }

TEST(Sha1Test, KnownDigestsInPiecesAndWhole) {
  Sha1 empty;
  EXPECT_EQ(empty.finish_hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  Sha1 whole;
  whole.update(bytes_of("abc"));
  EXPECT_EQ(whole.finish_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  Sha1 pieces;  // FIPS 180 test vector 2, fed in uneven pieces
  pieces.update(bytes_of("abcdbcdecdefdefgefghfghighij"));
  pieces.update(bytes_of(""));
  pieces.update(bytes_of("hijkijkljklmklmnlmnomnopnopq"));
  EXPECT_EQ(pieces.finish_hex(), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(HexTest, LowerCaseTwoDigitsPerByte) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
  EXPECT_EQ(to_hex(std::span<const uint8_t>()), "");
}

}  // namespace
}  // namespace coffer
