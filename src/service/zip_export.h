#pragma once
// Downloads of several files and folders as one zip archive (GET /api/v1/zip, folder links).
// Folders are walked lazily, a page of children at a time, while the archive streams: a tree
// of any size needs no temporary file and no list of all its files in memory.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/byte_source.h"
#include "core/status.h"
#include "service/file_service.h"

namespace coffer::service {

inline constexpr size_t kMaxZipSelection = 1000;

// The archive of `ids` (each a file, or a folder with everything below it) as `actor` may read
// them. Every id is checked before the first byte: kNotFound for one the actor cannot read,
// kInvalidArgument for an empty or oversized selection. Failures while streaming (a folder
// deleted meanwhile, a storage error) surface from read(); the HTTP layer then aborts.
Result<std::unique_ptr<ByteSource>> zip_nodes(FileService& files, int64_t actor,
                                              const std::vector<int64_t>& ids);

}  // namespace coffer::service
