#pragma once
// What media processing derives from a content: thumbnails (stored as chunks in the chunk
// store, like file versions) and the dimensions and selected EXIF of an image. Keyed by the
// content's SHA-256, so identical files, copies and versions share them (docs/schema.md).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace coffer::meta {

struct MediaInfo {
  int width = 0;
  int height = 0;
  std::string camera_make;   // "" when unknown
  std::string camera_model;  // "" when unknown
  std::string taken_at;      // EXIF DateTimeOriginal as written ("2024:05:01 10:00:00"), or ""
};

struct Thumbnail {
  std::string sha256;   // of the source content
  std::string variant;  // "small" or "large"
  std::string mime;
  int width = 0;
  int height = 0;
  uint64_t size = 0;
  std::string thumb_sha256;  // of the thumbnail's bytes
  std::vector<VersionChunk> chunks;
};

class MediaStore {
 public:
  virtual ~MediaStore() = default;

  // The stored thumbnail with its chunk list, or nullopt.
  virtual Result<std::optional<Thumbnail>> thumbnail(const std::string& sha256,
                                                     const std::string& variant) = 0;
  // Whether every one of `variants` is stored for `sha256`.
  virtual Result<bool> has_thumbnails(const std::string& sha256,
                                      const std::vector<std::string>& variants) = 0;
  // Those of `sha256s` that have at least one stored thumbnail (a listing asks for a page of
  // files at once).
  virtual Result<std::set<std::string>> with_thumbnails(
      const std::vector<std::string>& sha256s) = 0;
  // Records what processing `sha256` produced, in one transaction; what is already recorded
  // stays (identical content gives identical results). REQUIRES: the thumbnails' chunks are
  // durable in the chunk store.
  virtual Status save(const std::string& sha256, const MediaInfo& info,
                      const std::vector<Thumbnail>& thumbnails, Micros now) = 0;
  virtual Result<std::optional<MediaInfo>> media_info(const std::string& sha256) = 0;
  // Forgets thumbnails and media info of contents no version has any more (their chunks go
  // with the next garbage collection); returns how many contents.
  virtual Result<int64_t> prune_orphans() = 0;
};

}  // namespace coffer::meta
