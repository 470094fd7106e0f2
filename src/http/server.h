#pragma once
// The HTTP/1.1 server. Beast and Asio live only behind this header (pimpl), so the rest of the
// program compiles without them.
//
// Threading: a few I/O threads run the sockets with C++20 coroutines. Handlers may block
// (database, fsync), so a request with a body has its handler run on a bounded pool of worker
// threads. Before that, the connection reads the body on its I/O strand, holding no thread
// while it waits: the whole body when it is small (64 KiB), else its start. A handler whose
// body is not whole in memory then reads the rest through asynchronous operations on the
// strand and may wait for the client, so it first takes one of StreamSlots::for_workers()
// slots: slow clients can never hold every worker. Every body read has a deadline and the body
// a minimum rate (connection.cc, kMinBodyRate); a request head has read_timeout from its
// first byte. A request without a body may run its handler on an I/O thread while another I/O
// thread stays free (see ServerOptions::inline_bodyless_handlers). Response bodies are written
// asynchronously; a streamed body is pulled in large pieces, the next piece read while the
// previous is written. handler.on_complete() runs on an I/O thread and must not block.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/exchange.h"
#include "core/status.h"

namespace coffer::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port (see HttpServer::port())
  unsigned io_threads = 2;
  unsigned worker_threads = 64;
  // Further connections get a 503 and are closed at once. Lowered (with a note on stderr) when
  // the process may not open that many files, even after raising its soft limit.
  unsigned max_connections = 4096;
  uint32_t max_header_bytes = 16 * 1024;    // larger request heads get 431
  std::chrono::seconds idle_timeout{60};    // keep-alive connection with no request
  std::chrono::seconds read_timeout{30};    // to receive a whole request head; per body read
                                            // (bodies also have a minimum rate)
  std::chrono::seconds write_timeout{60};   // per write: a response head with its in-memory
                                            // body, or one piece of a streamed body
  std::chrono::seconds shutdown_grace{20};  // in-flight requests get this long on shutdown
  // A request without a body may run its handler (and pull its response stream) on an I/O
  // thread instead of a worker, which saves two thread switches per request, while at least
  // one I/O thread stays free for I/O. Such handlers may still block; they hold an I/O thread
  // meanwhile. Needs io_threads >= 2.
  bool inline_bodyless_handlers = true;
};

class HttpServer {
 public:
  // `handler` must outlive the server.
  HttpServer(ServerOptions options, api::Handler& handler);
  // REQUIRES: run() is not running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Fails with kUnavailable when the address is taken.
  Status listen();
  // Binds and listens on one more address whose requests go to `handler` (the S3 API's
  // listener), sharing the threads, workers, timeouts and the connection cap. Returns the
  // bound port. `handler` must outlive the server. REQUIRES: run() is not running.
  Result<uint16_t> add_listener(const std::string& host, uint16_t port, api::Handler& handler);
  // The bound port (useful when options.port was 0).
  uint16_t port() const;
  // Serves until stop() or SIGINT/SIGTERM, then drains in-flight requests (up to
  // shutdown_grace; after that their sockets are closed, which fails their body reads) and
  // returns once every connection is gone. A second signal exits the process at once.
  // REQUIRES: listen() succeeded (else returns at once); called at most once.
  void run();
  // Asks a running server to stop gracefully. Thread-safe; before run(), makes run() return
  // at once.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffer::http
