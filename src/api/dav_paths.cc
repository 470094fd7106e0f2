#include "api/dav_paths.h"

#include <boost/url/parse.hpp>

namespace coffer::api {
namespace {

// How many leading segments of `segments` name a mount; 0 when they name none.
size_t mount_length(const std::vector<std::string_view>& segments) {
  if (segments.empty()) return 0;
  if (segments[0] == "dav") return 1;
  if (segments[0] != "remote.php" || segments.size() < 2) return 0;
  if (segments[1] == "webdav") return 2;
  if (segments[1] == "dav" && segments.size() >= 4 && segments[2] == "files" &&
      !segments[3].empty()) {
    return 4;
  }
  return 0;
}

// The path segments of an encoded path, still encoded.
std::vector<std::string_view> raw_segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.starts_with('/')) return out;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// /remote.php/dav/bulk (a final "/" allowed).
bool is_bulk(const std::vector<std::string_view>& segments) {
  const size_t n = segments.size() - (!segments.empty() && segments.back().empty() ? 1 : 0);
  return n == 3 && segments[0] == "remote.php" && segments[1] == "dav" && segments[2] == "bulk";
}

// /remote.php/dav/uploads/... or /remote.php/dav/bulk.
bool names_upload_endpoint(const std::vector<std::string_view>& segments) {
  if (segments.size() < 3 || segments[0] != "remote.php" || segments[1] != "dav") return false;
  return segments[2] == "uploads" || is_bulk(segments);
}

}  // namespace

// Every request asks this: its path is split once.
bool is_dav_target(std::string_view target) {
  const auto segments = raw_segments(target.substr(0, target.find('?')));
  return mount_length(segments) > 0 || names_upload_endpoint(segments);
}

bool is_dav_upload_target(std::string_view target) {
  return names_upload_endpoint(raw_segments(target.substr(0, target.find('?'))));
}

bool is_dav_bulk_target(std::string_view target) {
  return is_bulk(raw_segments(target.substr(0, target.find('?'))));
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
  p.mount = mount;
  p.mount_user = mount_user;
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
  std::vector<std::string_view> names;
  for (auto segment : parsed->segments()) {
    // "%2F" would make one segment of two names; no name holds a '/'.
    if (segment.find('/') != std::string_view::npos) {
      return Status(Errc::kInvalidArgument, "the path has an encoded '/' inside a name");
    }
    all.push_back(std::string(segment));
  }
  for (const auto& s : all) names.push_back(s);
  const size_t mount = mount_length(names);
  if (mount == 0) return Status(Errc::kForbidden, "the URL is outside the WebDAV tree");
  DavPath out;
  out.mount.clear();
  for (size_t i = 0; i < mount; ++i) {
    out.mount += '/';
    append_dav_segment(out.mount, all[i]);
  }
  if (mount == 4) out.mount_user = all[3];
  out.trailing_slash = parsed->encoded_path().ends_with("/");
  for (size_t i = mount; i < all.size(); ++i) {
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

std::string dav_href(std::string_view mount, const std::vector<std::string>& segments,
                     bool collection) {
  std::string out(mount);
  for (const auto& segment : segments) {
    out += '/';
    append_dav_segment(out, segment);
  }
  if (collection || segments.empty()) out += '/';
  return out;
}

}  // namespace coffer::api
