#pragma once
// Moving chunks between chunk stores (`coffer storage migrate`), e.g. from local disk to S3.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/chunk_store.h"

namespace coffer::service {

struct MigrationReport {
  uint64_t chunks_in_source = 0;
  uint64_t chunks_copied = 0;
  uint64_t bytes_copied = 0;
  uint64_t chunks_already_present = 0;
  uint64_t chunks_verified = 0;       // read back from the target and verified (--verify)
  std::vector<std::string> failures;  // one line per chunk that failed; empty when all is well
  bool clean() const { return failures.empty(); }
};

// Copies every chunk of `from` that `to` lacks. Each chunk is read whole from `from` and
// verified against its id before it is put into `to`, so a corrupt source chunk is reported,
// never copied. Resumable: chunks already in `to` are skipped (one listing of `to` decides),
// so running it again after an interruption copies only what is missing. With `verify`,
// every chunk of `from` is then read back from `to` and verified against its id.
//
// A chunk that fails is reported in `failures` and the rest go on. `parallelism` chunks are
// copied at a time (object stores are latency-bound). Errors (the whole run stopped): a
// listing of either store failed. REQUIRES: both stores are thread-safe.
Result<MigrationReport> migrate_chunks(store::ChunkStore& from, store::ChunkStore& to, bool verify,
                                       unsigned parallelism = 8);

}  // namespace coffer::service
