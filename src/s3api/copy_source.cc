#include "s3api/copy_source.h"

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>

#include "s3api/object_keys.h"

namespace coffer::s3api {

std::optional<CopySource> parse_copy_source(std::string_view header) {
  CopySource source;
  if (size_t q = header.find('?'); q != std::string_view::npos) {
    std::string_view query = header.substr(q + 1);
    if (!query.starts_with("versionId=")) return std::nullopt;
    source.version_id = std::string(query.substr(10));
    header = header.substr(0, q);
  }
  auto decoded = boost::urls::make_pct_string_view(header);
  if (!decoded) return std::nullopt;
  std::string path;
  decoded->decode({}, boost::urls::string_token::assign_to(path));
  std::string_view rest = path;
  if (rest.starts_with('/')) rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
    return std::nullopt;
  }
  source.bucket = std::string(rest.substr(0, slash));
  source.key = std::string(rest.substr(slash + 1));
  return source;
}

std::variant<Node, api::Response> find_copy_source(S3Call& call) {
  auto source = parse_copy_source(call.request.header("x-amz-copy-source"));
  if (!source) {
    return call.fail(S3Error{400, "InvalidArgument",
                             "Copy Source must mention the source bucket and key: "
                             "sourcebucket/sourcekey"});
  }
  auto bucket = find_bucket(call.ctx.files, call.actor(), source->bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  auto key = parse_key(source->key);
  if (!key.is_ok() || key->folder_marker) {
    return call.fail(Status(Errc::kNotFound, "The specified key does not exist."));
  }
  auto node = find_object(call.ctx.files, call.actor(), *bucket, *key);
  if (!node.is_ok()) return call.fail(node.status());
  if (!source->version_id) return std::move(*node);
  char* end = nullptr;
  const long long version = std::strtoll(source->version_id->c_str(), &end, 10);
  if (source->version_id->empty() || *end != '\0') {
    return call.fail(S3Error{400, "InvalidArgument", "Invalid version id specified"});
  }
  auto old = call.ctx.files.file_at_version(call.actor(), node->id, version);
  if (!old.is_ok()) return call.fail(old.status(), "NoSuchVersion");
  return std::move(*old);
}

}  // namespace coffer::s3api
