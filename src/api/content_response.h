#pragma once
// The body of one file version as an HTTP response, with its validators: preconditions
// (RFC 9110 §13.2.2), a single Range, HEAD, and the headers that keep user content from
// running in this origin. Shared by the content route, signed download URLs and share links.

#include <string>

#include "api/api_context.h"

namespace coffer::api {

struct ContentOptions {
  bool inline_requested = false;  // honoured only for types that are safe to render
  std::string cache_control = "private, no-cache";
};

Response send_content(ApiContext& ctx, Request& request, const Node& node,
                      const ContentOptions& options);

}  // namespace coffer::api
