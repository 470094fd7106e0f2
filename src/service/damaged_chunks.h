#pragma once
// The chunks that reads found damaged (failing their hash or header check, or missing) since
// the process started: a count for /metrics and a short list for operators
// (GET /api/v1/system/damaged-chunks). In memory and per process: a restart forgets it, and
// `coffer fsck` is the complete check. Nothing here repairs a chunk.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "store/chunk_id.h"

namespace coffer::service {

class DamagedChunks {
 public:
  // The most chunks listed; beyond it the one seen least recently is forgotten (the count of
  // damaged reads keeps growing).
  static constexpr size_t kCapacity = 100;

  // A read that met a damaged chunk, of version `version_id` of file `file_id` (0, 0 when the
  // read was not of a file version, e.g. of an upload in progress).
  struct Sighting {
    store::ChunkId chunk;
    int64_t file_id = 0;
    int64_t version_id = 0;
    Status error;
  };
  // A listed chunk: when it was first and last seen damaged, how often, and the last read's
  // file, version and error.
  struct Entry {
    store::ChunkId chunk;
    Micros first_seen = 0;
    Micros last_seen = 0;
    uint64_t count = 0;
    int64_t file_id = 0;
    int64_t version_id = 0;
    std::string error;
  };

  // `listener` (may be empty) is told about every sighting, outside the lock (serve logs it).
  explicit DamagedChunks(std::function<void(const Sighting&)> listener = {})
      : listener_(std::move(listener)) {}
  DamagedChunks(const DamagedChunks&) = delete;
  DamagedChunks& operator=(const DamagedChunks&) = delete;

  void set_listener(std::function<void(const Sighting&)> listener) {
    listener_ = std::move(listener);
  }

  // Thread-safe.
  void record(const Sighting& sighting, Micros now);
  // Damaged reads since the start (a Prometheus counter).
  uint64_t total() const;
  // The listed chunks, the most recently seen first.
  std::vector<Entry> recent() const;

 private:
  std::function<void(const Sighting&)> listener_;  // set before serving
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // GUARDED_BY(mu_); at most kCapacity
  uint64_t total_ = 0;          // GUARDED_BY(mu_)
};

}  // namespace coffer::service
