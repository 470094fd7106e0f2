#pragma once
// Serving the bytes of one file version with its validators, shared by the REST content
// routes, signed download URLs and WebDAV GET; and the validators of images derived from a
// file (thumbnails, previews).

#include <cstdint>
#include <functional>
#include <string>

#include "api/api_context.h"
#include "api/exchange.h"

namespace coffer::api {

// How send_content presents a file version.
struct ContentOptions {
  bool inline_requested = false;  // honoured only for types that are safe to render
  std::string cache_control = "private, no-cache";
  std::string etag;  // the entity tag to use instead of etag_for(node), when set
  // Called when the response is known to send bytes [first, first + length) of the file (a
  // GET answered 200 or 206, after the preconditions, Range and If-Range), before they are
  // read; its error is answered instead. Lets a caller act on what is actually sent, however
  // the request spelled it (share links count downloads).
  std::function<Status(uint64_t first, uint64_t length)> before_body;
};

// The body of one file version with its validators: preconditions (RFC 9110 §13.2.2), a
// single Range, HEAD.
Response send_content(ApiContext& ctx, Request& request, const Node& node,
                      const ContentOptions& options);

// The head of an answer with an image derived from a file (a thumbnail, a preview) that the
// strong `etag` names: private, kept for a year when `immutable` (the URL names the content it
// was made from), else revalidated; Vary: Authorization. Status 304 when If-None-Match names
// it, else 200 for the caller to add the image to.
Response derived_image_head(const Request& request, const std::string& etag, bool immutable);

}  // namespace coffer::api
