#include "service/scrubber.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "../store/store_test_util.h"
#include "service/damaged_chunks.h"
#include "store/chunk_codec.h"

namespace coffer::service {
namespace {

using store::ChunkCodec;
using store::ChunkId;
using store::testing::MemoryChunkStore;
using store::testing::random_bytes;

std::vector<ChunkId> fill(MemoryChunkStore& chunks, int count, size_t size) {
  std::vector<ChunkId> ids;
  for (int i = 0; i < count; ++i) {
    auto raw = random_bytes(size, 100 + i);
    ids.push_back(ChunkId::of(raw));
    EXPECT_TRUE(chunks.put(ids.back(), ChunkCodec::encode(raw).bytes).is_ok());
  }
  return ids;
}

TEST(ScrubPassTest, FindsEveryDamagedChunkAndChecksTheRest) {
  MemoryChunkStore chunks;
  auto ids = fill(chunks, 10, 3000);
  (*chunks.find(ids[2]))[ChunkCodec::kHeaderSize + 7] ^= std::byte{4};
  (*chunks.find(ids[7])).resize(100);  // truncated
  std::set<std::string> found;
  ScrubHooks hooks;
  hooks.on_damage = [&](const ChunkId& id, const Status& error) {
    EXPECT_EQ(error.code(), Errc::kCorruption);
    found.insert(id.hex());
  };
  ScrubPassReport report = scrub_pass(chunks, 0, hooks);
  EXPECT_TRUE(report.completed);
  EXPECT_EQ(report.chunks_checked, 10u);
  EXPECT_EQ(report.damaged, 2u);
  EXPECT_EQ(found, (std::set<std::string>{ids[2].hex(), ids[7].hex()}));
  EXPECT_GE(report.finished, report.started);
}

TEST(ScrubPassTest, KeepsToTheRateFromTheStartOfThePass) {
  MemoryChunkStore chunks;
  fill(chunks, 5, 4000);
  std::vector<std::chrono::steady_clock::time_point> due;
  std::vector<uint64_t> bytes;
  ScrubHooks hooks;
  hooks.on_progress = [&](const ScrubPassReport& so_far) { bytes.push_back(so_far.bytes_checked); };
  hooks.wait_until = [&](std::chrono::steady_clock::time_point deadline) {
    due.push_back(deadline);
    return true;
  };
  const auto before = std::chrono::steady_clock::now();
  ScrubPassReport report = scrub_pass(chunks, 1000, hooks);  // 1000 B/s
  ASSERT_EQ(due.size(), 5u);
  // The n-th wait ends when the bytes so far take at the rate: 1 ms per byte here.
  for (size_t i = 0; i < due.size(); ++i) {
    const auto after_start = std::chrono::duration_cast<std::chrono::milliseconds>(due[i] - before);
    EXPECT_GE(after_start.count(), static_cast<int64_t>(bytes[i]) - 50) << i;
    EXPECT_LE(after_start.count(), static_cast<int64_t>(bytes[i]) + 1000) << i;
  }
  EXPECT_EQ(report.bytes_checked, bytes.back());
}

TEST(ScrubPassTest, EndsWhenTheWaitIsStopped) {
  MemoryChunkStore chunks;
  fill(chunks, 5, 1000);
  ScrubHooks hooks;
  hooks.wait_until = [](std::chrono::steady_clock::time_point) { return false; };
  ScrubPassReport report = scrub_pass(chunks, 10, hooks);
  EXPECT_FALSE(report.completed);
  EXPECT_TRUE(report.error.empty());
  EXPECT_EQ(report.chunks_checked, 1u);
}

TEST(ScrubberTest, APassAskedForRunsAtOnceAndRecordsTheDamage) {
  MemoryChunkStore chunks;
  auto ids = fill(chunks, 6, 2000);
  (*chunks.find(ids[4]))[ChunkCodec::kHeaderSize + 1] ^= std::byte{1};
  DamagedChunks damaged;
  Scrubber scrubber(chunks, damaged,
                    {.bytes_per_second = uint64_t{1} << 30, .first_delay = std::chrono::hours(1)});
  EXPECT_FALSE(scrubber.state().running);
  EXPECT_EQ(scrubber.state().passes, 0u);
  scrubber.start();
  ASSERT_TRUE(scrubber.request_pass());
  for (int i = 0; i < 500 && scrubber.state().passes == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Scrubber::State state = scrubber.state();
  ASSERT_EQ(state.passes, 1u);
  ASSERT_TRUE(state.last.has_value());
  EXPECT_TRUE(state.last->completed);
  EXPECT_EQ(state.last->chunks_checked, 6u);
  EXPECT_EQ(state.chunks_checked, 6u);
  EXPECT_EQ(state.damaged, 1u);
  ASSERT_EQ(damaged.recent().size(), 1u);
  EXPECT_EQ(damaged.recent()[0].chunk, ids[4]);
  EXPECT_GT(state.next_pass, state.last->finished);  // the next one waits for the interval
  scrubber.stop();
}

TEST(ScrubberTest, StopEndsALongPassAtOnce) {
  MemoryChunkStore chunks;
  fill(chunks, 20, 5000);
  DamagedChunks damaged;
  Scrubber scrubber(chunks, damaged, {.bytes_per_second = 1000, .first_delay = {}});
  scrubber.start();
  for (int i = 0; i < 500 && scrubber.state().chunks_checked == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  scrubber.stop();  // the pass would take 100 s at this rate: stop ends it, not waits for it
  ASSERT_TRUE(scrubber.state().last.has_value());
  EXPECT_FALSE(scrubber.state().last->completed);
  EXPECT_LT(scrubber.state().last->chunks_checked, 20u);
}

TEST(ScrubberTest, AScrubberAtRateZeroIsOff) {
  MemoryChunkStore chunks;
  DamagedChunks damaged;
  Scrubber scrubber(chunks, damaged, {.bytes_per_second = 0});
  scrubber.start();
  EXPECT_FALSE(scrubber.request_pass());
  EXPECT_FALSE(scrubber.state().enabled);
}

}  // namespace
}  // namespace coffer::service
