#include "s3/s3_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace coffer::s3 {
namespace {

Status invalid(const std::string& why) {
  return Status(Errc::kInvalidArgument, "storage URL: " + why);
}

// S3's rules for bucket names: 3 to 63 of a-z 0-9 . -, starting and ending alphanumeric.
bool valid_bucket(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace

Result<S3Location> parse_s3_url(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return invalid("not a URL");
  const boost::urls::url_view url = *parsed;
  if (url.scheme() != "s3") return invalid("the scheme must be s3://");
  if (url.has_userinfo()) return invalid("credentials do not belong in the URL");
  S3Location location;
  location.options.bucket = url.host();
  if (!valid_bucket(location.options.bucket)) {
    return invalid("the bucket name must be 3 to 63 characters of a-z, 0-9, '.' and '-'");
  }
  std::string prefix = url.path();
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  location.prefix = prefix;

  std::string endpoint;
  std::string addressing;
  for (auto param : url.params()) {
    if (param.key == "endpoint") {
      endpoint = param.value;
    } else if (param.key == "region") {
      location.options.region = param.value;
    } else if (param.key == "addressing") {
      addressing = param.value;
    } else {
      return invalid("unknown parameter " + std::string(param.key) +
                     " (known: endpoint, region, addressing)");
    }
  }
  if (location.options.region.empty()) return invalid("region must not be empty");
  if (endpoint.empty()) {
    location.options.endpoint = "https://s3." + location.options.region + ".amazonaws.com";
    location.options.virtual_hosted = true;
  } else {
    auto ep = boost::urls::parse_uri(endpoint);
    if (!ep || (ep->scheme() != "http" && ep->scheme() != "https") || ep->host().empty() ||
        (!ep->path().empty() && ep->path() != "/") || ep->has_query() || ep->has_userinfo()) {
      return invalid("endpoint must be http(s)://HOST[:PORT]");
    }
    location.options.endpoint =
        std::string(ep->scheme()) + "://" + std::string(ep->encoded_host_and_port());
    location.options.virtual_hosted = false;
  }
  if (addressing == "path") {
    location.options.virtual_hosted = false;
  } else if (addressing == "virtual") {
    location.options.virtual_hosted = true;
  } else if (!addressing.empty()) {
    return invalid("addressing must be path or virtual");
  }
  return location;
}

}  // namespace coffer::s3
