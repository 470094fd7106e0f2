#pragma once
// What route handlers may use. Handlers are thin: parse the request, call a service, shape
// the response. Authorization lives in the services (and, for sharing, in one policy).

#include <functional>

#include "api/metrics.h"
#include "api/router.h"
#include "auth/url_signer.h"
#include "meta/catalog.h"
#include "service/activity_log.h"
#include "service/admin_service.h"
#include "service/auth_service.h"
#include "service/change_feed.h"
#include "service/chunked_uploads.h"
#include "service/file_service.h"
#include "service/s3_keys.h"
#include "service/scrubber.h"
#include "service/search_service.h"
#include "service/share_service.h"
#include "service/upload_sessions.h"
#include "store/chunk_store.h"

namespace coffer::api {

// WebDAV settings (docs/webdav.md).
struct DavOptions {
  // PROPFIND with Depth infinity walks the whole tree; refused (403) unless allowed.
  bool infinite_depth = false;
  // HTTP Basic on /dav/ with the account password (not only an API token). Off by default: a
  // password alone bypasses the second factor of accounts that have one.
  bool password_login = false;
};

struct ApiContext {
  service::FileService& files;
  service::AuthService& auth;
  service::AdminService& admin;
  service::ShareService& shares;
  service::SearchService& search;
  meta::Catalog& catalog;
  store::ChunkStore& chunks;
  Metrics& metrics;
  const auth::UrlSigner& url_signer;  // signed download URLs
  std::string data_dir;               // for the readiness check
  // Browser session cookies carry Secure; only plain-http development turns it off.
  bool secure_cookies = true;
  DavOptions dav;
  // Resumable (tus) uploads; null where a caller has none to offer (the tus routes then
  // answer 503).
  service::UploadSessions* uploads = nullptr;
  // Wakes the background workers after an operator re-queued a job (may be empty).
  std::function<void()> jobs_enqueued;
  // File activity (the activity routes need it; everything else may leave it null).
  service::ActivityLog* activity = nullptr;
  // Sync clients' chunked uploads; null where a caller has none to offer (they then answer
  // 503).
  service::ChunkedUploads* chunked_uploads = nullptr;
  // The change feed (GET /api/v1/changes answers 503 without it).
  service::ChangeFeed* changes = nullptr;
  // /metrics without credentials from anywhere; otherwise only local scrapes are anonymous.
  bool metrics_public = false;
  // Access keys of the S3-compatible API (/api/v1/auth/s3-keys answers 503 without them).
  service::S3Keys* s3_keys = nullptr;
  // The background scrubber (/api/v1/system/scrub answers 503 without it).
  service::Scrubber* scrubber = nullptr;
};

// Adapts a plain route function to a RouteHandler bound to `context`.
inline RouteHandler bind_route(ApiContext& context, Response (*fn)(ApiContext&, Request&)) {
  return [&context, fn](Request& request) { return fn(context, request); };
}

// Each registers one group of routes. ORDER: literal segments before parameters.
void add_system_routes(Router& router, ApiContext& context);
void add_auth_routes(Router& router, ApiContext& context);
void add_file_routes(Router& router, ApiContext& context);
void add_account_routes(Router& router, ApiContext& context);
void add_admin_routes(Router& router, ApiContext& context);
// Retention rules and legal holds (admins; retention_routes.cc).
void add_retention_routes(Router& router, ApiContext& context);
void add_trash_routes(Router& router, ApiContext& context);
void add_share_routes(Router& router, ApiContext& context);
void add_zip_routes(Router& router, ApiContext& context);
void add_batch_routes(Router& router, ApiContext& context);
// The public side of share links (/s/{token}...), which needs no account.
void add_link_routes(Router& router, ApiContext& context);
void add_tus_routes(Router& router, ApiContext& context);
// What the Nextcloud and ownCloud clients ask besides WebDAV: /status.php and /ocs/.
void add_sync_client_routes(Router& router, ApiContext& context);
// Nextcloud's preview endpoints for the sync clients' thumbnails (nextcloud_preview_routes.cc).
void add_nextcloud_preview_routes(Router& router, ApiContext& context);
// The preview of `file` (a file the caller may read) that the request's x, y, a, mode and c
// or etag ask for, as those endpoints answer it; also ownCloud's WebDAV GET with ?preview=1.
Response preview_of(ApiContext& context, Request& request, const Node& file);
// Nextcloud Login Flow v2 at /index.php/login/v2: public, each request proves itself with a
// token of the flow (docs/clients.md).
void add_login_flow_routes(Router& router, ApiContext& context);
void add_job_routes(Router& router, ApiContext& context);
void add_media_routes(Router& router, ApiContext& context);
void add_search_routes(Router& router, ApiContext& context);
void add_activity_routes(Router& router, ApiContext& context);
void add_usage_history_routes(Router& router, ApiContext& context);

// WebDAV: one handler for every method and path under /dav/ (the router matches fixed
// patterns only, so ApiHandler sends the whole prefix here).
RouteHandler make_dav_handler(ApiContext& context, DavOptions options);
// The WebDAV methods that only read (the files:read scope is enough).
bool is_dav_read_method(std::string_view method);
// The answer to `OPTIONS /`: Windows' WebDAV redirector asks the server root whether it
// speaks WebDAV before it opens a folder below it (/dav/), and gives up on a 404.
Response dav_discovery_options();

}  // namespace coffer::api
