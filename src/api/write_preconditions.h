#pragma once
// If-Match and If-None-Match (RFC 9110 §13.1) on a write: decided against the state the
// client's write would replace, and handed to the commit (core/model.h WritePrecondition) so
// that the check and the change are one transaction: no write of another client can come
// between them.

#include <optional>
#include <string_view>

#include "api/exchange.h"
#include "core/model.h"
#include "core/status.h"

namespace coffer::api {

// Whether the request carries If-Match or If-None-Match.
bool has_write_conditions(const Request& request);

// The precondition of writing a file where `current` is now (nullopt: nothing has the name),
// `etag` being its ETag as this protocol shows it. kPreconditionFailed when the headers
// already fail; else what the commit must still find: If-None-Match: * - nothing there;
// If-Match: * - a file there; an ETag list - the very version that matched (or, for
// If-None-Match, that did not). No condition: an empty precondition (the last write wins).
Result<WritePrecondition> write_precondition(const Request& request,
                                             const std::optional<Node>& current,
                                             std::string_view etag);

}  // namespace coffer::api
