#pragma once
// Request metrics in the Prometheus text exposition format: requests by route, method and
// status, a latency histogram, bytes in and out. Gauges (uploads in flight, stored bytes) and
// counters kept elsewhere (damaged chunks) are read at scrape time from whoever owns them.
// Every label has a fixed set of values (route patterns, known methods or "other", statuses),
// so no client can add series.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace coffer::api {

class Metrics {
 public:
  void record(const std::string& route, const std::string& method, int status, double seconds,
              uint64_t bytes_in, uint64_t bytes_out);

  struct Gauges {
    uint64_t uploads_in_flight = 0;
    uint64_t stored_bytes = 0;
    uint64_t chunks_damaged = 0;  // a counter: reads that met a damaged chunk
    uint64_t audit_failures = 0;  // a counter: audit events that could not be recorded
    // The background scrubber, since start-up (counters, but `scrub_running`).
    uint64_t scrub_passes = 0;
    uint64_t scrub_chunks = 0;
    uint64_t scrub_bytes = 0;
    uint64_t scrub_damaged = 0;
    bool scrub_running = false;
  };
  std::string render(const Gauges& gauges) const;

 private:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  mutable std::mutex mu_;
  // (route, method, status) labels.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t>
      requests_;                                               // GUARDED_BY(mu_)
  std::array<uint64_t, kBuckets.size() + 1> bucket_counts_{};  // GUARDED_BY(mu_); last = +Inf
  double seconds_sum_ = 0;                                     // GUARDED_BY(mu_)
  uint64_t seconds_count_ = 0;                                 // GUARDED_BY(mu_)
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};
};

}  // namespace coffer::api
