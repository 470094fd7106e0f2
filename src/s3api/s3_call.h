#pragma once
// One authenticated S3 request on its way through an operation, and the operations
// (bucket_operations.cc, object_operations.cc, list_objects.cc, delete_objects.cc,
// copy_object.cc). Each returns the whole answer, errors included.

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "api/exchange.h"
#include "s3api/object_keys.h"
#include "s3api/s3_context.h"
#include "s3api/s3_error.h"
#include "s3api/s3_response.h"
#include "s3api/s3_target.h"

namespace coffer::s3api {

class VerifiedBody;

struct S3Call {
  S3Context& ctx;
  api::Request& request;
  const S3Target& target;
  // The request body decoded and verified against the signature and checksums (aws-chunked
  // framing removed); null for a request without one.
  VerifiedBody* body = nullptr;

  int64_t actor() const { return request.principal.user_id; }
  // The error answer to this request.
  api::Response fail(const S3Error& error) const;
  api::Response fail(const Status& status, std::string_view missing = "NoSuchKey") const;
  // The failure of the request body when it has one (a bad chunk signature, a checksum), else
  // the error for `status`.
  api::Response fail_body(const Status& status) const;
  // Where a write goes: the request's bucket and key, or the error answer (no such bucket, a
  // key a file tree cannot hold, a folder marker where `markers` is false).
  struct Destination {
    Node bucket;
    ObjectKey key;
  };
  std::variant<Destination, api::Response> destination(bool markers) const;
  // The headers the request asks to store with its object (object_headers.h), or the
  // MetadataTooLarge answer.
  std::variant<std::string, api::Response> object_headers() const;
  // The whole (verified) request body, when it is at most `limit` bytes (else
  // kPayloadTooLarge); "" without one.
  Result<std::string> read_body(size_t limit) const;
};

// The resource an error names: the request's path.
std::string_view resource_of(const api::Request& request);

api::Response list_buckets(S3Call& call);
api::Response create_bucket(S3Call& call);
api::Response head_bucket(S3Call& call);
api::Response delete_bucket(S3Call& call);
api::Response get_bucket_location(S3Call& call);
api::Response list_objects(S3Call& call, bool v2);
api::Response list_object_versions(S3Call& call);
api::Response put_object(S3Call& call);
api::Response get_object(S3Call& call);  // GET and HEAD
api::Response delete_object(S3Call& call);
api::Response delete_objects(S3Call& call);
api::Response copy_object(S3Call& call);
api::Response create_multipart_upload(S3Call& call);
api::Response upload_part(S3Call& call);  // and UploadPartCopy
api::Response complete_multipart_upload(S3Call& call);
api::Response abort_multipart_upload(S3Call& call);
api::Response list_parts(S3Call& call);
api::Response list_multipart_uploads(S3Call& call);

}  // namespace coffer::s3api
