// ObjectReader verifies every chunk it serves, raw chunks included, on stores that read in
// place (local disk: by the chunk's fast check when it is known) and on those that do not
// (S3: always by the SHA-256 that is its id).

#include "store/object_reader.h"

#include <gtest/gtest.h>

#include <vector>

#include "store/chunk_check.h"
#include "store/chunk_codec.h"
#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::compressible_bytes;
using testing::MemoryChunkStore;
using testing::random_bytes;

// A MemoryChunkStore that, like S3, asks readers to fetch whole chunks with get().
class RemoteMemoryChunkStore : public MemoryChunkStore {
 public:
  bool reads_in_place() const override { return false; }
  bool fast_checks_suffice() const override { return false; }
};

// Stores `data` as chunks of `chunk_size` bytes (the last one shorter) and returns their refs.
std::vector<ChunkRef> put_object(MemoryChunkStore& store, std::span<const std::byte> data,
                                 size_t chunk_size) {
  std::vector<ChunkRef> refs;
  for (size_t at = 0; at < data.size(); at += chunk_size) {
    auto raw = data.subspan(at, std::min(chunk_size, data.size() - at));
    EncodedChunk encoded = ChunkCodec::encode(raw);
    ChunkRef ref{ChunkId::of(raw),
                 at,
                 static_cast<uint32_t>(raw.size()),
                 static_cast<uint32_t>(encoded.bytes.size()),
                 encoded.encoding,
                 chunk_check(raw)};
    EXPECT_TRUE(store.put(ref.id, encoded.bytes).is_ok());
    refs.push_back(ref);
  }
  return refs;
}

// Flips one bit of the payload byte `at` of a stored chunk.
void flip_bit(MemoryChunkStore& store, const ChunkRef& chunk, size_t at) {
  std::vector<std::byte>* bytes = store.find(chunk.id);
  ASSERT_NE(bytes, nullptr);
  (*bytes)[ChunkCodec::kHeaderSize + at] ^= std::byte{0x10};
}

// Reads everything with reads of `buffer` bytes; returns the bytes read before the end or
// the first error, and that error.
struct ReadAll {
  std::vector<std::byte> bytes;
  Status status;
};
ReadAll read_all(ObjectReader& reader, size_t buffer = 64 * 1024) {
  ReadAll out;
  std::vector<std::byte> buf(buffer);
  for (;;) {
    auto n = reader.read(buf);
    if (!n.is_ok()) {
      out.status = n.status();
      return out;
    }
    if (*n == 0) return out;
    out.bytes.insert(out.bytes.end(), buf.begin(), buf.begin() + *n);
  }
}

class ObjectReaderTest : public ::testing::TestWithParam<bool> {
 protected:
  MemoryChunkStore& store() { return GetParam() ? in_place_ : remote_; }

  MemoryChunkStore in_place_;
  RemoteMemoryChunkStore remote_;
};

INSTANTIATE_TEST_SUITE_P(Stores, ObjectReaderTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "InPlace" : "Remote"; });

TEST_P(ObjectReaderTest, FlippedBitInRawChunkIsRefused) {
  auto data = random_bytes(100'000, 1);
  auto refs = put_object(store(), data, data.size());
  ASSERT_EQ(refs[0].encoding, ChunkEncoding::kRaw);
  flip_bit(store(), refs[0], data.size() - 1);

  ObjectReader whole(store(), refs, 0, data.size());
  ReadAll got = read_all(whole);
  EXPECT_EQ(got.status.code(), Errc::kCorruption) << got.status.to_string();
  EXPECT_TRUE(got.bytes.empty());
}

TEST_P(ObjectReaderTest, RangeAwayFromTheFlippedBitIsRefused) {
  // The whole chunk a range touches is verified, not just the bytes it asks for.
  auto data = random_bytes(100'000, 2);
  auto refs = put_object(store(), data, data.size());
  flip_bit(store(), refs[0], 99'000);
  ObjectReader range(store(), refs, 10, 100);
  ReadAll got = read_all(range);
  EXPECT_EQ(got.status.code(), Errc::kCorruption);
  EXPECT_TRUE(got.bytes.empty());
}

TEST_P(ObjectReaderTest, FlippedBitInCompressedChunkIsRefused) {
  auto text = compressible_bytes(200'000, 3);
  auto refs = put_object(store(), text, text.size());
  ASSERT_EQ(refs[0].encoding, ChunkEncoding::kZstd);
  std::vector<std::byte>* bytes = store().find(refs[0].id);
  (*bytes)[bytes->size() / 2] ^= std::byte{0x10};
  ObjectReader reader(store(), refs, 0, 10);
  EXPECT_EQ(read_all(reader).status.code(), Errc::kCorruption);
}

TEST_P(ObjectReaderTest, DamagedFirstChunkFailsPrepareAndIsReportedOnce) {
  auto data = random_bytes(300'000, 4);
  auto refs = put_object(store(), data, 100'000);
  flip_bit(store(), refs[1], 5);
  std::vector<ChunkId> reported;
  ObjectReader reader(store(), refs, 150'000, 10,
                      [&](const ChunkId& id, const Status&) { reported.push_back(id); });
  Status prepared = reader.prepare();
  EXPECT_EQ(prepared.code(), Errc::kCorruption) << prepared.to_string();
  // The failure sticks: later reads neither fetch the chunk again nor report it again.
  EXPECT_EQ(read_all(reader).status.code(), Errc::kCorruption);
  EXPECT_EQ(read_all(reader).status.code(), Errc::kCorruption);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0], refs[1].id);
}

TEST_P(ObjectReaderTest, DamagedLaterChunkFailsAfterTheBytesBeforeIt) {
  auto data = random_bytes(1'000'000, 5);
  auto refs = put_object(store(), data, 256 * 1024);
  ASSERT_GE(refs.size(), 3u);
  flip_bit(store(), refs[2], 1);
  int reports = 0;
  ObjectReader reader(store(), refs, 0, data.size(),
                      [&](const ChunkId&, const Status&) { ++reports; });
  ASSERT_TRUE(reader.prepare().is_ok());
  ReadAll got = read_all(reader, 100'000);
  EXPECT_EQ(got.status.code(), Errc::kCorruption);
  ASSERT_EQ(got.bytes.size(), refs[2].offset);
  EXPECT_TRUE(std::equal(got.bytes.begin(), got.bytes.end(), data.begin()));
  EXPECT_EQ(reports, 1);
}

TEST_P(ObjectReaderTest, MissingChunkIsCorruptionAndReported) {
  auto data = random_bytes(50'000, 6);
  auto refs = put_object(store(), data, data.size());
  ASSERT_TRUE(store().remove(refs[0].id).is_ok());
  int reports = 0;
  ObjectReader reader(store(), refs, 0, data.size(),
                      [&](const ChunkId&, const Status&) { ++reports; });
  EXPECT_EQ(reader.prepare().code(), Errc::kCorruption);
  EXPECT_EQ(reports, 1);
}

TEST_P(ObjectReaderTest, TruncatedAndOverlongRawChunksAreRefused) {
  auto data = random_bytes(70'000, 7);
  auto refs = put_object(store(), data, data.size());
  std::vector<std::byte>* bytes = store().find(refs[0].id);
  const std::vector<std::byte> intact = *bytes;
  bytes->pop_back();
  ObjectReader truncated(store(), refs, 0, 10);
  EXPECT_EQ(read_all(truncated).status.code(), Errc::kCorruption);
  *bytes = intact;
  bytes->push_back(std::byte{0});
  ObjectReader overlong(store(), refs, 0, 10);
  EXPECT_EQ(read_all(overlong).status.code(), Errc::kCorruption);
}

TEST_P(ObjectReaderTest, IntactObjectsReadWholeAndInRanges) {
  auto data = random_bytes(900'000, 8);
  auto text = compressible_bytes(600'000, 8);
  data.insert(data.end(), text.begin(), text.end());
  auto refs = put_object(store(), data, 200'000);
  for (auto [offset, length] : {std::pair<uint64_t, uint64_t>{0, data.size()},
                                {199'999, 2},
                                {350'000, 700'000},
                                {data.size() - 1, 1},
                                {123, 0}}) {
    ObjectReader reader(store(), refs, offset, length);
    ASSERT_TRUE(reader.prepare().is_ok());
    ReadAll got = read_all(reader, 77'777);
    ASSERT_TRUE(got.status.is_ok()) << got.status.to_string();
    ASSERT_EQ(got.bytes.size(), length);
    EXPECT_TRUE(std::equal(got.bytes.begin(), got.bytes.end(), data.begin() + offset));
  }
}

TEST_P(ObjectReaderTest, ChunksWithoutACheckAreVerifiedByTheirId) {
  // Written before checks existed: the catalog has none for them.
  auto data = random_bytes(300'000, 9);
  auto refs = put_object(store(), data, 100'000);
  for (ChunkRef& ref : refs) ref.check = kNoChunkCheck;
  ObjectReader intact(store(), refs, 0, data.size());
  ReadAll got = read_all(intact);
  ASSERT_TRUE(got.status.is_ok()) << got.status.to_string();
  EXPECT_EQ(got.bytes, data);
  flip_bit(store(), refs[1], 5);
  ObjectReader damaged(store(), refs, 0, data.size());
  got = read_all(damaged);
  EXPECT_EQ(got.status.code(), Errc::kCorruption);
  EXPECT_EQ(got.bytes.size(), 100'000u);
}

TEST_P(ObjectReaderTest, TheCheckDecidesOnLocalDiskTheIdOnARemoteStore) {
  // A check that does not match the content: a local-disk read goes by the check and refuses
  // the chunk; a remote store's read goes by the SHA-256, which the content matches.
  auto raw = random_bytes(50'000, 10);
  auto text = compressible_bytes(50'000, 10);
  for (const auto& data : {raw, text}) {
    auto refs = put_object(store(), data, data.size());
    refs[0].check ^= 1;
    ObjectReader reader(store(), refs, 0, data.size());
    ReadAll got = read_all(reader);
    if (GetParam()) {
      EXPECT_EQ(got.status.code(), Errc::kCorruption);
    } else {
      EXPECT_TRUE(got.status.is_ok()) << got.status.to_string();
      EXPECT_EQ(got.bytes, data);
    }
  }
}

TEST(ChunkCheck, DiffersWithTheContentAndIsNeverZero) {
  auto a = random_bytes(4096, 11);
  auto b = a;
  b[4095] ^= std::byte{1};
  EXPECT_NE(chunk_check(a), chunk_check(b));
  EXPECT_EQ(chunk_check(a), chunk_check(std::vector<std::byte>(a)));
  EXPECT_NE(chunk_check({}), kNoChunkCheck);
}

}  // namespace
}  // namespace coffer::store
