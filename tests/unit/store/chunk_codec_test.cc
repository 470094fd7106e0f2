#include "store/chunk_codec.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::compressible_bytes;
using testing::random_bytes;

void expect_round_trip(const std::vector<std::byte>& raw) {
  EncodedChunk encoded = ChunkCodec::encode(raw);
  auto decoded = ChunkCodec::decode(encoded.bytes, ChunkId::of(raw));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, raw);
  auto header = ChunkCodec::parse_header(encoded.bytes);
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->encoding, encoded.encoding);
  EXPECT_EQ(header->raw_size, raw.size());
}

TEST(ChunkCodec, RoundTripsAnySize) {
  expect_round_trip({});
  expect_round_trip({std::byte{7}});
  expect_round_trip(random_bytes(1000, 1));
  expect_round_trip(compressible_bytes(1000, 1));
  expect_round_trip(random_bytes(4 << 20, 2));
  expect_round_trip(compressible_bytes(4 << 20, 2));
}

TEST(ChunkCodec, CompressibleDataIsStoredCompressed) {
  auto raw = compressible_bytes(1 << 20, 3);
  EncodedChunk encoded = ChunkCodec::encode(raw);
  EXPECT_EQ(encoded.encoding, ChunkEncoding::kZstd);
  EXPECT_LT(encoded.bytes.size(), raw.size() / 2);
}

TEST(ChunkCodec, RandomDataStaysRaw) {
  for (size_t size : {size_t{100}, size_t{64 << 10}, size_t{1 << 20}}) {
    auto raw = random_bytes(size, 4);
    EncodedChunk encoded = ChunkCodec::encode(raw);
    EXPECT_EQ(encoded.encoding, ChunkEncoding::kRaw) << size;
    EXPECT_EQ(encoded.bytes.size(), ChunkCodec::kHeaderSize + size);
  }
}

TEST(ChunkCodec, PartlyCompressibleDataIsCompressedWhenItPays) {
  auto raw = random_bytes(512 << 10, 5);
  auto text = compressible_bytes(512 << 10, 5);
  raw.insert(raw.end(), text.begin(), text.end());
  EncodedChunk encoded = ChunkCodec::encode(raw);
  EXPECT_EQ(encoded.encoding, ChunkEncoding::kZstd);
  EXPECT_LT(encoded.bytes.size(), raw.size() * 15 / 16);
}

// The header is part of the storage format (docs/storage-format.md).
TEST(ChunkCodec, HeaderLayoutIsFrozen) {
  for (const auto& [data, encoding] :
       {std::pair{random_bytes(300, 6), 0}, std::pair{compressible_bytes(300 << 10, 6), 1}}) {
    EncodedChunk encoded = ChunkCodec::encode(data);
    ASSERT_GE(encoded.bytes.size(), 16u);
    const auto* b = reinterpret_cast<const unsigned char*>(encoded.bytes.data());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b), 4), "CFC1");
    EXPECT_EQ(b[4], encoding);
    EXPECT_EQ(b[5] | b[6] | b[7], 0);
    uint64_t size = 0;
    for (int i = 0; i < 8; ++i) size |= uint64_t{b[8 + i]} << (8 * i);
    EXPECT_EQ(size, data.size());
  }
}

Errc decode_error(const std::vector<std::byte>& encoded, const ChunkId& id) {
  auto decoded = ChunkCodec::decode(encoded, id);
  return decoded.is_ok() ? Errc::kOk : decoded.status().code();
}

TEST(ChunkCodec, CorruptedPayloadIsDetected) {
  for (const auto& raw : {random_bytes(100'000, 7), compressible_bytes(100'000, 7)}) {
    const ChunkId id = ChunkId::of(raw);
    EncodedChunk encoded = ChunkCodec::encode(raw);
    auto flipped = encoded.bytes;
    flipped[flipped.size() / 2] ^= std::byte{0x10};
    EXPECT_EQ(decode_error(flipped, id), Errc::kCorruption);
    auto truncated = encoded.bytes;
    truncated.pop_back();
    EXPECT_EQ(decode_error(truncated, id), Errc::kCorruption);
    auto extended = encoded.bytes;
    extended.push_back(std::byte{0});
    EXPECT_EQ(decode_error(extended, id), Errc::kCorruption);
  }
}

TEST(ChunkCodec, CorruptedHeaderIsDetected) {
  auto raw = compressible_bytes(50'000, 8);
  const ChunkId id = ChunkId::of(raw);
  const auto good = ChunkCodec::encode(raw).bytes;
  ASSERT_EQ(decode_error(good, id), Errc::kOk);
  for (size_t at : {0, 3, 4, 5, 7, 8, 15}) {
    auto bad = good;
    bad[at] ^= std::byte{0x01};
    EXPECT_EQ(decode_error(bad, id), Errc::kCorruption) << "byte " << at;
  }
  EXPECT_EQ(decode_error(std::vector<std::byte>(good.begin(), good.begin() + 10), id),
            Errc::kCorruption);
  EXPECT_EQ(decode_error({}, id), Errc::kCorruption);
}

TEST(ChunkCodec, ContentThatDoesNotMatchItsIdIsCorruption) {
  auto raw = random_bytes(10'000, 9);
  auto other = random_bytes(10'000, 10);
  EXPECT_EQ(decode_error(ChunkCodec::encode(raw).bytes, ChunkId::of(other)), Errc::kCorruption);
}

TEST(ChunkId, HexRoundTrips) {
  const ChunkId id = ChunkId::of({});
  EXPECT_EQ(id.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ChunkId::from_hex(id.hex()), id);
  std::string upper = id.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(ChunkId::from_hex(upper), id);
  EXPECT_FALSE(ChunkId::from_hex(id.hex().substr(1)));
  EXPECT_FALSE(ChunkId::from_hex(id.hex() + "0"));
  EXPECT_FALSE(ChunkId::from_hex("g" + id.hex().substr(1)));
}

}  // namespace
}  // namespace coffer::store
