#include "api/router.h"

namespace coffer::api {
namespace {

std::vector<std::string> split_pattern(std::string_view pattern) {
  std::vector<std::string> out;
  size_t pos = 1;
  while (pos <= pattern.size()) {
    size_t slash = pattern.find('/', pos);
    if (slash == std::string_view::npos) slash = pattern.size();
    out.emplace_back(pattern.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, RouteAccess access,
                 RouteHandler handler) {
  auto segments = split_pattern(pattern);
  routes_.push_back(
      {std::move(method), std::move(pattern), std::move(segments), access, std::move(handler)});
}

Router::Match Router::match(std::string_view method,
                            const std::vector<std::string>& segments) const {
  Match result;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      if (is_param(route.segments[i])) {
        if (segments[i].empty())
          ok = false;
        else
          params.emplace_back(route.segments[i].substr(1, route.segments[i].size() - 2),
                              segments[i]);
      } else {
        ok = route.segments[i] == segments[i];
      }
    }
    if (!ok) continue;
    // HEAD is served by every GET route.
    if (route.method == method || (method == "HEAD" && route.method == "GET")) {
      result.kind = MatchKind::kFound;
      result.handler = &route.handler;
      result.access = &route.access;
      result.pattern = route.pattern;
      result.params = std::move(params);
      return result;
    }
    result.kind = MatchKind::kMethodNotAllowed;
    if (!result.allowed.empty()) result.allowed += ", ";
    result.allowed += route.method;
    if (route.method == "GET") result.allowed += ", HEAD";
  }
  return result;
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r.method, r.pattern, r.access});
  return out;
}

}  // namespace coffer::api
