#include "service/token_key_ring.h"

#include <algorithm>

namespace coffer::service {
namespace {

// Clocks of the nodes may differ this much.
constexpr Micros kClockSkew = 60 * Micros{1'000'000};
// A token naming an unknown newer generation reloads the list at most this often.
constexpr Micros kForcedReloadInterval = 1'000'000;

}  // namespace

TokenKeyRing::TokenKeyRing(meta::AccountStore& store, TokenKeyRingOptions options)
    : store_(store), options_(options) {}

Status TokenKeyRing::load_locked(Micros now, bool force) {
  if (!force && loaded_at_ != 0 && now - loaded_at_ < options_.reload_interval) {
    return Status::ok();
  }
  auto generations = store_.token_key_generations(now);
  // A failed reload keeps the list it had (and tries again after the interval).
  loaded_at_ = now;
  COFFER_RETURN_IF_ERROR(generations);
  generations_ = std::move(*generations);
  return Status::ok();
}

bool TokenKeyRing::accepts_locked(int64_t generation, Micros now) const {
  for (const TokenKeyGeneration& g : generations_) {
    if (g.generation != generation) continue;
    return !g.retired ||
           now < *g.retired + options_.token_ttl + options_.reload_interval + kClockSkew;
  }
  return false;
}

Result<int64_t> TokenKeyRing::signing_generation(Micros now) {
  std::lock_guard lock(mu_);
  if (Status s = load_locked(now, false); !s.is_ok() && generations_.empty()) return s;
  if (generations_.empty()) return Status(Errc::kInternal, "no access-token key generation");
  const TokenKeyGeneration newest = generations_.back();
  if (options_.rotation_period > 0 && now - newest.created >= options_.rotation_period) {
    auto rotated = store_.rotate_token_key(newest.generation, now);
    // A failed rotation signs with the newest key a while longer rather than fail sign-ins.
    if (rotated.is_ok() && !rotated->empty()) {
      generations_ = std::move(*rotated);
      loaded_at_ = now;
    }
  }
  return generations_.back().generation;
}

bool TokenKeyRing::accepts(int64_t generation, Micros now) {
  std::lock_guard lock(mu_);
  (void)load_locked(now, false);
  if (accepts_locked(generation, now)) return true;
  const bool newer = generations_.empty() || generation > generations_.back().generation;
  if (newer && now - forced_at_ >= kForcedReloadInterval) {
    forced_at_ = now;
    (void)load_locked(now, true);
    return accepts_locked(generation, now);
  }
  return false;
}

Result<int64_t> TokenKeyRing::rotate(Micros now) {
  std::lock_guard lock(mu_);
  COFFER_RETURN_IF_ERROR(load_locked(now, true));
  if (generations_.empty()) return Status(Errc::kInternal, "no access-token key generation");
  auto rotated = store_.rotate_token_key(generations_.back().generation, now);
  COFFER_RETURN_IF_ERROR(rotated);
  generations_ = std::move(*rotated);
  loaded_at_ = now;
  return generations_.back().generation;
}

Result<std::vector<int64_t>> TokenKeyRing::accepted(Micros now) {
  std::lock_guard lock(mu_);
  if (Status s = load_locked(now, false); !s.is_ok() && generations_.empty()) return s;
  std::vector<int64_t> out;
  for (const TokenKeyGeneration& g : generations_) {
    if (accepts_locked(g.generation, now)) out.push_back(g.generation);
  }
  return out;
}

}  // namespace coffer::service
