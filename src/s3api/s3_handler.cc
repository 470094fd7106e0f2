#include "s3api/s3_handler.h"

#include <chrono>

#include "api/log.h"
#include "s3api/aws_chunked_body.h"
#include "s3api/request_signature.h"
#include "s3api/s3_call.h"

namespace coffer::s3api {
namespace {

enum class Access { kRead, kWrite };

// One S3 operation: its name (for logs and metrics), the scope it needs, its code.
struct Operation {
  std::string_view name;
  Access access = Access::kRead;
  api::Response (*run)(S3Call&) = nullptr;  // null: 501 NotImplemented
  bool takes_body = false;
};

// Subresources Coffer does not implement: a request naming one is answered 501, never
// mistaken for the plain operation (a PUT ?acl must not overwrite an object).
constexpr std::string_view kUnsupported[] = {"accelerate",
                                             "acl",
                                             "analytics",
                                             "attributes",
                                             "cors",
                                             "encryption",
                                             "intelligent-tiering",
                                             "inventory",
                                             "legal-hold",
                                             "lifecycle",
                                             "logging",
                                             "metrics",
                                             "notification",
                                             "object-lock",
                                             "ownershipControls",
                                             "policy",
                                             "policyStatus",
                                             "publicAccessBlock",
                                             "replication",
                                             "requestPayment",
                                             "restore",
                                             "retention",
                                             "select",
                                             "tagging",
                                             "torrent",
                                             "versioning",
                                             "website"};

std::optional<std::string_view> unsupported_subresource(const S3Target& t) {
  for (std::string_view name : kUnsupported) {
    if (t.has(name)) return name;
  }
  return std::nullopt;
}

api::Response list_objects_v1(S3Call& call) { return list_objects(call, false); }
api::Response list_objects_v2(S3Call& call) { return list_objects(call, true); }

Operation choose(const api::Request& request, const S3Target& t) {
  const std::string& m = request.method;
  const bool read = m == "GET" || m == "HEAD";
  const Access access = read ? Access::kRead : Access::kWrite;
  if (t.bucket.empty()) {
    if (m == "GET") return {"ListBuckets", Access::kRead, list_buckets};
    return {"ListBuckets", access, nullptr};
  }
  if (t.key.empty()) {
    if (m == "GET" && t.has("location")) return {"GetBucketLocation", access, get_bucket_location};
    if (m == "POST" && t.has("delete")) return {"DeleteObjects", access, delete_objects, true};
    if (m == "GET" && t.has("versions")) {
      return {"ListObjectVersions", access, list_object_versions};
    }
    if (m == "GET" && t.has("uploads")) {
      return {"ListMultipartUploads", access, list_multipart_uploads};
    }
    if (auto name = unsupported_subresource(t)) return {*name, access, nullptr};
    if (m == "GET") {
      if (t.param("list-type") == "2") return {"ListObjectsV2", access, list_objects_v2};
      return {"ListObjects", access, list_objects_v1};
    }
    if (m == "HEAD") return {"HeadBucket", access, head_bucket};
    if (m == "PUT") return {"CreateBucket", access, create_bucket, true};
    if (m == "DELETE") return {"DeleteBucket", access, delete_bucket};
    return {"Bucket", access, nullptr};
  }
  if (auto name = unsupported_subresource(t)) return {*name, access, nullptr};
  if (t.has("uploadId")) {
    if (m == "PUT" && t.has("partNumber")) {
      const bool copy = !request.header("x-amz-copy-source").empty();
      return {copy ? "UploadPartCopy" : "UploadPart", access, upload_part, true};
    }
    if (m == "POST") return {"CompleteMultipartUpload", access, complete_multipart_upload, true};
    if (m == "DELETE") return {"AbortMultipartUpload", access, abort_multipart_upload};
    if (m == "GET") return {"ListParts", access, list_parts};
    return {"Multipart", access, nullptr};
  }
  if (m == "POST" && t.has("uploads")) {
    return {"CreateMultipartUpload", access, create_multipart_upload, true};
  }
  if (m == "GET") return {"GetObject", access, get_object};
  if (m == "HEAD") return {"HeadObject", access, get_object};
  if (m == "PUT") {
    if (!request.header("x-amz-copy-source").empty()) {
      return {"CopyObject", access, copy_object, true};
    }
    return {"PutObject", access, put_object, true};
  }
  if (m == "DELETE") return {"DeleteObject", access, delete_object};
  return {"Object", access, nullptr};
}

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

api::Response S3Handler::handle(api::Request& request) {
  std::string_view given = request.header("X-Request-Id");
  request.request_id = api::is_safe_request_id(given) ? std::string(given) : api::new_request_id();
  api::Response response = dispatch(request);
  response.set_header("x-amz-request-id", request.request_id);
  return response;
}

api::Response S3Handler::dispatch(api::Request& request) {
  auto target = parse_target(request, context_.options.base_domain);
  if (!target) {
    request.route = "s3";
    return s3api::error_response(S3Error{400, "InvalidURI", "Couldn't parse the specified URI."},
                                 request.method, resource_of(request), request.request_id);
  }
  Operation op = choose(request, *target);
  request.route = "s3:" + std::string(op.name);
  S3Call call{context_, request, *target};

  std::optional<S3Identity> identity;
  auto lookup = [this, &identity](std::string_view access_key_id) -> std::optional<std::string> {
    identity = context_.find_identity(access_key_id);
    if (!identity) return std::nullopt;
    return identity->secret_access_key;
  };
  auto verified = verify_request(
      SignedRequestView{request.method, request.target, &request.headers}, lookup, now_unix());
  if (auto* error = std::get_if<S3Error>(&verified)) return call.fail(*error);
  const VerifiedSignature& signature = std::get<VerifiedSignature>(verified);
  request.principal = identity->principal;
  request.user_id = identity->principal.user_id;

  const Scope needed = op.access == Access::kRead ? kScopeFilesRead : kScopeFilesWrite;
  if (!request.principal.has(needed)) {
    return call.fail(S3Error{403, "AccessDenied",
                             "This access key's scopes do not allow " + std::string(op.name)});
  }
  if (op.run == nullptr) {
    return call.fail(S3Error{501, "NotImplemented",
                             std::string(op.name) + " is not implemented by Coffer (docs/s3.md)"});
  }
  std::unique_ptr<VerifiedBody> body;
  if (op.takes_body) {
    auto made = make_request_body(signature, request.headers, *request.body);
    if (auto* error = std::get_if<S3Error>(&made)) return call.fail(*error);
    body = std::move(std::get<std::unique_ptr<VerifiedBody>>(made));
    call.body = body.get();
  }
  return op.run(call);
}

api::Response S3Handler::error_response(const api::Request& request, int http_status, Errc code,
                                        std::string_view message) {
  S3Error error = s3_error_for(Status(code, std::string(message)));
  error.http_status = http_status;
  if (code == Errc::kPayloadTooLarge) error.code = "EntityTooLarge";
  if (code == Errc::kTooManyRequests || code == Errc::kUnavailable) error.code = "SlowDown";
  return s3api::error_response(error, request.method, resource_of(request), request.request_id);
}

void S3Handler::on_complete(const api::Request& request, const api::ExchangeRecord& record) {
  context_.metrics.record(request.route.empty() ? "s3" : request.route, request.method,
                          record.status, record.seconds, record.bytes_in, record.bytes_out);
  api::log_exchange(request, record);
}

}  // namespace coffer::s3api
