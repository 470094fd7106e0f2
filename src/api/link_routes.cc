// The public side of share links: /s/{token}... needs no account. Every token that does not
// lead to a usable link (unknown, disabled, expired, exhausted, or its node deleted) gets the
// same 404, so the answers are no oracle. A link's password is presented once to
// POST /s/{token}/unlock, which answers with a short-lived access token, also set as a cookie
// scoped to the link's path, so the password never travels in a URL.

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/content_response.h"
#include "api/cookies.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"
#include "api/web_ui.h"
#include "api/zip_response.h"
#include "core/name_rules.h"
#include "service/zip_export.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr int64_t kUnlockSeconds = 3600;
constexpr std::string_view kAccessCookie = "coffer_link";
constexpr std::string_view kAccessHeader = "X-Link-Access";
constexpr uint32_t kPageSize = 200;

std::string token_of(const Request& request) { return std::string(request.path_param("token")); }

// The access token a visitor presents after unlocking: the header, else the cookie.
std::string presented_access(const Request& request) {
  std::string_view header = request.header(kAccessHeader);
  if (!header.empty()) return std::string(header);
  auto cookie = cookie_value(request.header("Cookie"), kAccessCookie);
  return cookie ? std::string(*cookie) : std::string();
}

// The link of the request, unlocked. Errors: kNotFound, kLinkPasswordRequired.
Result<service::OpenedLink> open_unlocked(ApiContext& ctx, const Request& request) {
  auto opened = ctx.shares.open_link(token_of(request));
  COFFER_RETURN_IF_ERROR(opened);
  if (!ctx.shares.unlocked(opened->link, presented_access(request))) {
    return Status(Errc::kLinkPasswordRequired, "this link has a password");
  }
  return opened;
}

// A folder link that is not a file drop: only those may be browsed and downloaded from.
Status require_browsable(const service::OpenedLink& opened) {
  if (opened.link.file_drop) {
    return Status(Errc::kForbidden, "this link only accepts uploads");
  }
  return Status::ok();
}

json::object public_node_json(const Node& node) {
  json::object o{{"id", node.id},
                 {"name", node.name},
                 {"kind", node.kind == NodeKind::kFile ? "file" : "folder"},
                 {"modified", rfc3339(node.modified)}};
  if (node.kind == NodeKind::kFile) {
    o["size"] = node.size;
    o["mime"] = node.mime;
  }
  return o;
}

Response link_metadata(ApiContext& ctx, Request& request) {
  auto opened = ctx.shares.open_link(token_of(request));
  if (!opened.is_ok()) return fail(request, opened.status());
  const ShareLink& link = opened->link;
  if (!ctx.shares.unlocked(link, presented_access(request))) {
    return fail(request, Status(Errc::kLinkPasswordRequired, "this link has a password"));
  }
  (void)ctx.shares.count_view(link);
  json::object o = public_node_json(opened->node);
  o["file_drop"] = link.file_drop;
  o["has_password"] = !link.password_hash.empty();
  o["expires_at"] = link.expires ? json::value(rfc3339(*link.expires)) : json::value(nullptr);
  if (link.max_downloads) {
    o["downloads_left"] = *link.max_downloads - link.downloads;
  } else {
    o["downloads_left"] = nullptr;
  }
  return json_response(200, o);
}

// GET /s/{token}: a browser's navigation gets the web UI, which renders the public page from
// link_metadata's JSON (and says "not available" for a dead link, so it is no oracle either);
// scripts get the link's metadata. Caches must keep the two apart (Vary: Accept).
Response link_info(ApiContext& ctx, Request& request) {
  if (prefers_html(request.header("Accept"))) {
    if (auto page = serve_web_ui(request, "/index.html")) {
      page->set_header("Vary", "Accept, Accept-Encoding");
      return std::move(*page);
    }
  }
  Response response = link_metadata(ctx, request);
  response.set_header("Vary", "Accept");
  return response;
}

Response unlock(ApiContext& ctx, Request& request) {
  auto opened = ctx.shares.open_link(token_of(request));
  if (!opened.is_ok()) return fail(request, opened.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto password = optional_string(*body, "password");
  if (!password.is_ok()) return fail(request, password.status());
  if (!*password) return fail(request, Status(Errc::kInvalidArgument, "password is required"));
  auto access = ctx.shares.unlock(opened->link, **password, request.remote_address, kUnlockSeconds);
  if (!access.is_ok()) return fail(request, access.status());
  auto response =
      json_response(200, json::object{{"access_token", *access}, {"expires_in", kUnlockSeconds}});
  CookieOptions cookie;
  cookie.path = "/s/" + token_of(request);
  cookie.max_age_seconds = kUnlockSeconds;
  cookie.secure = ctx.secure_cookies;
  response.add_header("Set-Cookie", set_cookie(kAccessCookie, *access, cookie));
  response.set_header("Cache-Control", "no-store");
  return response;
}

// Downloads count once per transfer: a response that sends the file from its first byte (the
// whole file, or a range from byte 0) starts one and counts; a range after the first byte (a
// resumed download) does not, nor does a response without the file's bytes (HEAD, 304, 412,
// 416). The bytes actually sent decide, after Range and If-Range were interpreted, never the
// spelling of the header: a range the server ignores or a stale If-Range serves the whole file,
// and counts.
Response send_link_file(ApiContext& ctx, Request& request, const service::OpenedLink& opened,
                        const Node& file) {
  if (file.kind != NodeKind::kFile) return fail(request, Status(Errc::kNotFound, "not a file"));
  ContentOptions options;
  options.inline_requested = query_param(request, "disposition").value_or("") == "inline";
  options.before_body = [&ctx, &opened](uint64_t first, uint64_t /*length*/) -> Status {
    return first == 0 ? ctx.shares.count_download(opened.link) : Status::ok();
  };
  return send_content(ctx, request, file, options);
}

Response link_content(ApiContext& ctx, Request& request) {
  auto opened = open_unlocked(ctx, request);
  if (!opened.is_ok()) return fail(request, opened.status());
  return send_link_file(ctx, request, *opened, opened->node);
}

Response link_file_content(ApiContext& ctx, Request& request) {
  auto opened = open_unlocked(ctx, request);
  if (!opened.is_ok()) return fail(request, opened.status());
  if (Status s = require_browsable(*opened); !s.is_ok()) return fail(request, s);
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto file = ctx.shares.node_in_link(*opened, *id);
  if (!file.is_ok()) return fail(request, file.status());
  return send_link_file(ctx, request, *opened, *file);
}

// GET /s/{token}/children?parent_id=&cursor=: one page of a folder of the link, by name.
Response link_children(ApiContext& ctx, Request& request) {
  auto opened = open_unlocked(ctx, request);
  if (!opened.is_ok()) return fail(request, opened.status());
  if (Status s = require_browsable(*opened); !s.is_ok()) return fail(request, s);
  int64_t folder_id = opened->node.id;
  if (auto parent = query_param(request, "parent_id")) {
    auto id = parse_id(*parent, Errc::kInvalidArgument);
    if (!id.is_ok()) return fail(request, id.status());
    folder_id = *id;
  }
  auto folder = ctx.shares.node_in_link(*opened, folder_id);
  if (!folder.is_ok()) return fail(request, folder.status());
  if (folder->kind != NodeKind::kFolder) {
    return fail(request, Status(Errc::kConflict, "not a folder"));
  }
  ListOptions options;
  options.limit = kPageSize + 1;
  if (auto cursor = query_param(request, "cursor"); cursor && !cursor->empty()) {
    // The cursor is the id and name of the last entry; folders sort first, so a file cursor
    // marks the end of the folders.
    auto id = parse_id(*cursor, Errc::kInvalidArgument);
    if (!id.is_ok()) return fail(request, id.status());
    auto last = ctx.shares.node_in_link(*opened, *id);
    if (!last.is_ok()) return fail(request, Status(Errc::kInvalidArgument, "invalid cursor"));
    options.after = *last;
  }
  auto children = ctx.files.list(opened->link.owner_id, folder->id, options);
  if (!children.is_ok()) return fail(request, children.status());
  const bool more = children->size() > kPageSize;
  if (more) children->resize(kPageSize);
  json::array items;
  for (const Node& child : *children) items.push_back(public_node_json(child));
  json::object out{{"folder", public_node_json(*folder)}, {"items", std::move(items)}};
  out["next_cursor"] =
      more ? json::value(std::to_string(children->back().id)) : json::value(nullptr);
  return json_response(200, out);
}

// PUT /s/{token}/files/{name}: a visitor's upload into a file-drop folder. The file is the
// link owner's (and counts against their quota). A visitor never replaces what is there: a
// taken name gets a free variant ("report (2).pdf").
Response link_upload(ApiContext& ctx, Request& request) {
  auto opened = open_unlocked(ctx, request);
  if (!opened.is_ok()) return fail(request, opened.status());
  if (!opened->link.file_drop) {
    return fail(request, Status(Errc::kForbidden, "this link does not accept uploads"));
  }
  service::UploadRequest upload;
  upload.owner_id = opened->link.owner_id;
  upload.parent_id = opened->node.id;
  upload.name = std::string(request.path_param("name"));
  upload.precondition.keep_both = true;  // the free name is chosen where the file is committed
  upload.body = request.body;
  upload.expected_size = request.body->content_length();
  auto node = ctx.files.upload(upload);
  if (!node.is_ok()) return fail(request, node.status());
  // The visitor learns the name it was stored under, nothing about the folder.
  return json_response(201, json::object{{"name", node->name}, {"size", node->size}});
}

// GET /s/{token}/zip: the whole folder of a folder link as one zip (counts one download).
Response link_zip(ApiContext& ctx, Request& request) {
  auto opened = open_unlocked(ctx, request);
  if (!opened.is_ok()) return fail(request, opened.status());
  if (Status s = require_browsable(*opened); !s.is_ok()) return fail(request, s);
  if (opened->node.kind != NodeKind::kFolder) {
    return fail(request, Status(Errc::kConflict, "not a folder; download /content instead"));
  }
  if (Status s = ctx.shares.count_download(opened->link); !s.is_ok()) return fail(request, s);
  auto stream = service::zip_nodes(ctx.files, opened->link.owner_id, {opened->node.id});
  if (!stream.is_ok()) return fail(request, stream.status());
  return zip_response(std::move(*stream), opened->node.name + ".zip");
}

}  // namespace

void add_link_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/s/{token}", access::kOpenLink, bind_route(ctx, link_info));
  router.add("POST", "/s/{token}/unlock", access::kOpenLink, bind_route(ctx, unlock));
  router.add("GET", "/s/{token}/content", access::kOpenLink, bind_route(ctx, link_content));
  router.add("GET", "/s/{token}/children", access::kOpenLink, bind_route(ctx, link_children));
  router.add("GET", "/s/{token}/files/{id}/content", access::kOpenLink,
             bind_route(ctx, link_file_content));
  router.add("PUT", "/s/{token}/files/{name}", access::kOpenLink, bind_route(ctx, link_upload));
  router.add("GET", "/s/{token}/zip", access::kOpenLink, bind_route(ctx, link_zip));
}

}  // namespace coffer::api
