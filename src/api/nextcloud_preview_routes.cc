// The preview endpoints of Nextcloud, which its mobile and desktop clients ask for the
// thumbnails they show in file lists and activity (docs/clients.md, "Previews"):
//
//   GET /index.php/core/preview?fileId={id}&x={w}&y={h}&a={0|1}&mode={fill|cover}&forceIcon=0
//       (Android, iOS: NextcloudKit; `c` or `etag` may name the version the client has)
//   GET /index.php/core/preview.png?file={path from the user's root}&x=&y=&a=&mode=
//       (the desktop client's activity list, older iOS)
//
// Served from the thumbnails the background job made (media_routes.cc, thumbnail_job.cc):
// the smallest one that fills the box, scaled to it (media::render_preview). `a=1` keeps the
// aspect ratio, within the box (`mode=fill`, the default) or covering it (`mode=cover`);
// `a=0` (Nextcloud's default) cuts the box from the centre. Nothing is ever enlarged. A file
// without a thumbnail (not an image or PDF, still being processed, or one that failed) is
// 404, as Nextcloud answers when it has no preview; the clients then show the type's icon.
// Authentication is that of /remote.php/dav (Basic with an API token, or a bearer token); a
// file the caller may not read is 404 like a missing one.
//
// ownCloud's clients ask for the same through WebDAV: GET {file}?preview=1&x=&y=&a=&c=
// (dav_routes.cc hands such a GET to preview_of).

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>
#include <string>

#include "api/api_context.h"
#include "api/content_response.h"
#include "api/dav_client_properties.h"
#include "api/errors.h"
#include "api/query_params.h"
#include "media/thumbnailer.h"

namespace coffer::api {
namespace {

// Nextcloud's defaults and its largest preview side.
constexpr int kDefaultSide = 32;
constexpr int kMaxSide = 4096;

// x or y: 1 to 4096, -1 (Nextcloud's "as large as the other side allows": the largest), or
// the default when absent. Errors: kInvalidArgument.
Result<int> side(const Request& request, std::string_view key) {
  const std::optional<std::string> value = query_param(request, key);
  if (!value || value->empty()) return kDefaultSide;
  int out = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), out);
  if (ec != std::errc() || end != value->data() + value->size() || out == 0 || out < -1) {
    return Status(Errc::kInvalidArgument,
                  std::string(key) + " must be a positive number of pixels");
  }
  return out == -1 ? kMaxSide : std::min(out, kMaxSide);
}

bool truthy(const std::optional<std::string>& value) {
  return value && (*value == "1" || *value == "true");
}

// The file a request names by fileId (the number of oc:fileid, or oc:id with its suffix) or
// by file (a path from the caller's root). Errors: kNotFound (missing, not a file, or out of
// the caller's reach), kInvalidArgument (neither given, or a malformed id).
Result<Node> named_file(ApiContext& ctx, const Request& request) {
  Result<Node> node = Status(Errc::kInvalidArgument, "fileId or file is required");
  if (const auto id = query_param(request, "fileId")) {
    const std::optional<int64_t> node_id = parse_client_file_id(*id);
    if (!node_id) return Status(Errc::kInvalidArgument, "fileId must be a file id");
    node = ctx.files.stat(request.user_id, *node_id);
  } else if (const auto path = query_param(request, "file")) {
    node = ctx.files.resolve_path(request.user_id, path->starts_with('/') ? *path : "/" + *path);
  }
  if (node.is_ok() && node->kind != NodeKind::kFile) {
    return Status(Errc::kNotFound, "no such file");
  }
  return node;
}

// The thumbnail to scale: the small one when it fills the box as `fit` asks, else the large
// one (or the small one when that is all there is). nullopt when the content has none.
Result<std::optional<meta::Thumbnail>> source_thumbnail(ApiContext& ctx, const Node& file,
                                                        int width, int height,
                                                        media::PreviewFit fit) {
  auto small = ctx.catalog.media().thumbnail(file.sha256, "small");
  COFFER_RETURN_IF_ERROR(small);
  if (*small) {
    const bool wide_enough = (*small)->width >= width;
    const bool tall_enough = (*small)->height >= height;
    const bool fills = fit == media::PreviewFit::kContain ? wide_enough || tall_enough
                                                          : wide_enough && tall_enough;
    if (fills) return small;
  }
  auto large = ctx.catalog.media().thumbnail(file.sha256, "large");
  COFFER_RETURN_IF_ERROR(large);
  return *large ? large : small;
}

}  // namespace

Response preview_of(ApiContext& ctx, Request& request, const Node& file) {
  if (file.kind != NodeKind::kFile) {
    return fail(request, Status(Errc::kNotFound, "no preview for a folder"));
  }
  auto width = side(request, "x");
  if (!width.is_ok()) return fail(request, width.status());
  auto height = side(request, "y");
  if (!height.is_ok()) return fail(request, height.status());
  media::PreviewFit fit = media::PreviewFit::kCrop;
  if (truthy(query_param(request, "a"))) {
    fit = query_param(request, "mode") == "cover" ? media::PreviewFit::kCover
                                                  : media::PreviewFit::kContain;
  }
  auto thumb = source_thumbnail(ctx, file, *width, *height, fit);
  if (!thumb.is_ok()) return fail(request, thumb.status());
  if (!*thumb) {
    Response none = fail(request, Status(Errc::kNotFound, "no preview for this file"));
    none.set_header("Cache-Control", "no-store");  // one may be made soon
    return none;
  }

  // Strong, keyed by the content and the box: the same bytes whatever the file's name or id.
  // A URL naming the version the client has (c or etag, as the clients send the file's ETag)
  // can never show other bytes and may be kept; without one the client revalidates.
  const std::string etag = "\"" + file.sha256.substr(0, 32) + "-" + std::to_string(*width) + "x" +
                           std::to_string(*height) + "-" + std::to_string(static_cast<int>(fit)) +
                           "\"";
  const std::string file_etag = dav_etag(file);
  auto names_version = [&](std::string_view key) {
    const auto value = query_param(request, key);
    return value && !value->empty() && (*value == file_etag || "\"" + *value + "\"" == file_etag);
  };
  Response response =
      derived_image_head(request, etag, names_version("c") || names_version("etag"));
  if (response.status == 304) return response;
  auto stream = ctx.files.open_chunks((*thumb)->chunks, 0, (*thumb)->size);
  if (!stream.is_ok()) return fail(request, stream.status());
  std::string webp((*thumb)->size, '\0');
  for (size_t at = 0; at < webp.size();) {
    auto n = (*stream)->read(std::as_writable_bytes(std::span(webp).subspan(at)));
    if (!n.is_ok()) return fail(request, n.status());
    if (*n == 0) return fail(request, Status(Errc::kCorruption, "the thumbnail ended early"));
    at += *n;
  }
  auto image = media::render_preview(webp, *width, *height, fit);
  if (!image.is_ok()) return fail(request, Status(Errc::kInternal, image.status().message()));
  response.set_header("Content-Type", image->mime);
  response.set_header("Content-Disposition", "inline");
  response.set_header("X-Image-Width", std::to_string(image->width));
  response.set_header("X-Image-Height", std::to_string(image->height));
  if (request.method == "HEAD") {
    response.content_length = image->bytes.size();
    return response;
  }
  response.body = std::move(image->bytes);
  return response;
}

namespace {

Response preview(ApiContext& ctx, Request& request) {
  auto file = named_file(ctx, request);
  if (!file.is_ok()) return fail(request, file.status());
  return preview_of(ctx, request, *file);
}

}  // namespace

void add_nextcloud_preview_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/index.php/core/preview", access::kSyncClientRead, bind_route(ctx, preview));
  router.add("GET", "/index.php/core/preview.png", access::kSyncClientRead,
             bind_route(ctx, preview));
}

}  // namespace coffer::api
