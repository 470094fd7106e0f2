#pragma once
// Scrubbing: every stored chunk re-read and checked (its header and its hash, as a read does)
// at a bounded rate, so that damage is found while it is still rare and before a reader meets
// it — bit rot, a bad sector, a truncated object. Found damage is recorded where reads record
// theirs (DamagedChunks: the metric, the log, GET /api/v1/system/damaged-chunks) and counted in
// the pass. Nothing is repaired: without a mirror there is nothing to repair from, and a
// damaged chunk is never served either way (verified reads).
//
// `coffer scrub` runs one pass (scrub_pass); `coffer serve` runs a Scrubber, which starts a
// pass once per interval (and when an operator asks), at the configured rate.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/model.h"
#include "core/status.h"
#include "store/chunk_id.h"
#include "store/chunk_store.h"

namespace coffer::service {

class DamagedChunks;

struct ScrubPassReport {
  Micros started = 0;
  Micros finished = 0;  // 0 while the pass runs
  uint64_t chunks_checked = 0;
  uint64_t bytes_checked = 0;  // as stored (encoded)
  uint64_t damaged = 0;
  // The pass went through every chunk; false when it was stopped or the listing failed.
  bool completed = false;
  std::string error;  // why the listing failed, if it did
};

struct ScrubHooks {
  // A chunk that failed its check (never called for chunks removed since they were listed).
  std::function<void(const store::ChunkId&, const Status&)> on_damage;
  // After each chunk, with the pass so far.
  std::function<void(const ScrubPassReport&)> on_progress;
  // Waits until `deadline` to keep to the rate; false ends the pass (a stop). Plain sleeping
  // when empty.
  std::function<bool(std::chrono::steady_clock::time_point)> wait_until;
};

// One pass over every chunk of `chunks`, reading at most `bytes_per_second` (0: no limit).
ScrubPassReport scrub_pass(store::ChunkStore& chunks, uint64_t bytes_per_second,
                           const ScrubHooks& hooks = {});

class Scrubber {
 public:
  struct Options {
    uint64_t bytes_per_second = 0;  // 0: the background scrubber is off
    // A pass starts at most once per interval (from the start of the previous one) ...
    std::chrono::seconds interval{std::chrono::hours(24 * 7)};
    // ... and the first one this long after start-up, out of the way of a restart's rush.
    std::chrono::seconds first_delay{std::chrono::minutes(10)};
  };
  // What an operator sees: the pass under way (or the last one), and counts since start-up.
  struct State {
    bool enabled = false;
    bool running = false;
    uint64_t bytes_per_second = 0;
    std::optional<ScrubPassReport> current;  // while running
    std::optional<ScrubPassReport> last;     // the last pass that ended
    Micros next_pass = 0;                    // when the next pass starts (0: off)
    uint64_t passes = 0;
    uint64_t chunks_checked = 0;
    uint64_t bytes_checked = 0;
    uint64_t damaged = 0;
  };

  // `chunks` and `damaged` must outlive the scrubber.
  Scrubber(store::ChunkStore& chunks, DamagedChunks& damaged, Options options);
  ~Scrubber();
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  // Starts the background thread (nothing when the rate is 0).
  void start();
  // Ends a pass under way at its next chunk and joins the thread.
  void stop();
  // Starts a pass now unless one runs (a pass asked for while one runs is not queued).
  // False when the scrubber is off.
  bool request_pass();

  State state() const;

 private:
  void run();

  store::ChunkStore& chunks_;
  DamagedChunks& damaged_;
  const Options options_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;   // GUARDED_BY(mu_)
  bool requested_ = false;  // GUARDED_BY(mu_)
  State state_;             // GUARDED_BY(mu_)
};

}  // namespace coffer::service
