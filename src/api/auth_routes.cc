// Sign-in and sessions: /api/v1/auth/{login,refresh,logout,logout-all,me}.
//
// Browsers get the refresh token in an httpOnly, SameSite=Strict cookie scoped to
// /api/v1/auth, plus a readable CSRF cookie whose value they echo in X-CSRF-Token when the
// refresh cookie authenticates a request (double submit). Scripts ask for
// token_delivery "body" and keep the refresh token themselves.

#include <sodium.h>

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/cookies.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "core/base64.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kRefreshCookie = "coffer_refresh";
constexpr std::string_view kCsrfCookie = "coffer_csrf";
constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
constexpr std::string_view kAuthPath = "/api/v1/auth";

std::string new_csrf_token() {
  unsigned char raw[24];
  randombytes_buf(raw, sizeof raw);
  return base64_encode(raw, Base64::kUrlSafe);
}

// Sets (or, with an empty session, clears) the refresh and CSRF cookies.
void set_session_cookies(Response& response, const ApiContext& ctx, std::string_view refresh,
                         std::string_view csrf, int64_t max_age) {
  response.add_header("Set-Cookie",
                      set_cookie(kRefreshCookie, refresh,
                                 {std::string(kAuthPath), max_age, true, ctx.secure_cookies}));
  // Readable by the page's script (not httpOnly) so it can echo it; useless to another site,
  // which can neither read it nor set the header.
  response.add_header("Set-Cookie",
                      set_cookie(kCsrfCookie, csrf, {"/", max_age, false, ctx.secure_cookies}));
}

Response session_response(const ApiContext& ctx, const service::SessionTokens& tokens,
                          bool cookie_delivery) {
  json::object body{{"access_token", tokens.access_token},
                    {"token_type", "Bearer"},
                    {"expires_in", tokens.expires_in},
                    {"session_id", tokens.session.id}};
  if (!cookie_delivery) {
    body["refresh_token"] = tokens.refresh_token;
    body["refresh_expires_in"] = tokens.refresh_expires_in;
    return json_response(200, body);
  }
  std::string csrf = new_csrf_token();
  body["csrf_token"] = csrf;
  Response response = json_response(200, body);
  set_session_cookies(response, ctx, tokens.refresh_token, csrf, tokens.refresh_expires_in);
  return response;
}

Response login(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto username = optional_string(*body, "username");
  auto password = optional_string(*body, "password");
  auto delivery = optional_string(*body, "token_delivery");
  if (!username.is_ok() || !password.is_ok() || !*username || !*password) {
    return fail(request,
                Status(Errc::kInvalidArgument, "username and password are required strings"));
  }
  if (!delivery.is_ok() || (*delivery && **delivery != "cookie" && **delivery != "body")) {
    return fail(request,
                Status(Errc::kInvalidArgument, "token_delivery must be \"cookie\" or \"body\""));
  }
  auto totp = optional_string(*body, "totp_code");
  auto recovery = optional_string(*body, "recovery_code");
  if (!totp.is_ok() || !recovery.is_ok()) {
    return fail(request, Status(Errc::kInvalidArgument,
                                "totp_code and recovery_code must be strings when given"));
  }
  auto tokens = ctx.auth.login(**username, **password, service::SecondFactor{*totp, *recovery},
                               origin_of(request));
  if (!tokens.is_ok()) return fail(request, tokens.status());
  return session_response(ctx, *tokens, !*delivery || **delivery == "cookie");
}

// The refresh token from the JSON body, or from the cookie — which then needs the CSRF
// header to match the CSRF cookie (compared in constant time).
Result<std::pair<std::string, bool>> presented_refresh_token(Request& request) {
  const std::string_view cookies = request.header("Cookie");
  std::optional<std::string_view> cookie = cookie_value(cookies, kRefreshCookie);
  auto body = read_json_object(request);
  COFFER_RETURN_IF_ERROR(body);
  auto token = optional_string(*body, "refresh_token");
  COFFER_RETURN_IF_ERROR(token);
  if (*token) return std::pair{std::move(**token), false};
  if (!cookie || cookie->empty()) {
    return Status(Errc::kUnauthenticated, "no refresh token (cookie or refresh_token)");
  }
  const std::string_view header = request.header(kCsrfHeader);
  const std::optional<std::string_view> expected = cookie_value(cookies, kCsrfCookie);
  if (header.empty() || !expected || expected->size() != header.size() ||
      sodium_memcmp(header.data(), expected->data(), header.size()) != 0) {
    return Status(Errc::kCsrfRejected,
                  "a cookie-authenticated request needs the X-CSRF-Token header");
  }
  return std::pair{std::string(*cookie), true};
}

Response refresh(ApiContext& ctx, Request& request) {
  auto presented = presented_refresh_token(request);
  if (!presented.is_ok()) return fail(request, presented.status());
  auto tokens = ctx.auth.refresh(presented->first, origin_of(request));
  if (!tokens.is_ok()) {
    Response response = fail(request, tokens.status());
    if (presented->second) set_session_cookies(response, ctx, "", "", 0);
    return response;
  }
  return session_response(ctx, *tokens, presented->second);
}

Response logout(ApiContext& ctx, Request& request) {
  Status status = ctx.auth.logout(request.principal, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  Response response;
  response.status = 204;
  set_session_cookies(response, ctx, "", "", 0);
  return response;
}

Response logout_all(ApiContext& ctx, Request& request) {
  auto n = ctx.auth.logout_all(request.principal, origin_of(request));
  if (!n.is_ok()) return fail(request, n.status());
  Response response = json_response(200, json::object{{"revoked_sessions", *n}});
  set_session_cookies(response, ctx, "", "", 0);
  return response;
}

Response register_user(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto username = optional_string(*body, "username");
  auto password = optional_string(*body, "password");
  auto invite = optional_string(*body, "invite");
  if (!username.is_ok() || !password.is_ok() || !invite.is_ok() || !*username || !*password) {
    return fail(request, Status(Errc::kInvalidArgument,
                                "username and password are required strings; invite a string"));
  }
  std::optional<std::string_view> invite_token;
  if (*invite) invite_token = **invite;
  auto user = ctx.auth.register_user(**username, **password, invite_token, origin_of(request));
  if (!user.is_ok()) return fail(request, user.status());
  return json_response(201, user_json(*user));
}

Response reset_password(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto token = optional_string(*body, "token");
  auto password = optional_string(*body, "new_password");
  if (!token.is_ok() || !password.is_ok() || !*token || !*password) {
    return fail(request,
                Status(Errc::kInvalidArgument, "token and new_password are required strings"));
  }
  Status status = ctx.auth.reset_password(**token, **password, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  Response response;
  response.status = 204;
  return response;
}

Response me(ApiContext& ctx, Request& request) {
  auto user = ctx.catalog.find_user(request.user_id);
  if (!user.is_ok()) return fail(request, user.status());
  json::object body = user_json(*user);
  body["scopes"] = scopes_text(request.principal.scopes);
  auto mfa = ctx.auth.totp_enabled(user->id);
  if (!mfa.is_ok()) return fail(request, mfa.status());
  body["mfa_enabled"] = *mfa;
  if (request.principal.session_id != 0) body["session_id"] = request.principal.session_id;
  if (request.principal.api_token_id != 0) body["api_token_id"] = request.principal.api_token_id;
  return json_response(200, body);
}

// GET /.well-known/jwks.json: the public keys that verify access tokens (RFC 7517), for other
// services that check Coffer's tokens themselves. A consumer meeting an unknown kid fetches
// again: a rotation adds the new key here before any token carries it.
Response jwks(ApiContext& ctx, Request& request) {
  auto keys = ctx.auth.public_keys();
  if (!keys.is_ok()) return fail(request, keys.status());
  json::array list;
  for (json::object& key : *keys) list.emplace_back(std::move(key));
  auto response = json_response(200, json::object{{"keys", std::move(list)}});
  response.set_header("Cache-Control", "public, max-age=60");
  return response;
}

}  // namespace

void add_auth_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/.well-known/jwks.json", access::kOpen, bind_route(ctx, jwks));
  router.add("POST", "/api/v1/auth/login", access::kSignIn, bind_route(ctx, login));
  router.add("POST", "/api/v1/auth/refresh", access::kSignIn, bind_route(ctx, refresh));
  router.add("POST", "/api/v1/auth/logout", access::kOwnAccount, bind_route(ctx, logout));
  router.add("POST", "/api/v1/auth/logout-all", access::kOwnAccount, bind_route(ctx, logout_all));
  router.add("POST", "/api/v1/auth/register", access::kSignIn, bind_route(ctx, register_user));
  router.add("POST", "/api/v1/auth/password-reset", access::kSignIn,
             bind_route(ctx, reset_password));
  router.add("GET", "/api/v1/auth/me", access::kSignedIn, bind_route(ctx, me));
}

}  // namespace coffer::api
