#pragma once
// The web UI: a single-page app built from web/ into one pack file (web/build.mjs) that is
// compiled into the binary, served at "/" for every path the API does not own.

#include <optional>
#include <string_view>

#include "api/exchange.h"

namespace coffer::api {

// True for paths the UI never answers, even when no route matches them: the API, the API
// reference, WebDAV, public share pages, health, metrics and the sync-client endpoints
// (/remote.php, /ocs, /status.php, /index.php) keep their own 404s.
bool is_reserved_for_server(std::string_view path);

// The UI's answer to a GET or HEAD of `path` (decoded, without the query): a built file, or
// index.html for any other client route so that deep links load the app. Hashed files under
// /assets/ are immutable and cached for a year; index.html is revalidated (ETag) on every
// load. Bodies are pre-compressed and chosen by Accept-Encoding (br, then gzip). nullopt for a
// missing /assets/ file, which must not be answered with HTML.
std::optional<Response> serve_web_ui(const Request& request, std::string_view path);

// Whether an Accept header asks for a page rather than data: text/html is listed (or text/*)
// with a q-value above zero and above what application/json gets (explicitly, through
// application/*, or through */*). A tie goes to JSON, so scripts that send "*/*" or nothing
// keep getting data while a browser's navigation ("text/html,...,*/*;q=0.8") gets the app.
bool prefers_html(std::string_view accept);

// The Content-Security-Policy of the UI's pages: scripts and styles from this origin only
// (nothing inline), images and media also from blob: and data: (previews), no plugins, no
// framing.
extern const std::string_view kWebUiContentSecurityPolicy;

}  // namespace coffer::api
