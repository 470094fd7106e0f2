#pragma once
// Serving the bytes of one file version with its validators, shared by the REST content
// routes, signed download URLs and WebDAV GET.

#include <string>

#include "api/api_context.h"
#include "api/exchange.h"

namespace coffer::api {

// How send_content presents a file version.
struct ContentOptions {
  bool inline_requested = false;  // honoured only for types that are safe to render
  std::string cache_control = "private, no-cache";
  std::string etag;  // the entity tag to use instead of etag_for(node), when set
};

// The body of one file version with its validators: preconditions (RFC 9110 §13.2.2), a
// single Range, HEAD.
Response send_content(ApiContext& ctx, Request& request, const Node& node,
                      const ContentOptions& options);

}  // namespace coffer::api
