#pragma once
// The plain request/response types that the HTTP layer (src/http, the only place that knows
// Beast and Asio) hands to the API layer. Nothing here depends on a network library, so
// handlers are ordinary functions from Request to Response, testable without sockets.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/account.h"
#include "core/byte_source.h"
#include "core/change_signal.h"
#include "core/status.h"

namespace coffer::api {

struct Header {
  std::string name;
  std::string value;
};

// Case-insensitive lookup of the first header with `name`; empty when absent.
std::string_view find_header(const std::vector<Header>& headers, std::string_view name);

// A streamed request body. Reads block the calling (worker) thread until data arrives; the
// HTTP layer enforces read timeouts and surfaces them as errors.
class BodyReader : public ByteSource {
 public:
  // read(): up to buf.size() bytes; 0 at the end of the body. Errors: kClientClosed (peer
  // went away), kRequestTimeout, kBadRequest (bad chunked encoding), kUnavailable (the
  // server is shutting down).
  // The declared Content-Length, if the request has one.
  virtual std::optional<uint64_t> content_length() const = 0;
  // True once every body byte has been consumed (at once for an empty body).
  virtual bool finished() const = 0;
};

// A streamed response body, pulled by the HTTP layer on a worker thread or, while another I/O
// thread stays free, on an I/O thread (it may block either way). An error from read()
// aborts the response (the connection is closed: the status line has already gone out).
using BodySource = ByteSource;

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // raw request target: path and query, percent-encoded
  std::vector<Header> headers;
  std::string remote_address;
  BodyReader* body = nullptr;  // never null while a handler runs; owned by the HTTP layer

  // Filled by the API layer (router and authentication).
  std::string request_id;
  std::string route;  // the matched route pattern, e.g. "/api/v1/files/{id}"; for metrics
  std::vector<std::pair<std::string, std::string>> path_params;
  int64_t user_id = 0;  // 0 = anonymous; principal.user_id
  Principal principal;  // who is calling, with their role and scopes
  // A long poll's end, set by its handler the first time it runs (see Response::park); the
  // HTTP layer clears it for each new request, and sets it to now when it must stop waiting
  // (shutdown).
  std::optional<std::chrono::steady_clock::time_point> poll_deadline;

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
  std::string_view path_param(std::string_view name) const;
};

// A long poll with nothing to answer yet: instead of holding a thread while it waits, the
// handler asks to be called again with the same request once `signal` moves past `seen`, or
// after `recheck` at the latest (changes made by other processes sharing the database wake
// nobody here). The connection waits without a thread; the request body must have been read.
struct Park {
  ChangeSignal* signal = nullptr;  // outlives the server
  uint64_t seen = 0;               // signal->version() before the handler looked
  std::chrono::steady_clock::duration recheck{};
};

// The HTTP layer owns Content-Length, Transfer-Encoding, Connection, Date and Server. A HEAD
// response may set content_length without a body; 204 and 304 carry no body.
struct Response {
  int status = 200;
  std::vector<Header> headers;
  // Either a body in memory, or a stream of exactly `content_length` bytes (chunked transfer
  // encoding when content_length is empty).
  std::string body;
  std::unique_ptr<BodySource> stream;
  std::optional<uint64_t> content_length;
  // Close the connection after this response (e.g. the request body was not consumed).
  bool close = false;
  // The server's own JSON or XML, which may be compressed (api/response_compression.h); file
  // contents never are.
  bool compressible = false;
  // Set: no response yet; call the handler again later (see Park). Everything else is unused.
  std::optional<Park> park;

  // Replaces the first header of that name, or adds it.
  void set_header(std::string name, std::string value);
  // Adds a header even if one of that name exists (Set-Cookie).
  void add_header(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
  }
};

// What the HTTP layer learned about one finished exchange, for access logs and metrics.
// Byte counts are body bytes only (chunked bodies decoded, heads excluded). When `aborted` is
// set, `status` is the status that was sent or intended.
struct ExchangeRecord {
  int status = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  double seconds = 0;
  bool aborted = false;  // the response could not be completed
};

class Handler {
 public:
  virtual ~Handler() = default;
  // May block (database, disk, reading the body). Runs on a worker thread, or, for requests
  // without a body, possibly on an I/O thread: keep no per-request state in thread-locals.
  virtual Response handle(Request& request) = 0;
  // Builds the JSON error response for a failure the HTTP layer detects itself (bad framing,
  // header too large, timeouts, overload), so every error has the same shape.
  virtual Response error_response(const Request& request, int http_status, Errc code,
                                  std::string_view message) = 0;
  // Called once per exchange after the response is written (or abandoned), on an I/O thread:
  // keep it cheap.
  virtual void on_complete(const Request& request, const ExchangeRecord& record) = 0;
};

// Where a request came from, for sessions and audit events.
inline RequestOrigin origin_of(const Request& request) {
  return RequestOrigin{request.remote_address, std::string(request.header("User-Agent")),
                       request.request_id};
}

}  // namespace coffer::api
