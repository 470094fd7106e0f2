#pragma once
// The file operations backup, verify and restore share: copying a byte range while hashing
// it, checking a file against its manifest segments, durable small writes. Errors are
// kIoError values naming the path; a mismatch against a manifest is kCorruption.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backup/manifest.h"
#include "core/status.h"

namespace coffer::backup {

// Called between pieces of a long copy (the backup keeps its GC lease alive in it); an error
// stops the copy.
using Tick = std::function<Status()>;

// Copies `length` bytes at `offset` of `from` to `to_offset` of `to` and returns their SHA-256.
// kCorruption when `from` ends first. Does not sync.
Result<Segment> copy_range(int from, const std::string& from_path, uint64_t offset, uint64_t length,
                           int to, const std::string& to_path, uint64_t to_offset,
                           const Tick& tick);

// The SHA-256 of `length` bytes at `offset` of `fd`. kCorruption when the file ends first.
Result<Segment> hash_range(int fd, const std::string& path, uint64_t offset, uint64_t length,
                           const Tick& tick);

// Re-reads `segments` (contiguous from 0) of `fd` and compares each SHA-256. kCorruption names
// the path and the first segment that differs (or that the file is too short).
Status check_segments(int fd, const std::string& path, const std::vector<Segment>& segments,
                      const Tick& tick);

// fsyncs `fd`. kIoError names `path`.
Status sync_file(int fd, const std::string& path);

// The contents of a small file. kNotFound when it does not exist.
Result<std::string> read_small_file(const std::string& path);

// Writes `dir`/`name` atomically and durably: a temp file, fsync, rename, directory fsync.
Status write_file_atomically(const std::string& dir, const std::string& name,
                             const std::string& contents);

}  // namespace coffer::backup
