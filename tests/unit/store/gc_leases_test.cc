// Uploads and garbage collection across processes: the lease/fence handshake (GcLeases).

#include "store/gc_leases.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::MemoryChunkStore;

GcLeaseOptions fast_options() {
  GcLeaseOptions options;
  options.upload_wait_seconds = 0;
  options.poll = std::chrono::milliseconds(1);
  return options;
}

TEST(GcLeases, SweepWaitsForAnUploadInAnotherProcessAndGivesUp) {
  MemoryChunkStore store;
  GcLeases uploader(store, fast_options());
  GcLeases collector(store, fast_options());
  auto lease = uploader.begin_upload();
  ASSERT_TRUE(lease.is_ok()) << lease.status().to_string();
  auto fence = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(fence.is_ok());
  EXPECT_EQ(*fence, nullptr) << "a sweep must not start while an upload holds a lease";
  // The withdrawn fence does not hold up later uploads.
  auto second = uploader.begin_upload();
  EXPECT_TRUE(second.is_ok()) << second.status().to_string();
}

TEST(GcLeases, SweepProceedsOnceUploadsEnd) {
  MemoryChunkStore store;
  GcLeases uploader(store, fast_options());
  GcLeases collector(store, fast_options());
  {
    auto lease = uploader.begin_upload();
    ASSERT_TRUE(lease.is_ok());
  }
  auto fence = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(fence.is_ok());
  EXPECT_NE(*fence, nullptr);
}

TEST(GcLeases, UploadWaitsWhileASweepRunsThenFailsUnavailable) {
  MemoryChunkStore store;
  GcLeases uploader(store, fast_options());
  GcLeases collector(store, fast_options());
  auto fence = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(fence.is_ok() && *fence);
  auto lease = uploader.begin_upload();
  ASSERT_FALSE(lease.is_ok());
  EXPECT_EQ(lease.status().code(), Errc::kUnavailable);
  // It stepped aside: the sweep still sees no upload.
  auto again = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(again.is_ok());
  EXPECT_NE(*again, nullptr);
  fence->reset();
  again->reset();
  EXPECT_TRUE(uploader.begin_upload().is_ok());
}

TEST(GcLeases, MarkersOfADeadProcessLapse) {
  MemoryChunkStore store;
  // A lease last refreshed long ago: its process died without removing it.
  ASSERT_TRUE(store.put_marker("leases", "deadbeef-1").is_ok());
  GcLeaseOptions options = fast_options();
  options.lease_ttl_seconds = -1;  // every marker is older than this
  GcLeases collector(store, options);
  auto fence = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(fence.is_ok());
  EXPECT_NE(*fence, nullptr);
}

TEST(GcLeases, AHolderHeldUpPastItsLeaseGivesUp) {
  MemoryChunkStore store;
  GcLeaseOptions options = fast_options();
  options.refresh_seconds = 0;
  options.lease_ttl_seconds = 0;  // any delay is past the lease
  GcLeases uploader(store, options);
  auto lease = uploader.begin_upload();
  ASSERT_TRUE(lease.is_ok());
  auto status = (*lease)->keep_alive();
  EXPECT_EQ(status.code(), Errc::kUnavailable);
}

// The uploads of one process share one lease marker: it exists while any of them runs and a
// sweep waits for the last one.
TEST(GcLeases, UploadsOfAProcessShareOneLeaseUntilTheLastEnds) {
  MemoryChunkStore store;
  GcLeases uploader(store, fast_options());
  GcLeases collector(store, fast_options());
  auto count_leases = [&] {
    int n = 0;
    EXPECT_TRUE(store
                    .for_each_marker("leases",
                                     [&](const MarkerInfo&) {
                                       ++n;
                                       return Status::ok();
                                     })
                    .is_ok());
    return n;
  };
  auto first = uploader.begin_upload();
  auto second = uploader.begin_upload();
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  EXPECT_EQ(count_leases(), 1);
  first->reset();
  EXPECT_EQ(count_leases(), 1) << "the second upload still holds the lease";
  auto fence = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(fence.is_ok());
  EXPECT_EQ(*fence, nullptr) << "no sweep while the second upload runs";
  EXPECT_TRUE((*second)->keep_alive().is_ok());
  second->reset();
  EXPECT_EQ(count_leases(), 0);
  fence = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(fence.is_ok());
  EXPECT_NE(*fence, nullptr);
  // A new upload after the sweep's fence is gone starts a new lease.
  fence->reset();
  auto third = uploader.begin_upload();
  ASSERT_TRUE(third.is_ok());
  EXPECT_EQ(count_leases(), 1);
}

TEST(GcLeases, AnUploadJoiningWhileASweepRunsStepsAsideWithoutEndingTheOthersLease) {
  MemoryChunkStore store;
  GcLeases uploader(store, fast_options());
  GcLeases collector(store, fast_options());
  auto running = uploader.begin_upload();
  ASSERT_TRUE(running.is_ok());
  // A fence put by another process after the running upload began (it saw no fence).
  ASSERT_TRUE(store.put_marker("fences", "other-1").is_ok());
  auto joining = uploader.begin_upload();
  ASSERT_FALSE(joining.is_ok());
  EXPECT_EQ(joining.status().code(), Errc::kUnavailable);
  auto fence = collector.begin_sweep(std::chrono::seconds(0));
  ASSERT_TRUE(fence.is_ok());
  EXPECT_EQ(*fence, nullptr) << "the running upload's lease is still there";
}

}  // namespace
}  // namespace coffer::store
