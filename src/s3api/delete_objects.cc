// DeleteObjects (POST /bucket?delete): up to 1000 keys in one request, each deleted as
// DeleteObject would, with a result per key.

#include "dav/xml_document.h"
#include "s3api/object_keys.h"
#include "s3api/s3_call.h"

namespace coffer::s3api {
namespace {

constexpr size_t kMaxKeys = 1000;
constexpr size_t kMaxBodyBytes = 2 << 20;

// The text of an element exactly as sent (keys may begin or end with spaces).
std::string raw_text(const dav::XmlElement& element) {
  std::string out;
  for (const auto& child : element.children) {
    if (child.is_text()) out += child.text;
  }
  return out;
}

const dav::XmlElement* named_child(const dav::XmlElement& element, std::string_view name) {
  for (const auto* child : element.elements()) {
    if (child->name == name) return child;
  }
  return nullptr;
}

// Deletes one key; the S3 error when that fails.
std::optional<S3Error> delete_one(S3Call& call, const Node& bucket, const std::string& text) {
  auto key = parse_key(text);
  if (!key.is_ok()) return std::nullopt;  // cannot exist, so it is deleted
  auto node = find_object(call.ctx.files, call.actor(), bucket, *key);
  if (!node.is_ok()) {
    if (node.status().code() == Errc::kNotFound) return std::nullopt;
    return s3_error_for(node.status());
  }
  if (node->kind == NodeKind::kFolder) {
    auto children = all_children(call.ctx.files, call.actor(), *node);
    if (!children.is_ok()) return s3_error_for(children.status());
    if (!children->empty()) return std::nullopt;
  }
  Status removed =
      call.ctx.files.remove(call.request.principal, api::origin_of(call.request), node->id);
  if (!removed.is_ok() && removed.code() != Errc::kNotFound) return s3_error_for(removed);
  return std::nullopt;
}

}  // namespace

api::Response delete_objects(S3Call& call) {
  auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  auto text = call.read_body(kMaxBodyBytes);
  if (!text.is_ok()) return call.fail_body(text.status());
  auto document = dav::parse_xml(*text);
  if (!document.is_ok() || document->name != "Delete") {
    return call.fail(S3Error{400, "MalformedXML",
                             "The XML you provided was not well-formed or did not validate "
                             "against our published schema"});
  }
  const dav::XmlElement* quiet_element = named_child(*document, "Quiet");
  const bool quiet = quiet_element != nullptr && quiet_element->inner_text() == "true";
  std::vector<std::string> keys;
  for (const auto* element : document->elements()) {
    if (element->name != "Object") continue;
    const dav::XmlElement* key = named_child(*element, "Key");
    if (key == nullptr) {
      return call.fail(S3Error{400, "MalformedXML", "every Object needs a Key"});
    }
    keys.push_back(raw_text(*key));
  }
  if (keys.empty() || keys.size() > kMaxKeys) {
    return call.fail(S3Error{400, "MalformedXML", "Delete takes 1 to 1000 objects"});
  }
  std::string body = "<DeleteResult xmlns=\"";
  body += kS3Namespace;
  body += "\">";
  for (const std::string& key : keys) {
    if (auto error = delete_one(call, *bucket, key)) {
      body += "<Error>";
      append_element(body, "Key", key);
      append_element(body, "Code", error->code);
      append_element(body, "Message", error->message);
      body += "</Error>";
    } else if (!quiet) {
      body += "<Deleted>";
      append_element(body, "Key", key);
      body += "</Deleted>";
    }
  }
  body += "</DeleteResult>";
  return xml_response(200, std::move(body));
}

}  // namespace coffer::s3api
