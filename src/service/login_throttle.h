#pragma once
// Slows down password guessing: failed sign-ins are counted per submitted username from one
// client address, and per client address; past a threshold each further failure blocks that
// key for twice as long as the last, up to a ceiling. Never per username alone: that would be
// a lockout anyone can cause, from anywhere (issue 17, finding 16); the owner signing in from
// their own address is not slowed by a guesser elsewhere. A client address is an IPv4 address
// or an IPv6 /64 (core/client_address.h), so one host cannot spread its guesses over the
// addresses it owns. The state lives in the metadata database, so every node of a cluster
// enforces the same limits, and the username key is the name as submitted, so an unknown
// account is throttled exactly like a real one (no user enumeration).

#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "meta/account_store.h"

namespace coffer::service {

struct ThrottlePolicy {
  int64_t free_failures_per_user = 5;       // failures before the first block, per username
                                            // and client address
  int64_t free_failures_per_ip = 20;        // per client address (many users may share one NAT)
  Micros first_block = 5'000'000;           // 5 s, doubled by each further failure
  Micros max_block = 15 * 60'000'000LL;     // 15 min
  Micros forget_after = 15 * 60'000'000LL;  // a quiet key starts over
};

class LoginThrottle {
 public:
  LoginThrottle(meta::AccountStore& store, ThrottlePolicy policy)
      : store_(store), policy_(policy) {}

  // OK, or kTooManyRequests with the seconds to wait when either key is blocked.
  Status check(std::string_view username, std::string_view ip, Micros now);
  // Counting fails closed: an error here fails the sign-in rather than allow unthrottled
  // guessing while the database is in trouble.
  Status record_failure(std::string_view username, std::string_view ip, Micros now);
  // Clears the username's count at this client address (other addresses keep theirs).
  Status record_success(std::string_view username, std::string_view ip);

  // The next state of a key after one more failure (exposed for tests).
  static meta::ThrottleState after_failure(const meta::ThrottleState& state, int64_t free_failures,
                                           const ThrottlePolicy& policy, Micros now);

 private:
  static std::string user_key(std::string_view username, std::string_view ip);
  static std::string ip_key(std::string_view ip);

  meta::AccountStore& store_;
  ThrottlePolicy policy_;
};

}  // namespace coffer::service
