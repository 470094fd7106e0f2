#pragma once
// The HTTP/1.1 server. Beast and Asio live only behind this header (pimpl), so the rest of the
// program compiles without them.
//
// Threading: a few I/O threads run the sockets with C++20 coroutines; each request's handler
// runs on a bounded pool of worker threads because handlers block (database, fsync). Body
// reads and writes made by a worker are carried out as asynchronous operations on the
// connection's I/O thread, each with a deadline, so a slow client holds no I/O thread.

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
  unsigned max_connections = 4096;     // further connections are accepted and closed at once
  uint32_t max_header_bytes = 16 * 1024;  // larger request heads get 431
  std::chrono::seconds idle_timeout{60};  // keep-alive connection with no request
  std::chrono::seconds read_timeout{30};  // no progress reading a request head or body
  std::chrono::seconds write_timeout{60}; // no progress writing a response
  std::chrono::seconds shutdown_grace{20};  // in-flight requests get this long on shutdown
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, api::Handler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Fails with kUnavailable when the address is taken.
  Status listen();
  // The bound port (useful when options.port was 0).
  uint16_t port() const;
  // Serves until stop() or SIGINT/SIGTERM, then drains in-flight requests (up to
  // shutdown_grace) and returns.
  void run();
  // Asks a running server to stop gracefully. Thread-safe.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffer::http
