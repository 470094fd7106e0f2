#include "service/storage_migration.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "store/chunk_codec.h"

namespace coffer::service {
namespace {

using store::ChunkCodec;
using store::ChunkId;
using store::testing::MemoryChunkStore;
using store::testing::random_bytes;

ChunkId put_chunk(MemoryChunkStore& chunks, size_t size, uint64_t seed) {
  auto raw = random_bytes(size, seed);
  ChunkId id = ChunkId::of(raw);
  EXPECT_TRUE(chunks.put(id, ChunkCodec::encode(raw).bytes).is_ok());
  return id;
}

TEST(StorageMigrationTest, CopiesWhatIsMissingAndResumes) {
  MemoryChunkStore from, to;
  std::vector<ChunkId> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(put_chunk(from, 1000 + i, i));
  // A previous, interrupted run got the first ten across.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(to.put(ids[i], *from.get(ids[i])).is_ok());
  auto report = migrate_chunks(from, to, /*verify=*/true, 4);
  ASSERT_TRUE(report.is_ok());
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->chunks_in_source, 40u);
  EXPECT_EQ(report->chunks_already_present, 10u);
  EXPECT_EQ(report->chunks_copied, 30u);
  EXPECT_EQ(report->chunks_verified, 40u);
  for (const ChunkId& id : ids) EXPECT_EQ(*to.get(id), *from.get(id));
  report = migrate_chunks(from, to, false, 4);
  EXPECT_EQ(report->chunks_copied, 0u);
}

TEST(StorageMigrationTest, ACorruptSourceChunkIsReportedNotCopied) {
  MemoryChunkStore from, to;
  ChunkId good = put_chunk(from, 5000, 1);
  ChunkId bad = put_chunk(from, 5000, 2);
  (*from.find(bad))[100] ^= std::byte{1};
  auto report = migrate_chunks(from, to, true, 2);
  ASSERT_TRUE(report.is_ok());
  ASSERT_EQ(report->failures.size(), 2u);  // the copy and the verification
  EXPECT_NE(report->failures[0].find(bad.hex()), std::string::npos);
  EXPECT_NE(report->failures[0].find("CORRUPTION"), std::string::npos);
  EXPECT_EQ(report->chunks_copied, 1u);
  EXPECT_TRUE(to.get(good).is_ok());
  EXPECT_EQ(to.get(bad).status().code(), Errc::kNotFound);
}

TEST(StorageMigrationTest, AFailingTargetIsReported) {
  MemoryChunkStore from, to;
  put_chunk(from, 5000, 1);
  put_chunk(from, 5000, 2);
  to.fail_puts_after(1);
  auto report = migrate_chunks(from, to, false, 1);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->chunks_copied, 1u);
  ASSERT_EQ(report->failures.size(), 1u);
  EXPECT_NE(report->failures[0].find("target: IO_ERROR"), std::string::npos);
}

}  // namespace
}  // namespace coffer::service
