// WebDAV at /dav/ (RFC 4918 class 1 and 2, RFC 4331 quotas) over the same tree, permissions
// and storage engine as the REST API: every method maps onto FileService and the Catalog.
// docs/webdav.md describes what is supported.

#include <boost/json.hpp>
#include <charconv>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <variant>

#include "api/api_context.h"
#include "api/content_response.h"
#include "api/dav_client_properties.h"
#include "api/dav_paths.h"
#include "api/dav_shared_paths.h"
#include "api/dav_uploads.h"
#include "api/errors.h"
#include "api/http_headers.h"
#include "api/json_io.h"
#include "api/query_params.h"
#include "api/write_preconditions.h"
#include "core/byte_source.h"
#include "dav/dav_requests.h"
#include "dav/if_header.h"
#include "dav/lock_manager.h"
#include "dav/xml_document.h"
#include "dav/xml_writer.h"

namespace coffer::api {
namespace {

using dav::kDavNs;
using dav::Lock;
using dav::PropertyName;
using dav::xml_escape;

constexpr size_t kMaxXmlBody = 1 << 20;
constexpr size_t kMaxPropertyBytes = 64 * 1024;
constexpr size_t kMaxInfiniteEntries = 100000;
constexpr std::string_view kAllow =
    "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK";
constexpr std::string_view kXmlHead = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

struct DavState {
  DavState(ApiContext& context, DavOptions dav_options)
      : ctx(context), options(std::move(dav_options)) {}

  ApiContext& ctx;
  DavOptions options;
  dav::LockManager locks;
};

Response empty_response(int status) {
  Response response;
  response.status = status;
  return response;
}

Response xml_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::string(kXmlHead) + body;
  response.compressible = true;
  response.set_header("Content-Type", "application/xml; charset=utf-8");
  response.set_header("Cache-Control", "no-store");
  return response;
}

// RFC 4918 §16: a precondition failure carries an error body naming the condition.
Response precondition_response(const Request& request, int status, std::string_view element,
                               std::string_view inner = {}) {
  Response response =
      xml_response(status, "<D:error xmlns:D=\"DAV:\"><D:" + std::string(element) + ">" +
                               std::string(inner) + "</D:" + std::string(element) + "></D:error>");
  response.set_header("X-Error-Code", std::string(element));
  (void)request;
  return response;
}

std::string status_line(int code) {
  switch (code) {
    case 200:
      return "HTTP/1.1 200 OK";
    case 403:
      return "HTTP/1.1 403 Forbidden";
    case 404:
      return "HTTP/1.1 404 Not Found";
    case 409:
      return "HTTP/1.1 409 Conflict";
    case 424:
      return "HTTP/1.1 424 Failed Dependency";
    case 507:
      return "HTTP/1.1 507 Insufficient Storage";
    default:
      return "HTTP/1.1 " + std::to_string(code) + " Error";
  }
}

// "ns:name" with the namespace declared on the element itself, so any namespace works.
std::string empty_element(const PropertyName& name) {
  if (name.ns.empty()) return "<" + name.name + "/>";
  if (name.ns == kDavNs) return "<D:" + name.name + "/>";
  if (name.ns == dav::kXmlNs) return "<xml:" + name.name + "/>";
  return "<X:" + name.name + " xmlns:X=\"" + xml_escape(name.ns) + "\"/>";
}

// The body of the empty resource a LOCK on an unmapped URL creates.
class EmptySource final : public ByteSource {
 public:
  Result<size_t> read(std::span<std::byte>) override { return size_t{0}; }
};

// ---- the request: who, which path, which locks ---------------------------------------------

// Where the request's path lands: the caller's tree, /dav/Shared, or a shared tree
// (dav_shared_paths.h).
using Target = DavTarget;

// /remote.php/dav/files/{user}/ is the tree of {user}, which must be the caller: another
// user's name is a tree that does not exist for them (404, as for a path they cannot see).
Status check_mount_user(DavState& dav, const Request& request, const DavPath& path) {
  if (path.mount_user.empty()) return Status::ok();
  auto user = dav.ctx.catalog.find_user(request.user_id);
  COFFER_RETURN_IF_ERROR(user);
  if (user->username != path.mount_user) {
    return Status(Errc::kNotFound, "no such user tree: use your own user name in the URL");
  }
  return Status::ok();
}

Result<Target> resolve(DavState& dav, const Request& request, DavPath path) {
  COFFER_RETURN_IF_ERROR(check_mount_user(dav, request, path));
  return locate_dav_path(dav.ctx, request.user_id, std::move(path));
}

Status shared_collection_read_only() {
  // Named as every mount shows it (/dav/Shared, /remote.php/.../Shared): by its name alone.
  return Status(Errc::kForbidden,
                "the folder Shared lists what is shared with you and is read-only");
}

// The parent folder of an unmapped or mapped non-root path. Errors: kConflict when missing
// or a file (RFC 4918 §9.7.1, §9.3.1: 409), kForbidden when it is /dav/Shared.
Result<Node> parent_folder(DavState& dav, const Request& request, const DavPath& path) {
  auto parent = resolve(dav, request, path.parent());
  COFFER_RETURN_IF_ERROR(parent);
  if (parent->is_virtual()) return shared_collection_read_only();
  if (!parent->node) return Status(Errc::kConflict, "the parent collection does not exist");
  if (parent->node->kind != NodeKind::kFolder) {
    return Status(Errc::kConflict, "the parent is not a collection");
  }
  return std::move(*parent->node);
}

// /dav/Shared/<entry> itself, like the shared node over REST (AccessPolicy::check_below_share).
Status share_top_is_the_owners() {
  return Status(Errc::kForbidden, "the shared item itself can only be changed by its owner");
}

// Refuses (kForbidden) a caller who may only read `node_id`: the write-share check the
// methods that act on the catalog directly (PROPPATCH) or on no node yet (LOCK) need.
Status require_write(DavState& dav, const Request& request, int64_t node_id) {
  auto access = dav.ctx.files.access(request.user_id, node_id, Permission::kWrite);
  return access.is_ok() ? Status::ok() : access.status();
}

std::string etag_of(const std::optional<Node>& node) {
  if (!node || node->kind != NodeKind::kFile) return "";
  return dav_etag(*node);
}

// The If header of a request, parsed once.
struct Conditions {
  std::optional<dav::IfHeader> if_header;
  std::vector<std::string> tokens;  // submitted lock tokens
};

Result<Conditions> conditions_of(const Request& request) {
  Conditions c;
  std::string_view value = request.header("If");
  if (value.empty()) return c;
  auto parsed = dav::parse_if_header(value);
  COFFER_RETURN_IF_ERROR(parsed);
  c.tokens = parsed->submitted_tokens();
  c.if_header = std::move(*parsed);
  return c;
}

std::optional<std::string> tag_to_path(std::string_view tag) {
  auto path = parse_dav_url(tag);
  if (!path.is_ok()) return std::nullopt;
  return path->path();
}

// RFC 4918 §10.4: 412 when the If header is false for the resource.
bool if_allows(DavState& dav, const Conditions& c, const Target& target) {
  if (!c.if_header) return true;
  const std::string path = target.path.path();
  dav::IfSubject subject;
  subject.path = path;
  subject.etag = etag_of(target.node);
  const Micros now = now_micros();
  const std::string lock_path = target.lock_path();
  subject.token_matches = [&](std::string_view token) {
    for (const Lock& lock : dav.locks.covering(target.tree.owner_id, lock_path, now)) {
      if (lock.token == token) return true;
    }
    return false;
  };
  return dav::if_header_allows(*c.if_header, subject, tag_to_path);
}

// A write to `target` (with `subtree`, to everything below it too) needs the token of every
// lock that covers it: 423 with the lock's root otherwise.
// With `membership`, the write adds or removes a member of the parent collection, which a
// depth-0 lock on the parent protects too (RFC 4918 §7.5).
// Locks live in the tree owner's namespace (owner's paths), so the owner's locks and those
// taken through /dav/Shared bind each other; the 423 names the lock as the caller sees it.
std::optional<Response> check_locks(DavState& dav, const Request& request, const Conditions& c,
                                    const Target& target, bool subtree, bool membership) {
  const int64_t owner = target.tree.owner_id;
  const std::string path = target.lock_path();
  Status s = dav.locks.check_write(owner, path, subtree, c.tokens, now_micros());
  if (s.is_ok() && membership && path != "/") {
    const std::string parent = path.substr(0, std::max<size_t>(1, path.rfind('/')));
    s = dav.locks.check_write(owner, parent, false, c.tokens, now_micros());
  }
  if (s.is_ok()) return std::nullopt;
  const std::string root = s.message().substr(s.message().find(": ") + 2);
  return precondition_response(
      request, 423, "lock-token-submitted",
      "<D:href>" + xml_escape(dav_href(target.path.mount, target.tree.view_segments(root), false)) +
          "</D:href>");
}

// Checks the If header and the locks for a write; nullopt when the write may go ahead.
std::optional<Response> check_write(DavState& dav, const Request& request, const Conditions& c,
                                    const Target& target, bool subtree, bool membership) {
  // The If header first: a false condition is 412 even on a locked resource; a true one
  // still needs the tokens of the locks (423).
  if (!if_allows(dav, c, target)) {
    return fail(request, Status(Errc::kPreconditionFailed, "the If header is false"));
  }
  if (auto refused = check_locks(dav, request, c, target, subtree, membership)) {
    return refused;
  }
  // If-Match / If-None-Match (RFC 9110 §13.1) on the resource being written.
  const std::string etag = etag_of(target.node);
  std::string_view if_match = request.header("If-Match");
  if (!if_match.empty() &&
      (!target.node || !etag_list_matches(if_match, etag.empty() ? "\"\"" : etag, false))) {
    return fail(request, Status(Errc::kPreconditionFailed, "If-Match does not match"));
  }
  std::string_view if_none_match = request.header("If-None-Match");
  if (!if_none_match.empty() && target.node &&
      etag_list_matches(if_none_match, etag.empty() ? "\"\"" : etag, true)) {
    return fail(request, Status(Errc::kPreconditionFailed, "If-None-Match matches"));
  }
  return std::nullopt;
}

Result<std::string> read_xml_body(Request& request) {
  std::string body;
  if (auto length = request.body->content_length(); length && *length > kMaxXmlBody) {
    return Status(Errc::kPayloadTooLarge, "the XML body is over 1 MiB");
  }
  char buf[16384];
  for (;;) {
    auto n = request.body->read(std::as_writable_bytes(std::span<char>(buf, sizeof buf)));
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) break;
    if (body.size() + *n > kMaxXmlBody) {
      return Status(Errc::kPayloadTooLarge, "the XML body is over 1 MiB");
    }
    body.append(buf, *n);
  }
  return body;
}

// What OC-Checksum ("SHA256:<hex>" or "SHA1:<hex>", as sync clients and rclone send it) says
// the body must hash to.
struct OcChecksum {
  std::optional<std::string> sha256;
  std::optional<std::string> sha1;
};

// Neither when absent or of another algorithm (MD5, Adler32), which Coffer does not compute
// and so neither verifies nor refuses. Errors: kInvalidArgument (a malformed SHA256 or SHA1).
Result<OcChecksum> oc_checksum(std::string_view header) {
  header = trim_whitespace(header);
  const size_t colon = header.find(':');
  if (colon == std::string_view::npos) return OcChecksum{};
  std::string type(header.substr(0, colon));
  for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const size_t digits = type == "SHA256" ? 64 : type == "SHA1" ? 40 : 0;
  if (digits == 0) return OcChecksum{};
  std::string hex(trim_whitespace(header.substr(colon + 1)));
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (hex.size() != digits || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status(Errc::kInvalidArgument,
                  "OC-Checksum " + type + " must be " + std::to_string(digits) + " hex digits");
  }
  OcChecksum out;
  (digits == 64 ? out.sha256 : out.sha1) = std::move(hex);
  return out;
}

// X-OC-Mtime: the file's modification time in seconds since the epoch (the clients send an
// integer; a fraction is accepted). nullopt when absent. Errors: kInvalidArgument.
Result<std::optional<Micros>> oc_mtime(std::string_view header) {
  header = trim_whitespace(header);
  if (header.empty()) return std::optional<Micros>();
  double seconds = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  // Up to the year 9999: what a file system and an HTTP date can show.
  if (ec != std::errc() || end != header.data() + header.size() || !(seconds >= 0) ||
      seconds > 253402300799.0) {
    return Status(Errc::kInvalidArgument, "X-OC-Mtime must be seconds since 1970");
  }
  return std::optional<Micros>(static_cast<Micros>(seconds * 1e6));
}

bool has_body(const Request& request) {
  auto length = request.body->content_length();
  return length ? *length > 0 : !request.body->finished();
}

// ---- properties ---------------------------------------------------------------------------

const std::vector<std::string_view>& live_names() {
  static const std::vector<std::string_view> names = {
      "creationdate",   "displayname", "getlastmodified", "resourcetype", "getcontentlength",
      "getcontenttype", "getetag",     "supportedlock",   "lockdiscovery"};
  return names;
}

bool is_quota_name(std::string_view name) {
  return name == "quota-available-bytes" || name == "quota-used-bytes";
}

bool is_live(const PropertyName& name) {
  if (name.ns != kDavNs) return false;
  if (is_quota_name(name.name)) return true;
  for (auto n : live_names()) {
    if (n == name.name) return true;
  }
  return false;
}

// A lock as `tree`'s caller sees it: its root in the caller's paths (a lock above a shared
// node shows as rooted at the shared node).
std::string activelock_xml(const Lock& lock, const DavTree& tree, std::string_view mount) {
  std::string out = "<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>";
  out += lock.exclusive ? "<D:exclusive/>" : "<D:shared/>";
  out += "</D:lockscope><D:depth>";
  out += lock.infinite ? "infinity" : "0";
  out += "</D:depth>";
  out += lock.owner_xml;
  out += "<D:timeout>Second-" + std::to_string(lock.timeout_seconds) + "</D:timeout>";
  out += "<D:locktoken><D:href>" + xml_escape(lock.token) + "</D:href></D:locktoken>";
  out += "<D:lockroot><D:href>" +
         xml_escape(dav_href(mount, tree.view_segments(lock.root), false)) +
         "</D:href></D:lockroot></D:activelock>";
  return out;
}

// What PROPFIND answers share besides the resources: the quota, and buffers reused for every
// response.
struct PropContext {
  DavState& dav;
  std::string mount;  // the request's, for hrefs
  // Each tree owner's usage (under /dav/Shared, the quota is the owner's), loaded on first
  // use; nullopt when it could not be read.
  std::map<int64_t, std::optional<Usage>> usage;
  // The user names of tree owners (oc:owner-id), loaded on first use.
  std::map<int64_t, std::string> owner_names;
  // Whether a content (by SHA-256) has a preview (nc:has-preview): loaded for a page of
  // members at once, else on first use.
  std::map<std::string, bool> previews;
  std::string found;    // the current response's 200 propstat
  std::string missing;  // and its 404 propstat
  std::string scratch;
};

const Usage* usage_of(PropContext& pc, int64_t owner_id) {
  auto it = pc.usage.find(owner_id);
  if (it == pc.usage.end()) {
    auto u = pc.dav.ctx.catalog.usage(owner_id);
    it = pc.usage.emplace(owner_id, u.is_ok() ? std::optional<Usage>(*u) : std::nullopt).first;
  }
  return it->second ? &*it->second : nullptr;
}

// nc:has-preview: whether the Nextcloud preview endpoint serves a preview of `node`
// (nextcloud_preview_routes.cc): a file whose content has a thumbnail.
bool has_preview(PropContext& pc, const Node& node) {
  if (node.kind != NodeKind::kFile || node.sha256.empty()) return false;
  auto it = pc.previews.find(node.sha256);
  if (it == pc.previews.end()) {
    auto found = pc.dav.ctx.catalog.media().with_thumbnails({node.sha256});
    it = pc.previews.emplace(node.sha256, found.is_ok() && !found->empty()).first;
  }
  return it->second;
}

std::string_view owner_name(PropContext& pc, int64_t owner_id) {
  auto it = pc.owner_names.find(owner_id);
  if (it == pc.owner_names.end()) {
    auto user = pc.dav.ctx.catalog.find_user(owner_id);
    it = pc.owner_names.emplace(owner_id, user.is_ok() ? user->username : "").first;
  }
  return it->second;
}

// A resource as PROPFIND describes it.
struct Member {
  const Node& node;
  std::string_view href;  // percent-encoded; a collection's ends in '/'
  const DavTree& tree;
  const std::vector<Lock>& locks;  // the live locks covering it (when lockdiscovery is asked)
  const std::vector<meta::DeadProperty>& dead;
};

// Appends the live property `name` of `m` as an element; false, with nothing appended, when
// the resource has none.
bool append_live_property(PropContext& pc, const Member& m, std::string_view name,
                          std::string& out) {
  const Node& node = m.node;
  const bool file = node.kind == NodeKind::kFile;
  if (name == "creationdate") {
    out += "<D:creationdate>";
    dav::append_rfc3339(out, node.created);
    out += "</D:creationdate>";
  } else if (name == "displayname") {
    out += "<D:displayname>";
    dav::append_xml_escaped(out, node.name);
    out += "</D:displayname>";
  } else if (name == "getlastmodified") {
    out += "<D:getlastmodified>";
    dav::append_http_date(out, node.modified / 1'000'000);
    out += "</D:getlastmodified>";
  } else if (name == "resourcetype") {
    out += file ? "<D:resourcetype/>" : "<D:resourcetype><D:collection/></D:resourcetype>";
  } else if (name == "getcontentlength") {
    if (!file) return false;
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, node.size);
    dav::append_xml_element(out, "D", name,
                            std::string_view(digits, static_cast<size_t>(end - digits)));
  } else if (name == "getcontenttype") {
    if (!file) return false;
    out += "<D:getcontenttype>";
    dav::append_xml_escaped(out, node.mime.empty() ? "application/octet-stream" : node.mime);
    out += "</D:getcontenttype>";
  } else if (name == "getetag") {
    out += "<D:getetag>";
    dav::append_xml_escaped(out, dav_etag(node));
    out += "</D:getetag>";
  } else if (name == "supportedlock") {
    out +=
        "<D:supportedlock>"
        "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope>"
        "<D:locktype><D:write/></D:locktype></D:lockentry>"
        "<D:lockentry><D:lockscope><D:shared/></D:lockscope>"
        "<D:locktype><D:write/></D:locktype></D:lockentry>"
        "</D:supportedlock>";
  } else if (name == "lockdiscovery") {
    out += "<D:lockdiscovery>";
    for (const Lock& lock : m.locks) out += activelock_xml(lock, m.tree, pc.mount);
    out += "</D:lockdiscovery>";
  } else if (is_quota_name(name)) {
    if (file) return false;
    const Usage* u = usage_of(pc, m.tree.owner_id);
    if (u == nullptr) return false;
    if (name == "quota-used-bytes") {
      dav::append_xml_element(out, "D", name, std::to_string(u->used()));
    } else {
      if (u->limit <= 0) return false;  // unlimited: RFC 4331 §3 lets us omit it
      const int64_t left = std::max<int64_t>(0, u->limit - u->used());
      dav::append_xml_element(out, "D", name, std::to_string(left));
    }
  } else {
    return false;
  }
  return true;
}

// One <D:response> for a resource.
void append_response(PropContext& pc, std::string& out, const Member& m,
                     const dav::PropfindRequest& what) {
  const bool collection = m.node.kind == NodeKind::kFolder;
  out += "<D:response><D:href>";
  dav::append_xml_escaped(out, m.href);
  out += "</D:href>";
  std::string& found = pc.found;
  std::string& missing = pc.missing;
  found.clear();
  missing.clear();
  if (what.kind == dav::PropfindRequest::Kind::kPropName) {
    for (auto name : live_names()) {
      pc.scratch.clear();
      if (append_live_property(pc, m, name, pc.scratch)) {
        found += "<D:";
        found += name;
        found += "/>";
      }
    }
    if (collection) found += "<D:quota-used-bytes/>";
    for (const auto& p : m.dead) found += empty_element({p.ns, p.name});
  } else if (what.kind == dav::PropfindRequest::Kind::kAllProp) {
    for (auto name : live_names()) append_live_property(pc, m, name, found);
    for (const auto& p : m.dead) found += p.xml;
    for (const auto& n : what.names) {  // DAV:include
      if (n.ns == kDavNs && is_quota_name(n.name)) append_live_property(pc, m, n.name, found);
    }
  } else {
    for (const auto& n : what.names) {
      if (n.ns == kDavNs && append_live_property(pc, m, n.name, found)) continue;
      const bool preview = n.ns == kNcNs && n.name == "has-preview" && has_preview(pc, m.node);
      if ((n.ns == kOcNs || n.ns == kNcNs) &&
          append_client_property(found, n.ns, n.name, m.node, m.tree,
                                 owner_name(pc, m.tree.owner_id), preview)) {
        continue;
      }
      const meta::DeadProperty* dead = nullptr;
      for (const auto& p : m.dead) {
        if (p.ns == n.ns && p.name == n.name) dead = &p;
      }
      if (dead != nullptr) {
        found += dead->xml;
      } else {
        missing += empty_element(n);
      }
    }
  }
  if (!found.empty() || missing.empty()) {
    out += "<D:propstat><D:prop>";
    out += found;
    out += "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>";
  }
  if (!missing.empty()) {
    out += "<D:propstat><D:prop>";
    out += missing;
    out += "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>";
  }
  out += "</D:response>";
}

// Lists every child of `folder` (all pages), archived documents included: a desktop client
// must see the whole tree.
Result<std::vector<Node>> all_children(DavState& dav, int64_t user_id, int64_t folder) {
  std::vector<Node> out;
  ListOptions options;
  options.limit = 1000;
  options.include_archived = true;  // WebDAV shows every document, whatever its status
  for (;;) {
    auto page = dav.ctx.files.list(user_id, folder, options);
    COFFER_RETURN_IF_ERROR(page);
    const bool more = page->size() == options.limit;
    if (!page->empty()) options.after = page->back();
    for (auto& n : *page) out.push_back(std::move(n));
    if (!more) break;
  }
  return out;
}

// A member of a collection, as listings show it.
struct Listed {
  Node node;
  std::vector<std::string> segments;
  DavTree tree;
  std::vector<meta::DeadProperty> dead;  // when asked for
};

// The members of the collection `folder` at `segments` in `tree`, with their dead properties
// when `properties`. The virtual /dav/Shared (folder id 0) has one member per share, each the
// top of its own tree; the caller's root lists /dav/Shared in place of a real folder of that
// name (which stays reachable over REST).
Result<std::vector<Listed>> members_of(DavState& dav, int64_t user_id, const Node& folder,
                                       const std::vector<std::string>& segments,
                                       const DavTree& tree, bool properties) {
  auto below = [&](const std::string& name) {
    std::vector<std::string> out = segments;
    out.push_back(name);
    return out;
  };
  std::vector<Listed> out;
  if (folder.id == 0) {
    auto entries = dav_shared_entries(dav.ctx, user_id);
    COFFER_RETURN_IF_ERROR(entries);
    for (DavSharedEntry& entry : *entries) {
      auto entry_tree = dav_shared_tree(dav.ctx, entry);
      COFFER_RETURN_IF_ERROR(entry_tree);
      Listed listed{std::move(entry.item.node), below(entry.name), std::move(*entry_tree), {}};
      listed.node.name = entry.name;  // its displayname
      if (properties) {
        auto dead = dav.ctx.catalog.properties().list(listed.tree.owner_id, listed.node.id);
        COFFER_RETURN_IF_ERROR(dead);
        listed.dead = std::move(*dead);
      }
      out.push_back(std::move(listed));
    }
    return out;
  }
  auto children = all_children(dav, user_id, folder.id);
  COFFER_RETURN_IF_ERROR(children);
  std::map<int64_t, std::vector<meta::DeadProperty>> dead;
  if (properties) {
    std::vector<int64_t> ids;
    ids.reserve(children->size());
    for (const Node& child : *children) ids.push_back(child.id);
    auto listed = dav.ctx.catalog.properties().list_nodes(tree.owner_id, ids);
    COFFER_RETURN_IF_ERROR(listed);
    dead = std::move(*listed);
  }
  const bool own_root = segments.empty();
  for (Node& child : *children) {
    if (own_root && child.name == kDavSharedName) continue;
    auto it = dead.find(child.id);
    std::vector<meta::DeadProperty> props;
    if (it != dead.end()) props = std::move(it->second);
    std::vector<std::string> child_segments = below(child.name);
    out.push_back({std::move(child), std::move(child_segments), tree, std::move(props)});
  }
  if (own_root) {
    auto shared = dav_shared_collection_node(dav.ctx, user_id);
    COFFER_RETURN_IF_ERROR(shared);
    out.push_back({std::move(*shared), below(std::string(kDavSharedName)), tree, {}});
  }
  return out;
}

// The body of a PROPFIND answer (a DAV:multistatus), written as the HTTP layer pulls it: the
// target's response first, then the members of each collection below it, breadth-first, one
// page of kPageSize rows at a time, so that memory stays flat however big a folder is.
//
// Consistency: each page is read in its own read transaction, continuing by a keyset cursor
// (kind, name, id) after the last row sent. A whole-folder snapshot would need one read
// transaction held open while a slow client drains the answer, which would pin a pooled
// connection (and, on PostgreSQL, old row versions) for as long as the client likes. With
// pages, a member created, deleted or renamed while the answer is being written may be
// missing or appear under both names, exactly as if the client had listed the folder in two
// requests; no member is ever sent twice under one name, and each page, its dead properties
// and its locks are read together.
class MultistatusSource final : public ByteSource {
 public:
  static constexpr uint32_t kPageSize = 1000;

  // `levels`: 0, 1, or -1 for infinity.
  MultistatusSource(DavState& dav, int64_t user_id, dav::PropfindRequest what, int levels)
      : dav_(dav), user_id_(user_id), what_(std::move(what)), levels_(levels), pc_{dav, {}, {},
                                                                                   {},  {}, {},
                                                                                   {},  {}} {
    needs_dead_ = what_.kind != dav::PropfindRequest::Kind::kProp;
    needs_locks_ = what_.kind == dav::PropfindRequest::Kind::kAllProp;
    for (const PropertyName& n : what_.names) {
      if (!is_live(n)) needs_dead_ = true;
      if (n.ns == kDavNs && n.name == "lockdiscovery") needs_locks_ = true;
      if (n.ns == kNcNs && n.name == "has-preview") needs_previews_ = true;
    }
  }

  // Writes the head and the target's own response, and reads the first page of members, so
  // that what fails early (the target gone, no access) fails the request with its status.
  Status start(const Target& target) {
    buffer_ = kXmlHead;
    buffer_ += "<D:multistatus xmlns:D=\"DAV:\"";
    buffer_ += kClientNamespaces;
    buffer_ += '>';
    std::vector<meta::DeadProperty> own;
    if (needs_dead_ && !target.is_virtual()) {
      auto listed = dav_.ctx.catalog.properties().list(target.tree.owner_id, target.node->id);
      COFFER_RETURN_IF_ERROR(listed);
      own = std::move(*listed);
    }
    const bool collection = target.node->kind == NodeKind::kFolder;
    pc_.mount = target.path.mount;
    emit(*target.node, dav_href(pc_.mount, target.path.segments, collection), target.tree,
         locks_at(target.tree, target.path.segments), own);
    if (levels_ != 0 && collection) {
      queue_.push_back({*target.node, target.path.segments, target.tree, 1});
    }
    return step();
  }

  // The whole body in memory, for answers that are small (Depth 0) or must be refused whole
  // when too big (Depth infinity: at most `max_responses`; kPayloadTooLarge beyond).
  Result<std::string> drain(size_t max_responses) {
    while (!finished_) {
      COFFER_RETURN_IF_ERROR(step());
      if (responses_ > max_responses) {
        return Status(Errc::kPayloadTooLarge, "too many resources below");
      }
    }
    return std::move(buffer_);
  }

  bool finished() const { return finished_; }

  Result<size_t> read(std::span<std::byte> buf) override {
    if (pos_ == buffer_.size()) {
      buffer_.clear();
      pos_ = 0;
    } else if (pos_ > 0 && buffer_.size() - pos_ < buf.size()) {
      buffer_.erase(0, pos_);
      pos_ = 0;
    }
    while (buffer_.size() - pos_ < buf.size() && !finished_) COFFER_RETURN_IF_ERROR(step());
    const size_t n = std::min(buf.size(), buffer_.size() - pos_);
    std::memcpy(buf.data(), buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  struct Folder {
    Node node;
    std::vector<std::string> segments;
    DavTree tree;
    int depth;
  };

  // Writes one more response (or reads one more page, or opens the next folder, or writes the
  // end of the document).
  Status step() {
    if (current_) {
      if (next_ < page_.size()) {
        emit_member(page_[next_++]);
        return Status::ok();
      }
      if (more_pages_) return read_page();
      if (shared_pending_) {
        // The caller's root shows /dav/Shared after its own members.
        shared_pending_ = false;
        auto shared = dav_shared_collection_node(dav_.ctx, user_id_);
        COFFER_RETURN_IF_ERROR(shared);
        std::vector<std::string> segments{std::string(kDavSharedName)};
        emit_listed(*shared, segments, current_->tree, {});
        return Status::ok();
      }
      current_.reset();
    }
    if (!queue_.empty()) {
      current_ = std::move(queue_.front());
      queue_.pop_front();
      if (current_->node.id == 0) return list_shared_collection();
      page_.clear();
      shared_pending_ = current_->segments.empty();
      href_prefix_ = dav_href(pc_.mount, current_->segments, true);
      return read_page();
    }
    buffer_ += "</D:multistatus>";
    finished_ = true;
    return Status::ok();
  }

  // The next page of the current folder, with the dead properties and the locks its members
  // need.
  Status read_page() {
    ListOptions options;
    options.limit = kPageSize;
    options.include_archived = true;  // WebDAV shows every document, whatever its status
    if (!page_.empty()) options.after = page_.back();
    auto page = dav_.ctx.files.list(user_id_, current_->node.id, options);
    COFFER_RETURN_IF_ERROR(page);
    more_pages_ = page->size() == kPageSize;
    page_ = std::move(*page);
    next_ = 0;
    page_dead_.clear();
    if (needs_dead_ && !page_.empty()) {
      std::vector<int64_t> ids;
      ids.reserve(page_.size());
      for (const Node& n : page_) ids.push_back(n.id);
      auto dead = dav_.ctx.catalog.properties().list_nodes(current_->tree.owner_id, ids);
      COFFER_RETURN_IF_ERROR(dead);
      page_dead_ = std::move(*dead);
    }
    if (needs_previews_) {
      std::vector<std::string> contents;
      for (const Node& n : page_) {
        if (n.kind == NodeKind::kFile && !n.sha256.empty()) contents.push_back(n.sha256);
      }
      auto previewable = dav_.ctx.catalog.media().with_thumbnails(contents);
      COFFER_RETURN_IF_ERROR(previewable);
      for (const std::string& sha256 : contents) {
        pc_.previews[sha256] = previewable->contains(sha256);
      }
    }
    // Every lock that can cover a member covers the folder or lies below it: one look-up for
    // the page, and none per member when there are none (the usual case).
    page_locks_.clear();
    if (needs_locks_) {
      page_locks_ = dav_.locks.affecting(
          current_->tree.owner_id, current_->tree.owner_path(current_->segments), now_micros());
    }
    return Status::ok();
  }

  // The members of /dav/Shared: one per share, each the top of its own tree; few enough to
  // read at once.
  Status list_shared_collection() {
    auto members =
        members_of(dav_, user_id_, current_->node, current_->segments, current_->tree, needs_dead_);
    COFFER_RETURN_IF_ERROR(members);
    for (const Listed& m : *members) emit_listed(m.node, m.segments, m.tree, m.dead);
    current_.reset();
    return Status::ok();
  }

  void emit_member(const Node& child) {
    const Folder& folder = *current_;
    if (shared_pending_ && child.name == kDavSharedName) return;  // /dav/Shared stands there
    href_ = href_prefix_;
    append_dav_segment(href_, child.name);
    const bool collection = child.kind == NodeKind::kFolder;
    if (collection) href_ += '/';
    member_locks_.clear();
    std::vector<std::string> segments;
    auto child_segments = [&]() -> const std::vector<std::string>& {
      if (segments.empty()) {
        segments = folder.segments;
        segments.push_back(child.name);
      }
      return segments;
    };
    if (!page_locks_.empty()) {
      const std::string path = folder.tree.owner_path(child_segments());
      for (const Lock& lock : page_locks_) {
        if (lock.covers(path)) member_locks_.push_back(lock);
      }
    }
    auto dead = page_dead_.find(child.id);
    emit(child, href_, folder.tree, member_locks_,
         dead == page_dead_.end() ? no_properties_ : dead->second);
    if (collection && (levels_ < 0 || folder.depth < levels_)) {
      queue_.push_back({child, child_segments(), folder.tree, folder.depth + 1});
    }
  }

  // A member listed with its own segments and tree (below /dav/Shared, or /dav/Shared itself).
  void emit_listed(const Node& node, const std::vector<std::string>& segments, const DavTree& tree,
                   const std::vector<meta::DeadProperty>& dead) {
    const bool collection = node.kind == NodeKind::kFolder;
    emit(node, dav_href(pc_.mount, segments, collection), tree, locks_at(tree, segments), dead);
    if (collection && (levels_ < 0 || current_->depth < levels_)) {
      queue_.push_back({node, segments, tree, current_->depth + 1});
    }
  }

  std::vector<Lock> locks_at(const DavTree& tree, const std::vector<std::string>& segments) {
    if (!needs_locks_) return {};
    return dav_.locks.covering(tree.owner_id, tree.owner_path(segments), now_micros());
  }

  void emit(const Node& node, std::string_view href, const DavTree& tree,
            const std::vector<Lock>& locks, const std::vector<meta::DeadProperty>& dead) {
    append_response(pc_, buffer_, {node, href, tree, locks, dead}, what_);
    ++responses_;
  }

  DavState& dav_;
  const int64_t user_id_;
  const dav::PropfindRequest what_;
  const int levels_;
  bool needs_dead_ = false;
  bool needs_locks_ = false;
  bool needs_previews_ = false;
  PropContext pc_;

  std::deque<Folder> queue_;       // folders still to list (below Depth 1: infinity only)
  std::optional<Folder> current_;  // the folder being listed
  bool shared_pending_ = false;    // the caller's root: /dav/Shared still to write
  std::string href_prefix_;        // the current folder's href, with its final '/'
  std::vector<Node> page_;
  size_t next_ = 0;  // the next member of page_ to write
  bool more_pages_ = false;
  std::map<int64_t, std::vector<meta::DeadProperty>> page_dead_;
  std::vector<Lock> page_locks_;
  const std::vector<meta::DeadProperty> no_properties_;

  std::string href_;  // reused for every member
  std::vector<Lock> member_locks_;
  size_t responses_ = 0;
  std::string buffer_;  // written, not yet read from pos_ on
  size_t pos_ = 0;
  bool finished_ = false;
};

// ---- methods ----------------------------------------------------------------------------

// The compliance classes (1 and 2: locks) and the methods `allow`ed.
Response options_response(std::string_view allow) {
  Response response = empty_response(200);
  response.set_header("DAV", "1, 2");
  response.set_header("Allow", std::string(allow));
  response.set_header("MS-Author-Via", "DAV");
  response.content_length = 0;
  return response;
}

Response dav_options(DavState&, Request&) { return options_response(kAllow); }

Response dav_propfind(DavState& dav, Request& request, const Target& target) {
  if (!target.node) return fail(request, Status(Errc::kNotFound, "no such resource"));
  std::string_view depth = trim_whitespace(request.header("Depth"));
  int levels = 0;
  if (depth == "0") {
    levels = 0;
  } else if (depth == "1") {
    levels = 1;
  } else if (depth.empty() || depth == "infinity" || depth == "Infinity") {
    if (!dav.options.infinite_depth) {
      return precondition_response(request, 403, "propfind-finite-depth");
    }
    levels = -1;
  } else {
    return fail(request, Status(Errc::kInvalidArgument, "Depth must be 0, 1 or infinity"));
  }
  auto body = read_xml_body(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto what = dav::parse_propfind(*body);
  if (!what.is_ok()) return fail(request, what.status());

  auto answer = std::make_unique<MultistatusSource>(dav, request.user_id, std::move(*what), levels);
  if (Status s = answer->start(target); !s.is_ok()) return fail(request, s);
  Response response;
  response.status = 207;
  response.compressible = true;
  response.set_header("Content-Type", "application/xml; charset=utf-8");
  response.set_header("Cache-Control", "no-store");
  if (levels == 1 && !answer->finished()) {
    // Streamed as it is written, with chunked transfer encoding: a folder of any size.
    response.stream = std::move(answer);
    return response;
  }
  // One resource, or Depth infinity, which is refused whole when it grows too big (it cannot
  // be once the 207 has started).
  auto whole = answer->drain(kMaxInfiniteEntries);
  if (!whole.is_ok()) return fail(request, whole.status());
  response.body = std::move(*whole);
  return response;
}

Response dav_proppatch(DavState& dav, Request& request, const Target& target, const Conditions& c) {
  if (!target.node) return fail(request, Status(Errc::kNotFound, "no such resource"));
  if (target.is_virtual()) return fail(request, shared_collection_read_only());
  if (Status s = require_write(dav, request, target.node->id); !s.is_ok()) {
    return fail(request, s);
  }
  if (auto refused = check_write(dav, request, c, target, false, false)) {
    return std::move(*refused);
  }
  auto body = read_xml_body(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto updates = dav::parse_proppatch(*body);
  if (!updates.is_ok()) return fail(request, updates.status());

  // Live properties are protected (RFC 4918 §9.2): one of them fails the whole request.
  bool refused = false;
  for (const auto& u : *updates) {
    if (is_live(u.name) || u.xml.size() > kMaxPropertyBytes) refused = true;
  }
  // Past the bounds of a node or the owner's quota: every property set is 507 (RFC 4918
  // §9.2.1), nothing is stored.
  bool no_room = false;
  if (!refused) {
    std::vector<meta::PropertyChange> changes;
    for (const auto& u : *updates) changes.push_back({u.name.ns, u.name.name, u.xml});
    Status s = dav.ctx.catalog.properties().patch(target.tree.owner_id, target.node->id, changes);
    no_room = s.code() == Errc::kQuotaExceeded;
    if (!s.is_ok() && !no_room) return fail(request, s);
    refused = no_room;
  }
  std::string out = "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>" +
                    xml_escape(dav_href(target.path.mount, target.path.segments,
                                        target.node->kind == NodeKind::kFolder)) +
                    "</D:href>";
  std::set<PropertyName> seen;
  for (const auto& u : *updates) {
    if (!seen.insert(u.name).second) continue;
    int code = 200;
    if (refused) {
      const bool too_big = u.xml.size() > kMaxPropertyBytes || (no_room && !u.xml.empty());
      code = is_live(u.name) ? 403 : too_big ? 507 : 424;
    }
    out += "<D:propstat><D:prop>" + empty_element(u.name) + "</D:prop><D:status>" +
           status_line(code) + "</D:status></D:propstat>";
  }
  out += "</D:response></D:multistatus>";
  return xml_response(207, std::move(out));
}

Response dav_mkcol(DavState& dav, Request& request, const Target& target, const Conditions& c) {
  if (target.is_virtual()) return fail(request, shared_collection_read_only());
  if (target.path.is_root() || target.node) {
    return fail(request, Status(Errc::kMethodNotAllowed, "the resource exists"));
  }
  if (has_body(request)) {
    return fail(request, Status(Errc::kUnsupportedMediaType, "MKCOL with a body is not supported"));
  }
  auto parent = parent_folder(dav, request, target.path);
  if (!parent.is_ok()) return fail(request, parent.status());
  if (auto refused = check_write(dav, request, c, target, false, true)) {
    return std::move(*refused);
  }
  auto folder = dav.ctx.files.create_folder(request.user_id, parent->id, target.path.name());
  if (!folder.is_ok()) return fail(request, folder.status());
  Response response = empty_response(201);
  response.set_header("OC-FileId", oc_id(folder->id));
  response.set_header("Location", dav_href(target.path.mount, target.path.segments, true));
  return response;
}

Response dav_get(DavState& dav, Request& request, const Target& target) {
  if (!target.node) return fail(request, Status(Errc::kNotFound, "no such resource"));
  if (target.node->kind == NodeKind::kFolder) {
    // Browsers get a plain list of the members; DAV clients use PROPFIND.
    auto members =
        members_of(dav, request.user_id, *target.node, target.path.segments, target.tree, false);
    if (!members.is_ok()) return fail(request, members.status());
    Response response;
    for (const Listed& m : *members) {
      response.body += m.segments.back() + (m.node.kind == NodeKind::kFolder ? "/\n" : "\n");
    }
    response.set_header("Content-Type", "text/plain; charset=utf-8");
    response.set_header("Cache-Control", "no-store");
    if (request.method == "HEAD") {
      response.content_length = response.body.size();
      response.body.clear();
    }
    return response;
  }
  // ownCloud's clients ask for a file's thumbnail as the file's URL with ?preview=1.
  if (const auto preview = query_param(request, "preview"); preview && *preview == "1") {
    return preview_of(dav.ctx, request, *target.node);
  }
  ContentOptions options;
  options.etag = dav_etag(*target.node);
  return send_content(dav.ctx, request, *target.node, options);
}

// What a PUT of `size` bytes (when known) at `target` decides before its body is read: the
// target, the request's conditions and locks, and the sync-client headers (X-OC-Mtime,
// OC-Checksum). The request's own body, or one a sync client assembled from parts or sent in
// a bulk upload (api/dav_uploads.h). Either the upload to make or the response refusing it.
std::variant<DavPreparedPut, Response> prepare_put(DavState& dav, Request& request,
                                                   const Target& target, const Conditions& c,
                                                   std::optional<uint64_t> size) {
  if (target.is_virtual()) return fail(request, shared_collection_read_only());
  if (target.path.is_root() || (target.node && target.node->kind == NodeKind::kFolder)) {
    return fail(request, Status(Errc::kMethodNotAllowed, "PUT on a collection"));
  }
  if (target.is_share_top() && target.node) {
    // Its parent is the owner's, out of the recipient's reach (as over REST, which uploads
    // into a folder).
    return fail(request, Status(Errc::kForbidden,
                                "a file shared with you on its own can be read, not replaced"));
  }
  if (!request.header("Content-Range").empty()) {
    return fail(request, Status(Errc::kInvalidArgument, "partial PUT is not supported"));
  }
  auto parent = parent_folder(dav, request, target.path);
  if (!parent.is_ok()) return fail(request, parent.status());
  if (auto refused = check_write(dav, request, c, target, false, !target.node)) {
    return std::move(*refused);
  }
  auto digest = declared_sha256(request.header("Content-SHA256"), request.header("Digest"),
                                request.header("Repr-Digest"));
  if (!digest.is_ok()) return fail(request, digest.status());
  auto client_digest = oc_checksum(request.header("OC-Checksum"));
  if (!client_digest.is_ok()) return fail(request, client_digest.status());
  if (client_digest->sha256) {
    if (*digest && **digest != *client_digest->sha256) {
      return fail(request, Status(Errc::kInvalidArgument, "the declared checksums disagree"));
    }
    *digest = std::move(client_digest->sha256);
  }
  auto client_mtime = oc_mtime(request.header("X-OC-Mtime"));
  if (!client_mtime.is_ok()) return fail(request, client_mtime.status());
  DavPreparedPut put;
  put.upload.owner_id = request.user_id;
  put.upload.parent_id = parent->id;
  put.upload.name = target.path.name();
  put.upload.expected_sha256 = *digest;
  put.upload.expected_sha1 = std::move(client_digest->sha1);
  put.upload.expected_size = size;
  put.upload.modified = *client_mtime;
  // The conditions checked above must still hold when the upload commits: it replaces exactly
  // what they were checked on, or nothing (without conditions the last write wins).
  if (has_write_conditions(request) || c.if_header) {
    if (target.node) {
      put.upload.precondition.current_version = target.node->version_id;
    } else {
      put.upload.precondition.absent = true;
    }
  }
  put.created = !target.node;
  put.location = dav_href(target.path.mount, target.path.segments, false);
  put.mtime_accepted = client_mtime->has_value();
  return put;
}

// Uploads `body` as `prepared` says, or answers its refusal.
Response put_prepared(DavState& dav, Request& request,
                      std::variant<DavPreparedPut, Response>&& prepared, ByteSource& body) {
  if (auto* refused = std::get_if<Response>(&prepared)) return std::move(*refused);
  DavPreparedPut& put = std::get<DavPreparedPut>(prepared);
  put.upload.body = &body;
  auto node = dav.ctx.files.upload(put.upload);
  if (!node.is_ok()) return fail(request, node.status());
  return dav_put_response(put, *node);
}

Response dav_put(DavState& dav, Request& request, const Target& target, const Conditions& c) {
  return put_prepared(dav, request,
                      prepare_put(dav, request, target, c, request.body->content_length()),
                      *request.body);
}

// prepare_put at the URL `url` (under a mount), for a body that is not the request's.
std::variant<DavPreparedPut, Response> prepare_at(DavState& dav, Request& request,
                                                  std::string_view url,
                                                  std::optional<uint64_t> size) {
  auto path = parse_dav_url(url);
  if (!path.is_ok()) return fail(request, path.status());
  auto target = resolve(dav, request, std::move(*path));
  if (!target.is_ok()) return fail(request, target.status());
  auto conditions = conditions_of(request);
  if (!conditions.is_ok()) return fail(request, conditions.status());
  return prepare_put(dav, request, *target, *conditions, size);
}

Response dav_delete(DavState& dav, Request& request, const Target& target, const Conditions& c) {
  if (!target.node) return fail(request, Status(Errc::kNotFound, "no such resource"));
  if (target.path.is_root()) {
    return fail(request, Status(Errc::kForbidden, "the root collection cannot be deleted"));
  }
  if (target.is_virtual()) return fail(request, shared_collection_read_only());
  if (target.is_share_top()) return fail(request, share_top_is_the_owners());
  if (auto refused = check_write(dav, request, c, target, true, true)) {
    return std::move(*refused);
  }
  Status s = dav.ctx.files.remove(request.principal, origin_of(request), target.node->id);
  if (!s.is_ok()) return fail(request, s);
  dav.locks.release_subtree(target.tree.owner_id, target.lock_path());
  return empty_response(204);
}

// Copies the dead properties of a copied tree, node by node (matched by name).
Status copy_properties(DavState& dav, const Request& request, int64_t owner_id, const Node& from,
                       const Node& to, bool deep) {
  COFFER_RETURN_IF_ERROR(dav.ctx.catalog.properties().copy(owner_id, from.id, to.id));
  if (!deep || from.kind != NodeKind::kFolder) return Status::ok();
  auto sources = all_children(dav, request.user_id, from.id);
  COFFER_RETURN_IF_ERROR(sources);
  auto copies = all_children(dav, request.user_id, to.id);
  COFFER_RETURN_IF_ERROR(copies);
  std::map<std::string, const Node*> by_name;
  for (const Node& n : *copies) by_name[n.name] = &n;
  for (const Node& source : *sources) {
    auto it = by_name.find(source.name);
    if (it == by_name.end()) continue;
    COFFER_RETURN_IF_ERROR(copy_properties(dav, request, owner_id, source, *it->second, true));
  }
  return Status::ok();
}

Response dav_copy_move(DavState& dav, Request& request, const Target& source, const Conditions& c) {
  const bool move = request.method == "MOVE";
  if (!source.node) return fail(request, Status(Errc::kNotFound, "no such resource"));
  if (source.is_virtual()) return fail(request, shared_collection_read_only());
  if (move && source.is_share_top()) return fail(request, share_top_is_the_owners());
  std::string_view destination_header = request.header("Destination");
  if (destination_header.empty()) {
    return fail(request, Status(Errc::kInvalidArgument, "Destination is required"));
  }
  auto destination_path = parse_dav_url(destination_header);
  if (!destination_path.is_ok()) {
    if (destination_path.status().code() == Errc::kForbidden) {
      // RFC 4918 §9.8.5: a destination on another server is 502.
      return fail(request, Status(Errc::kForbidden, "the Destination is outside the WebDAV tree"));
    }
    return fail(request, destination_path.status());
  }
  std::string_view depth = trim_whitespace(request.header("Depth"));
  bool deep = true;
  if (depth == "0" && !move) {
    deep = false;
  } else if (!depth.empty() && depth != "infinity" && depth != "Infinity") {
    return fail(request, Status(Errc::kInvalidArgument, move ? "MOVE needs Depth infinity"
                                                             : "Depth must be 0 or infinity"));
  }
  std::string_view overwrite_header = trim_whitespace(request.header("Overwrite"));
  if (!overwrite_header.empty() && overwrite_header != "T" && overwrite_header != "F") {
    return fail(request, Status(Errc::kInvalidArgument, "Overwrite must be T or F"));
  }
  const bool overwrite = overwrite_header != "F";
  if (source.path.is_root() || destination_path->is_root()) {
    return fail(request, Status(Errc::kForbidden, "the root collection cannot be copied or moved"));
  }
  const std::string from = source.path.path();
  const std::string to = destination_path->path();
  if (from == to) {
    return fail(request, Status(Errc::kForbidden, "the source and destination are the same"));
  }
  if (source.node->kind == NodeKind::kFolder && dav::path_within(to, from)) {
    return fail(request, Status(Errc::kForbidden, "a collection cannot go inside itself"));
  }
  auto destination = resolve(dav, request, std::move(*destination_path));
  if (!destination.is_ok()) return fail(request, destination.status());
  if (destination->is_virtual()) return fail(request, shared_collection_read_only());
  auto parent = parent_folder(dav, request, destination->path);
  if (!parent.is_ok()) return fail(request, parent.status());
  if (destination->tree.owner_id != source.tree.owner_id) {
    // Checked before an overwritten destination goes to the trash; FileService refuses too.
    return fail(request, Status(Errc::kConflict,
                                "moving or copying between your files and files shared with you "
                                "is not supported: download and upload instead"));
  }
  if (destination->node && !overwrite) {
    return fail(request, Status(Errc::kPreconditionFailed, "the destination exists"));
  }
  if (move) {
    if (auto refused = check_write(dav, request, c, source, true, true)) {
      return std::move(*refused);
    }
  } else if (!if_allows(dav, c, source)) {
    return fail(request, Status(Errc::kPreconditionFailed, "the If header is false"));
  }
  if (auto refused = check_locks(dav, request, c, *destination, true, true)) {
    return std::move(*refused);
  }
  // One transaction puts what has the destination's name in the trash (Overwrite: T) and
  // moves or copies the source there: one that fails changes nothing.
  const auto transfer = move ? meta::Transfer::kMove
                        : deep || source.node->kind == NodeKind::kFile
                            ? meta::Transfer::kCopy
                            : meta::Transfer::kCopyFolderAlone;
  auto placed =
      dav.ctx.files.transfer(request.principal, origin_of(request), transfer, source.node->id,
                             parent->id, destination->path.name(), overwrite);
  if (!placed.is_ok()) {
    if (!overwrite && placed.status().code() == Errc::kNameConflict) {
      return fail(request, Status(Errc::kPreconditionFailed, "the destination exists"));
    }
    return fail(request, placed.status());
  }
  if (move) {
    dav.locks.release_subtree(source.tree.owner_id, source.lock_path());
  } else {
    Status s = copy_properties(dav, request, source.tree.owner_id, *source.node, placed->node,
                               transfer == meta::Transfer::kCopy);
    if (!s.is_ok()) return fail(request, s);
  }
  const bool existed = placed->previous.has_value();
  Response response = empty_response(existed ? 204 : 201);
  if (!existed) {
    response.set_header("Location", dav_href(destination->path.mount, destination->path.segments,
                                             source.node->kind == NodeKind::kFolder));
  }
  return response;
}

Response lock_response(int status, const Lock& lock, const DavTree& tree, std::string_view mount) {
  Response response =
      xml_response(status, "<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>" +
                               activelock_xml(lock, tree, mount) + "</D:lockdiscovery></D:prop>");
  response.set_header("Lock-Token", "<" + lock.token + ">");
  return response;
}

Response dav_lock(DavState& dav, Request& request, const Target& target, const Conditions& c) {
  const int64_t timeout = dav::parse_timeout(request.header("Timeout"));
  auto body = read_xml_body(request);
  if (!body.is_ok()) return fail(request, body.status());
  const std::string path = target.lock_path();
  const Micros now = now_micros();
  if (body->find_first_not_of(" \t\r\n") == std::string::npos) {
    // A refresh (RFC 4918 §9.10.2): the If header names the lock.
    if (!target.node) return fail(request, Status(Errc::kNotFound, "no such resource"));
    for (const std::string& token : c.tokens) {
      auto lock = dav.locks.refresh(target.tree.owner_id, path, token, timeout, now);
      if (lock.is_ok()) return lock_response(200, *lock, target.tree, target.path.mount);
    }
    return precondition_response(request, 412, "lock-token-matches-request-uri");
  }
  auto info = dav::parse_lockinfo(*body);
  if (!info.is_ok()) return fail(request, info.status());
  if (target.is_virtual()) return fail(request, shared_collection_read_only());
  std::string_view depth = trim_whitespace(request.header("Depth"));
  bool infinite = true;
  if (depth == "0") {
    infinite = false;
  } else if (!depth.empty() && depth != "infinity" && depth != "Infinity") {
    return fail(request, Status(Errc::kInvalidArgument, "Depth must be 0 or infinity"));
  }
  if (!if_allows(dav, c, target)) {
    return fail(request, Status(Errc::kPreconditionFailed, "the If header is false"));
  }
  std::optional<Node> parent;
  if (!target.node) {
    auto p = parent_folder(dav, request, target.path);
    if (!p.is_ok()) return fail(request, p.status());
    parent = std::move(*p);
  }
  // A lock binds the owner too: a read-only recipient may not take one.
  if (Status s = require_write(dav, request, target.node ? target.node->id : parent->id);
      !s.is_ok()) {
    return fail(request, s);
  }
  auto lock = dav.locks.lock(target.tree.owner_id, path, info->exclusive, infinite,
                             std::move(info->owner_xml), timeout, now);
  if (!lock.is_ok()) {
    if (lock.status().code() != Errc::kConflict) return fail(request, lock.status());
    return precondition_response(request, 423, "no-conflicting-lock");
  }
  if (target.node) return lock_response(200, *lock, target.tree, target.path.mount);
  // RFC 4918 §7.3: locking an unmapped URL creates an empty resource.
  EmptySource empty;
  service::UploadRequest upload;
  upload.owner_id = request.user_id;
  upload.parent_id = parent->id;
  upload.name = target.path.name();
  upload.body = &empty;
  // Only where nothing is: a file another client put there meanwhile keeps its content (and
  // is now locked, as an existing resource is).
  upload.precondition.absent = true;
  auto node = dav.ctx.files.upload(upload);
  if (!node.is_ok() && node.status().code() == Errc::kPreconditionFailed) {
    return lock_response(200, *lock, target.tree, target.path.mount);
  }
  if (!node.is_ok()) {
    (void)dav.locks.unlock(target.tree.owner_id, path, lock->token, now);
    return fail(request, node.status());
  }
  return lock_response(201, *lock, target.tree, target.path.mount);
}

Response dav_unlock(DavState& dav, Request& request, const Target& target) {
  std::string_view header = trim_whitespace(request.header("Lock-Token"));
  if (header.size() < 2 || header.front() != '<' || header.back() != '>') {
    return fail(request, Status(Errc::kInvalidArgument, "Lock-Token must be <token>"));
  }
  // Releasing a lock changes what the owner may write: as taking one, it needs write access.
  if (target.is_virtual()) return fail(request, shared_collection_read_only());
  if (target.node) {
    if (Status s = require_write(dav, request, target.node->id); !s.is_ok()) {
      return fail(request, s);
    }
  }
  Status s = dav.locks.unlock(target.tree.owner_id, target.lock_path(),
                              header.substr(1, header.size() - 2), now_micros());
  if (!s.is_ok()) return precondition_response(request, 409, "lock-token-matches-request-uri");
  return empty_response(204);
}

Response dav_dispatch(DavState& dav, Request& request) {
  const std::string& method = request.method;
  if (method == "OPTIONS") return dav_options(dav, request);
  if (is_dav_upload_target(request.target)) {
    DavPuts puts;
    puts.put = [&dav](Request& r, std::string_view url, ByteSource& body, uint64_t size) {
      return put_prepared(dav, r, prepare_at(dav, r, url, size), body);
    };
    puts.prepare = [&dav](Request& r, std::string_view url, uint64_t size) {
      return prepare_at(dav, r, url, size);
    };
    return serve_dav_upload(dav.ctx, request, puts);
  }
  auto path = parse_dav_url(request.target);
  if (!path.is_ok()) return fail(request, path.status());
  auto target = resolve(dav, request, std::move(*path));
  if (!target.is_ok()) return fail(request, target.status());
  auto conditions = conditions_of(request);
  if (!conditions.is_ok()) return fail(request, conditions.status());
  const Conditions& c = *conditions;
  if (method == "GET" || method == "HEAD") {
    if (!if_allows(dav, c, *target)) {
      return fail(request, Status(Errc::kPreconditionFailed, "the If header is false"));
    }
    return dav_get(dav, request, *target);
  }
  if (method == "PROPFIND") return dav_propfind(dav, request, *target);
  if (method == "PROPPATCH") return dav_proppatch(dav, request, *target, c);
  if (method == "MKCOL") return dav_mkcol(dav, request, *target, c);
  if (method == "PUT") return dav_put(dav, request, *target, c);
  if (method == "DELETE") return dav_delete(dav, request, *target, c);
  if (method == "COPY" || method == "MOVE") return dav_copy_move(dav, request, *target, c);
  if (method == "LOCK") return dav_lock(dav, request, *target, c);
  if (method == "UNLOCK") return dav_unlock(dav, request, *target);
  Response response = fail(request, Status(Errc::kMethodNotAllowed, "method not allowed here"));
  response.set_header("Allow", std::string(kAllow));
  return response;
}

}  // namespace

Response dav_put_response(const DavPreparedPut& put, const Node& node) {
  Response response = empty_response(put.created ? 201 : 204);
  response.set_header("ETag", dav_etag(node));
  // What the sync clients record after an upload; without the file id they look it up.
  response.set_header("OC-ETag", dav_etag(node));
  response.set_header("OC-FileId", oc_id(node.id));
  if (put.mtime_accepted) response.set_header("X-OC-MTime", "accepted");
  if (put.created) response.set_header("Location", put.location);
  return response;
}

RouteHandler make_dav_handler(ApiContext& context, DavOptions options) {
  auto state = std::make_shared<DavState>(context, options);
  return [state](Request& request) { return dav_dispatch(*state, request); };
}

// The root itself is no collection; /dav/ is.
Response dav_discovery_options() { return options_response("OPTIONS"); }

bool is_dav_read_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PROPFIND";
}

}  // namespace coffer::api
