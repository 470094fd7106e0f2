// Thumbnails: GET /api/v1/files/{id}/thumbnail?size=small|large.

#include "api/api_context.h"
#include "api/content_response.h"
#include "api/errors.h"
#include "api/http_headers.h"
#include "api/json_io.h"
#include "api/query_params.h"
#include "core/job.h"

namespace coffer::api {
namespace {

// How long a UI should wait before asking again while a thumbnail is being made.
constexpr int kPendingRetrySeconds = 2;
// The answer while a thumbnail is being made: 202 Accepted, a success (no Errc), shaped like
// an error so that clients parse it like every other coded answer (docs/errors.md).
constexpr std::string_view kThumbnailPending = "THUMBNAIL_PENDING";

Response thumbnail(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  const std::string variant = query_param(request, "size").value_or("small");
  if (variant != "small" && variant != "large") {
    return fail(request, Status(Errc::kInvalidArgument, "size must be small or large"));
  }
  auto node = ctx.files.stat(request.user_id, *id);
  if (!node.is_ok()) return fail(request, node.status());
  if (node->kind != NodeKind::kFile) return fail(request, Status(Errc::kNotFound, "no such file"));

  auto thumb = ctx.catalog.media().thumbnail(node->sha256, variant);
  if (!thumb.is_ok()) return fail(request, thumb.status());
  if (!*thumb) {
    auto state = ctx.catalog.jobs().content_state(std::string(kJobThumbnail), node->sha256);
    if (!state.is_ok()) return fail(request, state.status());
    if (*state == JobState::kQueued || *state == JobState::kRunning) {
      Response pending = coded_response(request.request_id, 202, kThumbnailPending,
                                        "the thumbnail is being made; ask again shortly");
      pending.set_header("Retry-After", std::to_string(kPendingRetrySeconds));
      return pending;
    }
    return fail(request,
                Status(Errc::kThumbnailNotAvailable,
                       *state == JobState::kDead ? "no thumbnail: the file could not be processed"
                                                 : "no thumbnail for this file"));
  }

  // Strong, keyed by the file's content and the size: the same bytes whatever the file's
  // name or id. A URL that names the content (?v=<sha256>) can never show other bytes, so it
  // may be cached for a year; without it the client revalidates (304).
  const std::string etag = "\"" + node->sha256 + "." + variant + "\"";
  Response response = derived_image_head(request, etag, query_param(request, "v") == node->sha256);
  if (response.status == 304) return response;
  response.set_header("Content-Type", (*thumb)->mime);
  response.set_header("X-Image-Width", std::to_string((*thumb)->width));
  response.set_header("X-Image-Height", std::to_string((*thumb)->height));
  response.content_length = (*thumb)->size;
  if (request.method == "HEAD") return response;
  auto stream = ctx.files.open_chunks((*thumb)->chunks, 0, (*thumb)->size);
  if (!stream.is_ok()) return fail(request, stream.status());
  response.stream = std::move(*stream);
  return response;
}

}  // namespace

void add_media_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/files/{id}/thumbnail", access::kFilesRead, bind_route(ctx, thumbnail));
}

}  // namespace coffer::api
