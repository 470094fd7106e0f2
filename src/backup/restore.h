#pragma once
// `coffer backup --verify` and `coffer restore`: proving a backup directory against its
// manifest, and bringing it back into an empty data directory (docs/archive.md).

#include <cstdint>
#include <string>

#include "core/status.h"

namespace coffer::backup {

struct VerifyReport {
  uint64_t generation = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// Re-reads every file the manifest of `dir` names and compares every segment's SHA-256.
// Errors: kNotFound (no manifest), kCorruption naming the first file that differs or is
// missing, kIoError.
Result<VerifyReport> verify_backup(const std::string& dir);

// Copies the backup in `from` into `data_dir`, which must be empty or absent (kConflict
// otherwise), checking every byte against the manifest as it copies (kCorruption, and the
// restore stops). Each file is written to a temp name, fsynced and renamed; the metadata
// database comes last, so a data directory without meta.db is an unfinished restore.
Result<VerifyReport> restore_backup(const std::string& from, const std::string& data_dir);

}  // namespace coffer::backup
