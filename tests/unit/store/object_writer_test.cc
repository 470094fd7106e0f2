#include "store/object_writer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "store/chunk_check.h"
#include "store/local_chunk_store.h"
#include "store/object_reader.h"
#include "store/sha256.h"
#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::compressible_bytes;
using testing::MemoryChunkStore;
using testing::random_bytes;
using testing::TempDir;

// Writes `data` in pieces of `piece` bytes and returns the manifest.
ObjectManifest store_object(ChunkStore& store, const Chunker& chunker, InflightChunks& inflight,
                            std::span<const std::byte> data, size_t piece = 100'003) {
  ObjectWriter writer(store, chunker, inflight);
  for (size_t at = 0; at < data.size(); at += piece) {
    Status status = writer.write(data.subspan(at, std::min(piece, data.size() - at)));
    EXPECT_TRUE(status.is_ok()) << status.to_string();
  }
  auto manifest = writer.finish();
  EXPECT_TRUE(manifest.is_ok()) << manifest.status().to_string();
  return manifest.is_ok() ? std::move(manifest).value() : ObjectManifest{};
}

// Reads [offset, offset + length) with reads of at most `buffer` bytes.
Result<std::vector<std::byte>> read_range(ChunkStore& store, const ObjectManifest& manifest,
                                          uint64_t offset, uint64_t length,
                                          size_t buffer = 256 * 1024) {
  ObjectReader reader(store, manifest.chunks, offset, length);
  std::vector<std::byte> out;
  std::vector<std::byte> buf(buffer);
  for (;;) {
    auto n = reader.read(buf);
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + *n);
  }
  return out;
}

void expect_valid_manifest(const ObjectManifest& manifest, std::span<const std::byte> data) {
  EXPECT_EQ(manifest.size, data.size());
  EXPECT_EQ(manifest.sha256, Sha256::digest(data));
  uint64_t offset = 0;
  for (const ChunkRef& ref : manifest.chunks) {
    EXPECT_EQ(ref.offset, offset);
    EXPECT_EQ(ref.id, ChunkId::of(data.subspan(offset, ref.size)));
    EXPECT_EQ(ref.check, chunk_check(data.subspan(offset, ref.size)));
    EXPECT_GT(ref.stored_size, 0u);
    offset += ref.size;
  }
  EXPECT_EQ(offset, data.size());
}

class ObjectWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = LocalChunkStore::open(dir_.path() + "/chunks");
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
  }

  void expect_round_trip(const std::vector<std::byte>& data, size_t piece = 100'003) {
    ObjectManifest manifest = store_object(*store_, chunker_, inflight_, data, piece);
    expect_valid_manifest(manifest, data);
    auto back = read_range(*store_, manifest, 0, data.size());
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_TRUE(*back == data) << "size " << data.size();
  }

  TempDir dir_;
  std::unique_ptr<LocalChunkStore> store_;
  Chunker chunker_;
  InflightChunks inflight_;
};

TEST_F(ObjectWriterTest, EmptyObjectHasNoChunks) {
  ObjectManifest manifest = store_object(*store_, chunker_, inflight_, {});
  EXPECT_TRUE(manifest.chunks.empty());
  EXPECT_EQ(manifest.size, 0u);
  EXPECT_EQ(ChunkId{manifest.sha256}.hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(manifest.new_stored_bytes, 0u);
  auto back = read_range(*store_, manifest, 0, 0);
  ASSERT_TRUE(back.is_ok());
  EXPECT_TRUE(back->empty());
}

TEST_F(ObjectWriterTest, RoundTripsSmallObjects) {
  expect_round_trip({std::byte{42}});
  expect_round_trip(random_bytes(4096, 1));
  expect_round_trip(compressible_bytes(100'000, 1), 1000);
}

TEST_F(ObjectWriterTest, RoundTripsLargeObjects) {
  expect_round_trip(random_bytes(13 << 20, 2));
  expect_round_trip(random_bytes(9 << 20, 3), 1 << 20);
  expect_round_trip(compressible_bytes(11 << 20, 4), 65536);
  expect_round_trip(random_bytes(6 << 20, 5), 5 << 20);  // writes larger than the cut buffer
}

TEST_F(ObjectWriterTest, ObjectEndingExactlyAtABoundary) {
  auto data = random_bytes(6 << 20, 6);
  const size_t first = chunker_.next_boundary(data, /*at_end=*/false);
  ASSERT_LT(first, chunker_.params().max_size);

  auto exact = std::vector<std::byte>(data.begin(), data.begin() + first);
  ObjectManifest one = store_object(*store_, chunker_, inflight_, exact);
  ASSERT_EQ(one.chunks.size(), 1u);
  EXPECT_EQ(one.chunks[0].size, first);
  expect_round_trip(exact);

  auto plus_one = std::vector<std::byte>(data.begin(), data.begin() + first + 1);
  ObjectManifest two = store_object(*store_, chunker_, inflight_, plus_one);
  ASSERT_EQ(two.chunks.size(), 2u);
  EXPECT_EQ(two.chunks[0].id, one.chunks[0].id);
  EXPECT_EQ(two.chunks[1].size, 1u);
  expect_round_trip(plus_one);

  std::vector<std::byte> max_sized(chunker_.params().max_size, std::byte{1});
  ObjectManifest maxed = store_object(*store_, chunker_, inflight_, max_sized);
  EXPECT_EQ(maxed.chunks.size(), 1u);
  expect_round_trip(max_sized);
}

TEST_F(ObjectWriterTest, EncodingFollowsTheContent) {
  auto text = compressible_bytes(5 << 20, 7);
  ObjectManifest compressed = store_object(*store_, chunker_, inflight_, text);
  ASSERT_FALSE(compressed.chunks.empty());
  for (const ChunkRef& ref : compressed.chunks) {
    EXPECT_EQ(ref.encoding, ChunkEncoding::kZstd);
    EXPECT_LT(ref.stored_size, ref.size / 2);
  }
  EXPECT_LT(compressed.new_stored_bytes, text.size() / 2);

  auto noise = random_bytes(5 << 20, 8);
  ObjectManifest raw = store_object(*store_, chunker_, inflight_, noise);
  for (const ChunkRef& ref : raw.chunks) {
    EXPECT_EQ(ref.encoding, ChunkEncoding::kRaw);
    EXPECT_EQ(ref.stored_size, ref.size + ChunkCodec::kHeaderSize);
  }
  EXPECT_EQ(raw.new_stored_bytes, noise.size() + raw.chunks.size() * ChunkCodec::kHeaderSize);
}

TEST_F(ObjectWriterTest, ReadsAnyRange) {
  for (const auto& data : {random_bytes(10 << 20, 9), compressible_bytes(10 << 20, 9)}) {
    ObjectManifest manifest = store_object(*store_, chunker_, inflight_, data);
    ASSERT_GE(manifest.chunks.size(), 3u);
    const uint64_t second = manifest.chunks[1].offset;
    const uint64_t third = manifest.chunks[2].offset;
    const std::vector<std::pair<uint64_t, uint64_t>> ranges = {
        {12'345, 1000},                      // inside the first chunk
        {second - 10, 20},                   // across a boundary
        {second + 1, third - second + 100},  // mid-chunk, spanning a whole chunk and more
        {second, third - second},            // exactly one chunk
        {data.size() - 1, 1},                // the last byte
        {data.size(), 0},                    // empty, at the end
        {7, data.size() - 7},                // nearly everything
    };
    for (const auto& [offset, length] : ranges) {
      for (size_t buffer : {size_t{999}, size_t{4 << 20}}) {
        auto got = read_range(*store_, manifest, offset, length, buffer);
        ASSERT_TRUE(got.is_ok()) << got.status().to_string();
        EXPECT_TRUE(std::equal(got->begin(), got->end(), data.begin() + offset) &&
                    got->size() == length)
            << "range " << offset << "+" << length << " buffer " << buffer;
      }
    }
  }
}

TEST_F(ObjectWriterTest, SameContentTwiceStoresNothingNew) {
  for (const auto& data : {random_bytes(7 << 20, 10), compressible_bytes(7 << 20, 10)}) {
    ObjectManifest first = store_object(*store_, chunker_, inflight_, data);
    EXPECT_GT(first.new_stored_bytes, 0u);
    ObjectManifest second = store_object(*store_, chunker_, inflight_, data, 77'777);
    EXPECT_EQ(second.new_stored_bytes, 0u);
    ASSERT_EQ(second.chunks.size(), first.chunks.size());
    for (size_t i = 0; i < first.chunks.size(); ++i) {
      EXPECT_EQ(second.chunks[i].id, first.chunks[i].id);
      EXPECT_EQ(second.chunks[i].encoding, first.chunks[i].encoding);
      EXPECT_EQ(second.chunks[i].stored_size, first.chunks[i].stored_size);
    }
  }
}

TEST_F(ObjectWriterTest, RepeatedChunksInsideOneObjectAreStoredOnce) {
  std::vector<std::byte> zeros(5 * size_t{chunker_.params().max_size}, std::byte{0});
  ObjectManifest manifest = store_object(*store_, chunker_, inflight_, zeros, 1 << 20);
  ASSERT_EQ(manifest.chunks.size(), 5u);
  for (const ChunkRef& ref : manifest.chunks) {
    EXPECT_EQ(ref.id, manifest.chunks[0].id);
    EXPECT_EQ(ref.encoding, ChunkEncoding::kZstd);
    EXPECT_EQ(ref.stored_size, manifest.chunks[0].stored_size);
  }
  EXPECT_EQ(manifest.new_stored_bytes, manifest.chunks[0].stored_size);
  auto back = read_range(*store_, manifest, 0, zeros.size());
  ASSERT_TRUE(back.is_ok());
  EXPECT_TRUE(*back == zeros);
}

TEST_F(ObjectWriterTest, ChunksStayPinnedUntilTheWriterIsDestroyed) {
  auto data = random_bytes(9 << 20, 11);
  ObjectManifest manifest;
  {
    ObjectWriter writer(*store_, chunker_, inflight_);
    ASSERT_TRUE(writer.write(data).is_ok());
    auto finished = writer.finish();
    ASSERT_TRUE(finished.is_ok());
    manifest = std::move(finished).value();
    for (const ChunkRef& ref : manifest.chunks) EXPECT_TRUE(inflight_.is_pinned(ref.id));
  }
  for (const ChunkRef& ref : manifest.chunks) EXPECT_FALSE(inflight_.is_pinned(ref.id));

  // An abandoned upload releases its pins too.
  {
    ObjectWriter writer(*store_, chunker_, inflight_);
    ASSERT_TRUE(writer.write(data).is_ok());
  }
  for (const ChunkRef& ref : manifest.chunks) EXPECT_FALSE(inflight_.is_pinned(ref.id));
}

// The catalog lists the chunk, so its absence is lost data (CORRUPTION, a 500), not a
// missing file (NOT_FOUND, a 404).
TEST_F(ObjectWriterTest, MissingChunkFailsTheReadWithCorruption) {
  for (const auto& data : {random_bytes(5 << 20, 12), compressible_bytes(5 << 20, 12)}) {
    ObjectManifest manifest = store_object(*store_, chunker_, inflight_, data);
    ASSERT_GE(manifest.chunks.size(), 2u);
    ASSERT_TRUE(store_->remove(manifest.chunks[1].id).is_ok());
    auto got = read_range(*store_, manifest, 0, data.size());
    EXPECT_EQ(got.status().code(), Errc::kCorruption);
    // A range inside the intact chunk still reads.
    EXPECT_TRUE(read_range(*store_, manifest, 0, 100).is_ok());
  }
}

TEST(ObjectWriter, ManySmallChunksKeepTheirOrder) {
  // Small chunks put hundreds of jobs through the worker threads.
  MemoryChunkStore store;
  const Chunker chunker(ChunkerParams{.min_size = 1024, .avg_size = 4096, .max_size = 16384});
  InflightChunks inflight;
  auto data = random_bytes(3 << 20, 16);
  ObjectManifest manifest = store_object(store, chunker, inflight, data, 10'000);
  EXPECT_GT(manifest.chunks.size(), 300u);
  expect_valid_manifest(manifest, data);
  auto back = read_range(store, manifest, 0, data.size());
  ASSERT_TRUE(back.is_ok());
  EXPECT_TRUE(*back == data);
}

TEST(ObjectWriter, TheStoredEncodingWinsOverTheManifestHint) {
  MemoryChunkStore store;
  const Chunker chunker;
  InflightChunks inflight;
  auto text = compressible_bytes(500'000, 17);
  const ChunkId id = ChunkId::of(text);
  // Stored raw by some earlier writer although it compresses.
  std::vector<std::byte> raw_encoded(ChunkCodec::kHeaderSize);
  std::memcpy(raw_encoded.data(), "CFC1", 4);
  for (int i = 0; i < 8; ++i) raw_encoded[8 + i] = std::byte((text.size() >> (8 * i)) & 0xff);
  raw_encoded.insert(raw_encoded.end(), text.begin(), text.end());
  ASSERT_TRUE(store.put(id, raw_encoded).is_ok());

  // A dedup hit records how the chunk is actually stored.
  ObjectManifest manifest = store_object(store, chunker, inflight, text);
  ASSERT_EQ(manifest.chunks.size(), 1u);
  EXPECT_EQ(manifest.chunks[0].encoding, ChunkEncoding::kRaw);
  EXPECT_EQ(manifest.chunks[0].stored_size, raw_encoded.size());
  EXPECT_EQ(manifest.new_stored_bytes, 0u);

  // A manifest that says raw for a chunk stored compressed still reads correctly.
  MemoryChunkStore other;
  ASSERT_TRUE(other.put(id, ChunkCodec::encode(text).bytes).is_ok());
  auto back = read_range(other, manifest, 100, 1000);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_TRUE(std::equal(back->begin(), back->end(), text.begin() + 100));
}

TEST(ObjectWriter, CorruptChunksFailTheReadWithCorruption) {
  MemoryChunkStore store;
  Chunker chunker;
  InflightChunks inflight;
  for (const auto& data : {random_bytes(3 << 20, 13), compressible_bytes(3 << 20, 13)}) {
    ObjectManifest manifest = store_object(store, chunker, inflight, data);
    ASSERT_GE(manifest.chunks.size(), 1u);
    std::vector<std::byte>* bytes = store.find(manifest.chunks[0].id);
    ASSERT_NE(bytes, nullptr);
    const std::vector<std::byte> intact = *bytes;

    (*bytes)[0] ^= std::byte{1};  // the header
    EXPECT_EQ(read_range(store, manifest, 0, 10).status().code(), Errc::kCorruption);
    *bytes = intact;
    bytes->resize(bytes->size() - 1);  // truncated
    EXPECT_EQ(read_range(store, manifest, 0, data.size()).status().code(), Errc::kCorruption);
    *bytes = intact;
  }
  // A flipped payload bit in a compressed chunk is caught by its hash (raw chunks too:
  // object_reader_test.cc).
  auto text = compressible_bytes(1 << 20, 14);
  ObjectManifest manifest = store_object(store, chunker, inflight, text);
  std::vector<std::byte>* bytes = store.find(manifest.chunks[0].id);
  (*bytes)[bytes->size() / 2] ^= std::byte{1};
  EXPECT_EQ(read_range(store, manifest, 0, 10).status().code(), Errc::kCorruption);
}

TEST(ObjectWriter, StoreFailureFailsTheUploadForGood) {
  Chunker chunker;
  InflightChunks inflight;
  for (size_t size : {size_t{100'000}, size_t{30} << 20}) {
    MemoryChunkStore store;
    store.fail_puts_after(2);
    ObjectWriter writer(store, chunker, inflight);
    auto data = random_bytes(size, 15);
    Status status;
    for (size_t at = 0; at < data.size() && status.is_ok(); at += 1 << 20) {
      status = writer.write(std::span(data).subspan(at, std::min<size_t>(1 << 20, size - at)));
    }
    auto manifest = writer.finish();
    if (size > 1 << 20) {
      EXPECT_EQ(manifest.status().code(), Errc::kIoError);
      EXPECT_EQ(writer.write(data).code(), Errc::kIoError);
    } else {
      EXPECT_TRUE(manifest.is_ok());  // one chunk, within the two allowed puts
    }
  }
}

}  // namespace
}  // namespace coffer::store
