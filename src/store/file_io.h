#pragma once
// The few POSIX file operations the local stores share (LocalChunkStore, VolumeStore), with
// errors as Status values that name the path and the system's reason.

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

}  // namespace coffer::store
