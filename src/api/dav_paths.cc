#include "api/dav_paths.h"

#include <boost/url/parse.hpp>

namespace coffer::api {

bool is_dav_target(std::string_view target) {
  if (!target.starts_with(kDavPrefix)) return false;
  const std::string_view rest = target.substr(kDavPrefix.size());
  return rest.empty() || rest.front() == '/' || rest.front() == '?';
}

std::string DavPath::path() const {
  if (segments.empty()) return "/";
  std::string out;
  for (const auto& s : segments) {
    out += '/';
    out += s;
  }
  return out;
}

DavPath DavPath::parent() const {
  DavPath p;
  p.segments.assign(segments.begin(), segments.end() - 1);
  p.trailing_slash = true;
  return p;
}

Result<DavPath> parse_dav_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri_reference(url);
  if (!parsed) return Status(Errc::kInvalidArgument, "malformed URL");
  if (!parsed->encoded_path().starts_with("/")) {
    return Status(Errc::kInvalidArgument, "the URL must have an absolute path");
  }
  std::vector<std::string> all;
  for (auto segment : parsed->segments()) all.push_back(std::string(segment));
  if (all.empty() || all.front() != kDavPrefix.substr(1)) {
    return Status(Errc::kForbidden, "the URL is outside /dav/");
  }
  DavPath out;
  out.trailing_slash = parsed->encoded_path().ends_with("/");
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].empty()) continue;  // "//" and the final "/"
    if (all[i] == "." || all[i] == "..") {
      return Status(Errc::kInvalidArgument, "the path contains . or .. segments");
    }
    out.segments.push_back(std::move(all[i]));
  }
  return out;
}

void append_dav_segment(std::string& out, std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : segment) {
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

std::string dav_href(const std::vector<std::string>& segments, bool collection) {
  std::string out(kDavPrefix);
  for (const auto& segment : segments) {
    out += '/';
    append_dav_segment(out, segment);
  }
  if (collection || segments.empty()) out += '/';
  return out;
}

}  // namespace coffer::api
