#pragma once
// A small blocking HTTP/1.1 client on libcurl, made for object storage: connections are kept
// alive and reused (a pool of curl handles, each with its own connection cache), every
// request has a connect timeout and a stall timeout, and bodies move without copies.
//
// Thread-safe: any number of threads may call perform() at once; each takes a handle from
// the pool for the duration of its request.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "s3/sigv4.h"

namespace coffer::s3 {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute and already percent-encoded
  std::vector<Field> headers;
  std::span<const std::byte> body;  // sent as is (with Content-Length) when not empty
  // When set, a 2xx response body is written here (at most sink.size() bytes; the rest is
  // an error) instead of into HttpResponse::body.
  std::span<std::byte> sink;
};

struct HttpResponse {
  long status = 0;
  std::vector<Field> headers;   // names lower-case
  std::vector<std::byte> body;  // unless the request had a sink (error bodies always land here)
  size_t sink_bytes = 0;        // bytes written to the request's sink

  // The first value of a header (name in lower case), or "".
  std::string_view header(std::string_view lower_name) const;
  std::string_view body_text() const {
    return {reinterpret_cast<const char*>(body.data()), body.size()};
  }
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  // A transfer that moves no byte for this long is abandoned.
  std::chrono::seconds stall_timeout{15};
  // Upper bound on a whole request, however it is progressing.
  std::chrono::seconds request_timeout{300};
  // The largest response body kept in memory (a chunk is at most a few MiB).
  size_t max_body_bytes = size_t{64} << 20;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and reads the whole response. Any HTTP status is a success here; a
  // failure to get a response at all (refused, reset, timed out, TLS) is kUnavailable, and
  // a response larger than allowed is kIoError.
  Result<HttpResponse> perform(const HttpRequest& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> acquire();
  void release(std::unique_ptr<Handle> handle);

  const HttpClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace coffer::s3
