#include "store/local_chunk_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <set>
#include <thread>

#include "store/chunk_codec.h"
#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::Blob;
using testing::count_files;
using testing::make_blob;
using testing::random_bytes;
using testing::TempDir;

void write_file(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

int64_t mtime_of(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_mtime : -1;
}

void set_mtime(const std::string& path, time_t when) {
  const timespec times[2] = {{when, 0}, {when, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

class LocalChunkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // These tests pin the one-file-per-chunk layout; volume_store_test.cc covers packing.
    auto opened = LocalChunkStore::open(dir_.path() + "/chunks", {.packed_max_bytes = 0});
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
  }
  std::string root() const { return dir_.path() + "/chunks"; }

  TempDir dir_;
  std::unique_ptr<LocalChunkStore> store_;
};

TEST_F(LocalChunkStoreTest, PutThenGetAndReadAt) {
  Blob blob = make_blob(100'000, 1);
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());

  const std::string hex = blob.id.hex();
  EXPECT_EQ(store_->path_of(blob.id),
            root() + "/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex);
  auto got = store_->get(blob.id);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(*got, blob.encoded);

  std::vector<std::byte> part(1000);
  auto n = store_->read_at(blob.id, 5000, part);
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, part.size());
  EXPECT_TRUE(std::equal(part.begin(), part.end(), blob.encoded.begin() + 5000));

  // Short only at the end of the blob.
  n = store_->read_at(blob.id, blob.encoded.size() - 10, part);
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, 10u);
  n = store_->read_at(blob.id, blob.encoded.size() + 10, part);
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, 0u);
}

TEST_F(LocalChunkStoreTest, MissingChunkIsNotFound) {
  Blob blob = make_blob(10, 2);
  EXPECT_EQ(store_->get(blob.id).status().code(), Errc::kNotFound);
  std::vector<std::byte> buf(10);
  EXPECT_EQ(store_->read_at(blob.id, 0, buf).status().code(), Errc::kNotFound);
  auto present = store_->touch(blob.id);
  ASSERT_TRUE(present.is_ok());
  EXPECT_FALSE(*present);
}

TEST_F(LocalChunkStoreTest, TouchAndRepeatedPutRefreshTheModificationTime) {
  Blob blob = make_blob(1000, 3);
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  const std::string path = store_->path_of(blob.id);

  set_mtime(path, 1'000'000'000);
  auto present = store_->touch(blob.id);
  ASSERT_TRUE(present.is_ok());
  EXPECT_TRUE(*present);
  EXPECT_GT(mtime_of(path), 1'000'000'000);

  set_mtime(path, 1'000'000'000);
  EXPECT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_GT(mtime_of(path), 1'000'000'000);
  EXPECT_EQ(*store_->get(blob.id), blob.encoded);
}

TEST_F(LocalChunkStoreTest, RemoveDeletesAndToleratesMissing) {
  Blob blob = make_blob(1000, 4);
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_TRUE(store_->remove(blob.id).is_ok());
  EXPECT_EQ(store_->get(blob.id).status().code(), Errc::kNotFound);
  EXPECT_TRUE(store_->remove(blob.id).is_ok());
}

TEST_F(LocalChunkStoreTest, ForEachListsChunksOnly) {
  std::map<ChunkId, size_t> expected;
  for (uint64_t seed = 10; seed < 20; ++seed) {
    Blob blob = make_blob(100 + seed, seed);
    ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
    expected[blob.id] = blob.encoded.size();
  }
  // Strays that are not chunks: a temp file, a file in the root, a misplaced chunk name and
  // a name that is not hex.
  const ChunkId first = expected.begin()->first;
  const std::string leaf = store_->path_of(first).substr(0, store_->path_of(first).rfind('/'));
  write_file(root() + "/tmp/" + first.hex() + ".123.0", "partial");
  write_file(root() + "/README", "x");
  write_file(leaf + "/" + std::string(64, 'f'), "misplaced");
  write_file(leaf + "/not-a-chunk", "x");

  std::map<ChunkId, size_t> seen;
  Status status = store_->for_each([&](const StoredChunkInfo& info) {
    EXPECT_GT(info.modified_unix_seconds, 0);
    seen[info.id] = info.stored_bytes;
    return Status::ok();
  });
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  EXPECT_EQ(seen, expected);
}

TEST_F(LocalChunkStoreTest, ForEachStopsAtTheFirstError) {
  for (uint64_t seed = 30; seed < 35; ++seed) {
    Blob blob = make_blob(100, seed);
    ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  }
  int calls = 0;
  Status status = store_->for_each([&](const StoredChunkInfo&) {
    ++calls;
    return Status(Errc::kInternal, "stop");
  });
  EXPECT_EQ(status.code(), Errc::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST_F(LocalChunkStoreTest, LeavesNoTempFilesBehind) {
  for (uint64_t seed = 40; seed < 50; ++seed) {
    Blob blob = make_blob(5000, seed);
    ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
    ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  }
  ASSERT_TRUE(store_->check_ready().is_ok());
  EXPECT_EQ(count_files(root() + "/tmp"), 0u);
  EXPECT_EQ(count_files(root()), 10u);
}

TEST_F(LocalChunkStoreTest, ConcurrentPutsOfOneChunkAllSucceed) {
  Blob blob = make_blob(1 << 20, 50);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (!store_->put(blob.id, blob.encoded).is_ok()) ++failures;
      auto present = store_->touch(blob.id);
      if (!present.is_ok() || !*present) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*store_->get(blob.id), blob.encoded);
  EXPECT_EQ(count_files(root()), 1u);
}

TEST_F(LocalChunkStoreTest, PutFailsWithIoErrorWhenAFanOutDirectoryIsBlocked) {
  Blob blob = make_blob(1000, 60);
  // A file where the fan-out directory should be.
  write_file(root() + "/" + blob.id.hex().substr(0, 2), "in the way");
  Status status = store_->put(blob.id, blob.encoded);
  EXPECT_EQ(status.code(), Errc::kIoError) << status.to_string();
  EXPECT_EQ(count_files(root() + "/tmp"), 0u);
  auto present = store_->touch(blob.id);
  ASSERT_TRUE(present.is_ok());
  EXPECT_FALSE(*present);

  // Once the obstacle is gone a retry writes the chunk from scratch.
  ASSERT_EQ(::unlink((root() + "/" + blob.id.hex().substr(0, 2)).c_str()), 0);
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_EQ(*store_->get(blob.id), blob.encoded);
}

TEST_F(LocalChunkStoreTest, RecreatesFanOutDirectoriesRemovedBehindItsBack) {
  Blob first = make_blob(1000, 63);
  ASSERT_TRUE(store_->put(first.id, first.encoded).is_ok());
  std::filesystem::remove_all(root() + "/" + first.id.hex().substr(0, 2));
  // Same fan-out directories, different chunk.
  Blob second = first;
  second.id.bytes[31] ^= 1;
  ASSERT_TRUE(store_->put(second.id, second.encoded).is_ok());
  EXPECT_EQ(*store_->get(second.id), second.encoded);
}

// Puts with a file size limit in force, which makes write() fail part-way as a full disk
// would.
Status put_with_file_size_limit(ChunkStore& store, const ChunkId& id,
                                std::span<const std::byte> bytes, rlim_t limit) {
  struct rlimit old_limit;
  if (::getrlimit(RLIMIT_FSIZE, &old_limit) != 0) return Status(Errc::kInternal, "getrlimit");
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit new_limit = old_limit;
  new_limit.rlim_cur = limit;
  ::setrlimit(RLIMIT_FSIZE, &new_limit);
  Status status = store.put(id, bytes);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  return status;
}

TEST_F(LocalChunkStoreTest, ShortWriteFailsWithIoErrorAndLeavesNothing) {
  Blob blob = make_blob(1 << 20, 61);
  Status status = put_with_file_size_limit(*store_, blob.id, blob.encoded, 64 * 1024);
  EXPECT_EQ(status.code(), Errc::kIoError) << status.to_string();
  EXPECT_NE(status.message().find("write"), std::string::npos) << status.message();
  EXPECT_EQ(count_files(root()), 0u);
  EXPECT_FALSE(*store_->touch(blob.id));
  // A retry is a fresh write, not a success inherited from the failed one.
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_EQ(*store_->get(blob.id), blob.encoded);
}

// Bytes at a 4 KiB boundary, as ObjectWriter hands them over, take the O_DIRECT path when
// it is enabled.
class AlignedBytes {
 public:
  explicit AlignedBytes(std::span<const std::byte> content)
      : data_(new (std::align_val_t{4096}) std::byte[content.size()]), size_(content.size()) {
    std::memcpy(data_, content.data(), size_);
  }
  ~AlignedBytes() { ::operator delete[](data_, std::align_val_t{4096}); }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  std::span<const std::byte> span() const { return {data_, size_}; }

 private:
  std::byte* data_;
  size_t size_;
};

TEST(LocalChunkStore, DirectIoPutsRoundTrip) {
  TempDir dir;
  auto store =
      LocalChunkStore::open(dir.path() + "/chunks", {.direct_io = true, .packed_max_bytes = 0});
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  for (size_t size : {size_t{64 << 10}, size_t{(1 << 20) + 17}, size_t{100'000}, size_t{5000}}) {
    Blob blob = make_blob(size, 70 + size);
    AlignedBytes aligned(blob.encoded);
    ASSERT_TRUE((*store)->put(blob.id, aligned.span()).is_ok()) << size;
    EXPECT_EQ(*(*store)->get(blob.id), blob.encoded) << size;
    // Unaligned bytes take the buffered path.
    Blob other = make_blob(size, 90 + size);
    ASSERT_TRUE((*store)->put(other.id, other.encoded).is_ok()) << size;
    EXPECT_EQ(*(*store)->get(other.id), other.encoded) << size;
  }
  EXPECT_EQ(count_files(dir.path() + "/chunks/tmp"), 0u);
}

TEST(LocalChunkStore, ShortDirectWriteFailsWithIoErrorAndLeavesNothing) {
  TempDir dir;
  auto store =
      LocalChunkStore::open(dir.path() + "/chunks", {.direct_io = true, .packed_max_bytes = 0});
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  Blob blob = make_blob(1 << 20, 64);
  AlignedBytes aligned(blob.encoded);
  Status status = put_with_file_size_limit(**store, blob.id, aligned.span(), 256 * 1024);
  EXPECT_EQ(status.code(), Errc::kIoError) << status.to_string();
  EXPECT_EQ(count_files(dir.path() + "/chunks"), 0u);
  EXPECT_FALSE(*(*store)->touch(blob.id));
}

TEST_F(LocalChunkStoreTest, PutIntoUnwritableStoreFailsWithIoError) {
  // Replaces the temp directory by a file: creating a temp chunk fails with ENOTDIR, which
  // (unlike permissions) also holds for root, so the test runs in CI.
  Blob blob = make_blob(1000, 62);
  const std::string tmp = root() + "/tmp";
  std::filesystem::remove_all(tmp);
  write_file(tmp, "not a directory");
  Status status = store_->put(blob.id, blob.encoded);
  EXPECT_EQ(status.code(), Errc::kIoError) << status.to_string();
  EXPECT_EQ(store_->check_ready().code(), Errc::kIoError);
  std::filesystem::remove(tmp);
  ASSERT_EQ(::mkdir(tmp.c_str(), 0700), 0);
  EXPECT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
}

TEST(LocalChunkStore, OpenFailsUnderAFile) {
  TempDir dir;
  write_file(dir.path() + "/file", "x");
  auto opened = LocalChunkStore::open(dir.path() + "/file/chunks");
  EXPECT_EQ(opened.status().code(), Errc::kIoError);
  opened = LocalChunkStore::open(dir.path() + "/file");
  EXPECT_EQ(opened.status().code(), Errc::kIoError);
}

TEST(LocalChunkStore, OpenRemovesOnlyStaleTempFiles) {
  TempDir dir;
  const std::string root = dir.path() + "/data/chunks/";  // nested and with a trailing slash
  ASSERT_TRUE(LocalChunkStore::open(root).is_ok());
  write_file(root + "tmp/stale", "crashed upload");
  set_mtime(root + "tmp/stale", ::time(nullptr) - 2 * 3600);
  write_file(root + "tmp/recent", "upload in progress");

  auto opened = LocalChunkStore::open(root);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_EQ((*opened)->root(), dir.path() + "/data/chunks");
  EXPECT_EQ(mtime_of(root + "tmp/stale"), -1);
  EXPECT_NE(mtime_of(root + "tmp/recent"), -1);
}

TEST(LocalChunkStore, CheckReadyFailsWithoutItsDirectory) {
  TempDir dir;
  auto opened = LocalChunkStore::open(dir.path() + "/chunks");
  ASSERT_TRUE(opened.is_ok());
  EXPECT_TRUE((*opened)->check_ready().is_ok());
  std::filesystem::remove_all(dir.path() + "/chunks");
  EXPECT_EQ((*opened)->check_ready().code(), Errc::kIoError);
}

}  // namespace
}  // namespace coffer::store
