// Health, metrics and the API description: /health/*, /metrics, /api/v1/openapi.json; the
// chunks reads found damaged and the scrubber, for operators: /api/v1/system/damaged-chunks,
// /api/v1/system/scrub.

#include <unistd.h>

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/embedded_assets.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/openapi_document.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

Response live(ApiContext&, Request&) { return json_response(200, json::object{{"status", "ok"}}); }

Response ready(ApiContext& ctx, Request&) {
  json::object checks;
  bool ok = true;
  auto note = [&](const char* name, const Status& status) {
    checks[name] = status.is_ok() ? json::value("ok") : json::value(status.message());
    ok = ok && status.is_ok();
  };
  note("database", ctx.catalog.ping());
  note("chunk_store", ctx.chunks.check_ready());
  note("data_dir", ::access(ctx.data_dir.c_str(), W_OK) == 0
                       ? Status::ok()
                       : Status(Errc::kUnavailable, "the data directory is not writable"));
  return json_response(ok ? 200 : 503,
                       json::object{{"status", ok ? "ok" : "unavailable"}, {"checks", checks}});
}

Response metrics(ApiContext& ctx, Request&) {
  Metrics::Gauges gauges;
  gauges.uploads_in_flight = ctx.files.uploads_in_flight();
  if (auto stored = ctx.catalog.stored_bytes(); stored.is_ok()) gauges.stored_bytes = *stored;
  gauges.chunks_damaged = ctx.files.damaged_chunks().total();
  gauges.audit_failures = ctx.auth.audit_log().failures();
  if (ctx.scrubber) {
    const service::Scrubber::State scrub = ctx.scrubber->state();
    gauges.scrub_passes = scrub.passes;
    gauges.scrub_chunks = scrub.chunks_checked;
    gauges.scrub_bytes = scrub.bytes_checked;
    gauges.scrub_damaged = scrub.damaged;
    gauges.scrub_running = scrub.running;
  }
  Response response;
  response.body = ctx.metrics.render(gauges);
  response.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.set_header("Cache-Control", "no-store");
  return response;
}

// GET /api/v1/system/damaged-chunks: the chunks this process found damaged or missing on a
// read (never served), the most recently seen first. Chunk, file and version ids only: no
// names, no content.
Response damaged_chunks(ApiContext& ctx, Request&) {
  const service::DamagedChunks& damaged = ctx.files.damaged_chunks();
  json::array items;
  for (const auto& entry : damaged.recent()) {
    items.push_back(json::object{{"chunk", entry.chunk.hex()},
                                 {"first_seen", rfc3339(entry.first_seen)},
                                 {"last_seen", rfc3339(entry.last_seen)},
                                 {"count", entry.count},
                                 {"file_id", entry.file_id},
                                 {"version_id", entry.version_id},
                                 {"error", entry.error}});
  }
  auto response = json_response(
      200, json::object{{"damaged_reads", damaged.total()}, {"items", std::move(items)}});
  response.set_header("Cache-Control", "no-store");
  return response;
}

json::object scrub_pass_json(const service::ScrubPassReport& pass) {
  json::object out{{"started", rfc3339(pass.started)},
                   {"chunks_checked", pass.chunks_checked},
                   {"bytes_checked", pass.bytes_checked},
                   {"damaged", pass.damaged}};
  if (pass.finished != 0) {
    out["finished"] = rfc3339(pass.finished);
    out["completed"] = pass.completed;
  }
  if (!pass.error.empty()) out["error"] = pass.error;
  return out;
}

// GET /api/v1/system/scrub: the background scrubber's pass under way, its last one and its
// counts since start-up; POST starts a pass now (202; when one runs already, nothing more).
Response scrub(ApiContext& ctx, Request& request) {
  if (!ctx.scrubber) return fail(request, Status(Errc::kUnavailable, "no scrubber here"));
  if (request.method == "POST" && !ctx.scrubber->request_pass()) {
    return fail(request, Status(Errc::kConflict,
                                "the scrubber is off on this node (--scrub-rate 0); "
                                "`coffer scrub` runs a pass from the command line"));
  }
  const service::Scrubber::State state = ctx.scrubber->state();
  json::object body{{"enabled", state.enabled},
                    {"running", state.running},
                    {"bytes_per_second", state.bytes_per_second},
                    {"passes", state.passes},
                    {"chunks_checked", state.chunks_checked},
                    {"bytes_checked", state.bytes_checked},
                    {"damaged", state.damaged}};
  body["current"] = state.current ? json::value(scrub_pass_json(*state.current)) : nullptr;
  body["last"] = state.last ? json::value(scrub_pass_json(*state.last)) : nullptr;
  body["next_pass"] = state.enabled && !state.running && request.method != "POST"
                          ? json::value(rfc3339(state.next_pass))
                          : nullptr;
  auto response = json_response(request.method == "POST" ? 202 : 200, body);
  response.set_header("Cache-Control", "no-store");
  return response;
}

Response openapi(ApiContext&, Request&) {
  Response response;
  response.body = std::string(openapi_document());
  response.compressible = true;
  response.set_header("Content-Type", "application/json");
  response.set_header("Cache-Control", "no-cache");
  return response;
}

// The API reference viewer: swagger-ui, compiled into the binary, reading openapi.json.
Response docs_asset(ApiContext&, Request& request) {
  std::string path = "/docs";
  if (auto name = request.path_param("asset"); !name.empty()) path += "/" + std::string(name);
  const EmbeddedAsset* asset = find_embedded_asset(path);
  if (!asset) return error_response(request.request_id, 404, Errc::kNotFound, "no such file");
  Response response;
  response.body = std::string(asset->bytes);
  response.set_header("Content-Type", std::string(asset->content_type));
  response.set_header("Cache-Control", "public, max-age=3600");
  response.set_header("Content-Security-Policy",
                      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                      "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'");
  return response;
}

}  // namespace

void add_system_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/health/live", access::kOpen, bind_route(ctx, live));
  router.add("GET", "/health/ready", access::kOpen, bind_route(ctx, ready));
  router.add("GET", "/metrics", access::kOperations, bind_route(ctx, metrics));
  router.add("GET", "/api/v1/system/damaged-chunks", access::kOperations,
             bind_route(ctx, damaged_chunks));
  router.add("GET", "/api/v1/system/scrub", access::kOperations, bind_route(ctx, scrub));
  router.add("POST", "/api/v1/system/scrub", access::kOperations, bind_route(ctx, scrub));
  router.add("GET", "/api/v1/openapi.json", access::kOpen, bind_route(ctx, openapi));
  router.add("GET", "/docs", access::kOpen, bind_route(ctx, docs_asset));
  router.add("GET", "/docs/{asset}", access::kOpen, bind_route(ctx, docs_asset));
}

}  // namespace coffer::api
