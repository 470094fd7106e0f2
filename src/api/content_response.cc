#include "api/content_response.h"

#include "api/errors.h"
#include "api/http_headers.h"
#include "api/json_io.h"
#include "api/range.h"
#include "core/mime_types.h"

namespace coffer::api {

Response send_content(ApiContext& ctx, Request& request, const Node& node,
                      const ContentOptions& options) {
  const std::string etag = options.etag.empty() ? etag_for(node) : options.etag;
  const int64_t modified = node.modified / 1'000'000;
  Response response;
  response.set_header("ETag", etag);
  response.set_header("Last-Modified", http_date(modified));
  response.set_header("Accept-Ranges", "bytes");
  response.set_header("Cache-Control", options.cache_control);

  // RFC 9110 §13.2.2: preconditions in order.
  std::string_view if_match = request.header("If-Match");
  if (!if_match.empty()) {
    if (!etag_list_matches(if_match, etag, false)) {
      return error_response(request.request_id,
                            Status(Errc::kPreconditionFailed, "If-Match does not match"));
    }
  } else if (auto since = parse_http_date(request.header("If-Unmodified-Since"))) {
    if (modified > *since) {
      return error_response(request.request_id,
                            Status(Errc::kPreconditionFailed, "modified since the given date"));
    }
  }
  std::string_view if_none_match = request.header("If-None-Match");
  bool not_modified = false;
  if (!if_none_match.empty()) {
    not_modified = etag_list_matches(if_none_match, etag, true);
  } else if (auto since = parse_http_date(request.header("If-Modified-Since"))) {
    not_modified = modified <= *since;
  }
  if (not_modified) {
    response.status = 304;
    return response;
  }

  const std::string mime = node.mime.empty() ? "application/octet-stream" : node.mime;
  const bool inline_ok = is_inline_safe_mime(mime) && options.inline_requested;
  response.set_header("Content-Type", mime);
  response.set_header("Content-Disposition",
                      content_disposition(inline_ok ? "inline" : "attachment", node.name));
  // User content must never run as part of this origin.
  response.set_header("Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; sandbox");

  uint64_t first = 0;
  uint64_t length = node.size;
  std::string_view range_header = request.header("Range");
  std::string_view if_range = request.header("If-Range");
  bool range_applies = !range_header.empty() &&
                       (if_range.empty() || (if_range.starts_with("\"") && if_range == etag) ||
                        (!if_range.starts_with("\"") && !if_range.starts_with("W/") &&
                         parse_http_date(if_range) == modified));
  if (range_applies) {
    auto range = parse_range(range_header, node.size);
    if (range.kind == ByteRange::Kind::kUnsatisfiable) {
      auto error = error_response(
          request.request_id, Status(Errc::kRangeNotSatisfiable, "the range is outside the file"));
      error.set_header("Content-Range", "bytes */" + std::to_string(node.size));
      return error;
    }
    if (range.kind == ByteRange::Kind::kSatisfiable) {
      first = range.first;
      length = range.length();
      response.status = 206;
      response.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                               std::to_string(range.last) + "/" +
                                               std::to_string(node.size));
    }
  }
  response.content_length = length;
  if (request.method == "HEAD") return response;
  if (options.before_body) {
    if (Status s = options.before_body(first, length); !s.is_ok()) {
      return error_response(request.request_id, s);
    }
  }
  if (length == 0) return response;
  auto stream = ctx.files.open_content(node, first, length);
  if (!stream.is_ok()) return error_response(request.request_id, stream.status());
  response.stream = std::move(*stream);
  return response;
}

Response derived_image_head(const Request& request, const std::string& etag, bool immutable) {
  Response response;
  response.set_header("ETag", etag);
  response.set_header("Cache-Control",
                      immutable ? "private, max-age=31536000, immutable" : "private, no-cache");
  response.set_header("Vary", "Authorization");
  response.status = etag_list_matches(request.header("If-None-Match"), etag, true) ? 304 : 200;
  return response;
}

}  // namespace coffer::api
