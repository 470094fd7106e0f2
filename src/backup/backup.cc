#include "backup/backup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>

#include "backup/file_copy.h"
#include "backup/manifest.h"
#include "backup/tree_walk.h"
#include "backup/volume_snapshot.h"
#include "meta/sqlite_snapshot.h"
#include "store/file_io.h"
#include "store/gc_leases.h"
#include "store/local_chunk_store.h"
#include "store/volume_store.h"

namespace coffer::backup {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

std::string parent_of(const std::string& path) { return path.substr(0, path.find_last_of('/')); }

using store::Fd;

// Keeps an upload lease alive from a thread of its own for as long as it exists, so that a
// long step that cannot stop to refresh it (one SQLite backup step of a large database) never
// lets it lapse. check() reports the first failed refresh: the backup must then stop, as an
// upload would, because a sweep elsewhere may already have judged the lease dead.
class LeaseKeeper {
 public:
  explicit LeaseKeeper(std::unique_ptr<store::UploadLease> lease)
      : lease_(std::move(lease)), thread_([this](std::stop_token stop) { run(stop); }) {}
  ~LeaseKeeper() {
    thread_.request_stop();
    wake_.notify_all();
  }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  Status check() {
    std::lock_guard lock(mu_);
    if (!failed_.is_ok()) return failed_;
    return lease_->keep_alive();
  }

 private:
  void run(std::stop_token stop) {
    std::unique_lock lock(mu_);
    while (!stop.stop_requested()) {
      Status s = lease_->keep_alive();
      if (!s.is_ok() && failed_.is_ok()) failed_ = s;
      wake_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
    }
  }

  const std::unique_ptr<store::UploadLease> lease_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  Status failed_;        // GUARDED_BY(mu_)
  std::jthread thread_;  // last: started once the members it uses exist
};

// One backup run: the target directory, the previous manifest, the one being built.
class BackupRun {
 public:
  BackupRun(std::string to, Tick tick) : to_(std::move(to)), tick_(std::move(tick)) {}

  Status load_previous() {
    auto previous = read_manifest(to_);
    COFFER_RETURN_IF_ERROR(previous);
    if (*previous) {
      for (ManifestFile& f : (*previous)->files) previous_[f.path] = std::move(f);
      next_.generation = (*previous)->generation + 1;
    } else {
      next_.generation = 1;
    }
    return Status::ok();
  }

  uint64_t generation() const { return next_.generation; }
  std::string path(const std::string& relative) const { return to_ + "/" + relative; }

  // Adds a file the run wrote into the backup directory itself (a database snapshot).
  Status add_written(const std::string& relative, const std::string& restore_to, FileKind kind) {
    const std::string full = path(relative);
    Fd fd(::open(full.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return store::io_error("open", full, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return store::io_error("stat", full, errno);
    auto segment = hash_range(fd.get(), full, 0, static_cast<uint64_t>(st.st_size), tick_);
    COFFER_RETURN_IF_ERROR(segment);
    add(ManifestFile{relative, restore_to, kind, {*segment}});
    dirs_to_sync_.insert(parent_of(full));
    report_.metadata.files += 1;
    report_.metadata.bytes += segment->length;
    return Status::ok();
  }

  // Copies `length` bytes of the open source file `from` into the backup as `relative`,
  // appending to the copy an earlier run made of the same source file where there is one.
  Status copy(int from, const std::string& from_path, uint64_t length, ManifestFile entry) {
    const auto previous = previous_.find(entry.path);
    const bool extend = previous != previous_.end() && entry.kind == FileKind::kVolume &&
                        previous->second.source_device == entry.source_device &&
                        previous->second.source_inode == entry.source_inode &&
                        previous->second.size() <= length;
    const bool unchanged = previous != previous_.end() && entry.kind == FileKind::kChunk &&
                           previous->second.size() == length;
    CopyCount* copied = &report_.metadata;
    CopyCount* skipped = &report_.metadata;
    if (entry.kind == FileKind::kChunk) {
      copied = &report_.chunk_files_copied;
      skipped = &report_.chunk_files_skipped;
    } else if (entry.kind == FileKind::kVolume) {
      copied = &report_.volumes_copied;
      skipped = &report_.volumes_skipped;
    }
    if (unchanged || (extend && previous->second.size() == length)) {
      skipped->files += 1;
      skipped->bytes += length;
      entry.segments = previous->second.segments;
      add(std::move(entry));
      return Status::ok();
    }
    const uint64_t start = extend ? previous->second.size() : 0;
    if (extend) entry.segments = previous->second.segments;
    const std::string target = path(entry.path);
    COFFER_RETURN_IF_ERROR(store::make_dirs(parent_of(target)));
    // An extended copy is cut back to what its manifest covers (an interrupted run may have
    // appended more); the bytes before stay as the previous manifest names them.
    Fd to(::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (extend ? 0 : O_TRUNC), 0600));
    if (to.get() < 0) return store::io_error("create", target, errno);
    if (::ftruncate(to.get(), static_cast<off_t>(start)) != 0) {
      return store::io_error("truncate", target, errno);
    }
    auto segment =
        copy_range(from, from_path, start, length - start, to.get(), target, start, tick_);
    COFFER_RETURN_IF_ERROR(segment);
    COFFER_RETURN_IF_ERROR(sync_file(to.get(), target));
    dirs_to_sync_.insert(parent_of(target));
    if (segment->length > 0) entry.segments.push_back(*segment);
    copied->files += 1;
    copied->bytes += segment->length;
    skipped->bytes += start;
    add(std::move(entry));
    return Status::ok();
  }

  Status copy_file(const std::string& from_path, ManifestFile entry) {
    Fd from(::open(from_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (from.get() < 0) return store::io_error("open", from_path, errno);
    struct stat st;
    if (::fstat(from.get(), &st) != 0) return store::io_error("stat", from_path, errno);
    return copy(from.get(), from_path, static_cast<uint64_t>(st.st_size), std::move(entry));
  }

  // Makes every name durable, then writes the manifest; then removes what it no longer names.
  Result<BackupReport> commit(const std::string& coffer_version) {
    for (const std::string& dir : dirs_to_sync_) COFFER_RETURN_IF_ERROR(store::fsync_dir(dir));
    next_.created = utc_now();
    next_.coffer_version = coffer_version;
    COFFER_RETURN_IF_ERROR(write_manifest(to_, next_));
    std::set<std::string> keep;
    for (const ManifestFile& f : next_.files) {
      keep.insert(f.path);
      report_.total_bytes += f.size();
    }
    for (const char* area : {"metadata", "chunks", "secrets"}) {
      COFFER_RETURN_IF_ERROR(walk_files(path(area), [&](const std::string& file) {
        if (keep.contains(file.substr(to_.size() + 1))) return Status::ok();
        if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
          return store::io_error("remove", file, errno);
        }
        ++report_.files_removed;
        return Status::ok();
      }));
    }
    report_.generation = next_.generation;
    return report_;
  }

 private:
  void add(ManifestFile entry) { next_.files.push_back(std::move(entry)); }

  const std::string to_;
  const Tick tick_;
  std::map<std::string, ManifestFile> previous_;
  Manifest next_;
  BackupReport report_;
  std::set<std::string> dirs_to_sync_;
};

std::string volume_name(uint64_t volume) {
  char name[32];
  std::snprintf(name, sizeof name, "%08llu", static_cast<unsigned long long>(volume));
  return name;
}

Status back_up_volumes(BackupRun& run, const std::string& volume_dir) {
  struct stat st;
  if (::stat((volume_dir + "/index.db").c_str(), &st) != 0) return Status::ok();  // none yet
  // The index commits without fsync: after a power loss it may lack the last acknowledged
  // records until a process opens the store and recovers them. Opening it here does that for
  // every volume no process holds (a running server keeps the index of the volume it holds
  // current itself), so the snapshot below indexes every acknowledged record.
  COFFER_RETURN_IF_ERROR(status_of(store::VolumeStore::open(volume_dir)));
  const std::string index_copy =
      "metadata/volume-index." + std::to_string(run.generation()) + ".db";
  auto snapshot = VolumeSnapshot::take(volume_dir, run.path(index_copy));
  COFFER_RETURN_IF_ERROR(snapshot);
  COFFER_RETURN_IF_ERROR(
      run.add_written(index_copy, "chunks/volumes/index.db", FileKind::kVolumeIndex));
  for (const auto& [n, volume] : snapshot->volumes()) {
    // Named by source inode as well: a later volume that reuses the number is another file.
    ManifestFile entry{
        "chunks/volumes/" + volume_name(n) + "." + std::to_string(volume.inode) + ".vol",
        "chunks/volumes/" + volume_name(n) + ".vol", FileKind::kVolume};
    entry.source_device = volume.device;
    entry.source_inode = volume.inode;
    COFFER_RETURN_IF_ERROR(run.copy(volume.fd, volume_dir + "/" + volume_name(n) + ".vol",
                                    volume.end, std::move(entry)));
  }
  return Status::ok();
}

bool is_hex(std::string_view s, size_t size) {
  if (s.size() != size) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Every chunk file <root>/ab/cd/<64 hex>; the rest of the store (volumes, tmp, markers) is not.
Status back_up_chunk_files(BackupRun& run, const std::string& root) {
  return walk_files(root, [&](const std::string& file) {
    const std::string relative = file.substr(root.size() + 1);
    if (relative.size() != 6 + 64 || relative[2] != '/' || relative[5] != '/') return Status::ok();
    const std::string_view name = std::string_view(relative).substr(6);
    if (!is_hex(name, 64) || name.substr(0, 2) != relative.substr(0, 2) ||
        name.substr(2, 2) != relative.substr(3, 2)) {
      return Status::ok();
    }
    return run.copy_file(
        file, ManifestFile{"chunks/" + relative, "chunks/" + relative, FileKind::kChunk});
  });
}

}  // namespace

Result<BackupReport> run_backup(const BackupSource& source, const std::string& to) {
  const auto started = std::chrono::steady_clock::now();
  struct stat st;
  if (::stat(source.metadata_db.c_str(), &st) != 0) {
    return Status(Errc::kNotFound, "no metadata database at " + source.metadata_db);
  }
  if (::stat(source.chunk_root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status(Errc::kNotFound, "no chunk store at " + source.chunk_root);
  }
  COFFER_RETURN_IF_ERROR(store::make_dirs(to + "/metadata"));
  const std::string lock_path = to + "/.lock";
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return store::io_error("create", lock_path, errno);
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status(Errc::kConflict, "another backup is writing to " + to);
  }

  // Step 1 (backup.h): an upload lease keeps every sweep's deletions out until the end.
  store::LocalChunkStoreOptions store_options;
  store_options.packed_max_bytes = 0;  // markers only: the volumes are read directly
  store::LocalChunkStore markers(source.chunk_root, store_options, nullptr);
  store::GcLeases leases(markers);
  auto lease = leases.begin_upload();
  COFFER_RETURN_IF_ERROR(lease);
  LeaseKeeper keeper(std::move(*lease));
  BackupRun run(to, [&] { return keeper.check(); });
  COFFER_RETURN_IF_ERROR(run.load_previous());
  const std::string gen = std::to_string(run.generation());

  // Step 2: the metadata, as of one commit.
  const std::string metadata_copy = "metadata/meta." + gen + ".db";
  ::unlink(run.path(metadata_copy).c_str());  // left by a run interrupted before its manifest
  COFFER_RETURN_IF_ERROR(meta::snapshot_sqlite(source.metadata_db, run.path(metadata_copy)));
  COFFER_RETURN_IF_ERROR(run.add_written(metadata_copy, "meta.db", FileKind::kMetadata));
  if (source.after_metadata_snapshot) source.after_metadata_snapshot();
  // Step 3: the packed volumes and their index, after the metadata.
  COFFER_RETURN_IF_ERROR(back_up_volumes(run, source.chunk_root + "/volumes"));
  // Step 4: the chunk files.
  COFFER_RETURN_IF_ERROR(back_up_chunk_files(run, source.chunk_root));
  COFFER_RETURN_IF_ERROR(run.copy_file(
      source.key_file,
      ManifestFile{"secrets/token." + gen + ".key", "secrets/token.key", FileKind::kKey}));
  COFFER_RETURN_IF_ERROR(keeper.check());
  // Step 5.
  auto report = run.commit(source.coffer_version);
  COFFER_RETURN_IF_ERROR(report);
  report->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace coffer::backup
