// Resumable uploads: the tus 1.0 protocol at /api/v1/uploads (https://tus.io/protocols/
// resumable-upload), with the creation, creation-with-upload, creation-defer-length,
// termination, checksum (sha256) and expiration extensions. The headers are the protocol;
// errors still carry the usual JSON body, with the status codes tus prescribes (412 for an
// unsupported version, 409 for a wrong offset, 460 for a checksum mismatch).

#include "api/api_context.h"
#include "api/errors.h"
#include "api/http_headers.h"
#include "api/json_io.h"
#include "api/tus_headers.h"

namespace coffer::api {
namespace {

constexpr std::string_view kTusVersion = "1.0.0";
constexpr std::string_view kTusExtensions =
    "creation,creation-with-upload,creation-defer-length,termination,checksum,expiration";
constexpr std::string_view kOffsetStream = "application/offset+octet-stream";
constexpr int kChecksumMismatchStatus = 460;  // tus checksum extension

Response with_tus(Response response) {
  response.set_header("Tus-Resumable", std::string(kTusVersion));
  return response;
}

Response tus_fail(const Request& request, const Status& status) {
  Response response = error_response(request.request_id, status);
  if (status.code() == Errc::kChecksumMismatch) response.status = kChecksumMismatchStatus;
  return with_tus(std::move(response));
}

Status invalid(std::string message) { return Status(Errc::kInvalidArgument, std::move(message)); }

// Every request but OPTIONS names the protocol version it speaks.
std::optional<Response> version_refused(const Request& request) {
  if (request.header("Tus-Resumable") == kTusVersion) return std::nullopt;
  Response response = tus_fail(
      request,
      Status(Errc::kPreconditionFailed, "Tus-Resumable must be " + std::string(kTusVersion)));
  response.set_header("Tus-Version", std::string(kTusVersion));
  return response;
}

bool is_offset_stream(const Request& request) {
  std::string_view type = trim_whitespace(request.header("Content-Type"));
  const size_t semicolon = type.find(';');
  return trim_whitespace(type.substr(0, semicolon)) == kOffsetStream;
}

bool has_body(const Request& request) {
  auto length = request.body->content_length();
  return length ? *length > 0 : !request.body->finished();
}

std::string upload_location(const meta::UploadRecord& record) {
  return "/api/v1/uploads/" + record.id;
}

// The upload's state headers: offset, length, expiry and, once committed, the file.
void describe(const meta::UploadRecord& record, Response& response) {
  response.set_header("Upload-Offset", std::to_string(record.offset));
  if (record.length) {
    response.set_header("Upload-Length", std::to_string(*record.length));
  } else {
    response.set_header("Upload-Defer-Length", "1");
  }
  if (record.file_id != 0) {
    response.set_header("Coffer-File-Id", std::to_string(record.file_id));
  } else {
    response.set_header("Upload-Expires", http_date(record.expires / 1'000'000));
  }
  response.set_header("Cache-Control", "no-store");
}

Response options(ApiContext& ctx, Request& /*request*/) {
  Response response;
  response.status = 204;
  response.set_header("Tus-Version", std::string(kTusVersion));
  response.set_header("Tus-Extension", std::string(kTusExtensions));
  response.set_header("Tus-Checksum-Algorithm", "sha256");
  if (ctx.uploads) {
    response.set_header("Tus-Max-Size", std::to_string(ctx.uploads->size_limit()));
  }
  return with_tus(std::move(response));
}

// PATCH and creation-with-upload: the request's body appended at `offset`.
Result<meta::UploadRecord> append_body(service::UploadSessions& uploads, Request& request,
                                       const std::string& id, uint64_t offset,
                                       std::optional<uint64_t> length) {
  auto checksum = parse_upload_checksum(request.header("Upload-Checksum"));
  COFFER_RETURN_IF_ERROR(checksum);
  service::AppendRequest append;
  append.owner_id = request.user_id;
  append.id = id;
  append.offset = offset;
  append.body = request.body;
  append.content_length = request.body->content_length();
  append.expected_sha256 = *checksum;
  append.length = length;
  return uploads.append(append);
}

Response create(ApiContext& ctx, service::UploadSessions& uploads, Request& request) {
  auto length = parse_tus_number("Upload-Length", request.header("Upload-Length"));
  if (!length.is_ok()) return tus_fail(request, length.status());
  std::string_view defer = trim_whitespace(request.header("Upload-Defer-Length"));
  if (!defer.empty() && defer != "1")
    return tus_fail(request, invalid("Upload-Defer-Length must be 1"));
  if (length->has_value() == (defer == "1")) {
    return tus_fail(request, invalid("give either Upload-Length or Upload-Defer-Length: 1"));
  }
  if (has_body(request) && !is_offset_stream(request)) {
    return tus_fail(request, Status(Errc::kUnsupportedMediaType,
                                    "a creation body must be application/offset+octet-stream"));
  }
  const std::string metadata_header(trim_whitespace(request.header("Upload-Metadata")));
  auto metadata = parse_upload_metadata(metadata_header);
  if (!metadata.is_ok()) return tus_fail(request, metadata.status());
  service::NewUpload upload;
  upload.owner_id = request.user_id;
  upload.length = *length;
  upload.metadata = metadata_header;
  if (auto it = metadata->find("filename"); it != metadata->end()) upload.name = it->second;
  if (upload.name.empty()) return tus_fail(request, invalid("Upload-Metadata needs a filename"));
  if (auto it = metadata->find("parent_id"); it != metadata->end()) {
    auto parent = parse_id(it->second, Errc::kInvalidArgument);
    if (!parent.is_ok()) return tus_fail(request, invalid("parent_id must be a folder id"));
    upload.parent_id = *parent;
  } else {
    auto root = ctx.files.root(request.user_id);
    if (!root.is_ok()) return tus_fail(request, root.status());
    upload.parent_id = root->id;
  }
  auto record = uploads.create(upload);
  if (!record.is_ok()) return tus_fail(request, record.status());
  Response response;
  if (has_body(request)) {
    auto appended = append_body(uploads, request, record->id, 0, std::nullopt);
    if (!appended.is_ok()) {
      response = tus_fail(request, appended.status());
      response.set_header("Location", upload_location(*record));
      return response;
    }
    *record = std::move(*appended);
  }
  response.status = 201;
  response.set_header("Location", upload_location(*record));
  describe(*record, response);
  return with_tus(std::move(response));
}

Response head(ApiContext& /*ctx*/, service::UploadSessions& uploads, Request& request) {
  auto record = uploads.get(request.user_id, std::string(request.path_param("id")));
  if (!record.is_ok()) return tus_fail(request, record.status());
  Response response;
  response.status = 200;
  describe(*record, response);
  if (!record->metadata.empty()) response.set_header("Upload-Metadata", record->metadata);
  return with_tus(std::move(response));
}

Response patch(ApiContext& /*ctx*/, service::UploadSessions& uploads, Request& request) {
  if (!is_offset_stream(request)) {
    return tus_fail(request, Status(Errc::kUnsupportedMediaType,
                                    "Content-Type must be application/offset+octet-stream"));
  }
  auto offset = parse_tus_number("Upload-Offset", request.header("Upload-Offset"));
  if (!offset.is_ok()) return tus_fail(request, offset.status());
  if (!*offset) return tus_fail(request, invalid("Upload-Offset is required"));
  auto length = parse_tus_number("Upload-Length", request.header("Upload-Length"));
  if (!length.is_ok()) return tus_fail(request, length.status());
  auto record =
      append_body(uploads, request, std::string(request.path_param("id")), **offset, *length);
  if (!record.is_ok()) return tus_fail(request, record.status());
  Response response;
  response.status = 204;
  describe(*record, response);
  return with_tus(std::move(response));
}

Response terminate(ApiContext& /*ctx*/, service::UploadSessions& uploads, Request& request) {
  Status status = uploads.terminate(request.user_id, std::string(request.path_param("id")));
  if (!status.is_ok()) return tus_fail(request, status);
  Response response;
  response.status = 204;
  return with_tus(std::move(response));
}

// A protocol request: refused before `fn` when it speaks another tus version (412 naming
// ours), or when this server offers no uploads.
RouteHandler tus_route(ApiContext& ctx,
                       Response (*fn)(ApiContext&, service::UploadSessions&, Request&)) {
  return [&ctx, fn](Request& request) {
    if (auto refused = version_refused(request)) return std::move(*refused);
    if (!ctx.uploads) {
      return tus_fail(request, Status(Errc::kUnavailable, "resumable uploads are not enabled"));
    }
    return fn(ctx, *ctx.uploads, request);
  };
}

}  // namespace

void add_tus_routes(Router& router, ApiContext& ctx) {
  router.add("OPTIONS", "/api/v1/uploads", access::kOpen, bind_route(ctx, options));
  router.add("POST", "/api/v1/uploads", access::kFilesWrite, tus_route(ctx, create));
  router.add("OPTIONS", "/api/v1/uploads/{id}", access::kOpen, bind_route(ctx, options));
  router.add("HEAD", "/api/v1/uploads/{id}", access::kFilesRead, tus_route(ctx, head));
  router.add("PATCH", "/api/v1/uploads/{id}", access::kFilesWrite, tus_route(ctx, patch));
  router.add("DELETE", "/api/v1/uploads/{id}", access::kFilesWrite, tus_route(ctx, terminate));
}

}  // namespace coffer::api
