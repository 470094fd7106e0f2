// CopyObject (PUT with x-amz-copy-source): the source's content is written to the destination
// key through the ordinary upload path (versions, quota, policy alike); identical chunks are
// stored once by the chunk store, so a copy costs reading, not space. The metadata directive
// says whether the source's headers go with it (COPY) or the request's replace them (REPLACE).

#include "s3api/copy_source.h"
#include "s3api/md5_source.h"
#include "s3api/object_keys.h"
#include "s3api/s3_call.h"

namespace coffer::s3api {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

api::Response copy_object(S3Call& call) {
  const std::string directive = lower(call.request.header("x-amz-metadata-directive"));
  if (!directive.empty() && directive != "copy" && directive != "replace") {
    return call.fail(S3Error{400, "InvalidArgument", "Unknown metadata directive."});
  }
  const bool replace = directive == "replace";
  auto found = find_copy_source(call);
  if (auto* refused = std::get_if<api::Response>(&found)) return std::move(*refused);
  const Node& node = std::get<Node>(found);
  const auto source = parse_copy_source(call.request.header("x-amz-copy-source"));

  auto where = call.destination(/*markers=*/false);
  if (auto* refused = std::get_if<api::Response>(&where)) return std::move(*refused);
  const auto& [bucket, key] = std::get<S3Call::Destination>(where);
  if (!replace && source->bucket == call.target.bucket && source->key == call.target.key &&
      !source->version_id) {
    return call.fail(S3Error{400, "InvalidRequest",
                             "This copy request is illegal because it is trying to copy an "
                             "object to itself without changing the object's metadata, storage "
                             "class, website redirect location or encryption attributes."});
  }
  service::UploadRequest upload;
  if (replace) {
    auto headers = call.object_headers();
    if (auto* refused = std::get_if<api::Response>(&headers)) return std::move(*refused);
    upload.object_headers = std::move(std::get<std::string>(headers));
    upload.declared_mime = std::string(call.request.header("Content-Type"));
  } else {
    upload.object_headers = node.object_headers;
    upload.declared_mime = node.declared_mime;
  }
  auto parent = make_parent(call.ctx.files, call.actor(), bucket, key);
  if (!parent.is_ok()) return call.fail(parent.status());
  auto content = call.ctx.files.open_content(node, 0, node.size);
  if (!content.is_ok()) return call.fail(content.status());
  Md5Source body(std::move(*content));
  const std::string known_md5 = node.md5.find('-') == std::string::npos ? node.md5 : "";
  upload.owner_id = call.actor();
  upload.parent_id = parent->id;
  upload.name = key.segments.back();
  upload.body = &body;
  upload.expected_size = node.size;
  upload.content_md5 = [&body, &known_md5] { return known_md5.empty() ? body.hex() : known_md5; };
  auto copied = call.ctx.files.upload(upload);
  if (!copied.is_ok()) return call.fail(copied.status());

  std::string xml = "<CopyObjectResult xmlns=\"";
  xml += kS3Namespace;
  xml += "\">";
  append_element(xml, "LastModified", iso8601_millis(copied->modified));
  append_element(xml, "ETag", etag_of(*copied));
  xml += "</CopyObjectResult>";
  return xml_response(200, std::move(xml));
}

}  // namespace coffer::s3api
