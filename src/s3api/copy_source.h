#pragma once
// The x-amz-copy-source header of CopyObject and UploadPartCopy: "bucket/key" or
// "/bucket/key", percent-encoded, with an optional "?versionId=", and the object it names.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "s3api/s3_call.h"

namespace coffer::s3api {

struct CopySource {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;
};

// Nullopt when malformed.
std::optional<CopySource> parse_copy_source(std::string_view header);

// The node the request's x-amz-copy-source names (a file; a version of it when asked), or the
// error answer.
std::variant<Node, api::Response> find_copy_source(S3Call& call);

}  // namespace coffer::s3api
