#pragma once
// The few POSIX file operations the local stores (LocalChunkStore, VolumeStore) and backups
// share, with errors as Status values that name the path and the system's reason.

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coffer::store {

// kIoError "<what> <path>: <strerror(err)>".
Status io_error(std::string_view what, const std::string& path, int err);

// Fills `out` from `offset` until it is full or the file ends; returns the bytes read.
Result<size_t> pread_full(int fd, uint64_t offset, std::span<std::byte> out,
                          const std::string& path);

// fsyncs the directory `path`, making the names created or removed in it durable.
Status fsync_dir(const std::string& path);

// Creates the directory `path` and its missing parents (mode 0700), each one created made
// durable in its parent.
Status make_dirs(const std::string& path);

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now and reports the error close() returned, if any (0 on success).
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

}  // namespace coffer::store
