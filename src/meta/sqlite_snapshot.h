#pragma once
// A consistent copy of a live SQLite database, taken with SQLite's online backup API while
// other processes go on reading and writing it (the server during `coffer backup`).

#include <string>

#include "core/status.h"

namespace coffer::meta {

// Copies the database at `source` into a new file `target` in one backup step, inside one
// read transaction of the source: the copy is the database as some single commit left it,
// whatever is written meanwhile (in WAL mode writers are not blocked). `target` must not
// exist; it is created mode 0600, written and fsynced (its directory is not). Errors: kIoError,
// kCorruption, kAlreadyExists (target exists), kNotFound (no source).
Status snapshot_sqlite(const std::string& source, const std::string& target);

}  // namespace coffer::meta
