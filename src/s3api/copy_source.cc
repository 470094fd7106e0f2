#include "s3api/copy_source.h"

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>

#include "api/http_headers.h"
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

namespace {

std::variant<Node, api::Response> version_of(S3Call& call, const Node& file,
                                             const std::string& version_id) {
  char* end = nullptr;
  const long long version = std::strtoll(version_id.c_str(), &end, 10);
  if (version_id.empty() || *end != '\0') {
    return call.fail(S3Error{400, "InvalidArgument", "Invalid version id specified"});
  }
  auto old = call.ctx.files.file_at_version(call.actor(), file.id, version);
  if (!old.is_ok()) return call.fail(old.status(), "NoSuchVersion");
  return std::move(*old);
}

// The x-amz-copy-source-if-* conditions on the source (each failing one answers 412).
bool copy_conditions_hold(const api::Request& request, const Node& source) {
  const std::string etag = etag_of(source);
  const int64_t modified = source.modified / 1'000'000;
  std::string_view match = request.header("x-amz-copy-source-if-match");
  if (!match.empty() && !etag_listed_in(match, etag)) return false;
  std::string_view none_match = request.header("x-amz-copy-source-if-none-match");
  if (!none_match.empty() && etag_listed_in(none_match, etag)) return false;
  if (auto since = api::parse_http_date(request.header("x-amz-copy-source-if-unmodified-since"))) {
    if (match.empty() && modified > *since) return false;
  }
  if (auto since = api::parse_http_date(request.header("x-amz-copy-source-if-modified-since"))) {
    if (none_match.empty() && modified <= *since) return false;
  }
  return true;
}

}  // namespace

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
  if (source->version_id) {
    auto old = version_of(call, *node, *source->version_id);
    if (auto* refused = std::get_if<api::Response>(&old)) return std::move(*refused);
    node = std::move(std::get<Node>(old));
  }
  if (!copy_conditions_hold(call.request, *node)) {
    return call.fail(S3Error{412, "PreconditionFailed",
                             "At least one of the pre-conditions you specified did not hold"});
  }
  return std::move(*node);
}

}  // namespace coffer::s3api
