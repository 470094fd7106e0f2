#pragma once
// Which generations of the access tokens' signing key (auth/token_signer.h) sign and which are
// still accepted, shared by every node through the metadata database (token_keys).
//
// The newest generation signs. It is replaced on a schedule (`rotation_period`, by whichever
// node first sees it due) and on command (POST /api/v1/admin/token-keys/rotate); the one it
// replaces is retired but still accepted, and published, for as long as a token it signed can
// live: the token lifetime, plus the reload interval (another node may sign with it that long
// after the retirement), plus clock skew. Nodes reload the list every `reload_interval`, and at
// once (at most once a second) when a token names a generation newer than any they know.

#include <cstdint>
#include <mutex>
#include <vector>

#include "core/account.h"
#include "core/status.h"
#include "meta/account_store.h"

namespace coffer::service {

struct TokenKeyRingOptions {
  Micros rotation_period = Micros{30} * 86400 * 1'000'000;  // 0: on command only
  Micros token_ttl = 900 * Micros{1'000'000};
  Micros reload_interval = 30 * Micros{1'000'000};
};

class TokenKeyRing {
 public:
  TokenKeyRing(meta::AccountStore& store, TokenKeyRingOptions options);

  // The generation to sign with at `now`: the newest, after beginning the next one when the
  // newest is older than the rotation period.
  Result<int64_t> signing_generation(Micros now);
  // Whether tokens signed by `generation` are accepted at `now`.
  bool accepts(int64_t generation, Micros now);
  // Begins the next generation now and returns it.
  Result<int64_t> rotate(Micros now);
  // The generations accepted at `now`, oldest first: the public keys to publish.
  Result<std::vector<int64_t>> accepted(Micros now);

 private:
  // Reloads when the list is older than the reload interval (or `force`).
  Status load_locked(Micros now, bool force);
  bool accepts_locked(int64_t generation, Micros now) const;

  meta::AccountStore& store_;
  const TokenKeyRingOptions options_;
  std::mutex mu_;
  std::vector<TokenKeyGeneration> generations_;  // guarded by mu_
  Micros loaded_at_ = 0;                         // guarded by mu_; 0: never
  Micros forced_at_ = 0;                         // guarded by mu_
};

}  // namespace coffer::service
