#include "store/gc_leases.h"

#include <cstdio>
#include <random>
#include <thread>

namespace coffer::store {
namespace {

constexpr const char* kLeases = "leases";
constexpr const char* kFences = "fences";

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_hex() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

}  // namespace

HeldMarker::HeldMarker(ChunkStore& store, const GcLeaseOptions& options, std::string kind,
                       std::string name, std::chrono::steady_clock::time_point written)
    : store_(store),
      options_(options),
      kind_(std::move(kind)),
      name_(std::move(name)),
      written_(written) {}

HeldMarker::~HeldMarker() {
  // Best effort: a marker left behind lapses after lease_ttl.
  (void)store_.remove_marker(kind_, name_);
}

Status HeldMarker::keep_alive() {
  auto now = std::chrono::steady_clock::now();
  if (now - written_ < std::chrono::seconds(options_.refresh_seconds)) return Status::ok();
  // Held up so long that a process elsewhere (whose clock may differ by up to refresh_seconds)
  // may have taken the marker for a dead one's: what it protected may be gone. Stop.
  if (now - written_ >=
      std::chrono::seconds(options_.lease_ttl_seconds - options_.refresh_seconds)) {
    return Status(Errc::kUnavailable,
                  "held up too long to rely on its garbage-collection " + kind_ + " marker; retry");
  }
  COFFER_RETURN_IF_ERROR(store_.put_marker(kind_, name_));
  written_ = now;
  return Status::ok();
}

GcLeases::GcLeases(ChunkStore& store, GcLeaseOptions options)
    : store_(store), options_(options), process_(random_hex()) {}

std::string GcLeases::next_name() { return process_ + "-" + std::to_string(++seq_); }

Result<int> GcLeases::count_live(std::string_view kind) {
  const int64_t now = now_unix();
  int live = 0;
  COFFER_RETURN_IF_ERROR(store_.for_each_marker(kind, [&](const MarkerInfo& marker) {
    if (now - marker.modified_unix_seconds < options_.lease_ttl_seconds) ++live;
    return Status::ok();
  }));
  return live;
}

UploadLease::~UploadLease() { leases_.leave_upload(); }

Status UploadLease::keep_alive() { return leases_.keep_upload_alive(); }

Status GcLeases::join_upload() {
  std::lock_guard lock(upload_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (uploads_ == 0) {
    std::string name = next_name();
    COFFER_RETURN_IF_ERROR(store_.put_marker(kLeases, name));
    upload_marker_ = std::move(name);
    upload_written_ = now;
  } else if (now - upload_written_ >= std::chrono::seconds(options_.refresh_seconds)) {
    // Written a while ago: renewed before this upload relies on it.
    COFFER_RETURN_IF_ERROR(store_.put_marker(kLeases, upload_marker_));
    upload_written_ = now;
  }
  ++uploads_;
  return Status::ok();
}

void GcLeases::leave_upload() {
  std::lock_guard lock(upload_mu_);
  if (--uploads_ == 0) {
    // Best effort: a marker left behind lapses after lease_ttl.
    (void)store_.remove_marker(kLeases, upload_marker_);
  }
}

Status GcLeases::keep_upload_alive() {
  std::lock_guard lock(upload_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now - upload_written_ < std::chrono::seconds(options_.refresh_seconds)) return Status::ok();
  // Nobody renewed it for so long that a process elsewhere may have taken it for a dead
  // one's: what it protected may be gone. Stop.
  if (now - upload_written_ >=
      std::chrono::seconds(options_.lease_ttl_seconds - options_.refresh_seconds)) {
    return Status(Errc::kUnavailable,
                  "held up too long to rely on its garbage-collection lease marker; retry");
  }
  COFFER_RETURN_IF_ERROR(store_.put_marker(kLeases, upload_marker_));
  upload_written_ = now;
  return Status::ok();
}

Result<std::unique_ptr<UploadLease>> GcLeases::begin_upload() {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options_.upload_wait_seconds);
  for (;;) {
    COFFER_RETURN_IF_ERROR(join_upload());
    auto lease = std::make_unique<UploadLease>(*this);
    auto fences = count_live(kFences);
    COFFER_RETURN_IF_ERROR(fences);
    if (*fences == 0) return lease;
    lease.reset();  // step aside while the sweep runs
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(Errc::kUnavailable, "garbage collection is sweeping the chunk store; retry");
    }
    std::this_thread::sleep_for(options_.poll);
  }
}

Result<std::unique_ptr<HeldMarker>> GcLeases::begin_sweep(std::chrono::seconds wait) {
  const std::string name = next_name();
  const auto written = std::chrono::steady_clock::now();
  COFFER_RETURN_IF_ERROR(store_.put_marker(kFences, name));
  auto fence = std::make_unique<HeldMarker>(store_, options_, kFences, name, written);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto uploads = count_live(kLeases);
    COFFER_RETURN_IF_ERROR(uploads);
    if (*uploads == 0) return fence;
    if (std::chrono::steady_clock::now() >= deadline) return std::unique_ptr<HeldMarker>();
    COFFER_RETURN_IF_ERROR(fence->keep_alive());
    std::this_thread::sleep_for(options_.poll);
  }
}

}  // namespace coffer::store
