#include "api/metrics.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace coffer::api {
namespace {

// The methods counted by name: HTTP's and WebDAV's. Any other (clients may send any token)
// counts as "other", so that no request can add series.
constexpr std::string_view kKnownMethods[] = {"GET",   "HEAD",     "POST",      "PUT",   "DELETE",
                                              "PATCH", "OPTIONS",  "COPY",      "LOCK",  "MKCOL",
                                              "MOVE",  "PROPFIND", "PROPPATCH", "UNLOCK"};

std::string_view method_label(std::string_view method) {
  auto known = std::find(std::begin(kKnownMethods), std::end(kKnownMethods), method);
  return known == std::end(kKnownMethods) ? std::string_view("other") : *known;
}

// Statuses are the server's own, but a label takes only 100..599; anything else is "other".
std::string status_label(int status) {
  return status >= 100 && status <= 599 ? std::to_string(status) : "other";
}

// Label values are route patterns and method names: escape anyway, per the exposition format.
std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::record(const std::string& route, const std::string& method, int status,
                     double seconds, uint64_t bytes_in, uint64_t bytes_out) {
  bytes_in_ += bytes_in;
  bytes_out_ += bytes_out;
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  std::lock_guard lock(mu_);
  // Route patterns are the router's (or "unmatched"), never the request's path.
  ++requests_[{route.empty() ? "unmatched" : route, std::string(method_label(method)),
               status_label(status)}];
  ++bucket_counts_[bucket];
  seconds_sum_ += seconds;
  ++seconds_count_;
}

std::string Metrics::render(const Gauges& gauges) const {
  std::string out;
  char line[256];
  out += "# HELP coffer_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE coffer_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += "coffer_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" +
           escape_label(method) + "\",status=\"" + status + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP coffer_http_request_duration_seconds Time from request head to response end.\n";
  out += "# TYPE coffer_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += bucket_counts_[i];
    std::snprintf(line, sizeof line,
                  "coffer_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", kBuckets[i],
                  static_cast<unsigned long long>(cumulative));
    out += line;
  }
  cumulative += bucket_counts_.back();
  out += "coffer_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) +
         "\n";
  std::snprintf(line, sizeof line, "coffer_http_request_duration_seconds_sum %.6f\n", seconds_sum_);
  out += line;
  out += "coffer_http_request_duration_seconds_count " + std::to_string(seconds_count_) + "\n";
  out += "# HELP coffer_http_received_bytes_total Request body bytes received.\n";
  out += "# TYPE coffer_http_received_bytes_total counter\n";
  out += "coffer_http_received_bytes_total " + std::to_string(bytes_in_.load()) + "\n";
  out += "# HELP coffer_http_sent_bytes_total Response body bytes sent.\n";
  out += "# TYPE coffer_http_sent_bytes_total counter\n";
  out += "coffer_http_sent_bytes_total " + std::to_string(bytes_out_.load()) + "\n";
  out += "# HELP coffer_uploads_in_flight Uploads being received now.\n";
  out += "# TYPE coffer_uploads_in_flight gauge\n";
  out += "coffer_uploads_in_flight " + std::to_string(gauges.uploads_in_flight) + "\n";
  out += "# HELP coffer_stored_bytes Logical bytes of current file versions.\n";
  out += "# TYPE coffer_stored_bytes gauge\n";
  out += "coffer_stored_bytes " + std::to_string(gauges.stored_bytes) + "\n";
  out +=
      "# HELP coffer_chunks_damaged_total Reads that found a chunk damaged or missing "
      "(not served; listed at /api/v1/system/damaged-chunks).\n";
  out += "# TYPE coffer_chunks_damaged_total counter\n";
  out += "coffer_chunks_damaged_total " + std::to_string(gauges.chunks_damaged) + "\n";
  out +=
      "# HELP coffer_audit_failures_total Audit events that could not be recorded (each "
      "logged at error level; the change they describe stands).\n";
  out += "# TYPE coffer_audit_failures_total counter\n";
  out += "coffer_audit_failures_total " + std::to_string(gauges.audit_failures) + "\n";
  const std::pair<const char*, uint64_t> scrub[] = {
      {"passes_total Scrub passes ended (finished or stopped).", gauges.scrub_passes},
      {"chunks_checked_total Chunks the scrubber re-read and verified.", gauges.scrub_chunks},
      {"bytes_checked_total Stored bytes the scrubber re-read and verified.", gauges.scrub_bytes},
      {"damaged_total Chunks the scrubber found damaged (also in "
       "/api/v1/system/damaged-chunks).",
       gauges.scrub_damaged}};
  for (const auto& [help, value] : scrub) {
    const std::string_view text(help);
    const std::string name = "coffer_scrub_" + std::string(text.substr(0, text.find(' ')));
    out += "# HELP " + name + std::string(text.substr(text.find(' '))) + "\n";
    out += "# TYPE " + name + " counter\n";
    out += name + " " + std::to_string(value) + "\n";
  }
  out += "# HELP coffer_scrub_running 1 while a scrub pass runs.\n";
  out += "# TYPE coffer_scrub_running gauge\n";
  out += std::string("coffer_scrub_running ") + (gauges.scrub_running ? "1" : "0") + "\n";
  return out;
}

}  // namespace coffer::api
