#include "store/chunk_batch.h"

#include <gtest/gtest.h>

#include "store/object_reader.h"
#include "store/object_writer.h"
#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::make_blob;
using testing::MemoryChunkStore;
using testing::random_bytes;

// Writes `data` as one object through a writer that puts its new chunks into `batch`.
ObjectManifest write_into(ChunkStore& store, ChunkBatch& batch, InflightChunks& inflight,
                          const Chunker& chunker, std::span<const std::byte> data,
                          std::vector<std::unique_ptr<ObjectWriter>>& writers) {
  WriterOptions options;
  options.batch = &batch;
  writers.push_back(std::make_unique<ObjectWriter>(store, chunker, inflight, options));
  EXPECT_TRUE(writers.back()->write(data).is_ok());
  auto manifest = writers.back()->finish();
  EXPECT_TRUE(manifest.is_ok()) << manifest.status().to_string();
  return manifest.is_ok() ? std::move(manifest).value() : ObjectManifest{};
}

std::vector<std::byte> read_all(ChunkStore& store, const ObjectManifest& manifest) {
  ObjectReader reader(store, manifest.chunks, 0, manifest.size);
  std::vector<std::byte> out(manifest.size);
  size_t at = 0;
  while (at < out.size()) {
    auto n = reader.read(std::span(out).subspan(at));
    EXPECT_TRUE(n.is_ok()) << n.status().to_string();
    if (!n.is_ok() || *n == 0) break;
    at += *n;
  }
  return out;
}

TEST(ChunkBatchTest, WritersChunksReachTheStoreOnlyWhenFlushedAndInOnePutMany) {
  MemoryChunkStore store;
  ChunkBatch batch(store);
  InflightChunks inflight;
  Chunker chunker;
  std::vector<std::unique_ptr<ObjectWriter>> writers;
  std::vector<std::vector<std::byte>> files;
  std::vector<ObjectManifest> manifests;
  for (uint64_t i = 0; i < 3; ++i) {
    files.push_back(random_bytes(4096, i + 1));
    manifests.push_back(write_into(store, batch, inflight, chunker, files.back(), writers));
  }
  EXPECT_EQ(store.puts(), 0);
  for (const ObjectManifest& m : manifests) {
    ASSERT_EQ(m.chunks.size(), 1u);
    EXPECT_TRUE(batch.find(m.chunks[0].id).has_value());
    EXPECT_FALSE(*store.touch(m.chunks[0].id));
  }
  ASSERT_TRUE(batch.flush().is_ok());
  EXPECT_EQ(store.put_many_calls(), 1);
  EXPECT_EQ(store.puts(), 3);
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_FALSE(batch.find(manifests[i].chunks[0].id).has_value());
    EXPECT_EQ(read_all(store, manifests[i]), files[i]);
  }
  // Nothing left: a second flush stores nothing.
  ASSERT_TRUE(batch.flush().is_ok());
  EXPECT_EQ(store.puts(), 3);
}

TEST(ChunkBatchTest, ADuplicateOfAHeldChunkDeduplicatesAgainstTheBatch) {
  MemoryChunkStore store;
  ChunkBatch batch(store);
  InflightChunks inflight;
  Chunker chunker;
  std::vector<std::unique_ptr<ObjectWriter>> writers;
  const auto data = random_bytes(10'000, 7);
  ObjectManifest first = write_into(store, batch, inflight, chunker, data, writers);
  ObjectManifest second = write_into(store, batch, inflight, chunker, data, writers);
  ASSERT_EQ(second.chunks.size(), first.chunks.size());
  EXPECT_EQ(second.chunks[0].id, first.chunks[0].id);
  EXPECT_EQ(second.chunks[0].encoding, first.chunks[0].encoding);
  EXPECT_EQ(second.chunks[0].stored_size, first.chunks[0].stored_size);
  EXPECT_GT(first.new_stored_bytes, 0u);
  EXPECT_EQ(second.new_stored_bytes, 0u);
  ASSERT_TRUE(batch.flush().is_ok());
  EXPECT_EQ(store.puts(), 1);
  EXPECT_EQ(read_all(store, second), data);
}

TEST(ChunkBatchTest, HoldingMoreThanItsBoundFlushesAsChunksArrive) {
  MemoryChunkStore store;
  ChunkBatch batch(store, /*flush_bytes=*/10'000);
  for (uint64_t i = 0; i < 5; ++i) {
    auto blob = make_blob(4096, i + 1);
    ASSERT_TRUE(batch.add(blob.id, ChunkEncoding::kRaw, blob.encoded).is_ok());
    // The third passes 10,000 bytes held: all three go to the store at once.
    EXPECT_EQ(store.puts(), i < 2 ? 0 : 3) << i;
  }
  ASSERT_TRUE(batch.flush().is_ok());
  EXPECT_EQ(store.puts(), 5);
  EXPECT_EQ(store.put_many_calls(), 2);
}

TEST(ChunkBatchTest, AFailedFlushIsFinal) {
  MemoryChunkStore store;
  ChunkBatch batch(store);
  store.fail_puts_after(1);
  for (uint64_t i = 0; i < 3; ++i) {
    auto blob = make_blob(4096, i + 1);
    ASSERT_TRUE(batch.add(blob.id, ChunkEncoding::kRaw, blob.encoded).is_ok());
  }
  EXPECT_EQ(batch.flush().code(), Errc::kIoError);
  // Whatever was written through the batch may be missing: nothing more goes through it.
  store.fail_puts_after(-1);
  auto blob = make_blob(4096, 9);
  EXPECT_EQ(batch.add(blob.id, ChunkEncoding::kRaw, blob.encoded).code(), Errc::kIoError);
  EXPECT_EQ(batch.flush().code(), Errc::kIoError);
}

}  // namespace
}  // namespace coffer::store
