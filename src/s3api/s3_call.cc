#include "s3api/s3_call.h"

#include "s3api/aws_chunked_body.h"
#include "s3api/object_headers.h"

namespace coffer::s3api {

std::string_view resource_of(const api::Request& request) {
  std::string_view target = request.target;
  return target.substr(0, target.find('?'));
}

api::Response S3Call::fail(const S3Error& error) const {
  return error_response(error, request.method, resource_of(request), request.request_id);
}

api::Response S3Call::fail(const Status& status, std::string_view missing) const {
  return fail(s3_error_for(status, missing));
}

api::Response S3Call::fail_body(const Status& status) const {
  if (body != nullptr) {
    if (auto failure = body->failure()) return fail(*failure);
  }
  return fail(status);
}

Result<std::string> S3Call::read_body(size_t limit) const {
  std::string out;
  if (body == nullptr) return out;
  std::byte buf[16 * 1024];
  for (;;) {
    auto got = body->read(buf);
    COFFER_RETURN_IF_ERROR(got);
    if (*got == 0) return out;
    if (out.size() + *got > limit) {
      return Status(Errc::kPayloadTooLarge, "the request body is too large");
    }
    out.append(reinterpret_cast<const char*>(buf), *got);
  }
}

std::variant<std::string, api::Response> S3Call::object_headers() const {
  auto headers = stored_headers(request.headers);
  if (!headers.is_ok()) {
    return fail(S3Error{400, "MetadataTooLarge", std::string(headers.status().message())});
  }
  return std::move(*headers);
}

std::variant<S3Call::Destination, api::Response> S3Call::destination(bool markers) const {
  auto bucket = find_bucket(ctx.files, actor(), target.bucket);
  if (!bucket.is_ok()) return fail(bucket.status(), "NoSuchBucket");
  auto key = parse_key(target.key);
  if (!key.is_ok()) return fail(key.status());
  if (key->folder_marker && !markers) {
    return fail(
        S3Error{400, "InvalidArgument", "a key ending in '/' names a folder and takes no content"});
  }
  return Destination{std::move(*bucket), std::move(*key)};
}

}  // namespace coffer::s3api
