#include "store/volume_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "store/chunk_codec.h"
#include "store/local_chunk_store.h"
#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::Blob;
using testing::make_blob;
using testing::random_bytes;
using testing::TempDir;

uint64_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void append_to(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

class VolumeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen(VolumeStoreOptions options = {}) {
    store_.reset();
    auto opened = VolumeStore::open(dir_.path() + "/volumes", options);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
  }
  std::string volumes_dir() const { return dir_.path() + "/volumes"; }

  TempDir dir_;
  std::unique_ptr<VolumeStore> store_;
};

TEST_F(VolumeStoreTest, PutGetReadAtTouchRemove) {
  Blob blob = make_blob(4096, 1);
  auto absent = store_->touch(blob.id);
  ASSERT_TRUE(absent.is_ok());
  EXPECT_FALSE(*absent);
  EXPECT_EQ(store_->get(blob.id).status().code(), Errc::kNotFound);

  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_EQ(*store_->get(blob.id), blob.encoded);
  std::vector<std::byte> part(100);
  auto n = store_->read_at(blob.id, 10, part);
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, 100u);
  EXPECT_TRUE(std::equal(part.begin(), part.end(), blob.encoded.begin() + 10));
  // Reading past the end of the chunk stops at its end, never in the next record.
  std::vector<std::byte> tail(100);
  EXPECT_EQ(*store_->read_at(blob.id, blob.encoded.size() - 30, tail), 30u);
  EXPECT_TRUE(*store_->touch(blob.id));
  // A second put of the same id appends nothing.
  const uint64_t size = file_size(store_->volume_path(1));
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_EQ(file_size(store_->volume_path(1)), size);

  ASSERT_TRUE(store_->remove(blob.id).is_ok());
  EXPECT_EQ(store_->get(blob.id).status().code(), Errc::kNotFound);
  EXPECT_TRUE(store_->remove(blob.id).is_ok());
}

TEST_F(VolumeStoreTest, ConcurrentPutsAreAllDurableAndListed) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Blob blob = make_blob(4096 + i, static_cast<uint64_t>(t * 1000 + i));
        if (!store_->put(blob.id, blob.encoded).is_ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);

  std::map<ChunkId, uint64_t> listed;
  ASSERT_TRUE(store_
                  ->for_each([&](const StoredChunkInfo& info) {
                    listed[info.id] = info.stored_bytes;
                    return Status::ok();
                  })
                  .is_ok());
  EXPECT_EQ(listed.size(), static_cast<size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      Blob blob = make_blob(4096 + i, static_cast<uint64_t>(t * 1000 + i));
      auto got = store_->get(blob.id);
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      EXPECT_EQ(*got, blob.encoded);
      EXPECT_EQ(listed[blob.id], blob.encoded.size());
    }
  }
  // Packed: one volume file, not a file per chunk.
  size_t volumes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(volumes_dir())) {
    if (entry.path().extension() == ".vol") ++volumes;
  }
  EXPECT_EQ(volumes, 1u);
}

TEST_F(VolumeStoreTest, PutManyAppendsTheNewChunksTogetherAndSkipsStoredOnes) {
  Blob stored = make_blob(4096, 500);
  ASSERT_TRUE(store_->put(stored.id, stored.encoded).is_ok());
  const uint64_t before = file_size(store_->volume_path(1));
  std::vector<Blob> blobs;
  for (uint64_t i = 0; i < 50; ++i) blobs.push_back(make_blob(1000 + i, 600 + i));
  std::vector<ChunkPut> puts{{stored.id, stored.encoded}};
  uint64_t appended = 0;
  for (const Blob& b : blobs) {
    puts.push_back({b.id, b.encoded});
    appended += VolumeStore::kRecordHeaderSize + b.encoded.size();
  }
  ASSERT_TRUE(store_->put_many(puts).is_ok());
  // One record per new chunk, one after another; the stored one is not appended again.
  EXPECT_EQ(file_size(store_->volume_path(1)), before + appended);
  for (const Blob& b : blobs) EXPECT_EQ(*store_->get(b.id), b.encoded);
  EXPECT_TRUE(store_->put_many({}).is_ok());
}

// Callers of put_many and put queue together; each returns once its own chunks are durable,
// whoever led the groups that wrote them.
TEST_F(VolumeStoreTest, ConcurrentPutManyAndPutCallersAllFinishWithTheirChunksStored) {
  reopen(VolumeStoreOptions{.max_group_bytes = 64 * 1024});
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  constexpr int kPerCall = 12;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        std::vector<Blob> blobs;
        for (int i = 0; i < kPerCall; ++i) {
          blobs.push_back(make_blob(3000 + i, static_cast<uint64_t>((t * 100 + r) * 100 + i)));
        }
        Status s;
        if (t % 2 == 0) {
          std::vector<ChunkPut> puts;
          for (const Blob& b : blobs) puts.push_back({b.id, b.encoded});
          s = store_->put_many(puts);
        } else {
          for (const Blob& b : blobs) {
            if (s.is_ok()) s = store_->put(b.id, b.encoded);
          }
        }
        if (!s.is_ok()) ++failures;
        for (const Blob& b : blobs) {
          auto got = store_->get(b.id);
          if (!got.is_ok() || *got != b.encoded) ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// A crash in the middle of an append leaves a partial record after the acknowledged ones; an
// index that lost its last commits (power loss) misses acknowledged records. Opening the store
// indexes the complete records and cuts the torn tail.
TEST_F(VolumeStoreTest, TornTailIsTruncatedAndLostIndexRowsAreRecoveredAtOpen) {
  std::vector<Blob> blobs;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    blobs.push_back(make_blob(3000 + seed, 100 + seed));
    ASSERT_TRUE(store_->put(blobs.back().id, blobs.back().encoded).is_ok());
  }
  store_.reset();
  const std::string volume = volumes_dir() + "/00000001.vol";
  const uint64_t good_size = file_size(volume);
  // Half a record: a header that promises more bytes than follow.
  Blob torn = make_blob(5000, 999);
  std::vector<std::byte> partial(VolumeStore::kRecordHeaderSize + 100);
  std::memcpy(partial.data(), "CFV1", 4);
  const uint64_t length = torn.encoded.size();
  std::memcpy(partial.data() + 8, &length, 8);
  std::memcpy(partial.data() + 16, torn.id.bytes.data(), 32);
  append_to(volume, partial);
  // The index forgets everything (as if its commits never reached the disk).
  std::filesystem::remove(volumes_dir() + "/index.db");
  std::filesystem::remove(volumes_dir() + "/index.db-wal");
  std::filesystem::remove(volumes_dir() + "/index.db-shm");

  reopen();
  EXPECT_EQ(store_->recovery().records_indexed, 5u);
  EXPECT_EQ(store_->recovery().bytes_truncated, partial.size());
  EXPECT_EQ(file_size(volume), good_size);
  for (const Blob& blob : blobs) EXPECT_EQ(*store_->get(blob.id), blob.encoded);
  EXPECT_FALSE(*store_->touch(torn.id));
  // Appends continue after the last good record.
  Blob next = make_blob(2000, 7);
  ASSERT_TRUE(store_->put(next.id, next.encoded).is_ok());
  EXPECT_EQ(*store_->get(next.id), next.encoded);
  EXPECT_EQ(file_size(volume), good_size + VolumeStore::kRecordHeaderSize + next.encoded.size());
}

// A record whose bytes do not hash to its id (written by a group whose fsync failed, or
// damaged before the crash) ends recovery's scan: nothing after it was acknowledged.
TEST_F(VolumeStoreTest, RecordThatFailsItsHashIsATornTail) {
  Blob good = make_blob(3000, 1);
  ASSERT_TRUE(store_->put(good.id, good.encoded).is_ok());
  store_.reset();
  const std::string volume = volumes_dir() + "/00000001.vol";
  const uint64_t good_size = file_size(volume);
  Blob bad = make_blob(3000, 2);
  std::vector<std::byte> record(VolumeStore::kRecordHeaderSize + bad.encoded.size());
  std::memcpy(record.data(), "CFV1", 4);
  const uint64_t length = bad.encoded.size();
  std::memcpy(record.data() + 8, &length, 8);
  std::memcpy(record.data() + 16, bad.id.bytes.data(), 32);
  std::memcpy(record.data() + VolumeStore::kRecordHeaderSize, bad.encoded.data(),
              bad.encoded.size());
  record.back() ^= std::byte{1};
  append_to(volume, record);
  reopen();
  EXPECT_EQ(store_->recovery().bytes_truncated, record.size());
  EXPECT_EQ(file_size(volume), good_size);
  EXPECT_EQ(*store_->get(good.id), good.encoded);
  EXPECT_FALSE(*store_->touch(bad.id));
}

TEST_F(VolumeStoreTest, FullVolumesAreSealedAndANewOneStarted) {
  reopen({.max_volume_bytes = 64 * 1024});
  std::vector<Blob> blobs;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    blobs.push_back(make_blob(4000, 200 + seed));
    ASSERT_TRUE(store_->put(blobs.back().id, blobs.back().encoded).is_ok());
  }
  EXPECT_TRUE(std::filesystem::exists(store_->volume_path(3)));
  EXPECT_LE(file_size(store_->volume_path(1)), 64u * 1024);
  reopen({.max_volume_bytes = 64 * 1024});
  for (const Blob& blob : blobs) EXPECT_EQ(*store_->get(blob.id), blob.encoded);
}

// Another process appending to a volume holds its lock: this one appends to a volume of its
// own, and opening the store leaves the held volume's tail alone.
TEST_F(VolumeStoreTest, TwoStoresOnOneDirectoryAppendToTheirOwnVolumes) {
  Blob first = make_blob(3000, 1);
  ASSERT_TRUE(store_->put(first.id, first.encoded).is_ok());
  auto other = VolumeStore::open(volumes_dir());
  ASSERT_TRUE(other.is_ok()) << other.status().to_string();
  Blob second = make_blob(3000, 2);
  ASSERT_TRUE((*other)->put(second.id, second.encoded).is_ok());
  EXPECT_TRUE(std::filesystem::exists(store_->volume_path(2)));
  EXPECT_EQ(*store_->get(second.id), second.encoded);
  EXPECT_EQ(*(*other)->get(first.id), first.encoded);
}

// Compaction moves the live records of mostly-dead volumes and deletes them, while readers
// and writers go on: no read fails, no byte changes, removed chunks stay gone.
TEST_F(VolumeStoreTest, CompactionWhileReadersAndWritersRunLosesNothing) {
  reopen({.max_volume_bytes = 64 * 1024});
  std::vector<Blob> kept;
  std::vector<Blob> removed;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    Blob blob = make_blob(3000, 500 + seed);
    ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
    (seed % 4 == 0 ? kept : removed).push_back(std::move(blob));
  }
  for (const Blob& blob : removed) ASSERT_TRUE(store_->remove(blob.id).is_ok());
  const size_t volumes_before = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(volumes_dir())) {
      n += e.path().extension() == ".vol";
    }
    return n;
  }();
  ASSERT_GE(volumes_before, 3u);

  std::atomic<bool> done{false};
  std::atomic<int> read_failures{0};
  std::atomic<int> write_failures{0};
  std::vector<Blob> written(200);
  std::thread reader([&] {
    while (!done) {
      for (const Blob& blob : kept) {
        auto got = store_->get(blob.id);
        if (!got.is_ok() || *got != blob.encoded) ++read_failures;
      }
    }
  });
  std::thread writer([&] {
    for (size_t i = 0; i < written.size(); ++i) {
      written[i] = make_blob(1000, 9000 + i);
      if (!store_->put(written[i].id, written[i].encoded).is_ok()) ++write_failures;
    }
  });
  uint64_t reclaimed = 0;
  for (int round = 0; round < 3; ++round) {
    auto report = store_->compact();
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    EXPECT_TRUE(report->damaged.empty());
    reclaimed += report->bytes_reclaimed;
  }
  writer.join();
  done = true;
  reader.join();
  EXPECT_EQ(read_failures.load(), 0);
  EXPECT_EQ(write_failures.load(), 0);
  EXPECT_GT(reclaimed, 0u);
  for (const Blob& blob : kept) EXPECT_EQ(*store_->get(blob.id), blob.encoded);
  for (const Blob& blob : written) EXPECT_EQ(*store_->get(blob.id), blob.encoded);
  for (const Blob& blob : removed) EXPECT_FALSE(*store_->touch(blob.id));
  // And after a restart (recovery must not bring removed records back from copies).
  reopen({.max_volume_bytes = 64 * 1024});
  for (const Blob& blob : kept) EXPECT_EQ(*store_->get(blob.id), blob.encoded);
  for (const Blob& blob : removed) EXPECT_FALSE(*store_->touch(blob.id));
}

// A record that fails its hash is never copied into a fresh volume (that would hide the
// damage): its volume stays and the report names it.
TEST_F(VolumeStoreTest, CompactionKeepsAVolumeWithADamagedRecord) {
  reopen({.max_volume_bytes = 16 * 1024});
  std::vector<Blob> blobs;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    blobs.push_back(make_blob(3000, 700 + seed));
    ASSERT_TRUE(store_->put(blobs.back().id, blobs.back().encoded).is_ok());
  }
  // Volume 1 holds the first records; remove most of them, damage one that stays.
  ASSERT_TRUE(store_->remove(blobs[1].id).is_ok());
  ASSERT_TRUE(store_->remove(blobs[2].id).is_ok());
  ASSERT_TRUE(store_->remove(blobs[3].id).is_ok());
  {
    std::fstream f(store_->volume_path(1), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(VolumeStore::kRecordHeaderSize + 100);
    f.put('\x5a');
  }
  auto report = store_->compact();
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_EQ(report->damaged.size(), 1u);
  EXPECT_NE(report->damaged[0].find(blobs[0].id.hex()), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(store_->volume_path(1)));
}

TEST(LocalChunkStoreVolumes, SmallChunksArePackedLargeOnesAreFilesAndOldFilesStayReadable) {
  TempDir dir;
  const std::string root = dir.path() + "/chunks";
  // A store written before volumes existed: every chunk a file.
  Blob old_small = make_blob(2000, 1);
  {
    auto files_only = LocalChunkStore::open(root, {.packed_max_bytes = 0});
    ASSERT_TRUE(files_only.is_ok());
    ASSERT_TRUE((*files_only)->put(old_small.id, old_small.encoded).is_ok());
  }
  auto store = LocalChunkStore::open(root);
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  Blob small = make_blob(4096, 2);
  Blob large = make_blob(200 * 1024, 3);
  ASSERT_TRUE((*store)->put(small.id, small.encoded).is_ok());
  ASSERT_TRUE((*store)->put(large.id, large.encoded).is_ok());
  // A put of the old chunk finds its file and does not pack a copy.
  ASSERT_TRUE((*store)->put(old_small.id, old_small.encoded).is_ok());
  EXPECT_FALSE(std::filesystem::exists((*store)->path_of(small.id)));
  EXPECT_TRUE(std::filesystem::exists((*store)->path_of(large.id)));
  EXPECT_TRUE(std::filesystem::exists((*store)->path_of(old_small.id)));
  for (const Blob* blob : {&small, &large, &old_small}) {
    EXPECT_TRUE(*(*store)->touch(blob->id));
    EXPECT_EQ(*(*store)->get(blob->id), blob->encoded);
  }
  std::map<ChunkId, uint64_t> listed;
  ASSERT_TRUE((*store)
                  ->for_each([&](const StoredChunkInfo& info) {
                    listed[info.id] += 1;
                    return Status::ok();
                  })
                  .is_ok());
  EXPECT_EQ(listed.size(), 3u);
  for (const auto& [id, times] : listed) EXPECT_EQ(times, 1u);
  ASSERT_TRUE((*store)->remove(small.id).is_ok());
  EXPECT_FALSE(*(*store)->touch(small.id));
}

}  // namespace
}  // namespace coffer::store
