#include "store/local_chunk_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <system_error>

#include "core/hex.h"
#include "store/file_io.h"

namespace coffer::store {
namespace {

constexpr char kTempDir[] = "tmp";
// O_DIRECT transfers whole blocks from block-aligned memory; 4 KiB suits every common device.
constexpr size_t kDirectIoBlock = 4096;
// Below this, a copy into the page cache is cheaper than setting up direct I/O.
constexpr size_t kDirectIoMinSize = 64 * 1024;

// The names in directory `path`, without "." and "..". A missing directory lists as empty
// when `missing_ok`.
Result<std::vector<std::string>> list_dir(const std::string& path, bool missing_ok) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (missing_ok && (errno == ENOENT || errno == ENOTDIR)) return names;
    return io_error("open directory", path, errno);
  }
  int err = 0;
  for (;;) {
    errno = 0;
    dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      err = errno;
      break;
    }
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  if (err != 0) return io_error("read directory", path, err);
  return names;
}

// Writes all of `data`; returns 0 or the errno of the failure.
int write_all(int fd, std::span<const std::byte> data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return 0;
}

// mkdir that treats an existing directory as success.
Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return Status::ok();
  if (errno != EEXIST) return io_error("mkdir", path, errno);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return io_error("stat", path, errno);
  if (!S_ISDIR(st.st_mode)) return io_error("mkdir", path, ENOTDIR);
  return Status::ok();
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string hex_byte(uint8_t b) { return to_hex(std::span<const uint8_t>(&b, 1)); }

bool test_bit(const std::atomic<uint64_t>* words, size_t bit) {
  return (words[bit / 64].load(std::memory_order_acquire) >> (bit % 64)) & 1;
}

void set_bit(std::atomic<uint64_t>* words, size_t bit) {
  words[bit / 64].fetch_or(uint64_t{1} << (bit % 64), std::memory_order_release);
}

void clear_bit(std::atomic<uint64_t>* words, size_t bit) {
  words[bit / 64].fetch_and(~(uint64_t{1} << (bit % 64)), std::memory_order_release);
}

}  // namespace

LocalChunkStore::LocalChunkStore(std::string root, LocalChunkStoreOptions options,
                                 std::unique_ptr<VolumeStore> volumes)
    : root_(std::move(root)),
      direct_io_(options.direct_io),
      packed_max_bytes_(volumes ? options.packed_max_bytes : 0),
      volumes_(std::move(volumes)) {}

Result<std::unique_ptr<LocalChunkStore>> LocalChunkStore::open(const std::string& root,
                                                               LocalChunkStoreOptions options) {
  if (root.empty()) return Status(Errc::kInvalidArgument, "chunk store root is empty");
  std::string path = root;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  COFFER_RETURN_IF_ERROR(make_dirs(path));
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return io_error("stat", path, errno);
  if (!S_ISDIR(st.st_mode)) return io_error("open chunk store", path, ENOTDIR);
  const std::string tmp = path + "/" + kTempDir;
  if (::mkdir(tmp.c_str(), 0700) == 0) {
    COFFER_RETURN_IF_ERROR(fsync_dir(path));
  } else if (errno != EEXIST) {
    return io_error("mkdir", tmp, errno);
  }
  COFFER_RETURN_IF_ERROR(clean_stale_temp_files(path));
  std::unique_ptr<VolumeStore> volumes;
  if (options.packed_max_bytes > 0) {
    auto opened = VolumeStore::open(path + "/volumes", options.volumes);
    COFFER_RETURN_IF_ERROR(opened);
    volumes = std::move(*opened);
  }
  return std::make_unique<LocalChunkStore>(path, options, std::move(volumes));
}

Result<size_t> LocalChunkStore::clean_stale_temp_files(const std::string& root,
                                                       std::chrono::seconds max_age) {
  const std::string tmp = root + "/" + kTempDir;
  auto names = list_dir(tmp, /*missing_ok=*/false);
  COFFER_RETURN_IF_ERROR(names);
  const time_t cutoff = std::time(nullptr) - static_cast<time_t>(max_age.count());
  size_t removed = 0;
  for (const std::string& name : *names) {
    const std::string path = tmp + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (!S_ISREG(st.st_mode) || st.st_mtime >= cutoff) continue;
    if (::unlink(path.c_str()) == 0) {
      ++removed;
    } else if (errno != ENOENT) {
      return io_error("unlink", path, errno);
    }
  }
  return removed;
}

std::string LocalChunkStore::path_of(const ChunkId& id) const {
  const std::string hex = id.hex();
  std::string path;
  path.reserve(root_.size() + 8 + hex.size());
  path += root_;
  path += '/';
  path.append(hex, 0, 2);
  path += '/';
  path.append(hex, 2, 2);
  path += '/';
  path += hex;
  return path;
}

std::string LocalChunkStore::temp_path(const ChunkId& id) {
  static const pid_t pid = ::getpid();
  return root_ + "/" + kTempDir + "/" + id.hex() + "." + std::to_string(pid) + "." +
         std::to_string(temp_seq_.fetch_add(1, std::memory_order_relaxed));
}

namespace {

// Refreshes the modification time of `path`; false if it does not exist.
Result<bool> touch_path(const std::string& path) {
  if (::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return io_error("touch", path, errno);
}

}  // namespace

Status LocalChunkStore::put(const ChunkId& id, std::span<const std::byte> encoded) {
  const std::string path = path_of(id);
  if (encoded.size() <= packed_max_bytes_) {
    // Written as a file by an earlier version (or before volumes were turned on)?
    auto as_file = touch_path(path);
    COFFER_RETURN_IF_ERROR(as_file);
    if (*as_file) return Status::ok();
    return volumes_->put(id, encoded);
  }
  return put_file(id, encoded);
}

Status LocalChunkStore::put_many(std::span<const ChunkPut> chunks) {
  std::vector<ChunkPut> packed;
  for (const ChunkPut& chunk : chunks) {
    if (chunk.encoded.size() > packed_max_bytes_) {
      COFFER_RETURN_IF_ERROR(put_file(chunk.id, chunk.encoded));
      continue;
    }
    auto as_file = touch_path(path_of(chunk.id));
    COFFER_RETURN_IF_ERROR(as_file);
    if (!*as_file) packed.push_back(chunk);
  }
  return packed.empty() ? Status::ok() : volumes_->put_many(packed);
}

Status LocalChunkStore::put_file(const ChunkId& id, std::span<const std::byte> encoded) {
  const std::string path = path_of(id);
  Shard& shard = shard_of(id);
  {
    std::unique_lock lock(shard.mu);
    shard.cv.wait(lock, [&] { return !shard.writing.contains(id); });
    auto present = touch_path(path);
    COFFER_RETURN_IF_ERROR(present);
    if (*present) return Status::ok();
    shard.writing.insert(id);
  }
  Status status = write_new(id, encoded);
  {
    std::lock_guard lock(shard.mu);
    shard.writing.erase(id);
  }
  shard.cv.notify_all();
  return status;
}

Status LocalChunkStore::ensure_fanout_dirs(const ChunkId& id) {
  const size_t leaf = size_t{id.bytes[0]} << 8 | id.bytes[1];
  if (test_bit(durable_leaf_.data(), leaf)) return Status::ok();
  // A directory found already existing may have been created by a process that crashed
  // before making it durable, or by another thread still doing so: each is fsynced once per
  // process before a chunk inside it is reported durable.
  const std::string top = root_ + "/" + hex_byte(id.bytes[0]);
  if (!test_bit(durable_top_.data(), id.bytes[0])) {
    COFFER_RETURN_IF_ERROR(make_dir(top));
    COFFER_RETURN_IF_ERROR(fsync_dir(root_));
    set_bit(durable_top_.data(), id.bytes[0]);
  }
  COFFER_RETURN_IF_ERROR(make_dir(top + "/" + hex_byte(id.bytes[1])));
  COFFER_RETURN_IF_ERROR(fsync_dir(top));
  set_bit(durable_leaf_.data(), leaf);
  return Status::ok();
}

Status LocalChunkStore::write_new(const ChunkId& id, std::span<const std::byte> encoded) {
  COFFER_RETURN_IF_ERROR(ensure_fanout_dirs(id));
  const std::string tmp = temp_path(id);
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  bool direct = direct_io_.load(std::memory_order_relaxed) && encoded.size() >= kDirectIoMinSize &&
                reinterpret_cast<uintptr_t>(encoded.data()) % kDirectIoBlock == 0;
  int raw_fd = ::open(tmp.c_str(), flags | (direct ? O_DIRECT : 0), 0600);
  if (raw_fd < 0 && direct && errno == EINVAL) {
    direct_io_.store(false, std::memory_order_relaxed);  // not supported by this filesystem
    direct = false;
    raw_fd = ::open(tmp.c_str(), flags, 0600);
  }
  Fd fd(raw_fd);
  if (!fd.valid()) return io_error("create", tmp, errno);
  auto fail = [&](Status status) {
    if (fd.valid()) fd.close();
    ::unlink(tmp.c_str());
    return status;
  };
  // With O_DIRECT, the whole blocks go straight to the disk and the tail through the page
  // cache; the fdatasync below covers both.
  size_t head = direct ? encoded.size() / kDirectIoBlock * kDirectIoBlock : 0;
  if (head > 0) {
    if (int err = write_all(fd.get(), encoded.first(head)); err == EINVAL) {
      // The device wants larger blocks than kDirectIoBlock: start over through the cache.
      direct_io_.store(false, std::memory_order_relaxed);
      head = 0;
      if (::ftruncate(fd.get(), 0) != 0 || ::lseek(fd.get(), 0, SEEK_SET) != 0) {
        return fail(io_error("truncate", tmp, errno));
      }
    } else if (err != 0) {
      return fail(io_error("write", tmp, err));
    }
    if (::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_DIRECT) != 0) {
      return fail(io_error("fcntl", tmp, errno));
    }
  }
  if (int err = write_all(fd.get(), encoded.subspan(head)); err != 0) {
    return fail(io_error("write", tmp, err));
  }
  if (::fdatasync(fd.get()) != 0) return fail(io_error("fsync", tmp, errno));
  if (int err = fd.close(); err != 0) return fail(io_error("close", tmp, err));
  const std::string path = path_of(id);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    if (errno != ENOENT) return fail(io_error("rename", path, errno));
    // The fan-out directory was removed behind our back (by hand, or by a cleanup of empty
    // directories): recreate it once.
    clear_bit(durable_top_.data(), id.bytes[0]);
    clear_bit(durable_leaf_.data(), size_t{id.bytes[0]} << 8 | id.bytes[1]);
    if (Status s = ensure_fanout_dirs(id); !s.is_ok()) return fail(std::move(s));
    if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(io_error("rename", path, errno));
  }
  const std::string dir = path.substr(0, path.size() - 2 * id.bytes.size() - 1);
  if (Status s = fsync_dir(dir); !s.is_ok()) {
    // Not known durable, so it must not be found by a later touch() or put(): nobody else
    // can have seen it yet (the shard lock holds them off).
    ::unlink(path.c_str());
    return s;
  }
  return Status::ok();
}

Result<bool> LocalChunkStore::touch(const ChunkId& id) {
  if (volumes_) {
    auto packed = volumes_->touch(id);
    if (!packed.is_ok() || *packed) return packed;
  }
  const std::string path = path_of(id);
  Shard& shard = shard_of(id);
  std::unique_lock lock(shard.mu);
  shard.cv.wait(lock, [&] { return !shard.writing.contains(id); });
  return touch_path(path);
}

Result<std::vector<std::byte>> LocalChunkStore::get(const ChunkId& id) {
  if (volumes_) {
    auto packed = volumes_->get(id);
    if (packed.is_ok() || packed.status().code() != Errc::kNotFound) return packed;
  }
  const std::string path = path_of(id);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status(Errc::kNotFound, "chunk " + id.hex() + " is missing");
    return io_error("open", path, errno);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return io_error("stat", path, errno);
  std::vector<std::byte> out(static_cast<size_t>(st.st_size));
  auto n = pread_full(fd.get(), 0, out, path);
  COFFER_RETURN_IF_ERROR(n);
  if (*n != out.size()) return io_error("read", path, EIO);
  return out;
}

Result<size_t> LocalChunkStore::read_at(const ChunkId& id, uint64_t offset,
                                        std::span<std::byte> out) {
  if (volumes_) {
    auto packed = volumes_->read_at(id, offset, out);
    if (packed.is_ok() || packed.status().code() != Errc::kNotFound) return packed;
  }
  const std::string path = path_of(id);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status(Errc::kNotFound, "chunk " + id.hex() + " is missing");
    return io_error("open", path, errno);
  }
  return pread_full(fd.get(), offset, out, path);
}

Status LocalChunkStore::remove(const ChunkId& id) {
  if (volumes_) COFFER_RETURN_IF_ERROR(volumes_->remove(id));
  const std::string path = path_of(id);
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::ok();
  return io_error("unlink", path, errno);
}

Status LocalChunkStore::for_each(const std::function<Status(const StoredChunkInfo&)>& fn) {
  if (volumes_) COFFER_RETURN_IF_ERROR(volumes_->for_each(fn));
  auto is_fanout = [](std::string_view name) { return name.size() == 2 && is_lower_hex(name); };
  auto tops = list_dir(root_, /*missing_ok=*/false);
  COFFER_RETURN_IF_ERROR(tops);
  for (const std::string& top : *tops) {
    if (!is_fanout(top)) continue;  // tmp/ and strays
    const std::string top_path = root_ + "/" + top;
    auto mids = list_dir(top_path, /*missing_ok=*/true);
    COFFER_RETURN_IF_ERROR(mids);
    for (const std::string& mid : *mids) {
      if (!is_fanout(mid)) continue;
      const std::string leaf_path = top_path + "/" + mid;
      auto names = list_dir(leaf_path, /*missing_ok=*/true);
      COFFER_RETURN_IF_ERROR(names);
      for (const std::string& name : *names) {
        if (name.size() != 64 || !is_lower_hex(name) || name.compare(0, 2, top) != 0 ||
            name.compare(2, 2, mid) != 0) {
          continue;
        }
        const std::string path = leaf_path + "/" + name;
        struct stat st;
        if (::lstat(path.c_str(), &st) != 0) {
          if (errno == ENOENT) continue;  // removed meanwhile
          return io_error("stat", path, errno);
        }
        if (!S_ISREG(st.st_mode)) continue;
        StoredChunkInfo info;
        info.id = *ChunkId::from_hex(name);
        info.stored_bytes = static_cast<uint64_t>(st.st_size);
        info.modified_unix_seconds = st.st_mtime;
        COFFER_RETURN_IF_ERROR(fn(info));
      }
    }
  }
  return Status::ok();
}

Status LocalChunkStore::put_marker(std::string_view kind, std::string_view name) {
  const std::string markers = root_ + "/markers";
  const std::string dir = markers + "/" + std::string(kind);
  for (const std::string& d : {markers, dir}) {
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) return io_error("mkdir", d, errno);
  }
  const std::string path = dir + "/" + std::string(name);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return io_error("create", path, errno);
  if (::futimens(fd.get(), nullptr) != 0) return io_error("futimens", path, errno);
  return Status::ok();
}

Status LocalChunkStore::remove_marker(std::string_view kind, std::string_view name) {
  const std::string path = root_ + "/markers/" + std::string(kind) + "/" + std::string(name);
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::ok();
  return io_error("unlink", path, errno);
}

Status LocalChunkStore::for_each_marker(std::string_view kind,
                                        const std::function<Status(const MarkerInfo&)>& fn) {
  const std::string dir = root_ + "/markers/" + std::string(kind);
  auto names = list_dir(dir, /*missing_ok=*/true);
  COFFER_RETURN_IF_ERROR(names);
  for (const std::string& name : *names) {
    const std::string path = dir + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // removed meanwhile
      return io_error("stat", path, errno);
    }
    if (S_ISREG(st.st_mode)) COFFER_RETURN_IF_ERROR(fn(MarkerInfo{name, st.st_mtime}));
  }
  return Status::ok();
}

Result<uint64_t> LocalChunkStore::compact() {
  if (!volumes_) return uint64_t{0};
  auto report = volumes_->compact();
  COFFER_RETURN_IF_ERROR(report);
  if (!report->damaged.empty()) {
    return Status(Errc::kCorruption, "compaction kept damaged volumes: " + report->damaged.front());
  }
  return report->bytes_reclaimed;
}

Status LocalChunkStore::check_ready() {
  static const pid_t pid = ::getpid();
  const std::string probe = root_ + "/" + kTempDir + "/ready-probe." + std::to_string(pid) + "." +
                            std::to_string(temp_seq_.fetch_add(1, std::memory_order_relaxed));
  Fd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return io_error("create", probe, errno);
  const std::byte byte{0};
  Status status;
  if (int err = write_all(fd.get(), std::span(&byte, 1)); err != 0) {
    status = io_error("write", probe, err);
  }
  if (status.is_ok() && ::fdatasync(fd.get()) != 0) status = io_error("fsync", probe, errno);
  if (int err = fd.close(); status.is_ok() && err != 0) status = io_error("close", probe, err);
  if (::unlink(probe.c_str()) != 0 && status.is_ok()) status = io_error("unlink", probe, errno);
  return status;
}

}  // namespace coffer::store
