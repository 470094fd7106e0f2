#include "backup/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../store/store_test_util.h"
#include "backup/restore.h"
#include "backup/volume_snapshot.h"
#include "meta/database.h"
#include "meta/sqlite_database.h"
#include "store/gc_leases.h"
#include "store/local_chunk_store.h"

namespace coffer::backup {
namespace {

using store::testing::Blob;
using store::testing::make_blob;
using store::testing::TempDir;

// A data directory as the server lays it out: meta.db, chunks/ (volumes and files), the key.
class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(data() + "/secrets");
    std::ofstream(data() + "/secrets/token.key") << std::string(32, 'k');
    auto db = meta::open_sqlite_database(data() + "/meta.db");
    ASSERT_TRUE(db.is_ok());
    db_ = std::move(*db);
    ASSERT_TRUE(db_->transact(meta::TxMode::kSchema,
                              [](meta::Connection& conn) {
                                return conn.exec_script("CREATE TABLE t (v TEXT)");
                              })
                    .is_ok());
    auto chunks = store::LocalChunkStore::open(data() + "/chunks");
    ASSERT_TRUE(chunks.is_ok());
    chunks_ = std::move(*chunks);
  }

  std::string data() const { return dir_.path() + "/data"; }
  std::string to() const { return dir_.path() + "/backup"; }
  BackupSource source() const {
    return {data() + "/meta.db", data() + "/chunks", data() + "/secrets/token.key", "test"};
  }
  void insert(const std::string& v) {
    ASSERT_TRUE(db_->transact(meta::TxMode::kWrite,
                              [&](meta::Connection& conn) {
                                return status_of(conn.exec("INSERT INTO t (v) VALUES (?)", {v}));
                              })
                    .is_ok());
  }
  Blob put(size_t size, uint64_t seed) {
    Blob blob = make_blob(size, seed);
    EXPECT_TRUE(chunks_->put(blob.id, blob.encoded).is_ok());
    return blob;
  }
  BackupReport backup() {
    auto report = run_backup(source(), to());
    EXPECT_TRUE(report.is_ok()) << report.status().to_string();
    return report.is_ok() ? *report : BackupReport{};
  }

  // Restores the backup into <dir>/restored and checks that every one of `blobs` reads back.
  void expect_restored(const std::vector<Blob>& blobs) {
    const std::string restored = restored_dir();
    auto report = restore_backup(to(), restored);
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    auto chunks = store::LocalChunkStore::open(restored + "/chunks");
    ASSERT_TRUE(chunks.is_ok());
    EXPECT_EQ((*chunks)->volumes()->recovery().records_indexed, 0u);  // index and bytes agree
    for (const Blob& blob : blobs) {
      auto got = (*chunks)->get(blob.id);
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      EXPECT_EQ(*got, blob.encoded);
    }
  }
  std::string restored_dir() const { return dir_.path() + "/restored"; }

  TempDir dir_;
  std::unique_ptr<meta::Database> db_;
  std::unique_ptr<store::LocalChunkStore> chunks_;
};

TEST_F(BackupTest, SecondBackupCopiesOnlyNewChunksAndTheVolumeTail) {
  insert("one");
  std::vector<Blob> small;
  for (uint64_t i = 0; i < 20; ++i) small.push_back(put(4096, i));
  const Blob big = put(300 * 1024, 100);  // a chunk file
  const BackupReport first = backup();
  EXPECT_EQ(first.generation, 1u);
  EXPECT_EQ(first.chunk_files_copied.files, 1u);
  EXPECT_EQ(first.volumes_copied.files, 1u);
  EXPECT_GE(first.volumes_copied.bytes, 20u * 4096);
  EXPECT_EQ(first.metadata.files, 3u);  // meta.db, the volume index, the key

  const Blob small_new = put(4096, 50);
  const Blob big_new = put(200 * 1024, 101);
  insert("two");
  const BackupReport second = backup();
  EXPECT_EQ(second.generation, 2u);
  EXPECT_EQ(second.chunk_files_copied.files, 1u);
  EXPECT_EQ(second.chunk_files_copied.bytes, big_new.encoded.size());
  EXPECT_EQ(second.chunk_files_skipped.files, 1u);
  // Only the new record is appended to the volume's copy.
  EXPECT_EQ(second.volumes_copied.bytes,
            store::VolumeStore::kRecordHeaderSize + small_new.encoded.size());
  EXPECT_EQ(second.volumes_skipped.bytes, first.volumes_copied.bytes);
  // The previous generation's databases and key are gone from the directory.
  EXPECT_EQ(second.files_removed, 3u);

  const BackupReport third = backup();
  EXPECT_EQ(third.chunk_files_copied.files, 0u);
  EXPECT_EQ(third.volumes_copied.bytes, 0u);

  auto verified = verify_backup(to());
  ASSERT_TRUE(verified.is_ok()) << verified.status().to_string();
  EXPECT_EQ(verified->generation, 3u);
}

TEST_F(BackupTest, RestoreBringsBackEveryChunkAndTheMetadata) {
  insert("kept");
  std::vector<Blob> blobs;
  for (uint64_t i = 0; i < 10; ++i) blobs.push_back(put(i % 2 ? 4096 : 100 * 1024, i));
  backup();
  expect_restored(blobs);
  const std::string restored = restored_dir();
  auto db = meta::open_sqlite_database(restored + "/meta.db");
  ASSERT_TRUE(db.is_ok());
  auto v = meta::transact_value<std::string>(**db, meta::TxMode::kRead,
                                             [](meta::Connection& conn) -> Result<std::string> {
                                               auto row = conn.query_row("SELECT v FROM t", {});
                                               COFFER_RETURN_IF_ERROR(row);
                                               return (*row)->text(0);
                                             });
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(*v, "kept");
  std::ifstream key(restored + "/secrets/token.key");
  std::string key_text((std::istreambuf_iterator<char>(key)), {});
  EXPECT_EQ(key_text, std::string(32, 'k'));
}

// After a power loss the volume index (committed without fsync) may lack the last records
// that were acknowledged; the backup of the stopped installation must still hold them.
TEST_F(BackupTest, AnIndexThatLostItsLastCommitsIsRecoveredFirst) {
  const Blob first = put(4096, 1);
  const Blob lost = put(4096, 2);
  chunks_.reset();  // the server is down
  {
    auto index = meta::open_sqlite_database(data() + "/chunks/volumes/index.db");
    ASSERT_TRUE(index.is_ok());
    ASSERT_TRUE((*index)
                    ->transact(meta::TxMode::kWrite,
                               [&](meta::Connection& conn) {
                                 COFFER_RETURN_IF_ERROR(
                                     conn.exec("DELETE FROM chunks WHERE id = ?", {lost.id.hex()}));
                                 return status_of(conn.exec(
                                     "UPDATE volumes SET indexed_end = ?",
                                     {static_cast<int64_t>(store::VolumeStore::kRecordHeaderSize +
                                                           first.encoded.size())}));
                               })
                    .is_ok());
  }
  backup();
  expect_restored({first, lost});
}

TEST_F(BackupTest, RestoreRefusesANonEmptyDirectory) {
  backup();
  auto report = restore_backup(to(), data());
  EXPECT_EQ(report.status().code(), Errc::kConflict);
}

TEST_F(BackupTest, VerifyNamesAFlippedByteInAChunkFile) {
  const Blob big = put(300 * 1024, 7);
  backup();
  const std::string hex = big.id.hex();
  const std::string path =
      to() + "/chunks/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\x5a');
  }
  auto verified = verify_backup(to());
  ASSERT_EQ(verified.status().code(), Errc::kCorruption);
  EXPECT_NE(verified.status().message().find(hex), std::string::npos);
  // A restore of the damaged backup stops too.
  EXPECT_EQ(restore_backup(to(), restored_dir()).status().code(), Errc::kCorruption);
}

TEST_F(BackupTest, AnInterruptedAppendLeavesThePreviousGenerationValid) {
  put(4096, 1);
  backup();
  // A later run appended to the volume's copy and died before its manifest.
  for (const auto& entry : std::filesystem::directory_iterator(to() + "/chunks/volumes")) {
    std::ofstream(entry.path(), std::ios::app) << "partial record";
  }
  ASSERT_TRUE(verify_backup(to()).is_ok());
  put(4096, 2);
  const BackupReport next = backup();
  EXPECT_EQ(next.volumes_copied.files, 1u);
  auto verified = verify_backup(to());
  EXPECT_TRUE(verified.is_ok()) << verified.status().to_string();
}

// While a backup runs, a sweep in any process finds its lease and defers: no chunk the
// metadata snapshot references can be deleted before it is copied.
TEST_F(BackupTest, ASweepDuringTheBackupDefers) {
  const Blob big = put(300 * 1024, 1);
  const Blob small = put(4096, 2);
  bool deferred = false;
  BackupSource with_sweep = source();
  with_sweep.after_metadata_snapshot = [&] {
    store::GcLeases other(*chunks_);
    auto fence = other.begin_sweep(std::chrono::seconds(1));
    ASSERT_TRUE(fence.is_ok());
    deferred = *fence == nullptr;
    // What a sweep would have deleted, had it gone ahead (it must not).
    if (!deferred) {
      ASSERT_TRUE(chunks_->remove(big.id).is_ok());
      ASSERT_TRUE(chunks_->remove(small.id).is_ok());
    }
  };
  auto report = run_backup(with_sweep, to());
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_TRUE(deferred);
  EXPECT_EQ(report->chunk_files_copied.files, 1u);
}

// Compaction moves the live records of a mostly-dead volume to a new one and deletes it; when
// that happens between opening the volumes and copying their index, the snapshot is taken
// again, and it always describes the bytes it holds.
TEST_F(BackupTest, CompactionDuringTheVolumeSnapshotIsCaught) {
  const Blob live = put(4096, 1);
  std::vector<Blob> dead;
  for (uint64_t i = 0; i < 8; ++i) dead.push_back(put(4096, 10 + i));
  for (const Blob& blob : dead) ASSERT_TRUE(chunks_->remove(blob.id).is_ok());
  // Reopened, the store holds no volume, so its volume 1 can be compacted.
  chunks_.reset();
  auto reopened = store::LocalChunkStore::open(data() + "/chunks");
  ASSERT_TRUE(reopened.is_ok());
  chunks_ = std::move(*reopened);

  int attempts = 0;
  std::filesystem::create_directories(to());
  auto snapshot = VolumeSnapshot::take(data() + "/chunks/volumes", to() + "/index.db", [&] {
    if (attempts++ == 0) {
      auto reclaimed = chunks_->compact();
      ASSERT_TRUE(reclaimed.is_ok());
      ASSERT_GT(*reclaimed, 0u);
    }
  });
  ASSERT_TRUE(snapshot.is_ok()) << snapshot.status().to_string();
  EXPECT_EQ(attempts, 2);
  ASSERT_EQ(snapshot->volumes().size(), 1u);
  EXPECT_EQ(snapshot->volumes().begin()->first, 2u);  // volume 1 was compacted away

  // And a whole backup taken now restores the live chunk.
  backup();
  expect_restored({live});
}

}  // namespace
}  // namespace coffer::backup
