#include "store/chunker.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "store/chunk_id.h"
#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::random_bytes;

// Chunk lengths of `data`, cut the way ObjectWriter cuts a stream it has whole.
std::vector<size_t> cut_all(const Chunker& chunker, std::span<const std::byte> data) {
  std::vector<size_t> lengths;
  while (!data.empty()) {
    size_t n = chunker.next_boundary(data, /*at_end=*/true);
    EXPECT_GT(n, 0u);
    if (n == 0) break;
    lengths.push_back(n);
    data = data.subspan(n);
  }
  return lengths;
}

std::vector<ChunkId> chunk_ids(const Chunker& chunker, std::span<const std::byte> data) {
  std::vector<ChunkId> ids;
  for (size_t n : cut_all(chunker, data)) {
    ids.push_back(ChunkId::of(data.first(n)));
    data = data.subspan(n);
  }
  return ids;
}

TEST(Chunker, SameBytesGiveSameBoundaries) {
  auto data = random_bytes(12 << 20, 1);
  EXPECT_EQ(cut_all(Chunker(), data), cut_all(Chunker(), data));
}

// Boundaries are part of the storage format: if this test fails, the gear table, the masks or
// the cut rule changed, and new uploads would stop deduplicating against stored data.
TEST(Chunker, BoundariesAreFrozen) {
  auto data = random_bytes(16 << 20, 42);
  EXPECT_EQ(cut_all(Chunker(), data),
            (std::vector<size_t>{1033011, 1189503, 1756849, 688380, 1424336, 640555, 892135,
                                 1365411, 1343322, 2200784, 1375057, 1065688, 1019234, 782951}));
  ChunkerParams small{.min_size = 1024, .avg_size = 4096, .max_size = 16384};
  auto head = std::span(data).first(64 * 1024);
  EXPECT_EQ(cut_all(Chunker(small), head),
            (std::vector<size_t>{4117, 4636, 5799, 5328, 4208, 4244, 5901, 4356, 4963, 4046, 3605,
                                 4202, 4101, 1949, 4081}));
}

TEST(Chunker, ChunksStayWithinMinAndMaxExceptTheLast) {
  const Chunker chunker;
  auto data = random_bytes(40 << 20, 2);
  auto lengths = cut_all(chunker, data);
  ASSERT_GT(lengths.size(), 10u);
  size_t total = 0;
  for (size_t i = 0; i < lengths.size(); ++i) {
    total += lengths[i];
    EXPECT_LE(lengths[i], chunker.params().max_size);
    if (i + 1 < lengths.size()) {
      EXPECT_GE(lengths[i], chunker.params().min_size);
    }
  }
  EXPECT_EQ(total, data.size());
  // Normalized chunking keeps the mean near avg_size.
  const double mean = static_cast<double>(total) / lengths.size();
  EXPECT_GT(mean, 0.75 * chunker.params().avg_size);
  EXPECT_LT(mean, 1.5 * chunker.params().avg_size);
}

TEST(Chunker, InsertNearTheStartLeavesMostChunksUnchanged) {
  const Chunker chunker;
  auto original = random_bytes(20 << 20, 3);
  auto edited = original;
  const auto inserted = random_bytes(7, 4);
  edited.insert(edited.begin() + 100'000, inserted.begin(), inserted.end());

  const auto before = chunk_ids(chunker, original);
  const auto after = chunk_ids(chunker, edited);
  const std::set<ChunkId> after_set(after.begin(), after.end());
  size_t kept = 0;
  for (const ChunkId& id : before) kept += after_set.contains(id);
  ASSERT_GE(before.size(), 10u);
  EXPECT_GE(kept, before.size() - 2) << "of " << before.size() << " chunks";
}

TEST(Chunker, ConstantDataIsCutAtMaxSize) {
  const Chunker chunker;
  for (uint8_t fill : {0x00, 0xff}) {
    std::vector<std::byte> data(10 << 20, std::byte{fill});
    auto lengths = cut_all(chunker, data);
    ASSERT_EQ(lengths.size(), 3u) << "fill " << int{fill};
    EXPECT_EQ(lengths[0], chunker.params().max_size);
    EXPECT_EQ(lengths[1], chunker.params().max_size);
    EXPECT_EQ(lengths[2], data.size() - 2 * chunker.params().max_size);
  }
}

TEST(Chunker, AsksForMoreDataUntilItCanDecide) {
  const Chunker chunker;
  const auto& p = chunker.params();
  std::vector<std::byte> zeros(p.max_size, std::byte{0});
  auto span = std::span<const std::byte>(zeros);
  // Too short to cut: need more, or take it all at the end.
  EXPECT_EQ(chunker.next_boundary(span.first(p.min_size), false), 0u);
  EXPECT_EQ(chunker.next_boundary(span.first(p.min_size), true), p.min_size);
  // No cut point in constant data below max_size.
  EXPECT_EQ(chunker.next_boundary(span.first(p.max_size - 1), false), 0u);
  EXPECT_EQ(chunker.next_boundary(span.first(p.max_size - 1), true), p.max_size - 1);
  // At max_size the cut is forced either way.
  EXPECT_EQ(chunker.next_boundary(span, false), p.max_size);
  EXPECT_EQ(chunker.next_boundary({}, true), 0u);
}

TEST(Chunker, CutDoesNotDependOnBytesAfterIt) {
  // What ObjectWriter relies on: a cut found in a prefix is the cut found in the whole.
  const Chunker chunker;
  auto data = random_bytes(8 << 20, 5);
  const size_t whole = chunker.next_boundary(data, true);
  ASSERT_LT(whole, chunker.params().max_size);
  EXPECT_EQ(chunker.next_boundary(std::span(data).first(whole), true), whole);
  EXPECT_EQ(chunker.next_boundary(std::span(data).first(chunker.params().max_size), false), whole);
}

}  // namespace
}  // namespace coffer::store
