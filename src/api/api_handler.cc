#include "api/api_handler.h"

#include <atomic>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <cstdio>
#include <random>

#include "api/errors.h"
#include "api/log.h"

namespace coffer::api {
namespace {

bool is_safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.' && c != ':') return false;
  }
  return true;
}

std::string new_request_id() {
  // A per-process random prefix and a counter: unique, cheap, and not a secret.
  static const uint64_t prefix = std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32);
  static std::atomic<uint64_t> counter{0};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%012llx-%08llx",
                static_cast<unsigned long long>(prefix & 0xffffffffffffULL),
                static_cast<unsigned long long>(++counter));
  return buf;
}

void add_security_headers(Response& response) {
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  bool has_csp = false;
  bool has_frame = false;
  for (const auto& h : response.headers) {
    if (h.name == "Content-Security-Policy") has_csp = true;
    if (h.name == "X-Frame-Options") has_frame = true;
  }
  if (!has_csp)
    response.set_header("Content-Security-Policy",
                        "default-src 'none'; frame-ancestors 'none'; sandbox");
  if (!has_frame) response.set_header("X-Frame-Options", "DENY");
}

std::string_view bearer_token(const Request& request) {
  std::string_view auth = request.header("Authorization");
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    auth.remove_prefix(7);
    while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
    return auth;
  }
  return {};
}

// What the credential must allow for this route. Account management needs a signed-in session
// (a leaked API token must not mint more tokens or change the password); admin routes need
// the admin scope; file routes need files:read to read and files:write for anything else.
Status check_scope(const Request& request) {
  const std::string_view route = request.route;
  const Principal& who = request.principal;
  if (route.starts_with("/api/v1/auth/") && route != "/api/v1/auth/me") {
    if (who.session_id == 0) {
      return Status(Errc::kForbidden, "this endpoint needs a signed-in session, not an API token");
    }
    return Status::ok();
  }
  if (route.starts_with("/api/v1/admin/") || route == "/api/v1/admin") {
    if (!who.has(kScopeAdmin)) return Status(Errc::kForbidden, "admin scope required");
    return Status::ok();
  }
  // The audit log filters by caller; system statistics check the role themselves.
  if (route == "/api/v1/audit" || route.starts_with("/api/v1/system/")) return Status::ok();
  // Minting a download URL grants no more than reading the file does.
  const bool read = request.method == "GET" || request.method == "HEAD" ||
                    route == "/api/v1/files/{id}/download-url";
  if (!who.has(read ? kScopeFilesRead : kScopeFilesWrite)) {
    return Status(Errc::kForbidden,
                  read ? "files:read scope required" : "files:write scope required");
  }
  return Status::ok();
}

}  // namespace

ApiHandler::ApiHandler(ApiContext context) : context_(std::move(context)) {
  add_system_routes(router_, context_);
  add_auth_routes(router_, context_);
  add_account_routes(router_, context_);
  add_admin_routes(router_, context_);
  add_file_routes(router_, context_);
}

Response ApiHandler::handle(Request& request) {
  std::string_view given = request.header("X-Request-Id");
  request.request_id = is_safe_request_id(given) ? std::string(given) : new_request_id();
  Response response;
  try {
    response = dispatch(request);
  } catch (const std::exception& e) {
    // A bug, not a client mistake: say so without echoing internals.
    log_event(
        LogLevel::kError,
        {{"msg", "unhandled exception"}, {"request_id", request.request_id}, {"what", e.what()}});
    response = api::error_response(request.request_id, 500, Errc::kInternal, "internal error");
  }
  response.set_header("X-Request-Id", request.request_id);
  add_security_headers(response);
  return response;
}

Response ApiHandler::dispatch(Request& request) {
  boost::system::result<boost::urls::url_view> url = boost::urls::parse_origin_form(request.target);
  if (!url)
    return api::error_response(request.request_id, 400, Errc::kBadRequest,
                               "malformed request target");
  std::vector<std::string> segments;
  for (auto segment : url->segments()) segments.push_back(std::string(segment));
  if (!url->path().empty() && url->path().back() == '/' && !segments.empty() &&
      segments.back().empty()) {
    segments.pop_back();  // "/api/v1/folders/" routes like "/api/v1/folders"
  }
  auto match = router_.match(request.method, segments);
  if (match.kind == Router::MatchKind::kNotFound) {
    return api::error_response(request.request_id, 404, Errc::kNotFound, "no such endpoint");
  }
  if (match.kind == Router::MatchKind::kMethodNotAllowed) {
    auto response = api::error_response(request.request_id, 405, Errc::kMethodNotAllowed,
                                        "method not allowed on this endpoint");
    response.set_header("Allow", match.allowed);
    return response;
  }
  request.route = match.pattern;
  request.path_params = std::move(match.params);
  if (!is_public_route(match.pattern)) {
    std::string_view token = bearer_token(request);
    if (token.empty()) {
      return api::error_response(request.request_id, 401, Errc::kUnauthenticated,
                                 "an access token is required");
    }
    auto principal = context_.auth.authenticate(token);
    if (!principal.is_ok()) return api::error_response(request.request_id, principal.status());
    request.principal = *principal;
    request.user_id = principal->user_id;
    if (Status allowed = check_scope(request); !allowed.is_ok()) {
      return api::error_response(request.request_id, allowed);
    }
  }
  return (*match.handler)(request);
}

Response ApiHandler::error_response(const Request& request, int http_status, Errc code,
                                    std::string_view message) {
  auto response = api::error_response(request.request_id, http_status, code, message);
  if (!request.request_id.empty()) response.set_header("X-Request-Id", request.request_id);
  add_security_headers(response);
  return response;
}

void ApiHandler::on_complete(const Request& request, const ExchangeRecord& record) {
  context_.metrics.record(request.route, request.method, record.status, record.seconds,
                          record.bytes_in, record.bytes_out);
  // The route pattern, never the target or headers: they may carry secrets (signed URLs,
  // tokens) or names.
  boost::json::object line{{"msg", "request"},
                           {"request_id", request.request_id},
                           {"method", request.method},
                           {"route", request.route.empty() ? "unmatched" : request.route},
                           {"status", record.status},
                           {"bytes_in", record.bytes_in},
                           {"bytes_out", record.bytes_out},
                           {"duration_ms", record.seconds * 1000.0},
                           {"remote", request.remote_address}};
  if (request.user_id != 0) line["user_id"] = request.user_id;
  if (record.aborted) line["aborted"] = true;
  log_event(LogLevel::kInfo, line);
}

}  // namespace coffer::api
