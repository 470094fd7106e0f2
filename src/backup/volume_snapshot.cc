#include "backup/volume_snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "meta/database.h"
#include "meta/sqlite_database.h"
#include "meta/sqlite_snapshot.h"
#include "store/file_io.h"
#include "store/volume_store.h"

namespace coffer::backup {
namespace {

constexpr int kAttempts = 20;

std::string volume_path(const std::string& dir, uint64_t volume) {
  char name[32];
  std::snprintf(name, sizeof name, "%08llu.vol", static_cast<unsigned long long>(volume));
  return dir + "/" + name;
}

// Opens every volume file in `dir` (step 1 of the argument in the header).
Result<std::map<uint64_t, VolumeSnapshot::Volume>> open_volumes(const std::string& dir) {
  std::map<uint64_t, VolumeSnapshot::Volume> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return store::io_error("open directory", dir, errno);
  std::vector<uint64_t> numbers;
  while (dirent* entry = ::readdir(d)) {
    const std::string_view name = entry->d_name;
    if (name.size() != 12 || !name.ends_with(".vol")) continue;
    uint64_t n = 0;
    bool digits = true;
    for (char c : name.substr(0, 8)) {
      digits = digits && c >= '0' && c <= '9';
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (digits && n > 0) numbers.push_back(n);
  }
  ::closedir(d);
  for (uint64_t n : numbers) {
    const std::string path = volume_path(dir, n);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // compacted away since the listing
      const int err = errno;
      for (auto& [_, v] : out) ::close(v.fd);
      return store::io_error("open", path, err);
    }
    struct stat st;
    ::fstat(fd, &st);
    out[n] = VolumeSnapshot::Volume{fd, static_cast<uint64_t>(st.st_dev),
                                    static_cast<uint64_t>(st.st_ino), 0};
  }
  return out;
}

// Volume number -> the end that covers every record the index copy at `path` describes.
Result<std::map<uint64_t, uint64_t>> indexed_ends(const std::string& path) {
  meta::SqliteOptions options;
  options.durable_commits = false;
  options.max_readers = 1;
  auto db = meta::open_sqlite_database(path, options);
  COFFER_RETURN_IF_ERROR(db);
  return meta::transact_value<std::map<uint64_t, uint64_t>>(
      **db, meta::TxMode::kRead,
      [](meta::Connection& conn) -> Result<std::map<uint64_t, uint64_t>> {
        std::map<uint64_t, uint64_t> ends;
        auto rows = conn.query("SELECT volume, indexed_end FROM volumes", {});
        COFFER_RETURN_IF_ERROR(rows);
        for (const meta::Row& row : *rows) {
          if (row.int64(1) > 0) ends[static_cast<uint64_t>(row.int64(0))] = row.int64(1);
        }
        rows = conn.query("SELECT volume, MAX(record_offset + length) FROM chunks GROUP BY volume",
                          {});
        COFFER_RETURN_IF_ERROR(rows);
        for (const meta::Row& row : *rows) {
          const uint64_t end =
              static_cast<uint64_t>(row.int64(1)) + store::VolumeStore::kRecordHeaderSize;
          uint64_t& known = ends[static_cast<uint64_t>(row.int64(0))];
          known = std::max(known, end);
        }
        return ends;
      });
}

}  // namespace

VolumeSnapshot::~VolumeSnapshot() {
  for (auto& [_, v] : volumes_) ::close(v.fd);
}

Result<VolumeSnapshot> VolumeSnapshot::take(const std::string& volume_dir,
                                            const std::string& index_copy,
                                            const std::function<void()>& before_index_copy) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    VolumeSnapshot snapshot;
    auto opened = open_volumes(volume_dir);
    COFFER_RETURN_IF_ERROR(opened);
    snapshot.volumes_ = std::move(*opened);
    if (before_index_copy) before_index_copy();
    ::unlink(index_copy.c_str());
    COFFER_RETURN_IF_ERROR(meta::snapshot_sqlite(volume_dir + "/index.db", index_copy));
    auto ends = indexed_ends(index_copy);
    COFFER_RETURN_IF_ERROR(ends);
    bool agree = true;
    for (const auto& [n, end] : *ends) {
      auto held = snapshot.volumes_.find(n);
      struct stat now;
      if (held == snapshot.volumes_.end() ||
          ::stat(volume_path(volume_dir, n).c_str(), &now) != 0 ||
          static_cast<uint64_t>(now.st_ino) != held->second.inode ||
          static_cast<uint64_t>(now.st_dev) != held->second.device) {
        agree = false;  // created or replaced around the snapshot: take it again
        break;
      }
      held->second.end = end;
      struct stat st;
      if (::fstat(held->second.fd, &st) != 0) {
        return store::io_error("stat", volume_path(volume_dir, n), errno);
      }
      if (static_cast<uint64_t>(st.st_size) < end) {
        return Status(Errc::kCorruption,
                      volume_path(volume_dir, n) + " is " + std::to_string(st.st_size) +
                          " bytes long, but its index reaches " + std::to_string(end));
      }
    }
    if (!agree) continue;
    // Volumes the snapshot does not name (empty, or made after it) are not part of it.
    for (auto it = snapshot.volumes_.begin(); it != snapshot.volumes_.end();) {
      if (ends->contains(it->first)) {
        ++it;
      } else {
        ::close(it->second.fd);
        it = snapshot.volumes_.erase(it);
      }
    }
    return snapshot;
  }
  ::unlink(index_copy.c_str());
  return Status(Errc::kUnavailable, "the volumes in " + volume_dir + " kept changing during " +
                                        std::to_string(kAttempts) + " attempts at a snapshot");
}

}  // namespace coffer::backup
