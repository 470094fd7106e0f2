// S3's multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload, AbortMultipartUpload, ListParts and ListMultipartUploads.
//
// They are chunked uploads (service::ChunkedUploads), the engine the sync clients' uploads
// use: a part streams into the chunk store as it arrives and is recorded only whole, with its
// MD5 (its ETag); parts count against the quota while they wait and expire with
// --upload-expiry. Completing assembles the listed parts in order into one body for the
// ordinary upload path, so the object is committed like any other write; its ETag is S3's
// MD5 of the parts' MD5s, "-N".

#include <openssl/evp.h>
#include <sodium.h>

#include <boost/json.hpp>

#include "core/digest.h"
#include "core/hex.h"
#include "dav/xml_document.h"
#include "s3/sigv4.h"
#include "s3api/aws_chunked_body.h"
#include "s3api/copy_source.h"
#include "s3api/md5_source.h"
#include "s3api/object_keys.h"
#include "s3api/s3_call.h"

namespace coffer::s3api {
namespace {

constexpr std::string_view kTransferPrefix = "s3-";
constexpr int64_t kMaxPartNumber = 10000;
constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;    // but the last
constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;  // 5 GiB
constexpr size_t kMaxCompleteBody = 4 << 20;

// What a multipart upload will become, kept with it (ChunkedUpload::target).
struct Target {
  std::string bucket;
  std::string key;
  std::string content_type;
  std::string headers;  // object_headers JSON
};

std::string target_json(const Target& t) {
  return boost::json::serialize(boost::json::object{{"bucket", t.bucket},
                                                    {"key", t.key},
                                                    {"content_type", t.content_type},
                                                    {"headers", t.headers}});
}

std::optional<Target> parse_target_json(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.as_object();
  auto field = [&o](std::string_view name) -> std::string {
    const auto* v = o.if_contains(name);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  return Target{field("bucket"), field("key"), field("content_type"), field("headers")};
}

std::string transfer_of(std::string_view upload_id) {
  return std::string(kTransferPrefix) + std::string(upload_id);
}

bool valid_upload_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

S3Error no_such_upload() {
  return {404, "NoSuchUpload",
          "The specified upload does not exist. The upload ID may be invalid, or the upload may "
          "have been aborted or completed."};
}

// The request's upload: it must exist, be the caller's and be for this bucket and key.
std::variant<meta::ChunkedUpload, api::Response> find_upload(S3Call& call) {
  const std::string id = call.target.param("uploadId").value_or("");
  if (!valid_upload_id(id)) return call.fail(no_such_upload());
  auto upload = call.ctx.uploads.get(call.actor(), transfer_of(id));
  if (!upload.is_ok()) {
    if (upload.status().code() == Errc::kNotFound) return call.fail(no_such_upload());
    return call.fail(upload.status());
  }
  auto target = parse_target_json(upload->target);
  if (!target || target->bucket != call.target.bucket || target->key != call.target.key) {
    return call.fail(no_such_upload());
  }
  return std::move(*upload);
}

std::optional<int64_t> part_number(const S3Call& call) {
  auto text = call.target.param("partNumber");
  if (!text || text->empty() || text->size() > 5) return std::nullopt;
  char* end = nullptr;
  const long long n = std::strtoll(text->c_str(), &end, 10);
  if (*end != '\0' || n < 1 || n > kMaxPartNumber) return std::nullopt;
  return n;
}

std::string strip_quotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

// S3's multipart ETag: the MD5 of the parts' binary MD5s, then "-" and their count.
std::string multipart_etag(const std::vector<std::string>& part_md5s) {
  Digest md5(Digest::Kind::kMd5);
  for (const std::string& hex : part_md5s) {
    unsigned char raw[16];
    size_t size = 0;
    if (sodium_hex2bin(raw, sizeof raw, hex.data(), hex.size(), nullptr, &size, nullptr) == 0) {
      md5.update(std::as_bytes(std::span(raw, size)));
    }
  }
  return md5.finish_hex() + "-" + std::to_string(part_md5s.size());
}

std::string xml_open(std::string_view root) {
  std::string body = "<";
  body += root;
  body += " xmlns=\"";
  body += kS3Namespace;
  body += "\">";
  return body;
}

// "bytes=first-last" of x-amz-copy-source-range within `size`; nullopt when malformed or
// outside.
std::optional<std::pair<uint64_t, uint64_t>> copy_range(std::string_view text, uint64_t size) {
  if (!text.starts_with("bytes=")) return std::nullopt;
  text.remove_prefix(6);
  size_t dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  const std::string first_text(text.substr(0, dash));
  const std::string last_text(text.substr(dash + 1));
  char* end = nullptr;
  const unsigned long long first = std::strtoull(first_text.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  const unsigned long long last = std::strtoull(last_text.c_str(), &end, 10);
  if (*end != '\0' || first > last || last >= size) return std::nullopt;
  return std::make_pair(first, last - first + 1);
}

api::Response upload_part_copy(S3Call& call, const meta::ChunkedUpload& upload, int64_t number) {
  auto found = find_copy_source(call);
  if (auto* refused = std::get_if<api::Response>(&found)) return std::move(*refused);
  const Node& source = std::get<Node>(found);
  uint64_t first = 0;
  uint64_t length = source.size;
  if (std::string_view range = call.request.header("x-amz-copy-source-range"); !range.empty()) {
    auto parsed = copy_range(range, source.size);
    if (!parsed) {
      return call.fail(S3Error{400, "InvalidArgument",
                               "The x-amz-copy-source-range value must be of the form "
                               "bytes=first-last where first and last are the zero-based offsets "
                               "of the first and last bytes to copy"});
    }
    std::tie(first, length) = *parsed;
  }
  if (length > kMaxPartSize) {
    return call.fail(S3Error{400, "EntityTooLarge", "a part is at most 5 GiB"});
  }
  std::unique_ptr<ByteSource> content;
  if (length > 0) {
    auto opened = call.ctx.files.open_content(source, first, length);
    if (!opened.is_ok()) return call.fail(opened.status());
    content = std::move(*opened);
  }
  class Empty : public ByteSource {
    Result<size_t> read(std::span<std::byte>) override { return size_t{0}; }
  };
  Md5Source body(content ? std::move(content) : std::make_unique<Empty>());
  auto part = call.ctx.uploads.put_part(call.actor(), upload.transfer, std::to_string(number), body,
                                        length, [&body] { return body.hex(); });
  if (!part.is_ok()) return call.fail(part.status(), "NoSuchUpload");
  std::string xml = xml_open("CopyPartResult");
  append_element(xml, "LastModified", iso8601_millis(part->modified));
  append_element(xml, "ETag", "\"" + part->md5 + "\"");
  xml += "</CopyPartResult>";
  return xml_response(200, std::move(xml));
}

const dav::XmlElement* named_child(const dav::XmlElement& element, std::string_view name) {
  for (const auto* child : element.elements()) {
    if (child->name == name) return child;
  }
  return nullptr;
}

struct ListedPart {
  int64_t number = 0;
  std::string etag;
};

std::optional<std::vector<ListedPart>> parse_complete(std::string_view text) {
  auto document =
      dav::parse_xml(text, dav::XmlLimits{kMaxCompleteBody, 8, 4 * kMaxPartNumber + 16});
  if (!document.is_ok() || document->name != "CompleteMultipartUpload") return std::nullopt;
  std::vector<ListedPart> parts;
  for (const auto* element : document->elements()) {
    if (element->name != "Part") continue;
    const auto* number = named_child(*element, "PartNumber");
    const auto* etag = named_child(*element, "ETag");
    if (number == nullptr || etag == nullptr) return std::nullopt;
    const std::string digits = number->inner_text();
    char* end = nullptr;
    const long long n = std::strtoll(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0') return std::nullopt;
    parts.push_back({n, strip_quotes(etag->inner_text())});
  }
  return parts;
}

}  // namespace

api::Response create_multipart_upload(S3Call& call) {
  auto where = call.destination(/*markers=*/false);
  if (auto* refused = std::get_if<api::Response>(&where)) return std::move(*refused);
  auto headers = call.object_headers();
  if (auto* refused = std::get_if<api::Response>(&headers)) return std::move(*refused);
  unsigned char random[16];
  randombytes_buf(random, sizeof random);
  const std::string id = to_hex(std::span<const uint8_t>(random));
  Target target{call.target.bucket, call.target.key,
                std::string(call.request.header("Content-Type")),
                std::move(std::get<std::string>(headers))};
  Status begun =
      call.ctx.uploads.begin(call.actor(), transfer_of(id), std::nullopt, target_json(target));
  if (!begun.is_ok()) return call.fail(begun);
  std::string xml = xml_open("InitiateMultipartUploadResult");
  append_element(xml, "Bucket", call.target.bucket);
  append_element(xml, "Key", call.target.key);
  append_element(xml, "UploadId", id);
  xml += "</InitiateMultipartUploadResult>";
  return xml_response(200, std::move(xml));
}

api::Response upload_part(S3Call& call) {
  auto number = part_number(call);
  if (!number) {
    return call.fail(S3Error{400, "InvalidArgument",
                             "Part number must be an integer between 1 and 10000, inclusive"});
  }
  auto found = find_upload(call);
  if (auto* refused = std::get_if<api::Response>(&found)) return std::move(*refused);
  const auto& upload = std::get<meta::ChunkedUpload>(found);
  if (!call.request.header("x-amz-copy-source").empty()) {
    return upload_part_copy(call, upload, *number);
  }
  VerifiedBody* body = call.body;
  const std::optional<uint64_t> length = body->decoded_length_hint();
  if (length && *length > kMaxPartSize) {
    return call.fail(S3Error{400, "EntityTooLarge", "a part is at most 5 GiB"});
  }
  auto part = call.ctx.uploads.put_part(call.actor(), upload.transfer, std::to_string(*number),
                                        *body, length, [body] { return body->md5_hex(); });
  if (!part.is_ok()) {
    if (part.status().code() == Errc::kNotFound) return call.fail(no_such_upload());
    return call.fail_body(part.status());
  }
  api::Response response;
  response.set_header("ETag", "\"" + part->md5 + "\"");
  return response;
}

api::Response complete_multipart_upload(S3Call& call) {
  auto found = find_upload(call);
  if (auto* refused = std::get_if<api::Response>(&found)) return std::move(*refused);
  const auto& upload = std::get<meta::ChunkedUpload>(found);
  const Target target = *parse_target_json(upload.target);
  auto text = call.read_body(kMaxCompleteBody);
  if (!text.is_ok()) return call.fail_body(text.status());
  auto listed = parse_complete(*text);
  if (!listed || listed->empty()) {
    return call.fail(S3Error{400, "MalformedXML",
                             "The XML you provided was not well-formed or did not validate "
                             "against our published schema"});
  }
  auto stored = call.ctx.uploads.parts(call.actor(), upload.transfer);
  if (!stored.is_ok()) return call.fail(stored.status(), "NoSuchUpload");
  std::map<int64_t, const meta::ChunkedUploadPart*> by_number;
  for (const auto& p : *stored) by_number[std::strtoll(p.name.c_str(), nullptr, 10)] = &p;

  std::vector<std::string> md5s;
  uint64_t size = 0;
  for (size_t i = 0; i < listed->size(); ++i) {
    const ListedPart& want = (*listed)[i];
    if (i > 0 && want.number <= (*listed)[i - 1].number) {
      return call.fail(S3Error{400, "InvalidPartOrder",
                               "The list of parts was not in ascending order. The parts list "
                               "must be specified in order by part number."});
    }
    auto it = by_number.find(want.number);
    if (it == by_number.end() || it->second->md5 != want.etag) {
      return call.fail(S3Error{400, "InvalidPart",
                               "One or more of the specified parts could not be found. The part "
                               "may not have been uploaded, or the specified entity tag may not "
                               "match the part's entity tag."});
    }
    md5s.push_back(it->second->md5);
    size += it->second->size;
  }
  // Sizes once every part is known to be there (S3 names a missing part first).
  for (size_t i = 0; i + 1 < listed->size(); ++i) {
    if (by_number[(*listed)[i].number]->size < kMinPartSize) {
      return call.fail(S3Error{400, "EntityTooSmall",
                               "Your proposed upload is smaller than the minimum allowed object "
                               "size (5 MiB for every part but the last)."});
    }
  }
  // Parts uploaded but not listed are not part of the object.
  for (const auto& [number, part] : by_number) {
    bool wanted = false;
    for (const ListedPart& want : *listed) wanted = wanted || want.number == number;
    if (!wanted) {
      Status removed = call.ctx.uploads.remove_part(call.actor(), upload.transfer, part->name);
      if (!removed.is_ok()) return call.fail(removed, "NoSuchUpload");
    }
  }

  auto bucket = find_bucket(call.ctx.files, call.actor(), target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  auto key = parse_key(target.key);
  if (!key.is_ok()) return call.fail(key.status());
  auto parent = make_parent(call.ctx.files, call.actor(), *bucket, *key);
  if (!parent.is_ok()) return call.fail(parent.status());
  auto assembled = call.ctx.uploads.assemble(call.actor(), upload.transfer, size);
  if (!assembled.is_ok()) return call.fail(assembled.status(), "NoSuchUpload");
  const std::string etag = multipart_etag(md5s);
  service::UploadRequest put;
  put.owner_id = call.actor();
  put.parent_id = parent->id;
  put.name = key->segments.back();
  put.body = assembled->body.get();
  put.expected_size = assembled->size;
  put.declared_mime = target.content_type;
  put.object_headers = target.headers;
  put.content_md5 = [&etag] { return etag; };
  auto node = call.ctx.files.upload(put);
  if (!node.is_ok()) return call.fail(node.status());
  // The object is committed; a failure to delete the parts leaves them to expire.
  (void)call.ctx.uploads.remove(call.actor(), upload.transfer);

  std::string xml = xml_open("CompleteMultipartUploadResult");
  append_element(xml, "Location", "/" + target.bucket + "/" + target.key);
  append_element(xml, "Bucket", target.bucket);
  append_element(xml, "Key", target.key);
  append_element(xml, "ETag", etag_of(*node));
  xml += "</CompleteMultipartUploadResult>";
  return xml_response(200, std::move(xml));
}

api::Response abort_multipart_upload(S3Call& call) {
  auto found = find_upload(call);
  if (auto* refused = std::get_if<api::Response>(&found)) return std::move(*refused);
  Status removed =
      call.ctx.uploads.remove(call.actor(), std::get<meta::ChunkedUpload>(found).transfer);
  if (!removed.is_ok()) return call.fail(removed, "NoSuchUpload");
  api::Response response;
  response.status = 204;
  return response;
}

api::Response list_parts(S3Call& call) {
  auto found = find_upload(call);
  if (auto* refused = std::get_if<api::Response>(&found)) return std::move(*refused);
  const auto& upload = std::get<meta::ChunkedUpload>(found);
  auto parts = call.ctx.uploads.parts(call.actor(), upload.transfer);
  if (!parts.is_ok()) return call.fail(parts.status(), "NoSuchUpload");
  const int64_t marker =
      std::strtoll(call.target.param("part-number-marker").value_or("0").c_str(), nullptr, 10);
  int64_t max_parts =
      std::strtoll(call.target.param("max-parts").value_or("1000").c_str(), nullptr, 10);
  if (max_parts <= 0 || max_parts > 1000) max_parts = 1000;
  std::vector<std::pair<int64_t, const meta::ChunkedUploadPart*>> sorted;
  for (const auto& p : *parts) sorted.emplace_back(std::strtoll(p.name.c_str(), nullptr, 10), &p);
  std::sort(sorted.begin(), sorted.end());

  std::string xml = xml_open("ListPartsResult");
  append_element(xml, "Bucket", call.target.bucket);
  append_element(xml, "Key", call.target.key);
  append_element(xml, "UploadId", upload.transfer.substr(kTransferPrefix.size()));
  append_element(xml, "PartNumberMarker", std::to_string(marker));
  std::string items;
  int64_t listed = 0;
  int64_t last = marker;
  bool truncated = false;
  for (const auto& [number, part] : sorted) {
    if (number <= marker) continue;
    if (listed == max_parts) {
      truncated = true;
      break;
    }
    items += "<Part>";
    append_element(items, "PartNumber", std::to_string(number));
    append_element(items, "LastModified", iso8601_millis(part->modified));
    append_element(items, "ETag", "\"" + part->md5 + "\"");
    append_element(items, "Size", std::to_string(part->size));
    items += "</Part>";
    ++listed;
    last = number;
  }
  append_element(xml, "NextPartNumberMarker", std::to_string(last));
  append_element(xml, "MaxParts", std::to_string(max_parts));
  append_element(xml, "IsTruncated", truncated ? "true" : "false");
  append_element(xml, "StorageClass", "STANDARD");
  xml += items;
  xml += "</ListPartsResult>";
  return xml_response(200, std::move(xml));
}

api::Response list_multipart_uploads(S3Call& call) {
  auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  auto uploads = call.ctx.uploads.list(call.actor());
  if (!uploads.is_ok()) return call.fail(uploads.status());
  const std::string prefix = call.target.param("prefix").value_or("");
  const std::string key_marker = call.target.param("key-marker").value_or("");
  // (key, upload id, initiated) of this bucket's uploads, by key then id.
  std::vector<std::tuple<std::string, std::string, Micros>> found;
  for (const auto& u : *uploads) {
    if (!u.transfer.starts_with(kTransferPrefix)) continue;
    auto target = parse_target_json(u.target);
    if (!target || target->bucket != call.target.bucket || !target->key.starts_with(prefix)) {
      continue;
    }
    if (!key_marker.empty() && target->key <= key_marker) continue;
    found.emplace_back(target->key, u.transfer.substr(kTransferPrefix.size()), u.created);
  }
  std::sort(found.begin(), found.end());
  constexpr size_t kMaxUploads = 1000;
  const bool truncated = found.size() > kMaxUploads;
  if (truncated) found.resize(kMaxUploads);

  std::string xml = xml_open("ListMultipartUploadsResult");
  append_element(xml, "Bucket", call.target.bucket);
  append_element(xml, "KeyMarker", key_marker);
  append_element(xml, "UploadIdMarker", "");
  append_element(xml, "NextKeyMarker", found.empty() ? "" : std::get<0>(found.back()));
  append_element(xml, "NextUploadIdMarker", found.empty() ? "" : std::get<1>(found.back()));
  append_element(xml, "Prefix", prefix);
  append_element(xml, "MaxUploads", std::to_string(kMaxUploads));
  append_element(xml, "IsTruncated", truncated ? "true" : "false");
  for (const auto& [key, id, initiated] : found) {
    xml += "<Upload>";
    append_element(xml, "Key", key);
    append_element(xml, "UploadId", id);
    append_element(xml, "Initiated", iso8601_millis(initiated));
    append_element(xml, "StorageClass", "STANDARD");
    xml += "</Upload>";
  }
  xml += "</ListMultipartUploadsResult>";
  return xml_response(200, std::move(xml));
}

}  // namespace coffer::s3api
