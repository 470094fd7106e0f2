#pragma once
// The manifest of a backup directory: what `coffer backup` wrote, where each file goes back
// on restore, and the SHA-256 of every byte, so that `coffer backup --verify` and
// `coffer restore` can prove the copy (docs/archive.md, "Backup and restore").
//
// It is written last and atomically (temp file, fsync, rename, directory fsync): a directory
// whose MANIFEST.json names a generation holds that whole backup, and a backup interrupted
// before its manifest leaves the previous generation's manifest, and every file it names,
// as they were. Files only grow between generations (a volume's copy gains a segment at its
// end), so a file longer than its manifest says is an interrupted append, not damage.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::backup {

inline constexpr char kManifestName[] = "MANIFEST.json";
inline constexpr int kManifestFormat = 1;

// A run of bytes of a file and its SHA-256 (lower-case hex). A file's segments are
// contiguous from offset 0.
struct Segment {
  uint64_t length = 0;
  std::string sha256;
  bool operator==(const Segment&) const = default;
};

// What a backed-up file is, which decides how a later backup refreshes it.
enum class FileKind {
  kMetadata,     // the metadata database (SQLite online backup), one per generation
  kVolumeIndex,  // the packed volumes' index database, one per generation
  kVolume,       // a packed volume: append-only, copied up to its indexed end, then extended
  kChunk,        // a chunk file: content-addressed, immutable, copied once
  kKey,          // the server key file
};
std::string_view file_kind_name(FileKind kind);

struct ManifestFile {
  std::string path;        // relative to the backup directory
  std::string restore_to;  // relative to the data directory
  FileKind kind = FileKind::kChunk;
  std::vector<Segment> segments;
  // Volumes: the file copied (st_dev, st_ino), so that the next backup extends the copy only
  // of that same file, never of a later volume that reused its number.
  uint64_t source_device = 0;
  uint64_t source_inode = 0;

  uint64_t size() const;
};

struct Manifest {
  int format = kManifestFormat;
  uint64_t generation = 0;  // 1 for the first backup into a directory, then one more each time
  std::string created;      // RFC 3339, UTC
  std::string coffer_version;
  std::vector<ManifestFile> files;
};

std::string encode_manifest(const Manifest& manifest);
// Errors: kCorruption (not a manifest, an unknown format, a path that is absolute or climbs
// out with "..").
Result<Manifest> decode_manifest(std::string_view json);

// The manifest of `dir`, or nullopt when it has none. Errors: kIoError, kCorruption.
Result<std::optional<Manifest>> read_manifest(const std::string& dir);
// Replaces the manifest of `dir` atomically and durably. Errors: kIoError.
Status write_manifest(const std::string& dir, const Manifest& manifest);

// Whether `path` is a relative path of plain names ([A-Za-z0-9._-], no "." or ".." parts).
bool is_safe_relative_path(std::string_view path);

}  // namespace coffer::backup
