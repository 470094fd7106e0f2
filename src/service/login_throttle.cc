#include "service/login_throttle.h"

#include <algorithm>
#include <cctype>

#include "core/client_address.h"

namespace coffer::service {

std::string LoginThrottle::user_key(std::string_view username, std::string_view ip) {
  std::string key = "user:";
  for (char c : username.substr(0, 64)) {
    key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key + " " + ip_key(ip);
}

std::string LoginThrottle::ip_key(std::string_view ip) { return address_bucket_key(ip); }

meta::ThrottleState LoginThrottle::after_failure(const meta::ThrottleState& state,
                                                 int64_t free_failures,
                                                 const ThrottlePolicy& policy, Micros now) {
  meta::ThrottleState next = state;
  if (now - state.last_failure > policy.forget_after && state.blocked_until <= now) {
    next.failures = 0;
  }
  next.failures += 1;
  next.last_failure = now;
  if (next.failures > free_failures) {
    const int64_t doublings = std::min<int64_t>(next.failures - free_failures - 1, 30);
    const Micros block = std::min(policy.max_block, policy.first_block << doublings);
    next.blocked_until = now + block;
  }
  return next;
}

Status LoginThrottle::check(std::string_view username, std::string_view ip, Micros now) {
  auto states = store_.throttle_states({user_key(username, ip), ip_key(ip)});
  COFFER_RETURN_IF_ERROR(states);
  Micros blocked_until = 0;
  for (const auto& state : *states) blocked_until = std::max(blocked_until, state.blocked_until);
  if (blocked_until <= now) return Status::ok();
  const int64_t wait_seconds = (blocked_until - now + 999'999) / 1'000'000;
  return Status::too_many_requests("too many failed sign-ins; try again later", wait_seconds);
}

Status LoginThrottle::record_failure(std::string_view username, std::string_view ip, Micros now) {
  const ThrottlePolicy policy = policy_;
  const int64_t per_user = policy.free_failures_per_user;
  const int64_t per_ip = policy.free_failures_per_ip;
  COFFER_RETURN_IF_ERROR(store_.update_throttle(
      user_key(username, ip),
      [&](const meta::ThrottleState& st) { return after_failure(st, per_user, policy, now); }));
  return store_.update_throttle(ip_key(ip), [&](const meta::ThrottleState& st) {
    return after_failure(st, per_ip, policy, now);
  });
}

Status LoginThrottle::record_success(std::string_view username, std::string_view ip) {
  return store_.clear_throttle(user_key(username, ip));
}

}  // namespace coffer::service
