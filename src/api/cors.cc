#include "api/cors.h"

#include <algorithm>
#include <cctype>

namespace coffer::api {
namespace {

constexpr std::string_view kAllowedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE";
constexpr std::string_view kAllowedHeaders =
    "Authorization, Content-Type, X-CSRF-Token, X-Request-Id, Range, If-Match, If-None-Match, "
    "If-Modified-Since, If-Unmodified-Since, If-Range, Digest, Repr-Digest, "
    // tus resumable uploads (src/api/tus_routes.cc)
    "Tus-Resumable, Upload-Length, Upload-Defer-Length, Upload-Offset, Upload-Metadata, "
    "Upload-Checksum";
// Beyond the CORS-safelisted response headers, what a page needs to read.
constexpr std::string_view kExposedHeaders =
    "ETag, Content-Disposition, Content-Range, Accept-Ranges, Location, Allow, Retry-After, "
    "X-Request-Id, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, "
    "Tus-Checksum-Algorithm, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, "
    "Upload-Expires, Coffer-File-Id";
constexpr std::string_view kMaxAgeSeconds = "600";

bool valid_origin(std::string_view origin) {
  std::string_view rest;
  if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else {
    return false;
  }
  if (rest.empty()) return false;
  return std::all_of(rest.begin(), rest.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
}

}  // namespace

Result<CorsPolicy> CorsPolicy::from_origins(const std::vector<std::string>& origins) {
  CorsPolicy policy;
  for (const std::string& given : origins) {
    if (given == "*") {
      policy.any_origin_ = true;
      continue;
    }
    std::string origin = given;
    std::transform(origin.begin(), origin.end(), origin.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!valid_origin(origin)) {
      return Status(Errc::kInvalidArgument,
                    "CORS origin \"" + given +
                        "\" must be \"*\" or scheme://host[:port] (http or https, no path)");
    }
    policy.origins_.push_back(std::move(origin));
  }
  return policy;
}

bool CorsPolicy::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return any_origin_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::is_preflight(const Request& request) const {
  return request.method == "OPTIONS" && !request.header("Access-Control-Request-Method").empty() &&
         allows(request.header("Origin"));
}

void CorsPolicy::add_origin_headers(std::string_view origin, Response& response) const {
  // A listed origin is echoed and may send credentials; "*" alone never may.
  const bool listed = std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
  response.set_header("Access-Control-Allow-Origin", listed ? std::string(origin) : "*");
  if (listed) response.set_header("Access-Control-Allow-Credentials", "true");
}

Response CorsPolicy::preflight(const Request& request) const {
  Response response;
  response.status = 204;
  add_origin_headers(request.header("Origin"), response);
  response.set_header("Access-Control-Allow-Methods", std::string(kAllowedMethods));
  response.set_header("Access-Control-Allow-Headers", std::string(kAllowedHeaders));
  response.set_header("Access-Control-Max-Age", std::string(kMaxAgeSeconds));
  response.set_header("Vary", "Origin");
  return response;
}

void CorsPolicy::decorate(const Request& request, Response& response) const {
  if (!enabled()) return;
  if (is_preflight(request)) return;  // preflight() answered it completely
  const std::string_view origin = request.header("Origin");
  std::string_view vary = find_header(response.headers, "Vary");
  if (vary.empty()) {
    response.set_header("Vary", "Origin");
  } else if (vary.find("Origin") == std::string_view::npos) {
    response.set_header("Vary", std::string(vary) + ", Origin");
  }
  if (!allows(origin)) return;
  add_origin_headers(origin, response);
  response.set_header("Access-Control-Expose-Headers", std::string(kExposedHeaders));
}

}  // namespace coffer::api
