#pragma once
// Where WebDAV resources live: /dav/ is the signed-in user's root folder, /dav/a/b a node by
// its path. Request targets, Destination headers and If-header tags are turned into decoded
// paths ("/a/b", "/" for the root), and paths back into hrefs.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::api {

inline constexpr std::string_view kDavPrefix = "/dav";

// True for "/dav" and everything below "/dav/".
bool is_dav_target(std::string_view target);

struct DavPath {
  std::vector<std::string> segments;  // decoded; empty for the root
  bool trailing_slash = false;

  bool is_root() const { return segments.empty(); }
  // "/a/b"; "/" for the root.
  std::string path() const;
  // The parent's path and this resource's name. REQUIRES: !is_root().
  DavPath parent() const;
  const std::string& name() const { return segments.back(); }
};

// A request target, an absolute URI or an absolute path (Destination, If tags) to a path
// below /dav. Errors: kInvalidArgument (malformed, or "." / ".." segments), kForbidden (a
// URL outside /dav/: another server or another part of this one).
Result<DavPath> parse_dav_url(std::string_view url);

// The href of a path: "/dav/" plus the percent-encoded segments, and a final "/" for
// collections.
std::string dav_href(const std::vector<std::string>& segments, bool collection);
// Appends one segment of an href, percent-encoded as dav_href() encodes it: every byte but
// the unreserved ones (RFC 3986 §2.3).
void append_dav_segment(std::string& out, std::string_view segment);

}  // namespace coffer::api
