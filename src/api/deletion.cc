#include "api/deletion.h"

namespace coffer::api {

namespace {

// Nodes the same client (API token, or the user's sessions) deleted in the last minute.
int64_t recent_deletions(ApiContext& ctx, const Request& request) {
  auto n = ctx.catalog.count_deleted_since(request.user_id, request.principal.api_token_id,
                                           now_micros() - 60'000'000);
  return n.is_ok() ? *n : 0;
}

}  // namespace

Status delete_with_audit(ApiContext& ctx, const Request& request, int64_t id) {
  auto node = ctx.files.stat(request.user_id, id);
  COFFER_RETURN_IF_ERROR(node);
  const int64_t token_id = request.principal.api_token_id;
  const int64_t threshold = ctx.mass_delete_threshold;
  const int64_t before = threshold > 0 ? recent_deletions(ctx, request) : 0;
  COFFER_RETURN_IF_ERROR(ctx.files.remove(request.user_id, id, token_id));
  if (threshold > 0 && before <= threshold) {
    // One flagged event when a client crosses the threshold within a minute: the usual sign
    // of a sync client or script deleting a tree by mistake (POST /api/v1/trash/restore
    // undoes it).
    const int64_t after = recent_deletions(ctx, request);
    if (after > threshold) {
      (void)ctx.auth.audit(&request.principal, "files.mass_delete",
                           token_id != 0 ? "token:" + std::to_string(token_id)
                                         : "user:" + std::to_string(request.user_id),
                           "flagged", origin_of(request),
                           std::to_string(after) + " nodes deleted within a minute");
    }
  }
  // Deletions are audited: scripts and sync clients that delete by mistake are the common
  // cause of data loss, and the log says which credential did it.
  const Principal& who = request.principal;
  std::string via = who.api_token_id != 0 ? "api token " + std::to_string(who.api_token_id)
                                          : "session " + std::to_string(who.session_id);
  (void)ctx.auth.audit(
      &who, "files.delete", "node:" + std::to_string(id), "success", origin_of(request),
      std::string(node->kind == NodeKind::kFolder ? "folder" : "file") + " via " + via);
  return Status::ok();
}

}  // namespace coffer::api
