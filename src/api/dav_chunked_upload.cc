// Chunked uploads of the sync clients at /remote.php/dav/uploads/{user}/ (Nextcloud's
// chunking NG, which the desktop clients 3.x speak, and v2): a collection per upload, a member
// per part, and MOVE {upload}/.file to the file's URL to assemble them. The domain is
// service::ChunkedUploads; this file maps the WebDAV methods onto it.

#include <boost/url/parse.hpp>
#include <charconv>

#include "api/dav_paths.h"
#include "api/dav_uploads.h"
#include "api/errors.h"
#include "api/http_headers.h"
#include "dav/xml_writer.h"

namespace coffer::api {
namespace {

constexpr std::string_view kAllowUpload = "OPTIONS, PROPFIND, MKCOL, PUT, DELETE, MOVE";
constexpr std::string_view kAssembledName = ".file";

// /remote.php/dav/uploads/{user}/{upload}/{part}, decoded; empty strings for what is absent.
struct UploadPath {
  std::string user;
  std::string upload;
  std::string part;
  std::string href_base;  // "/remote.php/dav/uploads/{user}/", encoded as the client sent it
};

Result<UploadPath> parse_upload_path(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return Status(Errc::kInvalidArgument, "malformed request target");
  std::vector<std::string> segments;
  for (auto segment : url->segments()) {
    if (!segment.empty()) segments.push_back(std::string(segment));
  }
  // remote.php, dav, uploads, then up to three more.
  if (segments.size() < 4 || segments.size() > 6) {
    return Status(Errc::kNotFound, "name your user: /remote.php/dav/uploads/{user}/{upload}");
  }
  UploadPath out;
  out.user = segments[3];
  if (segments.size() > 4) out.upload = segments[4];
  if (segments.size() > 5) out.part = segments[5];
  out.href_base = "/remote.php/dav/uploads/";
  append_dav_segment(out.href_base, out.user);
  out.href_base += '/';
  return out;
}

std::optional<uint64_t> header_length(const Request& request, std::string_view name) {
  std::string_view value = trim_whitespace(request.header(name));
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
    return std::nullopt;
  }
  return n;
}

Response empty_response(int status) {
  Response response;
  response.status = status;
  return response;
}

Response method_not_allowed(const Request& request, std::string_view why) {
  Response response = fail(request, Status(Errc::kMethodNotAllowed, std::string(why)));
  response.set_header("Allow", std::string(kAllowUpload));
  return response;
}

// One <D:response> of a PROPFIND answer: the properties the clients ask for when they resume
// (resourcetype, getcontentlength) and a few a generic WebDAV client shows.
void append_entry(std::string& out, const std::string& href, bool collection, uint64_t size,
                  Micros modified) {
  out += "<D:response><D:href>";
  dav::append_xml_escaped(out, href);
  out += "</D:href><D:propstat><D:prop>";
  out += collection ? "<D:resourcetype><D:collection/></D:resourcetype>" : "<D:resourcetype/>";
  if (!collection) out += "<D:getcontentlength>" + std::to_string(size) + "</D:getcontentlength>";
  out += "<D:getlastmodified>" + http_date(modified / 1'000'000) + "</D:getlastmodified>";
  out += "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>";
}

Response propfind(ApiContext& ctx, Request& request, const UploadPath& path) {
  service::ChunkedUploads& uploads = *ctx.chunked_uploads;
  std::string_view depth = trim_whitespace(request.header("Depth"));
  const bool members = depth != "0";
  std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">";
  if (path.upload.empty()) {
    append_entry(body, path.href_base, true, 0, now_micros());
    if (members) {
      auto all = uploads.list(request.user_id);
      if (!all.is_ok()) return fail(request, all.status());
      for (const auto& u : *all) {
        std::string href = path.href_base;
        append_dav_segment(href, u.transfer);
        append_entry(body, href + "/", true, 0, u.created);
      }
    }
  } else {
    auto upload = uploads.get(request.user_id, path.upload);
    if (!upload.is_ok()) return fail(request, upload.status());
    auto parts = uploads.parts(request.user_id, path.upload);
    if (!parts.is_ok()) return fail(request, parts.status());
    std::string base = path.href_base;
    append_dav_segment(base, path.upload);
    base += '/';
    bool found = path.part.empty();
    if (path.part.empty()) append_entry(body, base, true, 0, upload->created);
    for (const auto& part : *parts) {
      if (!path.part.empty() ? part.name != path.part : !members) continue;
      std::string href = base;
      append_dav_segment(href, part.name);
      append_entry(body, href, false, part.size, part.modified);
      found = true;
    }
    if (!found) return fail(request, Status(Errc::kNotFound, "no such part"));
  }
  body += "</D:multistatus>";
  Response response;
  response.status = 207;
  response.body = std::move(body);
  response.set_header("Content-Type", "application/xml; charset=utf-8");
  response.set_header("Cache-Control", "no-store");
  return response;
}

Response assemble(ApiContext& ctx, Request& request, const UploadPath& path, const DavPutAt& put) {
  std::string_view destination = request.header("Destination");
  if (destination.empty()) {
    return fail(request, Status(Errc::kInvalidArgument, "Destination is required"));
  }
  std::optional<uint64_t> total;
  if (!request.header("OC-Total-Length").empty()) {
    total = header_length(request, "OC-Total-Length");
    if (!total) {
      return fail(request, Status(Errc::kInvalidArgument, "OC-Total-Length must be a number"));
    }
  }
  auto assembled = ctx.chunked_uploads->assemble(request.user_id, path.upload, total);
  if (!assembled.is_ok()) return fail(request, assembled.status());
  Response response = put(request, destination, *assembled->body, assembled->size);
  if (response.status / 100 == 2) {
    // The file is committed; a client that lost the answer finds it at its URL, not here.
    (void)ctx.chunked_uploads->remove(request.user_id, path.upload);
  }
  return response;
}

}  // namespace

Response serve_chunked_upload(ApiContext& ctx, Request& request, const DavPutAt& put) {
  if (!ctx.chunked_uploads) {
    return fail(request, Status(Errc::kUnavailable, "chunked uploads are not offered here"));
  }
  auto path = parse_upload_path(request.target);
  if (!path.is_ok()) return fail(request, path.status());
  auto user = ctx.catalog.find_user(request.user_id);
  if (!user.is_ok()) return fail(request, user.status());
  if (user->username != path->user) {
    return fail(request,
                Status(Errc::kNotFound, "no such upload space: use your own user name in the URL"));
  }
  service::ChunkedUploads& uploads = *ctx.chunked_uploads;
  const std::string& method = request.method;
  if (method == "PROPFIND") return propfind(ctx, request, *path);
  if (path->upload.empty()) return method_not_allowed(request, "name an upload below your space");
  if (method == "MKCOL") {
    if (!path->part.empty()) return method_not_allowed(request, "parts are files");
    std::optional<uint64_t> total;
    if (!request.header("OC-Total-Length").empty()) {
      total = header_length(request, "OC-Total-Length");
      if (!total) {
        return fail(request, Status(Errc::kInvalidArgument, "OC-Total-Length must be a number"));
      }
    }
    Status s = uploads.begin(request.user_id, path->upload, total);
    if (s.code() == Errc::kAlreadyExists) return method_not_allowed(request, s.message());
    if (!s.is_ok()) return fail(request, s);
    return empty_response(201);
  }
  if (method == "PUT") {
    if (path->part.empty()) return method_not_allowed(request, "PUT the parts into the upload");
    auto part = uploads.put_part(request.user_id, path->upload, path->part, *request.body,
                                 request.body->content_length());
    if (!part.is_ok()) return fail(request, part.status());
    return empty_response(201);
  }
  if (method == "DELETE") {
    Status s = path->part.empty() ? uploads.remove(request.user_id, path->upload)
                                  : uploads.remove_part(request.user_id, path->upload, path->part);
    if (!s.is_ok()) return fail(request, s);
    return empty_response(204);
  }
  if (method == "MOVE") {
    if (path->part != kAssembledName) {
      return method_not_allowed(request, "MOVE {upload}/.file to the file's URL");
    }
    return assemble(ctx, request, *path, put);
  }
  return method_not_allowed(request, "parts cannot be read back; MOVE .file to assemble them");
}

Response serve_dav_upload(ApiContext& ctx, Request& request, const DavPuts& puts) {
  if (is_dav_bulk_target(request.target)) return serve_bulk_upload(ctx, request, puts.prepare);
  return serve_chunked_upload(ctx, request, puts.put);
}

}  // namespace coffer::api
