#pragma once
// `coffer backup`: an online, incremental backup of the embedded setup (SQLite metadata, chunks
// on local disk, the server key) into a directory, while the server runs. docs/archive.md is
// the operator's guide; the format is in manifest.h.
//
// What makes the copy consistent (the order matters):
//   1. An upload lease is taken on the chunk store (store::GcLeases), as an upload does, and
//      kept alive until the end: no garbage collection sweep, in any process, deletes a chunk
//      while it is held (a sweep that began earlier is waited for).
//   2. The metadata database is copied with SQLite's online backup API: the state of one
//      commit. Every chunk a version in it references was durable and stored (in a volume's
//      index or as a file) before that commit, and stays so: only a sweep deletes chunks.
//   3. The packed volumes and their index are snapshotted after it (VolumeSnapshot: the index
//      copy agrees with the volume bytes copied, even while compaction moves records), so
//      every packed chunk of step 2 is in the index copy and in the volume bytes.
//   4. Chunk files are listed and copied after step 2; they are immutable and still there.
//   5. The manifest is written last and atomically; files no longer named are then removed.
// Chunks written after step 2 may be copied too; they are unreferenced in the copy and a
// sweep of the restored store collects them.
//
// Incremental: chunk files named in the previous manifest are not copied again (content
// addressing: same name, same bytes); a volume copied before from the same file gets only its
// new tail appended; the databases and the key are copied whole each time.

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"

namespace coffer::backup {

struct BackupSource {
  std::string metadata_db;  // the SQLite metadata database (<data>/meta.db)
  std::string chunk_root;   // the local chunk store (<data>/chunks)
  std::string key_file;     // the server key (<data>/secrets/token.key or --secret-key-file)
  std::string coffer_version;
  // Called once the metadata snapshot is taken, before the chunks are copied. For tests: a
  // garbage collection or a compaction run there must not take anything the snapshot needs.
  std::function<void()> after_metadata_snapshot;
};

struct CopyCount {
  uint64_t files = 0;
  uint64_t bytes = 0;
};

struct BackupReport {
  uint64_t generation = 0;
  CopyCount metadata;             // database snapshots and the key, copied whole every time
  CopyCount chunk_files_copied;   // new chunk files
  CopyCount chunk_files_skipped;  // already in the backup
  CopyCount volumes_copied;       // volume bytes copied (files: volumes new or extended)
  CopyCount volumes_skipped;      // volume bytes already in the backup (files: unchanged)
  uint64_t files_removed = 0;     // no longer part of the backup (collected, compacted)
  uint64_t total_bytes = 0;       // of the whole backup, as the manifest lists it
  double seconds = 0;
};

// Backs up `source` into the directory `to` (created if needed). Another backup into the same
// directory at the same time is refused (kConflict). Errors: kIoError, kCorruption,
// kUnavailable (a sweep held the store for too long), kNotFound (no metadata database).
Result<BackupReport> run_backup(const BackupSource& source, const std::string& to);

}  // namespace coffer::backup
