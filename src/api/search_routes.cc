// Full-text search: GET /api/v1/search.

#include <boost/json.hpp>
#include <charconv>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr uint32_t kDefaultLimit = 20;

Result<uint64_t> unsigned_param(std::string_view name, std::string_view text) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status(Errc::kInvalidArgument, std::string(name) + " must be a non-negative integer");
  }
  return v;
}

Result<std::optional<Micros>> time_param(const Request& request, const char* name) {
  auto text = query_param(request, name);
  if (!text || text->empty()) return std::optional<Micros>();
  auto t = parse_rfc3339(*text);
  if (!t) {
    return Status(Errc::kInvalidArgument,
                  std::string(name) + " must be an RFC 3339 time, e.g. 2024-05-01T00:00:00Z");
  }
  return std::optional<Micros>(*t);
}

// The request's filters and page; the query text itself is parsed by the caller.
Status read_filters(const Request& request, SearchRequest& out) {
  if (auto type = query_param(request, "type"); type && !type->empty()) {
    if (*type == "file") {
      out.kind = NodeKind::kFile;
    } else if (*type == "folder") {
      out.kind = NodeKind::kFolder;
    } else {
      return Status(Errc::kInvalidArgument, "type must be file or folder");
    }
  }
  if (auto mime = query_param(request, "mime"); mime && !mime->empty()) {
    // "image/*" and "image/" both mean every image type.
    if (mime->ends_with("/*")) mime->pop_back();
    if (mime->size() > 255) return Status(Errc::kInvalidArgument, "mime is too long");
    out.mime = *mime;
  }
  if (auto tag = query_param(request, "tag"); tag && !tag->empty()) out.tag = *tag;
  if (auto status = query_param(request, "status"); status && !status->empty()) {
    out.status = parse_doc_status(*status);
    if (!out.status) {
      return Status(Errc::kInvalidArgument, "status must be pending, active, archived or error");
    }
  }
  auto after = time_param(request, "modified_after");
  COFFER_RETURN_IF_ERROR(after);
  out.modified_after = *after;
  auto before = time_param(request, "modified_before");
  COFFER_RETURN_IF_ERROR(before);
  out.modified_before = *before;
  for (auto [name, target] : {std::pair{"size_min", &out.size_min}, {"size_max", &out.size_max}}) {
    if (auto text = query_param(request, name); text && !text->empty()) {
      auto v = unsigned_param(name, *text);
      COFFER_RETURN_IF_ERROR(v);
      if (*v > static_cast<uint64_t>(INT64_MAX)) {
        return Status(Errc::kInvalidArgument, std::string(name) + " is too large");
      }
      *target = *v;
    }
  }
  out.limit = kDefaultLimit;
  if (auto limit = query_param(request, "limit"); limit && !limit->empty()) {
    auto v = unsigned_param("limit", *limit);
    COFFER_RETURN_IF_ERROR(v);
    if (*v == 0 || *v > service::kMaxSearchPage) {
      return Status(Errc::kInvalidArgument,
                    "limit must be 1 to " + std::to_string(service::kMaxSearchPage));
    }
    out.limit = static_cast<uint32_t>(*v);
  }
  // The cursor is the offset of the next page (opaque to clients).
  if (auto cursor = query_param(request, "cursor"); cursor && !cursor->empty()) {
    auto v = unsigned_param("cursor", *cursor);
    if (!v.is_ok() || *v > service::kMaxSearchOffset) {
      return Status(Errc::kInvalidArgument, "invalid cursor");
    }
    out.offset = static_cast<uint32_t>(*v);
  }
  return Status::ok();
}

json::object hit_json(const SearchHit& hit) {
  json::object o = node_json(hit.node);
  o["path"] = hit.path + "/" + hit.node.name;
  o["status"] = doc_status_name(hit.status);
  o["snippet"] = snippet_html(hit.snippet);
  o["score"] = hit.score;
  if (hit.share_root_id != 0) {
    // As GET /shared-with-me names them; the path starts at the shared node.
    o["share_root_id"] = hit.share_root_id;
    o["owner"] = json::object{{"id", hit.node.owner_id}, {"username", hit.shared_by}};
  }
  return o;
}

Response search(ApiContext& ctx, Request& request) {
  auto text = query_param(request, "q");
  if (!text) return fail(request, Status(Errc::kInvalidArgument, "q is required"));
  auto query = parse_search_query(*text);
  if (!query.is_ok()) return fail(request, query.status());
  SearchRequest search;
  search.owner_id = request.user_id;
  search.query = std::move(*query);
  if (Status s = read_filters(request, search); !s.is_ok()) return fail(request, s);
  // One more than the page tells whether another follows.
  const uint32_t page = search.limit;
  search.limit = page + 1;
  auto hits = ctx.search.search(search);
  if (!hits.is_ok()) return fail(request, hits.status());
  const bool more = hits->size() > page;
  if (more) hits->resize(page);
  json::array items;
  for (const SearchHit& hit : *hits) items.push_back(hit_json(hit));
  json::object out{{"items", std::move(items)}};
  out["next_cursor"] =
      more ? json::value(std::to_string(search.offset + page)) : json::value(nullptr);
  return json_response(200, out);
}

}  // namespace

void add_search_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/search", access::kFilesRead, bind_route(ctx, search));
}

}  // namespace coffer::api
