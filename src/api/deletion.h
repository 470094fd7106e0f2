#pragma once
// Deleting a node (to the trash) on behalf of a request, with its audit trail: every deletion
// is an audit event naming the credential, and a client that crosses the mass-deletion
// threshold within a minute is flagged once. Shared by DELETE /nodes/{id}, batch deletes and
// WebDAV (DELETE, and MOVE or COPY onto an existing resource).

#include <cstdint>

#include "api/api_context.h"

namespace coffer::api {

Status delete_with_audit(ApiContext& ctx, const Request& request, int64_t id);

}  // namespace coffer::api
