#pragma once
// Serving the bytes of one file version with its validators, shared by the REST content
// routes, signed download URLs and WebDAV GET.

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

}  // namespace coffer::api
