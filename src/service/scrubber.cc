#include "service/scrubber.h"

#include "service/damaged_chunks.h"
#include "store/chunk_codec.h"

namespace coffer::service {

ScrubPassReport scrub_pass(store::ChunkStore& chunks, uint64_t bytes_per_second,
                           const ScrubHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  ScrubPassReport report;
  report.started = now_micros();
  const Clock::time_point begun = Clock::now();
  bool stopped = false;
  const Status listed = chunks.for_each([&](const store::StoredChunkInfo& info) -> Status {
    auto encoded = chunks.get(info.id);
    // Removed since it was listed (a collection, a compaction moving it): not damage.
    if (!encoded.is_ok() && encoded.status().code() == Errc::kNotFound) return Status::ok();
    Status check =
        encoded.is_ok() ? store::ChunkCodec::decode(*encoded, info.id).status() : encoded.status();
    ++report.chunks_checked;
    report.bytes_checked += encoded.is_ok() ? encoded->size() : info.stored_bytes;
    if (!check.is_ok()) {
      ++report.damaged;
      if (hooks.on_damage) hooks.on_damage(info.id, check);
    }
    if (hooks.on_progress) hooks.on_progress(report);
    if (bytes_per_second > 0) {
      // Paced from the start of the pass: a slow read is not made up for by a burst later,
      // and the average never exceeds the rate.
      const auto due =
          begun + std::chrono::microseconds(report.bytes_checked * 1'000'000 / bytes_per_second);
      if (hooks.wait_until) {
        if (!hooks.wait_until(due)) {
          stopped = true;
          return Status(Errc::kUnavailable, "the scrub was stopped");
        }
      } else {
        std::this_thread::sleep_until(due);
      }
    }
    return Status::ok();
  });
  report.finished = now_micros();
  report.completed = listed.is_ok();
  if (!listed.is_ok() && !stopped) report.error = listed.to_string();
  return report;
}

Scrubber::Scrubber(store::ChunkStore& chunks, DamagedChunks& damaged, Options options)
    : chunks_(chunks), damaged_(damaged), options_(options) {
  state_.enabled = options_.bytes_per_second > 0;
  state_.bytes_per_second = options_.bytes_per_second;
}

Scrubber::~Scrubber() { stop(); }

void Scrubber::start() {
  if (!state_.enabled || thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Scrubber::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Scrubber::request_pass() {
  {
    std::lock_guard lock(mu_);
    if (!state_.enabled) return false;
    requested_ = true;
  }
  cv_.notify_all();
  return true;
}

Scrubber::State Scrubber::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void Scrubber::run() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mu_);
  Clock::time_point next = Clock::now() + options_.first_delay;
  for (;;) {
    state_.next_pass =
        now_micros() +
        std::chrono::duration_cast<std::chrono::microseconds>(next - Clock::now()).count();
    cv_.wait_until(lock, next, [&] { return stopping_ || requested_; });
    if (stopping_) return;
    if (!requested_ && Clock::now() < next) continue;
    requested_ = false;
    const Clock::time_point began = Clock::now();
    state_.running = true;
    state_.current = ScrubPassReport{.started = now_micros()};
    lock.unlock();

    ScrubHooks hooks;
    hooks.on_damage = [&](const store::ChunkId& id, const Status& error) {
      damaged_.record({.chunk = id, .error = error}, now_micros());
    };
    uint64_t chunks_before = 0, bytes_before = 0, damaged_before = 0;
    hooks.on_progress = [&](const ScrubPassReport& so_far) {
      std::lock_guard guard(mu_);
      state_.current = so_far;
      state_.chunks_checked += so_far.chunks_checked - chunks_before;
      state_.bytes_checked += so_far.bytes_checked - bytes_before;
      state_.damaged += so_far.damaged - damaged_before;
      chunks_before = so_far.chunks_checked;
      bytes_before = so_far.bytes_checked;
      damaged_before = so_far.damaged;
    };
    hooks.wait_until = [&](Clock::time_point deadline) {
      std::unique_lock guard(mu_);
      return !cv_.wait_until(guard, deadline, [&] { return stopping_; });
    };
    ScrubPassReport report = scrub_pass(chunks_, options_.bytes_per_second, hooks);

    lock.lock();
    state_.running = false;
    state_.current.reset();
    state_.last = report;
    ++state_.passes;
    next = began + options_.interval;
  }
}

}  // namespace coffer::service
