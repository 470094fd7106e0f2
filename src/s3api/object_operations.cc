// PutObject, GetObject, HeadObject and DeleteObject: an object is a file at its key's path in
// the bucket's folder, written through the same upload path as every other protocol.

#include "api/http_headers.h"
#include "api/range.h"
#include "s3api/aws_chunked_body.h"
#include "s3api/object_headers.h"
#include "s3api/object_keys.h"
#include "s3api/s3_call.h"

namespace coffer::s3api {
namespace {

// The answer the conditional headers of a GET or HEAD call for, if any (RFC 9110 §13.2.2).
std::optional<int> failed_condition(const api::Request& request, const std::string& etag,
                                    Micros modified) {
  const int64_t modified_seconds = modified / 1'000'000;
  std::string_view if_match = request.header("If-Match");
  if (!if_match.empty()) {
    if (!etag_listed_in(if_match, etag)) return 412;
  } else if (auto since = api::parse_http_date(request.header("If-Unmodified-Since"))) {
    if (modified_seconds > *since) return 412;
  }
  std::string_view if_none_match = request.header("If-None-Match");
  if (!if_none_match.empty()) {
    if (etag_listed_in(if_none_match, etag)) return 304;
  } else if (auto since = api::parse_http_date(request.header("If-Modified-Since"))) {
    if (modified_seconds <= *since) return 304;
  }
  return std::nullopt;
}

void add_object_headers(const S3Call& call, const Node& node, const std::string& etag,
                        api::Response& response) {
  response.set_header("ETag", etag);
  response.set_header("Last-Modified", api::http_date(node.modified / 1'000'000));
  response.set_header("Accept-Ranges", "bytes");
  if (node.kind == NodeKind::kFile)
    response.set_header("x-amz-version-id", std::to_string(node.version_id));
  std::string type = node.declared_mime.empty() ? node.mime : node.declared_mime;
  if (type.empty() || node.kind == NodeKind::kFolder) type = "application/octet-stream";
  response.set_header("Content-Type", type);
  add_stored_headers(node.object_headers, response);
  // A presigned GET may ask for other response headers (S3's response-* parameters).
  static constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
      {"response-content-type", "Content-Type"},
      {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"},
      {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"}};
  for (const auto& [param, header] : kOverrides) {
    if (auto value = call.target.param(param)) response.set_header(std::string(header), *value);
  }
  // What users stored is never run by a browser in this origin.
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Content-Security-Policy", "sandbox");
}

// Reads what is left of a body that must be empty; false when it held anything.
Result<bool> body_is_empty(ByteSource& body) {
  std::byte buf[512];
  auto got = body.read(buf);
  COFFER_RETURN_IF_ERROR(got);
  return *got == 0;
}

api::Response put_folder_marker(S3Call& call, const Node& bucket, const ObjectKey& key) {
  if (call.body != nullptr) {
    auto empty = body_is_empty(*call.body);
    if (!empty.is_ok()) return call.fail_body(empty.status());
    if (!*empty) {
      return call.fail(S3Error{400, "InvalidArgument",
                               "a key ending in '/' names a folder and takes no content"});
    }
  }
  auto folder = make_parent(call.ctx.files, call.actor(), bucket, key);
  if (!folder.is_ok()) return call.fail(folder.status());
  api::Response response;
  response.set_header("ETag", "\"" + std::string(kEmptyMd5) + "\"");
  return response;
}

}  // namespace

api::Response put_object(S3Call& call) {
  auto where = call.destination(/*markers=*/true);
  if (auto* refused = std::get_if<api::Response>(&where)) return std::move(*refused);
  const auto& [bucket, key] = std::get<S3Call::Destination>(where);
  if (call.request.header("If-None-Match") == "*") {
    if (find_object(call.ctx.files, call.actor(), bucket, key).is_ok()) {
      return call.fail(S3Error{412, "PreconditionFailed",
                               "At least one of the pre-conditions you specified did not hold"});
    }
  }
  if (key.folder_marker) return put_folder_marker(call, bucket, key);
  auto headers = call.object_headers();
  if (auto* refused = std::get_if<api::Response>(&headers)) return std::move(*refused);
  auto parent = make_parent(call.ctx.files, call.actor(), bucket, key);
  if (!parent.is_ok()) return call.fail(parent.status());

  service::UploadRequest upload;
  upload.owner_id = call.actor();
  upload.parent_id = parent->id;
  upload.name = key.segments.back();
  VerifiedBody* body = call.body;
  upload.body = body;
  upload.expected_size = body->decoded_length_hint();
  upload.declared_mime = std::string(call.request.header("Content-Type"));
  upload.content_md5 = [body] { return body->md5_hex(); };
  upload.object_headers = std::move(std::get<std::string>(headers));
  auto node = call.ctx.files.upload(upload);
  if (!node.is_ok()) {
    if (node.status().code() == Errc::kNameConflict) {
      return call.fail(S3Error{409, "OperationAborted",
                               "\"" + upload.name +
                                   "\" is a prefix of other keys (a folder), so it cannot also "
                                   "be an object"});
    }
    return call.fail_body(node.status());
  }
  api::Response response;
  response.set_header("ETag", etag_of(*node));
  return response;
}

api::Response get_object(S3Call& call) {
  auto key = parse_key(call.target.key);
  Result<Node> node =
      key.is_ok() ? find_bucket_object(call.ctx.files, call.actor(), call.target.bucket, *key)
                  : Result<Node>(Status(Errc::kNotFound, "no such key"));
  if (!node.is_ok()) {
    if (node.status().code() != Errc::kNotFound) return call.fail(node.status());
    // Which is missing, the bucket or the key (the slow path: a miss).
    auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
    if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
    return call.fail(Status(Errc::kNotFound, "The specified key does not exist."));
  }
  if (auto version = call.target.param("versionId"); version && version != "null") {
    // Coffer's version ids: any earlier version of the file.
    char* end = nullptr;
    const long long id = std::strtoll(version->c_str(), &end, 10);
    if (version->empty() || *end != '\0' || node->kind != NodeKind::kFile) {
      return call.fail(S3Error{400, "InvalidArgument", "Invalid version id specified"});
    }
    auto old = call.ctx.files.file_at_version(call.actor(), node->id, id);
    if (!old.is_ok()) return call.fail(old.status(), "NoSuchVersion");
    node = std::move(old);
  }
  const std::string etag = etag_of(*node);
  const bool head = call.request.method == "HEAD";
  const uint64_t size = node->kind == NodeKind::kFile ? node->size : 0;

  if (auto condition = failed_condition(call.request, etag, node->modified)) {
    if (*condition == 412) {
      return call.fail(S3Error{412, "PreconditionFailed",
                               "At least one of the pre-conditions you specified did not hold"});
    }
    api::Response response;
    response.status = 304;
    response.set_header("ETag", etag);
    response.set_header("Last-Modified", api::http_date(node->modified / 1'000'000));
    return response;
  }

  api::Response response;
  add_object_headers(call, *node, etag, response);
  uint64_t first = 0;
  uint64_t length = size;
  api::ByteRange range = api::parse_range(call.request.header("Range"), size);
  if (range.kind == api::ByteRange::Kind::kUnsatisfiable) {
    api::Response refused =
        call.fail(S3Error{416, "InvalidRange", "The requested range is not satisfiable"});
    refused.set_header("Content-Range", "bytes */" + std::to_string(size));
    return refused;
  }
  if (range.kind == api::ByteRange::Kind::kSatisfiable) {
    first = range.first;
    length = range.length();
    response.status = 206;
    response.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                             std::to_string(range.last) + "/" +
                                             std::to_string(size));
  }
  response.content_length = length;
  if (head || length == 0) return response;
  auto content = call.ctx.files.open_content(*node, first, length);
  if (!content.is_ok()) return call.fail(content.status());
  response.stream = std::move(*content);
  return response;
}

api::Response delete_object(S3Call& call) {
  auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  api::Response done;
  done.status = 204;
  // Deleting what is not there succeeds, as on S3.
  auto key = parse_key(call.target.key);
  if (!key.is_ok()) return done;
  auto node = find_object(call.ctx.files, call.actor(), *bucket, *key);
  if (!node.is_ok()) {
    if (node.status().code() == Errc::kNotFound) return done;
    return call.fail(node.status());
  }
  if (node->kind == NodeKind::kFolder) {
    // A marker key names a folder; the folder goes only while nothing is in it, since the
    // keys below it are objects of their own.
    auto children = all_children(call.ctx.files, call.actor(), *node);
    if (!children.is_ok()) return call.fail(children.status());
    if (!children->empty()) return done;
  }
  Status removed =
      call.ctx.files.remove(call.request.principal, api::origin_of(call.request), node->id);
  if (!removed.is_ok() && removed.code() != Errc::kNotFound) return call.fail(removed);
  return done;
}

}  // namespace coffer::s3api
