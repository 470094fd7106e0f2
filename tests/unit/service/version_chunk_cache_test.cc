#include "service/version_chunk_cache.h"

#include <gtest/gtest.h>

namespace coffer::service {
namespace {

std::vector<VersionChunk> chunks(size_t n, uint64_t size = 4096) {
  std::vector<VersionChunk> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(VersionChunk{std::string(64, static_cast<char>('a' + i)), i * size,
                               static_cast<uint32_t>(size), static_cast<uint32_t>(size), 0});
  }
  return out;
}

TEST(VersionChunkCacheTest, RemembersShortListsOnly) {
  VersionChunkCache cache;
  cache.remember(7, chunks(1));
  cache.remember(8, chunks(VersionChunkCache::kMaxChunks + 1));
  cache.remember(0, chunks(1));  // no such version
  auto found = cache.find(7);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].chunk, std::string(64, 'a'));
  EXPECT_FALSE(cache.find(8).has_value());
  EXPECT_FALSE(cache.find(0).has_value());
  EXPECT_FALSE(cache.find(9).has_value());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(VersionChunkCacheTest, DropsTheLeastRecentlyUsedBeyondItsCapacity) {
  VersionChunkCache cache(2);
  cache.remember(1, chunks(1));
  cache.remember(2, chunks(2));
  ASSERT_TRUE(cache.find(1).has_value());  // 1 is now the most recent
  cache.remember(3, chunks(3));
  EXPECT_TRUE(cache.find(1).has_value());
  EXPECT_FALSE(cache.find(2).has_value());
  EXPECT_TRUE(cache.find(3).has_value());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(VersionChunkCacheTest, AnEmptyFilesListIsKept) {
  VersionChunkCache cache;
  cache.remember(5, {});
  auto found = cache.find(5);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->empty());
}

}  // namespace
}  // namespace coffer::service
