#pragma once
// Every error leaves the API in one JSON shape (docs/errors.md):
//   {"error":{"code":"NOT_FOUND","message":"...","request_id":"..."}}
// The code is the stable Errc name; the HTTP status follows from it.

#include <string_view>

#include "api/exchange.h"
#include "core/status.h"

namespace coffer::api {

int http_status_for(Errc code);

// The error shape with any code. Only for an answer that is not a failure but is shaped like
// one (docs/errors.md: THUMBNAIL_PENDING), so that clients read every coded answer alike;
// failures are Status values and go through error_response.
Response coded_response(std::string_view request_id, int http_status, std::string_view code,
                        std::string_view message);

Response error_response(std::string_view request_id, int http_status, Errc code,
                        std::string_view message);
Response error_response(std::string_view request_id, const Status& status);

// The error response to `request` (its request id in the body): what every route returns
// for a failed Status.
inline Response fail(const Request& request, const Status& status) {
  return error_response(request.request_id, status);
}

}  // namespace coffer::api
