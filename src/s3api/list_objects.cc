// ListObjects (V1) and ListObjectsV2: the keys of a bucket in byte order, filtered by prefix,
// grouped by delimiter, in pages.
//
// The walk visits the tree depth first with each folder's entries ordered by their key ("name"
// for a file, "name/" for a folder, whose every key starts so), which is the byte order of the
// keys themselves. It starts at the deepest folder the prefix names, skips subtrees entirely
// before the marker, and does not descend into a folder the delimiter rolls up into one
// common prefix. Only files are objects: an empty folder shows only as a common prefix (when
// a delimiter rolls it up), never as a key, so a recursive delete of every listed key leaves
// nothing a listing shows.

#include <sodium.h>

#include <algorithm>
#include <optional>
#include <variant>

#include "core/hex.h"
#include "s3api/object_keys.h"
#include "s3api/s3_call.h"

namespace coffer::s3api {
namespace {

constexpr int64_t kMaxKeysLimit = 1000;

struct ListRequest {
  std::string prefix;
  std::string delimiter;
  // Keys up to and including this are skipped; a rolled-up common prefix ends a page too, so
  // when `after_prefix`, every key starting with `after` is skipped as well.
  std::string after;
  bool after_prefix = false;
  size_t max_keys = 1000;
};

struct Listing {
  std::vector<Node> files;
  std::vector<std::string> file_keys;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix listed
  bool last_is_prefix = false;
};

class Walker {
 public:
  Walker(S3Call& call, const ListRequest& request, Listing& out)
      : call_(call), request_(request), out_(out) {}

  // Lists below `folder`, whose keys start with `folder_key` ("" for the bucket, else "a/b/").
  // Returns false once the page is full.
  Result<bool> walk(const Node& folder, const std::string& folder_key) {
    auto children = all_children(call_.ctx.files, call_.actor(), folder);
    COFFER_RETURN_IF_ERROR(children);
    // An empty folder holds no object. (With a delimiter that rolls it up, visit_folder has
    // listed it as a common prefix, which is how a browsing client sees folders.)
    if (children->empty()) return true;
    std::vector<std::pair<std::string, const Node*>> entries;
    entries.reserve(children->size());
    for (const Node& child : *children) {
      std::string key = folder_key + child.name;
      if (child.kind == NodeKind::kFolder) key += '/';
      entries.emplace_back(std::move(key), &child);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, node] : entries) {
      if (node->kind == NodeKind::kFolder) {
        auto more = visit_folder(key, *node);
        COFFER_RETURN_IF_ERROR(more);
        if (!*more) return false;
      } else if (!emit_key(key, *node)) {
        return false;
      }
    }
    return true;
  }

 private:
  bool before_marker(std::string_view key) const {
    if (request_.after.empty()) return false;
    if (key <= request_.after) return true;
    return request_.after_prefix && key.starts_with(request_.after);
  }

  // The common prefix `key` rolls up into, or "" when the delimiter leaves it alone.
  std::string rolled_up(std::string_view key) const {
    if (request_.delimiter.empty() || !key.starts_with(request_.prefix)) return {};
    size_t at = key.find(request_.delimiter, request_.prefix.size());
    if (at == std::string_view::npos) return {};
    return std::string(key.substr(0, at + request_.delimiter.size()));
  }

  Result<bool> visit_folder(const std::string& key, const Node& folder) {
    // Every key below starts with `key`: skip the folder when the prefix rules them all out,
    // or when they all come before the marker.
    if (!key.starts_with(request_.prefix) && !request_.prefix.starts_with(key)) return true;
    if (!request_.after.empty() && key < request_.after && !request_.after.starts_with(key)) {
      return true;
    }
    if (std::string prefix = rolled_up(key); !prefix.empty() && key.starts_with(prefix)) {
      return emit_prefix(prefix);
    }
    return walk(folder, key);
  }

  // False when the page was already full (the listing is truncated).
  bool emit_key(const std::string& key, const Node& node) {
    if (!key.starts_with(request_.prefix) || before_marker(key)) return true;
    if (std::string prefix = rolled_up(key); !prefix.empty()) return emit_prefix(prefix);
    if (full()) return false;
    out_.files.push_back(node);
    out_.file_keys.push_back(key);
    out_.last = key;
    out_.last_is_prefix = false;
    return true;
  }

  // Called for a key (or a folder) past the marker that rolls up into `prefix`.
  bool emit_prefix(const std::string& prefix) {
    // The previous page ended with this prefix: everything in it was listed.
    if (request_.after_prefix && request_.after == prefix) return true;
    if (!out_.common_prefixes.empty() && out_.common_prefixes.back() == prefix) return true;
    if (full()) return false;
    out_.common_prefixes.push_back(prefix);
    out_.last = prefix;
    out_.last_is_prefix = true;
    return true;
  }

  bool full() {
    if (out_.files.size() + out_.common_prefixes.size() < request_.max_keys) return false;
    out_.truncated = true;
    return true;
  }

  S3Call& call_;
  const ListRequest& request_;
  Listing& out_;
};

// Continuation tokens: the last key or prefix of the previous page, opaque to clients.
std::string make_token(const Listing& listing) {
  std::string raw = (listing.last_is_prefix ? "P" : "K") + listing.last;
  return to_hex(raw);
}

bool read_token(std::string_view token, ListRequest& request) {
  std::string raw(token.size() / 2, '\0');
  size_t size = 0;
  if (token.size() % 2 != 0 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), token.data(),
                     token.size(), nullptr, &size, nullptr) != 0 ||
      size != raw.size() || raw.empty() || (raw[0] != 'P' && raw[0] != 'K')) {
    return false;
  }
  request.after_prefix = raw[0] == 'P';
  request.after = raw.substr(1);
  return true;
}

Result<Listing> run(S3Call& call, const Node& bucket, const ListRequest& request) {
  Listing listing;
  if (request.max_keys == 0) return listing;
  // Start at the deepest folder the prefix names whole ("a/b/" of "a/b/c").
  Node start = bucket;
  std::string start_key;
  if (size_t slash = request.prefix.rfind('/'); slash != std::string::npos) {
    start_key = request.prefix.substr(0, slash + 1);
    auto key = parse_key(start_key);
    if (!key.is_ok()) return listing;  // no such folder can exist
    auto folder = find_object(call.ctx.files, call.actor(), bucket, *key);
    if (!folder.is_ok()) {
      if (folder.status().code() == Errc::kNotFound) return listing;
      return folder.status();
    }
    start = std::move(*folder);
  }
  Walker walker(call, request, listing);
  auto done = walker.walk(start, start_key);
  COFFER_RETURN_IF_ERROR(done);
  return listing;
}

void append_maybe_encoded(std::string& body, std::string_view name, std::string_view value,
                          bool url_encoding) {
  append_element(body, name, url_encoding ? url_encode_key(value) : std::string(value));
}

// What every listing request names: the bucket, prefix, delimiter, max-keys (default and
// at most 1000) and encoding-type.
struct ListQuery {
  Node bucket;
  ListRequest request;
  bool url_encoding = false;
};

std::variant<ListQuery, api::Response> read_list_query(S3Call& call) {
  auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  const S3Target& t = call.target;
  ListQuery query{std::move(*bucket), {}, false};
  query.request.prefix = t.param("prefix").value_or("");
  query.request.delimiter = t.param("delimiter").value_or("");
  const std::string encoding = t.param("encoding-type").value_or("");
  if (!encoding.empty() && encoding != "url") {
    return call.fail(
        S3Error{400, "InvalidArgument", "Invalid Encoding Method specified in Request"});
  }
  query.url_encoding = encoding == "url";
  if (auto max = t.param("max-keys")) {
    char* end = nullptr;
    const long long n = std::strtoll(max->c_str(), &end, 10);
    if (max->empty() || *end != '\0' || n < 0) {
      return call.fail(S3Error{400, "InvalidArgument", "max-keys must be a non-negative integer"});
    }
    query.request.max_keys = static_cast<size_t>(std::min<long long>(n, kMaxKeysLimit));
  }
  return query;
}

// A marker that is a common prefix (it ends with the delimiter: a NextMarker or NextKeyMarker
// we sent) skips everything it rolled up.
void resume_after(ListRequest& request, std::string marker) {
  request.after = std::move(marker);
  request.after_prefix = !request.delimiter.empty() && request.after.ends_with(request.delimiter);
}

// <root xmlns="..."><Name/><Prefix/>`extra`<Delimiter/><MaxKeys/><EncodingType/><IsTruncated/>
std::string listing_head(std::string_view root, const S3Call& call, const ListQuery& query,
                         const Listing& listing, std::string_view extra) {
  const ListRequest& request = query.request;
  std::string body = "<";
  body += root;
  body += " xmlns=\"";
  body += kS3Namespace;
  body += "\">";
  append_element(body, "Name", call.target.bucket);
  append_maybe_encoded(body, "Prefix", request.prefix, query.url_encoding);
  body += extra;
  if (!request.delimiter.empty()) {
    append_maybe_encoded(body, "Delimiter", request.delimiter, query.url_encoding);
  }
  append_element(body, "MaxKeys", std::to_string(request.max_keys));
  if (query.url_encoding) append_element(body, "EncodingType", "url");
  append_element(body, "IsTruncated", listing.truncated ? "true" : "false");
  return body;
}

void append_common_prefixes(std::string& body, const Listing& listing, bool url_encoding) {
  for (const std::string& prefix : listing.common_prefixes) {
    body += "<CommonPrefixes>";
    append_maybe_encoded(body, "Prefix", prefix, url_encoding);
    body += "</CommonPrefixes>";
  }
}

}  // namespace

api::Response list_object_versions(S3Call& call) {
  auto read = read_list_query(call);
  if (auto* refused = std::get_if<api::Response>(&read)) return std::move(*refused);
  ListQuery& query = std::get<ListQuery>(read);
  const bool url_encoding = query.url_encoding;
  // Every version of a key is on the page of the key, so a page resumes after a whole key
  // (version-id-marker is not needed to continue).
  resume_after(query.request, call.target.param("key-marker").value_or(""));
  auto listing = run(call, query.bucket, query.request);
  if (!listing.is_ok()) return call.fail(listing.status());

  std::string extra;
  append_maybe_encoded(extra, "KeyMarker", query.request.after, url_encoding);
  append_element(extra, "VersionIdMarker", call.target.param("version-id-marker").value_or(""));
  std::string body = listing_head("ListVersionsResult", call, query, *listing, extra);
  std::string entries;
  std::string last_version;
  for (size_t i = 0; i < listing->files.size(); ++i) {
    const Node& node = listing->files[i];
    auto versions = call.ctx.files.list_versions(call.actor(), node.id);
    if (!versions.is_ok()) return call.fail(versions.status());
    for (const FileVersion& v : *versions) {
      Node as_of = node;
      as_of.md5 = v.md5;
      as_of.sha256 = v.sha256;
      last_version = std::to_string(v.id);
      entries += "<Version>";
      append_maybe_encoded(entries, "Key", listing->file_keys[i], url_encoding);
      append_element(entries, "VersionId", last_version);
      append_element(entries, "IsLatest", v.current ? "true" : "false");
      append_element(entries, "LastModified", iso8601_millis(v.created));
      append_element(entries, "ETag", etag_of(as_of));
      append_element(entries, "Size", std::to_string(v.size));
      append_element(entries, "StorageClass", "STANDARD");
      entries += "</Version>";
    }
  }
  if (listing->truncated) {
    append_maybe_encoded(body, "NextKeyMarker", listing->last, url_encoding);
    if (!listing->last_is_prefix) append_element(body, "NextVersionIdMarker", last_version);
  }
  body += entries;
  append_common_prefixes(body, *listing, url_encoding);
  body += "</ListVersionsResult>";
  return xml_response(200, std::move(body));
}

api::Response list_objects(S3Call& call, bool v2) {
  auto read = read_list_query(call);
  if (auto* refused = std::get_if<api::Response>(&read)) return std::move(*refused);
  ListQuery& query = std::get<ListQuery>(read);
  const bool url_encoding = query.url_encoding;
  const S3Target& t = call.target;
  std::string start_after;
  std::optional<std::string> token;
  if (v2) {
    token = t.param("continuation-token");
    start_after = t.param("start-after").value_or("");
    if (token) {
      if (!read_token(*token, query.request)) {
        return call.fail(
            S3Error{400, "InvalidArgument", "The continuation token provided is incorrect"});
      }
    } else {
      query.request.after = start_after;
    }
  } else {
    resume_after(query.request, t.param("marker").value_or(""));
  }
  auto listing = run(call, query.bucket, query.request);
  if (!listing.is_ok()) return call.fail(listing.status());

  std::string extra;
  if (v2) {
    append_element(extra, "KeyCount",
                   std::to_string(listing->files.size() + listing->common_prefixes.size()));
    if (token) append_element(extra, "ContinuationToken", *token);
    if (!start_after.empty()) append_maybe_encoded(extra, "StartAfter", start_after, url_encoding);
    if (listing->truncated) append_element(extra, "NextContinuationToken", make_token(*listing));
  } else {
    append_maybe_encoded(extra, "Marker", t.param("marker").value_or(""), url_encoding);
    // S3 sends NextMarker only with a delimiter; without, clients continue from the last key.
    if (listing->truncated && !query.request.delimiter.empty()) {
      append_maybe_encoded(extra, "NextMarker", listing->last, url_encoding);
    }
  }
  std::string body = listing_head("ListBucketResult", call, query, *listing, extra);
  for (size_t i = 0; i < listing->files.size(); ++i) {
    const Node& node = listing->files[i];
    body += "<Contents>";
    append_maybe_encoded(body, "Key", listing->file_keys[i], url_encoding);
    append_element(body, "LastModified", iso8601_millis(node.modified));
    append_element(body, "ETag", etag_of(node));
    append_element(body, "Size", std::to_string(node.size));
    append_element(body, "StorageClass", "STANDARD");
    body += "</Contents>";
  }
  append_common_prefixes(body, *listing, url_encoding);
  body += "</ListBucketResult>";
  return xml_response(200, std::move(body));
}

}  // namespace coffer::s3api
