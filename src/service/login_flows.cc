#include "service/login_flows.h"

#include "auth/opaque_token.h"

namespace coffer::service {
namespace {

// What each token is, for secret scanners and for people reading logs of their own.
constexpr std::string_view kPollTokenPrefix = "cfp_";
constexpr std::string_view kLoginTokenPrefix = "cfl_";
constexpr size_t kMaxClientName = 100;  // an API token's name

std::string printable_name(std::string_view client_name) {
  std::string out;
  for (const char c : client_name) {
    if (c >= 0x20 && c < 0x7f) out += c;
    if (out.size() == kMaxClientName) break;
  }
  return out.empty() ? std::string("sync client") : out;
}

Status not_pending() {
  return Status(Errc::kNotFound, "this sign-in request is unknown, expired or already used");
}

}  // namespace

Result<LoginFlowStart> LoginFlows::start(std::string_view client_name) {
  LoginFlowStart out{auth::new_opaque_token(kPollTokenPrefix),
                     auth::new_opaque_token(kLoginTokenPrefix)};
  const Micros now = now_micros();
  COFFER_RETURN_IF_ERROR(accounts_.create_login_flow(
      auth::opaque_token_hash(out.poll_token), auth::opaque_token_hash(out.login_token),
      printable_name(client_name), now, now + kLifetimeSeconds * kMicrosPerSecond));
  return out;
}

Result<std::string> LoginFlows::pending_client(std::string_view login_token) {
  auto flow = accounts_.login_flow(auth::opaque_token_hash(login_token), now_micros());
  COFFER_RETURN_IF_ERROR(flow);
  if (flow->user_id != 0) return not_pending();
  return std::move(flow->client_name);
}

Result<User> LoginFlows::grant(std::string_view login_token, std::string_view username,
                               std::string_view password, const SecondFactor& factor,
                               const RequestOrigin& origin) {
  // An unknown flow is refused before any password is checked: it costs nothing and tells
  // nothing about the account.
  auto client = pending_client(login_token);
  COFFER_RETURN_IF_ERROR(client);
  auto user = auth_.check_sign_in(username, password, factor, origin);
  COFFER_RETURN_IF_ERROR(user);
  Status granted =
      accounts_.grant_login_flow(auth::opaque_token_hash(login_token), user->id, now_micros());
  if (granted.code() == Errc::kNotFound) return not_pending();  // granted meanwhile, or expired
  COFFER_RETURN_IF_ERROR(granted);
  const Principal who{user->id, user->role, 0, 0, 0};
  auth_.audit(&who, "auth.login_flow_grant", "user:" + std::to_string(user->id), "success", origin,
              "client: " + *client);
  return user;
}

Result<CollectedLogin> LoginFlows::collect(std::string_view poll_token,
                                           const RequestOrigin& origin) {
  auto flow = accounts_.take_login_flow(auth::opaque_token_hash(poll_token), now_micros());
  COFFER_RETURN_IF_ERROR(flow);
  auto user = catalog_.find_user(flow->user_id);
  COFFER_RETURN_IF_ERROR(user);
  if (user->status != UserStatus::kActive) return not_pending();
  const Principal who{user->id, user->role, scopes_for_role(user->role), 0, 0};
  auto token = auth_.create_api_token(who, flow->client_name, kScopeFilesRead | kScopeFilesWrite,
                                      std::nullopt, origin);
  COFFER_RETURN_IF_ERROR(token);
  return CollectedLogin{user->username, std::move(token->secret)};
}

}  // namespace coffer::service
