#include "api/api_handler.h"

#include <sodium.h>

#include <atomic>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <cstdio>
#include <random>

#include "api/dav_paths.h"
#include "api/errors.h"
#include "api/log.h"
#include "api/response_compression.h"
#include "api/web_ui.h"
#include "auth/opaque_token.h"
#include "core/base64.h"
#include "core/client_address.h"

namespace coffer::api {
namespace {

// The route name of everything under /dav/, for scopes, logs and metrics.
constexpr std::string_view kDavRoute = "/dav/*";
constexpr std::string_view kMetricsRoute = "/metrics";

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

// The credentials of the Authorization header: a bearer token, or HTTP Basic (RFC 7617)
// with a personal API token as the password, for clients that only speak Basic.
struct Credentials {
  std::string username;  // Basic only
  std::string secret;
};

std::optional<Credentials> credentials(const Request& request) {
  std::string_view auth = request.header("Authorization");
  const size_t space = auth.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string scheme(auth.substr(0, space));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = auth.substr(space + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  if (scheme == "bearer") return Credentials{"", std::string(value)};
  if (scheme != "basic" || value.size() > 1024) return std::nullopt;
  auto decoded_bytes = base64_decode(value, Base64::kStandard);
  if (!decoded_bytes) return std::nullopt;
  const std::string& decoded = *decoded_bytes;
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

// WebDAV clients answer a Basic challenge with the user's name and an API token.
Response dav_unauthenticated(const Request& request, const Status& status) {
  Response response = api::error_response(request.request_id, status);
  response.set_header("WWW-Authenticate", "Basic realm=\"coffer\", charset=\"UTF-8\"");
  return response;
}

// A Prometheus server on this machine scraping /metrics directly: a loopback peer, and no
// forwarding header (a reverse proxy on this machine adds them, deploy/nginx/coffer.conf; its
// clients are anywhere).
bool is_local_scrape(const Request& request) {
  if (!is_loopback_address(request.remote_address)) return false;
  for (std::string_view header : {"Forwarded", "X-Forwarded-For", "X-Real-IP"}) {
    if (!request.header(header).empty()) return false;
  }
  return true;
}

// Liveness, readiness and metrics are polled by machines and must keep answering whatever the
// load, so they spend no tokens.
bool is_unlimited_route(std::string_view pattern) {
  return pattern == "/health/live" || pattern == "/health/ready" || pattern == "/metrics";
}

// Paths no route owns belong to the web UI (GET and HEAD only), except the prefixes the
// server keeps for itself, which answer with their JSON 404.
std::optional<Response> web_ui_page(Request& request, const std::vector<std::string>& segments) {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  std::string path;
  for (const auto& segment : segments) path += "/" + segment;
  if (path.empty()) path = "/";
  if (is_reserved_for_server(path)) return std::nullopt;
  request.route = "/{web-ui}";
  return serve_web_ui(request, path);
}

}  // namespace

ApiHandler::ApiHandler(ApiContext context, RequestLimits limits, CorsPolicy cors)
    : context_(std::move(context)),
      cors_(std::move(cors)),
      user_limiter_(limits.per_user),
      address_limiter_(limits.per_address) {
  add_system_routes(router_, context_);
  add_auth_routes(router_, context_);
  add_account_routes(router_, context_);
  add_admin_routes(router_, context_);
  add_retention_routes(router_, context_);
  add_trash_routes(router_, context_);
  add_share_routes(router_, context_);
  add_zip_routes(router_, context_);
  add_batch_routes(router_, context_);
  add_link_routes(router_, context_);
  add_tus_routes(router_, context_);
  add_job_routes(router_, context_);
  add_media_routes(router_, context_);
  add_search_routes(router_, context_);
  add_activity_routes(router_, context_);
  add_usage_history_routes(router_, context_);
  add_file_routes(router_, context_);
  add_sync_client_routes(router_, context_);
  add_nextcloud_preview_routes(router_, context_);
  add_login_flow_routes(router_, context_);
  dav_handler_ = make_dav_handler(context_, context_.dav);
}

Response ApiHandler::handle(Request& request) {
  // A long poll called again (exchange.h, Park) keeps the id it was given.
  if (request.request_id.empty()) {
    std::string_view given = request.header("X-Request-Id");
    request.request_id = is_safe_request_id(given) ? std::string(given) : new_request_id();
  }
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
  compress_response(request, response);
  response.set_header("X-Request-Id", request.request_id);
  add_security_headers(response);
  cors_.decorate(request, response);
  return response;
}

std::optional<Response> ApiHandler::rate_limited(const Request& request,
                                                 service::RateLimiter& limiter,
                                                 const std::string& key) {
  const int64_t wait_seconds = limiter.acquire(key);
  if (wait_seconds == 0) return std::nullopt;
  return api::error_response(
      request.request_id,
      Status::too_many_requests("too many requests; slow down and retry later", wait_seconds));
}

std::optional<Response> ApiHandler::address_rate_limited(const Request& request) {
  return rate_limited(request, address_limiter_, address_bucket_key(request.remote_address));
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
  const bool dav = is_dav_target(url->encoded_path());
  if (dav) {
    match.kind = Router::MatchKind::kFound;
    match.pattern = std::string(kDavRoute);
    match.handler = &dav_handler_;
    match.access = &access::kWebDav;
  }
  const bool found = match.kind == Router::MatchKind::kFound;
  if (found) request.route = match.pattern;  // metrics and logs count refusals per route too
  if (cors_.is_preflight(request)) {
    if (auto limited = address_rate_limited(request)) return std::move(*limited);
    return cors_.preflight(request);
  }
  // Requests without a credential spend from their address's bucket now; the others once
  // their credential has been checked.
  // /metrics tells request rates, routes and storage figures: anybody's only when configured,
  // else a local scrape's or an operator's.
  const bool open_route =
      found &&
      (match.access->is_public() ||
       (match.pattern == kMetricsRoute && (context_.metrics_public || is_local_scrape(request))));
  const bool anonymous = !found || open_route || !credentials(request);
  if (anonymous && !(found && is_unlimited_route(match.pattern))) {
    if (auto limited = address_rate_limited(request)) return std::move(*limited);
  }
  if (match.kind == Router::MatchKind::kNotFound) {
    if (request.method == "OPTIONS" && segments.empty()) return dav_discovery_options();
    if (auto page = web_ui_page(request, segments)) return std::move(*page);
    return api::error_response(request.request_id, 404, Errc::kNotFound, "no such endpoint");
  }
  if (match.kind == Router::MatchKind::kMethodNotAllowed) {
    auto response = api::error_response(request.request_id, 405, Errc::kMethodNotAllowed,
                                        "method not allowed on this endpoint");
    response.set_header("Allow", match.allowed);
    return response;
  }
  request.path_params = std::move(match.params);
  if (!open_route) {
    // Sync clients sign in to WebDAV and their OCS calls alike, with Basic.
    const bool basic_client = dav || match.access->resource == Resource::kSyncClient;
    std::optional<Credentials> given = credentials(request);
    if (!given) {
      Status missing(Errc::kUnauthenticated, "an access token is required");
      if (basic_client) return dav_unauthenticated(request, missing);
      return api::error_response(request.request_id, missing);
    }
    const bool by_password = basic_client && context_.dav.password_login &&
                             !given->username.empty() &&
                             !given->secret.starts_with(auth::kApiTokenPrefix);
    auto principal = by_password ? context_.auth.authenticate_password(
                                       given->username, given->secret, origin_of(request))
                     : given->username.empty()
                         ? context_.auth.authenticate(given->secret)
                         : context_.auth.authenticate_basic(given->username, given->secret);
    if (!principal.is_ok()) {
      if (auto limited = address_rate_limited(request)) return std::move(*limited);
      if (basic_client) return dav_unauthenticated(request, principal.status());
      return api::error_response(request.request_id, principal.status());
    }
    request.principal = *principal;
    request.user_id = principal->user_id;
    // A long poll called again after waiting has paid already.
    const bool polled_again = request.poll_deadline.has_value();
    if (auto limited = polled_again ? std::nullopt
                                    : rate_limited(request, user_limiter_,
                                                   "user:" + std::to_string(principal->user_id))) {
      return std::move(*limited);
    }
    if (Status allowed = check_access(*match.access, request.principal, request.method);
        !allowed.is_ok()) {
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
  cors_.decorate(request, response);
  return response;
}

void ApiHandler::on_complete(const Request& request, const ExchangeRecord& record) {
  context_.metrics.record(request.route, request.method, record.status, record.seconds,
                          record.bytes_in, record.bytes_out);
  log_exchange(request, record);
}

}  // namespace coffer::api
