#pragma once
// Sync clients signing in through the browser (Nextcloud Login Flow v2): the client starts a
// flow and opens its login URL in the browser, the user signs in there (second factor
// included) and grants it, and the client, polling, collects an app password: a personal API
// token with files:read and files:write, named after the client, which the user can revoke
// like any other. Only hashes of the flow's two tokens are stored, and the app password is made
// when it is collected, so the database never holds a usable secret.

#include <string>
#include <string_view>

#include "core/account.h"
#include "core/status.h"
#include "meta/account_store.h"
#include "meta/catalog.h"
#include "service/auth_service.h"

namespace coffer::service {

struct LoginFlowStart {
  std::string poll_token;   // the client's, to collect the grant with
  std::string login_token;  // in the URL the browser opens
};

struct CollectedLogin {
  std::string username;
  std::string app_password;
};

class LoginFlows {
 public:
  // How long a flow waits to be granted and collected (as Nextcloud: 20 minutes).
  static constexpr int64_t kLifetimeSeconds = 20 * 60;

  LoginFlows(meta::Catalog& catalog, AuthService& auth)
      : catalog_(catalog), accounts_(catalog.accounts()), auth_(auth) {}

  // `client_name` (the client's User-Agent) names the app password; anything but printable
  // ASCII is dropped and it is cut to 100 bytes.
  Result<LoginFlowStart> start(std::string_view client_name);

  // The client name of a flow still waiting for its grant. Errors: kNotFound (unknown,
  // expired, already granted).
  Result<std::string> pending_client(std::string_view login_token);

  // Signs the user in (the checks of AuthService::login, throttle and second factor included)
  // and grants the flow to them. Errors: kNotFound (as pending_client), and login()'s.
  Result<User> grant(std::string_view login_token, std::string_view username,
                     std::string_view password, const SecondFactor& factor,
                     const RequestOrigin& origin);

  // The app password of a granted flow, made now; a flow is collected once. Errors: kNotFound
  // (unknown, expired, not granted yet, already collected, or its user since disabled).
  Result<CollectedLogin> collect(std::string_view poll_token, const RequestOrigin& origin);

 private:
  meta::Catalog& catalog_;
  meta::AccountStore& accounts_;
  AuthService& auth_;
};

}  // namespace coffer::service
