#include "backup/file_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/hex.h"
#include "store/file_io.h"
#include "store/sha256.h"

namespace coffer::backup {
namespace {

constexpr size_t kPiece = 1 << 20;

std::string hex(const store::Sha256::Digest& digest) {
  return to_hex(std::span<const uint8_t>(digest));
}

Status write_full(int fd, const std::string& path, uint64_t offset, const std::byte* data,
                  size_t size) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return store::io_error("write", path, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

Status ended_early(const std::string& path, uint64_t at, uint64_t expected) {
  return Status(Errc::kCorruption, path + " ends at byte " + std::to_string(at) + ", before the " +
                                       std::to_string(expected) + " expected");
}

// Reads `length` bytes at `offset` of `fd` in pieces, hashing each and handing it to `sink`
// (with its position in the range) when there is one.
Result<Segment> read_range(
    int fd, const std::string& path, uint64_t offset, uint64_t length, const Tick& tick,
    const std::function<Status(uint64_t, std::span<const std::byte>)>& sink) {
  std::vector<std::byte> buffer(static_cast<size_t>(std::min<uint64_t>(length, kPiece)));
  store::Sha256 hash;
  for (uint64_t done = 0; done < length;) {
    if (tick) COFFER_RETURN_IF_ERROR(tick());
    const size_t want = static_cast<size_t>(std::min<uint64_t>(length - done, kPiece));
    const auto piece = std::span(buffer).first(want);
    auto n = store::pread_full(fd, offset + done, piece, path);
    COFFER_RETURN_IF_ERROR(n);
    if (*n != want) return ended_early(path, offset + done + *n, offset + length);
    hash.update(piece);
    if (sink) COFFER_RETURN_IF_ERROR(sink(done, piece));
    done += want;
  }
  return Segment{length, hex(hash.finish())};
}

}  // namespace

Result<Segment> copy_range(int from, const std::string& from_path, uint64_t offset, uint64_t length,
                           int to, const std::string& to_path, uint64_t to_offset,
                           const Tick& tick) {
  return read_range(from, from_path, offset, length, tick,
                    [&](uint64_t done, std::span<const std::byte> piece) {
                      return write_full(to, to_path, to_offset + done, piece.data(), piece.size());
                    });
}

Result<Segment> hash_range(int fd, const std::string& path, uint64_t offset, uint64_t length,
                           const Tick& tick) {
  return read_range(fd, path, offset, length, tick, nullptr);
}

Status check_segments(int fd, const std::string& path, const std::vector<Segment>& segments,
                      const Tick& tick) {
  uint64_t offset = 0;
  for (const Segment& segment : segments) {
    auto actual = hash_range(fd, path, offset, segment.length, tick);
    COFFER_RETURN_IF_ERROR(actual);
    if (actual->sha256 != segment.sha256) {
      return Status(Errc::kCorruption, path + ": bytes " + std::to_string(offset) + " to " +
                                           std::to_string(offset + segment.length) +
                                           " do not match their SHA-256 in the manifest");
    }
    offset += segment.length;
  }
  return Status::ok();
}

Status sync_file(int fd, const std::string& path) {
  if (::fsync(fd) != 0) return store::io_error("fsync", path, errno);
  return Status::ok();
}

Result<std::string> read_small_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status(Errc::kNotFound, path + " does not exist");
    return store::io_error("open", path, errno);
  }
  std::string out;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return store::io_error("read", path, err);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status write_file_atomically(const std::string& dir, const std::string& name,
                             const std::string& contents) {
  const std::string path = dir + "/" + name;
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return store::io_error("create", temp, errno);
  Status s =
      write_full(fd, temp, 0, reinterpret_cast<const std::byte*>(contents.data()), contents.size());
  if (s.is_ok()) s = sync_file(fd, temp);
  ::close(fd);
  if (s.is_ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    s = store::io_error("rename", temp, errno);
  }
  if (!s.is_ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return store::fsync_dir(dir);
}

}  // namespace coffer::backup
