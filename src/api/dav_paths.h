#pragma once
// Where WebDAV resources live. The signed-in user's root folder is mounted at three prefixes,
// one tree under each:
//   /dav/                          Coffer's own
//   /remote.php/webdav/            what ownCloud clients and older Nextcloud clients use
//   /remote.php/dav/files/{user}/  what Nextcloud clients 3.x use ({user}: the caller's name)
// Request targets, Destination headers and If-header tags are turned into decoded paths
// ("/a/b", "/" for the root) with the mount they were sent under, and paths back into hrefs
// under the same mount, so that a client only ever sees the prefix it speaks.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::api {

inline constexpr std::string_view kDavPrefix = "/dav";

// True for every mount ("/dav", "/remote.php/webdav", "/remote.php/dav/files/x") and
// everything below one, and for the sync clients' upload endpoints (is_dav_upload_target).
bool is_dav_target(std::string_view target);

// True for the sync clients' upload endpoints, which are not trees: chunked uploads at
// /remote.php/dav/uploads/{user}/... and bulk uploads at /remote.php/dav/bulk
// (api/dav_uploads.h).
bool is_dav_upload_target(std::string_view target);
// True for the bulk upload endpoint alone.
bool is_dav_bulk_target(std::string_view target);

struct DavPath {
  std::string mount = std::string(kDavPrefix);  // the href prefix, percent-encoded, no final '/'
  std::string mount_user;  // decoded {user} of /remote.php/dav/files/{user}; empty otherwise
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
// below one of the mounts. Errors: kInvalidArgument (malformed, or "." / ".." segments),
// kForbidden (a URL outside every mount: another server or another part of this one).
Result<DavPath> parse_dav_url(std::string_view url);

// The href of a path under `mount`: the mount, '/', the percent-encoded segments, and a final
// "/" for collections.
std::string dav_href(std::string_view mount, const std::vector<std::string>& segments,
                     bool collection);
// Appends one segment of an href, percent-encoded as dav_href() encodes it: every byte but
// the unreserved ones (RFC 3986 §2.3).
void append_dav_segment(std::string& out, std::string_view segment);

}  // namespace coffer::api
