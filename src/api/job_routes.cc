// The background job queue for operators and administrators: /api/v1/system/jobs. Jobs name
// nodes by id only; no route here shows a file's name or content.

#include <boost/json.hpp>
#include <charconv>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"
#include "core/job.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;

json::object job_json(const Job& job) {
  json::object o{{"id", job.id},
                 {"kind", job.kind},
                 {"state", job_state_name(job.state)},
                 {"node_id", job.node_id},
                 {"version_id", job.version_id},
                 {"mime", job.mime},
                 {"attempts", job.attempts},
                 {"run_at", rfc3339(job.run_at)},
                 {"created", rfc3339(job.created)},
                 {"updated", rfc3339(job.updated)}};
  o["last_error"] = job.last_error.empty() ? json::value(nullptr) : json::value(job.last_error);
  o["lease_until"] = job.state == JobState::kRunning ? json::value(rfc3339(job.lease_until))
                                                     : json::value(nullptr);
  return o;
}

json::array jobs_json(const std::vector<Job>& jobs) {
  json::array out;
  for (const Job& job : jobs) out.push_back(job_json(job));
  return out;
}

// GET /api/v1/system/jobs[?state=&limit=]: depth per kind and state, recent failures with
// their last error, and the newest jobs (of one state when asked).
Response list_jobs(ApiContext& ctx, Request& request) {
  std::optional<JobState> state;
  if (auto text = query_param(request, "state"); text && !text->empty()) {
    state = parse_job_state(*text);
    if (!state) {
      return fail(request,
                  Status(Errc::kInvalidArgument, "state must be queued, running, done or dead"));
    }
  }
  int limit = kDefaultLimit;
  if (auto text = query_param(request, "limit")) {
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc() || p != text->data() + text->size() || limit < 1 || limit > kMaxLimit) {
      return fail(request, Status(Errc::kInvalidArgument, "limit must be 1 to 500"));
    }
  }
  meta::JobStore& store = ctx.catalog.jobs();
  auto counts = store.counts();
  if (!counts.is_ok()) return fail(request, counts.status());
  auto failures = store.failures(limit);
  if (!failures.is_ok()) return fail(request, failures.status());
  auto items = store.list(state, limit);
  if (!items.is_ok()) return fail(request, items.status());
  json::object depth;
  for (const JobCount& c : *counts) {
    if (!depth.contains(c.kind)) {
      depth[c.kind] = json::object{{"queued", 0}, {"running", 0}, {"done", 0}, {"dead", 0}};
    }
    depth[c.kind].as_object()[job_state_name(c.state)] = c.count;
  }
  return json_response(200, json::object{{"depth", std::move(depth)},
                                         {"failures", jobs_json(*failures)},
                                         {"items", jobs_json(*items)}});
}

Response get_job(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto job = ctx.catalog.jobs().get(*id);
  if (!job.is_ok()) return fail(request, job.status());
  return json_response(200, job_json(*job));
}

// POST /api/v1/system/jobs/{id}/retry: a dead job goes back in the queue, attempts reset.
Response retry_job(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto job = ctx.catalog.jobs().retry(*id, now_micros());
  if (!job.is_ok()) return fail(request, job.status());
  if (ctx.jobs_enqueued) ctx.jobs_enqueued();
  ctx.auth.audit(&request.principal, "jobs.retry", "job:" + std::to_string(*id), "success",
                 origin_of(request), job->kind);
  return json_response(200, job_json(*job));
}

}  // namespace

void add_job_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/system/jobs", access::kOperations, bind_route(ctx, list_jobs));
  router.add("GET", "/api/v1/system/jobs/{id}", access::kOperations, bind_route(ctx, get_job));
  router.add("POST", "/api/v1/system/jobs/{id}/retry", access::kOperations,
             bind_route(ctx, retry_job));
}

}  // namespace coffer::api
