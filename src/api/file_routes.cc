// Files and folders: /api/v1/folders, /api/v1/files, /api/v1/nodes.

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <optional>
#include <set>

#include "api/api_context.h"
#include "api/content_response.h"
#include "api/errors.h"
#include "api/http_headers.h"
#include "api/json_io.h"
#include "api/multipart.h"
#include "api/query_params.h"
#include "api/range.h"
#include "api/tag_list.h"
#include "api/write_preconditions.h"
#include "core/base64.h"
#include "core/mime_types.h"
#include "core/name_rules.h"
#include "service/upload_batch.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;
constexpr int64_t kDefaultDownloadUrlSeconds = 3600;
constexpr int64_t kMaxDownloadUrlSeconds = 7 * 86400;

Response node_response(int status, const Node& node) {
  return json_response(status, node_json(node));
}

// Cursor: base64url of a small JSON object holding the keyset of the last node returned,
// bound to the sort it was made for.
std::string encode_cursor(const Node& last, std::string_view sort, bool descending) {
  json::object o{{"k", last.kind == NodeKind::kFolder ? 0 : 1},
                 {"n", last.name},
                 {"m", last.modified},
                 {"s", last.size},
                 {"c", last.created},
                 {"i", last.id},
                 {"o", std::string(sort) + (descending ? ":desc" : ":asc")}};
  return base64_encode(json::serialize(o), Base64::kUrlSafe);
}

Result<Node> decode_cursor(std::string_view cursor, std::string_view sort, bool descending) {
  Status bad(Errc::kInvalidArgument, "invalid cursor");
  if (cursor.size() > 2048) return bad;
  auto text = base64_decode(cursor, Base64::kUrlSafe);
  if (!text) return bad;
  boost::system::error_code ec;
  auto value = json::parse(*text, ec);
  if (ec || !value.is_object()) return bad;
  const auto& o = value.as_object();
  const auto* k = o.if_contains("k");
  const auto* n = o.if_contains("n");
  const auto* m = o.if_contains("m");
  const auto* s = o.if_contains("s");
  const auto* c = o.if_contains("c");
  const auto* i = o.if_contains("i");
  const auto* ord = o.if_contains("o");
  if (!k || !k->is_int64() || !n || !n->is_string() || !m || !m->is_int64() || !s ||
      !(s->is_int64() || s->is_uint64()) || !c || !c->is_int64() || !i || !i->is_int64() || !ord ||
      !ord->is_string()) {
    return bad;
  }
  if (ord->as_string() != std::string(sort) + (descending ? ":desc" : ":asc")) {
    return Status(Errc::kInvalidArgument, "the cursor belongs to another sort order");
  }
  Node node;
  node.kind = k->as_int64() == 0 ? NodeKind::kFolder : NodeKind::kFile;
  node.name = std::string(n->as_string());
  node.modified = m->as_int64();
  node.created = c->as_int64();
  node.size = s->is_uint64() ? s->as_uint64() : static_cast<uint64_t>(s->as_int64());
  node.id = i->as_int64();
  return node;
}

// An unsigned decimal query parameter, or nothing when absent.
Result<std::optional<int64_t>> int_param(const Request& request, std::string_view name) {
  auto text = query_param(request, name);
  if (!text) return std::optional<int64_t>();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < 0) {
    return Status(Errc::kInvalidArgument, std::string(name) + " must be a non-negative integer");
  }
  return std::optional<int64_t>(v);
}

// mime (a type or a prefix like "image/"), size_min/size_max (bytes, inclusive) and
// modified_after/modified_before (RFC 3339, as listings show times; [after, before)).
Status parse_range_filters(const Request& request, ListOptions& options) {
  if (auto mime = query_param(request, "mime"); mime && !mime->empty()) {
    if (mime->size() > 255) return Status(Errc::kInvalidArgument, "mime is too long");
    options.mime_prefix = *mime;
  }
  auto size_min = int_param(request, "size_min");
  auto size_max = int_param(request, "size_max");
  for (const auto* r : {&size_min, &size_max}) COFFER_RETURN_IF_ERROR(*r);
  if (*size_min) options.size_min = static_cast<uint64_t>(**size_min);
  if (*size_max) options.size_max = static_cast<uint64_t>(**size_max);
  for (auto [name, field] : {std::pair{"modified_after", &options.modified_after},
                             std::pair{"modified_before", &options.modified_before}}) {
    auto text = query_param(request, name);
    if (!text) continue;
    *field = parse_rfc3339(*text);
    if (!*field) {
      return Status(Errc::kInvalidArgument,
                    std::string(name) + " must be an RFC 3339 time like 2026-01-31T12:00:00Z");
    }
  }
  if (options.size_min && options.size_max && *options.size_min > *options.size_max) {
    return Status(Errc::kInvalidArgument, "size_min is larger than size_max");
  }
  return Status::ok();
}

Response get_root(ApiContext& ctx, Request& request) {
  auto root = ctx.files.root(request.user_id);
  if (!root.is_ok()) return fail(request, root.status());
  return node_response(200, *root);
}

Response create_folder(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto parent = optional_int(*body, "parent_id");
  if (!parent.is_ok()) return fail(request, parent.status());
  auto name = optional_string(*body, "name");
  if (!name.is_ok()) return fail(request, name.status());
  if (!*name) return fail(request, Status(Errc::kInvalidArgument, "name is required"));
  int64_t parent_id = 0;
  if (*parent) {
    parent_id = **parent;
  } else {
    auto root = ctx.files.root(request.user_id);
    if (!root.is_ok()) return fail(request, root.status());
    parent_id = root->id;
  }
  auto folder = ctx.files.create_folder(request.user_id, parent_id, **name);
  if (!folder.is_ok()) return fail(request, folder.status());
  auto response = node_response(201, *folder);
  response.set_header("Location", "/api/v1/nodes/" + std::to_string(folder->id));
  return response;
}

Response list_children(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  ListOptions options;
  std::string sort = query_param(request, "sort").value_or("name");
  if (sort == "name")
    options.sort = SortKey::kName;
  else if (sort == "modified")
    options.sort = SortKey::kModified;
  else if (sort == "size")
    options.sort = SortKey::kSize;
  else if (sort == "created")
    options.sort = SortKey::kCreated;
  else
    return fail(request,
                Status(Errc::kInvalidArgument, "sort must be name, modified, size or created"));
  std::string order = query_param(request, "order").value_or("asc");
  if (order != "asc" && order != "desc") {
    return fail(request, Status(Errc::kInvalidArgument, "order must be asc or desc"));
  }
  options.descending = order == "desc";
  options.limit = kDefaultPageSize;
  if (auto limit = query_param(request, "limit")) {
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || p != limit->data() + limit->size() || v == 0 || v > kMaxPageSize) {
      return fail(request, Status(Errc::kInvalidArgument, "limit must be 1 to 1000"));
    }
    options.limit = v;
  }
  if (auto status = query_param(request, "status")) {
    options.status = parse_doc_status(*status);
    if (!options.status) {
      return fail(request, Status(Errc::kInvalidArgument,
                                  "status must be pending, active, archived or error"));
    }
  }
  if (auto tag = query_param(request, "tag"); tag && !tag->empty()) options.tag = *tag;
  if (Status s = parse_range_filters(request, options); !s.is_ok()) return fail(request, s);
  if (auto cursor = query_param(request, "cursor"); cursor && !cursor->empty()) {
    auto after = decode_cursor(*cursor, sort, options.descending);
    if (!after.is_ok()) return fail(request, after.status());
    options.after = std::move(*after);
  }
  // Ask for one more than the page to know whether another page follows.
  const uint32_t page = options.limit;
  options.limit = page + 1;
  auto children = ctx.files.list(request.user_id, *id, options);
  if (!children.is_ok()) return fail(request, children.status());
  json::array items;
  bool more = children->size() > page;
  if (more) children->resize(page);
  for (const auto& child : *children) items.push_back(node_json(child));
  json::object out{{"items", std::move(items)}};
  out["next_cursor"] = more ? json::value(encode_cursor(children->back(), sort, options.descending))
                            : json::value(nullptr);
  return json_response(200, out);
}

Response resolve_path(ApiContext& ctx, Request& request) {
  auto path = query_param(request, "path");
  if (!path) return fail(request, Status(Errc::kInvalidArgument, "path is required"));
  auto node = ctx.files.resolve_path(request.user_id, *path);
  if (!node.is_ok()) return fail(request, node.status());
  return node_response(200, *node);
}

Response node_with_attributes(ApiContext& ctx, const Request& request, const Node& node);

Response get_node(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto node = ctx.files.stat(request.user_id, *id);
  if (!node.is_ok()) return fail(request, node.status());
  return node_with_attributes(ctx, request, *node);
}

Response get_file(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto node = ctx.files.stat(request.user_id, *id);
  if (!node.is_ok()) return fail(request, node.status());
  if (node->kind != NodeKind::kFile) return fail(request, Status(Errc::kNotFound, "no such file"));
  return node_with_attributes(ctx, request, *node);
}

Response upload_raw(ApiContext& ctx, Request& request) {
  auto parent = parse_id(request.path_param("id"));
  if (!parent.is_ok()) return fail(request, parent.status());
  auto digest = declared_sha256(request.header("Content-SHA256"), request.header("Digest"),
                                request.header("Repr-Digest"));
  if (!digest.is_ok()) return fail(request, digest.status());
  service::UploadRequest upload;
  upload.owner_id = request.user_id;
  upload.parent_id = *parent;
  upload.name = std::string(request.path_param("name"));
  upload.body = request.body;
  upload.expected_sha256 = *digest;
  upload.expected_size = request.body->content_length();
  upload.declared_mime = std::string(request.header("Content-Type"));
  if (has_write_conditions(request)) {
    // What is at the name now decides the conditions; the commit then requires exactly that.
    std::optional<Node> current;
    auto found = ctx.files.resolve_below(request.user_id, *parent, "/" + upload.name);
    if (found.is_ok()) {
      current = std::move(*found);
    } else if (found.status().code() != Errc::kNotFound) {
      return fail(request, found.status());
    }
    auto precondition = write_precondition(request, current, current ? etag_for(*current) : "");
    if (!precondition.is_ok()) return fail(request, precondition.status());
    upload.precondition = *precondition;
  }
  auto node = ctx.files.upload(upload);
  if (!node.is_ok()) return fail(request, node.status());
  auto response = node_response(201, *node);
  response.set_header("Location", "/api/v1/files/" + std::to_string(node->id));
  response.set_header("ETag", etag_for(*node));
  return response;
}

// The files of one form, stored as they arrive into one upload batch and committed together:
// one sync of the chunk store and one transaction for the lot (service/upload_batch.h). Each
// file gets its own result; one refused file fails only itself.
class FormUpload {
 public:
  FormUpload(ApiContext& ctx, Request& request, int64_t parent)
      : request_(request), parent_(parent), batch_(ctx.files) {}

  // Stores the file part `reader` is at, or records why it is refused.
  void add(const MultipartReader::Part& part, MultipartReader& reader) {
    const std::string& name = *part.filename;
    // The same name twice is two uploads one after the other: the second must see the first
    // (as its new version), so the first commits before it.
    auto normalized = normalize_name(name);
    std::string key = normalized.is_ok() ? *normalized : name;
    if (pending_names_.contains(key)) commit();
    results_.push_back({name, std::nullopt});
    service::UploadRequest upload;
    upload.owner_id = request_.user_id;
    upload.parent_id = parent_;
    upload.name = name;
    upload.declared_mime = part.content_type;
    upload.body = &reader;
    Status staged = batch_.add(upload);
    if (!staged.is_ok()) {
      results_.back().outcome = staged;
      return;
    }
    pending_names_.insert(std::move(key));
    pending_.push_back(results_.size() - 1);
    if (batch_.full()) commit();
  }

  // Commits what was added and records each file's outcome.
  void commit() {
    std::vector<Result<Node>> nodes = batch_.commit();
    for (size_t i = 0; i < pending_.size(); ++i) results_[pending_[i]].outcome = nodes[i];
    pending_.clear();
    pending_names_.clear();
  }

  // 201 when every file was stored; otherwise 207 with each file's result in order, except
  // that a form of one file answers as a single upload does: with its error.
  Response response() const {
    if (results_.empty()) {
      return fail(request_, Status(Errc::kInvalidArgument, "the form contains no file"));
    }
    json::array files;
    json::array results;
    const Status* first_refusal = nullptr;
    for (const FileResult& result : results_) {
      json::object entry{{"name", result.name}};
      const Result<Node>& outcome = *result.outcome;
      if (outcome.is_ok()) {
        entry["status"] = 201;
        entry["file"] = node_json(*outcome);
        files.push_back(node_json(*outcome));
      } else {
        if (!first_refusal) first_refusal = &outcome.status();
        entry["status"] = http_status_for(outcome.status().code());
        entry["error"] = json::object{{"code", errc_name(outcome.status().code())},
                                      {"message", outcome.status().message()}};
      }
      results.push_back(std::move(entry));
    }
    if (first_refusal && results_.size() == 1) return fail(request_, *first_refusal);
    return json_response(first_refusal ? 207 : 201, json::object{{"files", std::move(files)},
                                                                 {"results", std::move(results)}});
  }

 private:
  struct FileResult {
    std::string name;
    std::optional<Result<Node>> outcome;  // set once refused or committed
  };

  Request& request_;
  int64_t parent_;
  service::FileService::Batch batch_;
  std::vector<FileResult> results_;
  std::vector<size_t> pending_;  // indexes into results_ of the files in batch_
  std::set<std::string> pending_names_;
};

Response upload_multipart(ApiContext& ctx, Request& request) {
  auto parent = parse_id(request.path_param("id"));
  if (!parent.is_ok()) return fail(request, parent.status());
  auto boundary = multipart_boundary(request.header("Content-Type"));
  if (!boundary) {
    return fail(request, Status(Errc::kUnsupportedMediaType,
                                "the body must be multipart/form-data with a boundary"));
  }
  MultipartReader reader(*request.body, *boundary);
  FormUpload form(ctx, request, *parent);
  for (;;) {
    auto part = reader.next_part();
    // A broken form commits nothing more: what was added since the last commit is dropped.
    if (!part.is_ok()) return fail(request, part.status());
    if (!*part) break;
    if (!(*part)->filename) continue;  // plain form fields carry nothing we need yet
    form.add(**part, reader);
  }
  form.commit();
  return form.response();
}

Response download(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto node = ctx.files.stat(request.user_id, *id);
  if (!node.is_ok()) return fail(request, node.status());
  if (node->kind != NodeKind::kFile) return fail(request, Status(Errc::kNotFound, "no such file"));
  ContentOptions options;
  options.inline_requested = query_param(request, "disposition").value_or("") == "inline";
  return send_content(ctx, request, *node, options);
}

json::object version_json(const FileVersion& v) {
  return json::object{{"id", v.id},
                      {"size", v.size},
                      {"sha256", v.sha256},
                      {"mime", v.mime},
                      {"created", rfc3339(v.created)},
                      {"current", v.current}};
}

// The file id and version id of /api/v1/files/{id}/versions/{vid}.
Result<std::pair<int64_t, int64_t>> version_path(const Request& request) {
  auto id = parse_id(request.path_param("id"));
  COFFER_RETURN_IF_ERROR(id);
  auto vid = parse_id(request.path_param("vid"));
  if (!vid.is_ok()) return Status(Errc::kNotFound, "no such version");
  return std::pair{*id, *vid};
}

Response list_versions(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto versions = ctx.files.list_versions(request.user_id, *id);
  if (!versions.is_ok()) return fail(request, versions.status());
  json::array items;
  for (const FileVersion& v : *versions) items.push_back(version_json(v));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response download_version(ApiContext& ctx, Request& request) {
  auto ids = version_path(request);
  if (!ids.is_ok()) return fail(request, ids.status());
  auto node = ctx.files.file_at_version(request.user_id, ids->first, ids->second);
  if (!node.is_ok()) return fail(request, node.status());
  ContentOptions options;
  options.inline_requested = query_param(request, "disposition").value_or("") == "inline";
  return send_content(ctx, request, *node, options);
}

Response restore_version(ApiContext& ctx, Request& request) {
  auto ids = version_path(request);
  if (!ids.is_ok()) return fail(request, ids.status());
  auto node = ctx.files.restore_version(request.user_id, ids->first, ids->second);
  if (!node.is_ok()) return fail(request, node.status());
  return node_response(200, *node);
}

Response delete_version(ApiContext& ctx, Request& request) {
  auto ids = version_path(request);
  if (!ids.is_ok()) return fail(request, ids.status());
  Status status = ctx.files.delete_version(request.user_id, ids->first, ids->second);
  if (!status.is_ok()) return fail(request, status);
  Response response;
  response.status = 204;
  return response;
}

// GET /api/v1/usage: logical bytes, by where they are, against the quota.
Response get_usage(ApiContext& ctx, Request& request) {
  auto u = ctx.catalog.usage(request.user_id);
  if (!u.is_ok()) return fail(request, u.status());
  json::object out{{"used", u->used()},
                   {"limit", u->limit > 0 ? json::value(u->limit) : json::value(nullptr)},
                   {"breakdown", json::object{{"files", u->files_bytes},
                                              {"versions", u->versions_bytes},
                                              {"trash", u->trash_bytes},
                                              {"properties", u->properties_bytes}}},
                   {"counts", json::object{{"files", u->files},
                                           {"folders", u->folders},
                                           {"versions", u->versions},
                                           {"trash_items", u->trash_items}}}};
  return json_response(200, out);
}

// POST /api/v1/files/{id}/download-url {"expires_in", "disposition"}: a URL that serves the
// file's current version to anyone who holds it, on any node, until it expires.
Response create_download_url(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto parsed = read_json_object(request);
  if (!parsed.is_ok()) return fail(request, parsed.status());
  const json::object& body = *parsed;
  auto expires_in = optional_int(body, "expires_in");
  if (!expires_in.is_ok()) return fail(request, expires_in.status());
  const int64_t seconds = expires_in->value_or(kDefaultDownloadUrlSeconds);
  if (seconds < 1 || seconds > kMaxDownloadUrlSeconds) {
    return fail(request, Status(Errc::kInvalidArgument, "expires_in must be 1 to 604800 seconds"));
  }
  auto disposition = optional_string(body, "disposition");
  if (!disposition.is_ok()) return fail(request, disposition.status());
  const std::string mode = disposition->value_or("attachment");
  if (mode != "attachment" && mode != "inline") {
    return fail(request,
                Status(Errc::kInvalidArgument, "disposition must be attachment or inline"));
  }
  auto node = ctx.files.stat(request.user_id, *id);
  if (!node.is_ok()) return fail(request, node.status());
  if (node->kind != NodeKind::kFile) return fail(request, Status(Errc::kNotFound, "no such file"));

  auth::DownloadGrant grant;
  grant.file_id = node->id;
  grant.version_id = node->version_id;
  grant.expires_at = now_micros() / 1'000'000 + seconds;
  grant.inline_disposition = mode == "inline";
  grant.signer_id = request.user_id;
  const std::string url = "/api/v1/download/" + ctx.url_signer.sign(grant);
  return json_response(201, json::object{{"url", url},
                                         {"expires_at", rfc3339(grant.expires_at * 1'000'000)},
                                         {"version_id", grant.version_id}});
}

// GET /api/v1/download/{token}: public; the token is the authority (auth::UrlSigner), but
// only as long as its signer may still read the file: a URL minted through a share dies with
// the share (the same AccessPolicy as every file route, so the same 404 as theirs).
Response download_signed(ApiContext& ctx, Request& request) {
  const int64_t now = now_micros() / 1'000'000;
  auto grant = ctx.url_signer.verify(request.path_param("token"), now);
  if (!grant.is_ok()) return fail(request, grant.status());
  if (grant->signer_id == 0) {
    // Signed before tokens named their signer: whose access it borrows is unknown.
    return fail(request, Status(Errc::kSignatureInvalid,
                                "the download link is from an older version; ask for a new one"));
  }
  auto access = ctx.files.access(grant->signer_id, grant->file_id, Permission::kRead);
  if (!access.is_ok()) return fail(request, access.status());
  auto node = ctx.files.stat_version(grant->file_id, grant->version_id);
  if (!node.is_ok()) return fail(request, node.status());
  ContentOptions options;
  options.inline_requested = grant->inline_disposition;
  // The bytes behind a token never change; caches may keep them until it expires.
  options.cache_control = "private, max-age=" + std::to_string(grant->expires_at - now);
  return send_content(ctx, request, *node, options);
}

// The {"name", "parent_id"} body shared by rename/move and copy.
struct NameAndParent {
  std::optional<std::string> name;
  std::optional<int64_t> parent_id;
};

Result<NameAndParent> name_and_parent(const json::object& body) {
  auto name = optional_string(body, "name");
  COFFER_RETURN_IF_ERROR(name);
  auto parent = optional_int(body, "parent_id");
  COFFER_RETURN_IF_ERROR(parent);
  return NameAndParent{std::move(*name), *parent};
}

Result<NameAndParent> read_name_and_parent(Request& request) {
  auto body = read_json_object(request);
  COFFER_RETURN_IF_ERROR(body);
  return name_and_parent(*body);
}

constexpr size_t kMaxMetadataBytes = 64 * 1024;

// The attribute members of a PATCH body: status, tags (an array of strings; replaces all),
// metadata (a JSON object, at most 64 KiB; null clears it).
Result<AttributeChanges> attribute_changes(const json::object& body) {
  AttributeChanges changes;
  if (auto status = optional_string(body, "status"); !status.is_ok()) {
    return status.status();
  } else if (*status) {
    changes.status = parse_doc_status(**status);
    if (!changes.status) {
      return Status(Errc::kInvalidArgument, "status must be pending, active, archived or error");
    }
  }
  if (const json::value* tags = body.if_contains("tags")) {
    auto parsed = parse_tags(*tags);
    COFFER_RETURN_IF_ERROR(parsed);
    changes.tags = std::move(*parsed);
  }
  if (const json::value* metadata = body.if_contains("metadata")) {
    if (metadata->is_null()) {
      changes.metadata_json = "";
    } else if (!metadata->is_object()) {
      return Status(Errc::kInvalidArgument, "metadata must be a JSON object or null");
    } else {
      std::string text = json::serialize(*metadata);
      if (text.size() > kMaxMetadataBytes) {
        return Status(Errc::kPayloadTooLarge, "metadata is limited to 64 KiB");
      }
      changes.metadata_json = std::move(text);
    }
  }
  return changes;
}

// A node with its status, tags and metadata, as GET /nodes/{id} and PATCH answer.
Response node_with_attributes(ApiContext& ctx, const Request& request, const Node& node) {
  auto attributes = ctx.files.attributes(request.user_id, node.id);
  if (!attributes.is_ok()) return fail(request, attributes.status());
  json::object o = node_json(node);
  o["status"] = doc_status_name(attributes->status);
  json::array tags;
  for (const std::string& tag : attributes->tags) tags.emplace_back(tag);
  o["tags"] = std::move(tags);
  if (attributes->metadata_json.empty()) {
    o["metadata"] = nullptr;
  } else {
    boost::system::error_code ec;
    o["metadata"] = json::parse(attributes->metadata_json, ec);
    if (ec) o["metadata"] = nullptr;
  }
  if (node.kind == NodeKind::kFile) {
    // What media processing found (dimensions, camera, when taken); null until it has run.
    auto media = ctx.catalog.media().media_info(node.sha256);
    if (!media.is_ok()) return fail(request, media.status());
    o["media"] = nullptr;
    if (*media) {
      auto text_or_null = [](const std::string& s) {
        return s.empty() ? json::value(nullptr) : json::value(s);
      };
      o["media"] = json::object{{"width", (*media)->width},
                                {"height", (*media)->height},
                                {"camera_make", text_or_null((*media)->camera_make)},
                                {"camera_model", text_or_null((*media)->camera_model)},
                                {"taken_at", text_or_null((*media)->taken_at)}};
    }
  }
  Response response = json_response(200, o);
  // A file's ETag is its content's (as on its download): what If-Match names on a write.
  if (node.kind == NodeKind::kFile) response.set_header("ETag", etag_for(node));
  return response;
}

// If-Match and If-None-Match on a change of an existing node (PATCH, DELETE): decided against
// the node now (kPreconditionFailed when they fail), and the version they matched is returned
// for the change to hold in its own transaction, so that no write of another client can come
// between the check and the change (as on an upload).
Result<std::optional<int64_t>> if_match_version(ApiContext& ctx, const Request& request,
                                                int64_t id) {
  if (!has_write_conditions(request)) return std::optional<int64_t>();
  auto node = ctx.files.stat(request.user_id, id);
  COFFER_RETURN_IF_ERROR(node);
  auto precondition = write_precondition(request, *node, etag_for(*node));
  COFFER_RETURN_IF_ERROR(precondition);
  return precondition->current_version;
}

// PATCH /api/v1/nodes/{id}: rename and/or move (name, parent_id), and/or change the status,
// tags and metadata.
Response patch_node(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto if_version = if_match_version(ctx, request, *id);
  if (!if_version.is_ok()) return fail(request, if_version.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto place = name_and_parent(*body);
  if (!place.is_ok()) return fail(request, place.status());
  auto changes = attribute_changes(*body);
  if (!changes.is_ok()) return fail(request, changes.status());
  const bool moves = place->name || place->parent_id;
  const bool edits = changes->status || changes->tags || changes->metadata_json;
  if (!moves && !edits) {
    return fail(request, Status(Errc::kInvalidArgument,
                                "give name, parent_id, status, tags and/or metadata"));
  }
  // An archived node refuses to move: un-archiving in the same request applies before the
  // move, archiving after it, so a refused move leaves the status as it was.
  const bool archives = changes->status == DocStatus::kArchived;
  auto apply_edits = [&]() -> Status {
    if (!edits) return Status::ok();
    return status_of(ctx.files.set_attributes(request.user_id, *id, *changes, *if_version));
  };
  if (!archives) {
    if (Status s = apply_edits(); !s.is_ok()) return fail(request, s);
  }
  // After the edits (which keep the file's version), the move holds the same condition.
  auto node = moves
                  ? ctx.files.move(request.user_id, *id, place->parent_id, place->name, *if_version)
                  : ctx.files.stat(request.user_id, *id);
  if (!node.is_ok()) return fail(request, node.status());
  if (archives) {
    if (Status s = apply_edits(); !s.is_ok()) return fail(request, s);
  }
  return node_with_attributes(ctx, request, *node);
}

Response copy_node(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto body = read_name_and_parent(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto node = ctx.files.copy(request.user_id, *id, body->parent_id, body->name);
  if (!node.is_ok()) return fail(request, node.status());
  return node_response(201, *node);
}

Response delete_node(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto if_version = if_match_version(ctx, request, *id);
  if (!if_version.is_ok()) return fail(request, if_version.status());
  if (Status s = ctx.files.remove(request.principal, origin_of(request), *id, *if_version);
      !s.is_ok()) {
    return fail(request, s);
  }
  Response response;
  response.status = 204;
  return response;
}

}  // namespace

void add_file_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/folders/root", access::kFilesRead, bind_route(ctx, get_root));
  router.add("POST", "/api/v1/folders", access::kFilesWrite, bind_route(ctx, create_folder));
  router.add("GET", "/api/v1/folders/{id}/children", access::kFilesRead,
             bind_route(ctx, list_children));
  router.add("PUT", "/api/v1/folders/{id}/files/{name}", access::kFilesWrite,
             bind_route(ctx, upload_raw));
  router.add("POST", "/api/v1/folders/{id}/files", access::kFilesWrite,
             bind_route(ctx, upload_multipart));
  router.add("GET", "/api/v1/files/{id}", access::kFilesRead, bind_route(ctx, get_file));
  router.add("GET", "/api/v1/files/{id}/content", access::kFilesRead, bind_route(ctx, download));
  router.add("GET", "/api/v1/files/{id}/versions", access::kFilesRead,
             bind_route(ctx, list_versions));
  router.add("GET", "/api/v1/usage", access::kFilesRead, bind_route(ctx, get_usage));
  router.add("GET", "/api/v1/files/{id}/versions/{vid}/content", access::kFilesRead,
             bind_route(ctx, download_version));
  router.add("POST", "/api/v1/files/{id}/versions/{vid}/restore", access::kFilesWrite,
             bind_route(ctx, restore_version));
  router.add("DELETE", "/api/v1/files/{id}/versions/{vid}", access::kFilesWrite,
             bind_route(ctx, delete_version));
  router.add("POST", "/api/v1/files/{id}/download-url", access::kFilesRead,
             bind_route(ctx, create_download_url));
  router.add("GET", "/api/v1/download/{token}", access::kOpenLink,
             bind_route(ctx, download_signed));
  router.add("GET", "/api/v1/nodes", access::kFilesRead, bind_route(ctx, resolve_path));
  router.add("GET", "/api/v1/nodes/{id}", access::kFilesRead, bind_route(ctx, get_node));
  router.add("PATCH", "/api/v1/nodes/{id}", access::kFilesWrite, bind_route(ctx, patch_node));
  router.add("DELETE", "/api/v1/nodes/{id}", access::kFilesWrite, bind_route(ctx, delete_node));
  router.add("POST", "/api/v1/nodes/{id}/copy", access::kFilesWrite, bind_route(ctx, copy_node));
}

}  // namespace coffer::api
