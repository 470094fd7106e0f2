#include "backup/restore.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "backup/file_copy.h"
#include "backup/manifest.h"
#include "store/file_io.h"

namespace coffer::backup {
namespace {

Result<Manifest> require_manifest(const std::string& dir) {
  auto manifest = read_manifest(dir);
  COFFER_RETURN_IF_ERROR(manifest);
  if (!*manifest) {
    return Status(Errc::kNotFound, "no " + std::string(kManifestName) + " in " + dir +
                                       ": not a backup, or its first backup did not finish");
  }
  return std::move(**manifest);
}

Result<bool> is_empty_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return true;
    return store::io_error("open directory", dir, errno);
  }
  bool empty = true;
  while (dirent* entry = ::readdir(d)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") empty = false;
  }
  ::closedir(d);
  return empty;
}

// Copies one manifest file into place, checking each segment as it goes.
Status restore_file(const std::string& from, const std::string& data_dir, const ManifestFile& f,
                    std::set<std::string>& dirs) {
  const std::string source = from + "/" + f.path;
  const std::string target = data_dir + "/" + f.restore_to;
  const std::string dir = target.substr(0, target.find_last_of('/'));
  COFFER_RETURN_IF_ERROR(store::make_dirs(dir));
  const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    if (errno == ENOENT) return Status(Errc::kCorruption, source + " is missing from the backup");
    return store::io_error("open", source, errno);
  }
  const std::string temp = target + ".restoring";
  const int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    const int err = errno;
    ::close(in);
    return store::io_error("create", temp, err);
  }
  Status s;
  uint64_t offset = 0;
  for (const Segment& expected : f.segments) {
    auto copied = copy_range(in, source, offset, expected.length, out, temp, offset, nullptr);
    if (!copied.is_ok()) {
      s = copied.status();
      break;
    }
    if (copied->sha256 != expected.sha256) {
      s = Status(Errc::kCorruption, source + ": bytes " + std::to_string(offset) + " to " +
                                        std::to_string(offset + expected.length) +
                                        " do not match their SHA-256 in the manifest");
      break;
    }
    offset += expected.length;
  }
  if (s.is_ok()) s = sync_file(out, temp);
  ::close(out);
  ::close(in);
  if (s.is_ok() && ::rename(temp.c_str(), target.c_str()) != 0) {
    s = store::io_error("rename", temp, errno);
  }
  if (!s.is_ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  dirs.insert(dir);
  return Status::ok();
}

}  // namespace

Result<VerifyReport> verify_backup(const std::string& dir) {
  auto manifest = require_manifest(dir);
  COFFER_RETURN_IF_ERROR(manifest);
  VerifyReport report;
  report.generation = manifest->generation;
  for (const ManifestFile& f : manifest->files) {
    const std::string path = dir + "/" + f.path;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status(Errc::kCorruption, path + " is missing");
      return store::io_error("open", path, errno);
    }
    Status s = check_segments(fd, path, f.segments, nullptr);
    ::close(fd);
    COFFER_RETURN_IF_ERROR(s);
    ++report.files;
    report.bytes += f.size();
  }
  return report;
}

Result<VerifyReport> restore_backup(const std::string& from, const std::string& data_dir) {
  auto manifest = require_manifest(from);
  COFFER_RETURN_IF_ERROR(manifest);
  auto empty = is_empty_dir(data_dir);
  COFFER_RETURN_IF_ERROR(empty);
  if (!*empty) {
    return Status(Errc::kConflict, data_dir +
                                       " is not empty: restore only into an empty or new "
                                       "data directory");
  }
  COFFER_RETURN_IF_ERROR(store::make_dirs(data_dir));
  // The metadata last: until it is in place the directory is plainly not a finished restore.
  std::vector<const ManifestFile*> order;
  for (const ManifestFile& f : manifest->files) order.push_back(&f);
  std::stable_partition(order.begin(), order.end(),
                        [](const ManifestFile* f) { return f->kind != FileKind::kMetadata; });
  VerifyReport report;
  report.generation = manifest->generation;
  std::set<std::string> dirs;
  for (const ManifestFile* f : order) {
    if (f->kind == FileKind::kMetadata) {
      for (const std::string& dir : dirs) COFFER_RETURN_IF_ERROR(store::fsync_dir(dir));
      dirs.clear();
    }
    COFFER_RETURN_IF_ERROR(restore_file(from, data_dir, *f, dirs));
    ++report.files;
    report.bytes += f->size();
  }
  for (const std::string& dir : dirs) COFFER_RETURN_IF_ERROR(store::fsync_dir(dir));
  return report;
}

}  // namespace coffer::backup
