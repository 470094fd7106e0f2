// GET /api/v1/zip?ids=1,2,3: files and folders (with everything below them) as one streamed
// zip archive. Sent chunked: its length is not known before the folders are walked.

#include <charconv>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/http_headers.h"
#include "api/query_params.h"
#include "api/zip_response.h"
#include "service/zip_export.h"

namespace coffer::api {
namespace {

Result<std::vector<int64_t>> parse_ids(std::string_view text) {
  std::vector<int64_t> ids;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    int64_t id = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
    if (ec != std::errc() || p != item.data() + item.size() || id <= 0) {
      return Status(Errc::kInvalidArgument, "ids must be a comma-separated list of node ids");
    }
    ids.push_back(id);
    if (ids.size() > service::kMaxZipSelection) break;
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return ids;
}

Response zip(ApiContext& ctx, Request& request) {
  auto ids = parse_ids(query_param(request, "ids").value_or(""));
  if (!ids.is_ok()) return error_response(request.request_id, ids.status());
  std::string name = "coffer.zip";
  if (ids->size() == 1) {
    auto node = ctx.files.stat(request.user_id, ids->front());
    if (node.is_ok() && !node->name.empty()) name = node->name + ".zip";
  }
  auto stream = service::zip_nodes(ctx.files, request.user_id, *ids);
  if (!stream.is_ok()) return error_response(request.request_id, stream.status());
  return zip_response(std::move(*stream), name);
}

}  // namespace

void add_zip_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/zip", access::kFilesRead, bind_route(ctx, zip));
}

}  // namespace coffer::api
