#include "s3api/s3_target.h"

#include <boost/url/parse.hpp>

namespace coffer::s3api {
namespace {

// The Host header without its port, lower-cased.
std::string host_name(std::string_view host) {
  if (!host.empty() && host.front() != '[') {
    if (size_t colon = host.rfind(':'); colon != std::string_view::npos)
      host = host.substr(0, colon);
  }
  std::string out(host);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether `name` (lower case) is a DNS name as a bucket in a Host spells it: labels of letters,
// digits, '-' and '_', one dot between each.
bool is_host_bucket(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  char previous = '.';
  for (char c : name) {
    const bool label_char =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!label_char && (c != '.' || previous == '.')) return false;
    previous = c;
  }
  return true;
}

}  // namespace

bool S3Target::has(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return true;
  }
  return false;
}

std::optional<std::string> S3Target::param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<S3Target> parse_target(const api::Request& request, std::string_view base_domain) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return std::nullopt;
  S3Target target;
  // The path decoded as a whole: an S3 key keeps every byte, "//" and "+" included.
  std::string path = url->path();
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::string_view rest = std::string_view(path).substr(1);
  std::string host = host_name(request.header("Host"));
  if (!base_domain.empty() && host.size() > base_domain.size() + 1 && host.ends_with(base_domain) &&
      host[host.size() - base_domain.size() - 1] == '.') {
    target.bucket = host.substr(0, host.size() - base_domain.size() - 1);
    if (!is_host_bucket(target.bucket)) return std::nullopt;
    target.key = std::string(rest);
  } else {
    size_t slash = rest.find('/');
    target.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) target.key = std::string(rest.substr(slash + 1));
  }
  // S3 query strings never use '+' for a space (SigV4 clients send %20).
  boost::urls::encoding_opts opts;
  opts.space_as_plus = false;
  for (auto param : url->encoded_params()) {
    target.query.emplace_back(param.key.decode(opts),
                              param.has_value ? param.value.decode(opts) : "");
  }
  return target;
}

}  // namespace coffer::s3api
