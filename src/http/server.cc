#include "http/server.h"

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/body_reader.h"
#include "http/connection.h"
#include "http/connection_set.h"
#include "http/response_head.h"
#include "http/worker_pool.h"

namespace coffer::http {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

void report_unexpected(const char* where, std::exception_ptr e) noexcept {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "coffer http: unexpected exception in %s: %s\n", where, ex.what());
  } catch (...) {
    std::fprintf(stderr, "coffer http: unexpected exception in %s\n", where);
  }
}

// Descriptors kept for everything but client connections: database, chunk files and volumes,
// S3 and PostgreSQL connections, libraries.
constexpr rlim_t kReservedDescriptors = 512;

// Every connection holds a descriptor. Raises the soft limit on open files to the hard one (as
// nginx and Go do), so that the cap is what refuses connections, cleanly, rather than accept()
// failing; returns how many connections fit under it.
size_t connection_limit(size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted + kReservedDescriptors) {
    return wanted;
  }
  const size_t fits = limit.rlim_cur > 2 * kReservedDescriptors
                          ? static_cast<size_t>(limit.rlim_cur - kReservedDescriptors)
                          : std::max<size_t>(1, static_cast<size_t>(limit.rlim_cur / 2));
  std::fprintf(stderr,
               "coffer http: at most %zu connections instead of %zu: the process may open only "
               "%llu files (raise its limit, ulimit -n)\n",
               fits, wanted, static_cast<unsigned long long>(limit.rlim_cur));
  return fits;
}

}  // namespace

// Threads: run() drives the io_context on io_threads threads (the caller's included). The
// acceptors, the signal set, the grace timer and the shutdown state live on control_, a strand;
// each connection has its own strand. Handlers run on workers_.
class HttpServer::Impl {
 public:
  Impl(ServerOptions options, api::Handler& handler)
      : options_(std::move(options)),
        io_(static_cast<int>(std::max(1u, options_.io_threads))),
        control_(asio::make_strand(io_)),
        grace_timer_(control_),
        backoff_timer_(control_) {
    listeners_.push_back(
        std::make_unique<Listener>(control_, options_.host, options_.port, handler));
  }

  Status listen();
  Result<uint16_t> add_listener(const std::string& host, uint16_t port, api::Handler& handler);
  uint16_t port() const { return listeners_.front()->port; }
  void run();
  void stop() {
    asio::post(control_, [this] { begin_shutdown(); });
  }

 private:
  // One address served, with the handler for its requests.
  struct Listener {
    Listener(asio::strand<asio::io_context::executor_type>& control, std::string h, uint16_t p,
             api::Handler& handler)
        : acceptor(control), host(std::move(h)), port(p), handler(handler) {}
    tcp::acceptor acceptor;
    std::string host;
    uint16_t port;  // the bound one once listening
    api::Handler& handler;
  };

  Status open(Listener& listener);
  asio::awaitable<void> accept_loop(Listener& listener);
  // Answers a connection over max_connections with 503 and closes it, without waiting.
  void reject(tcp::socket socket, api::Handler& handler);
  void wait_for_signal();
  // On control_. Stops accepting, lets exchanges in flight finish, closes idle connections.
  void begin_shutdown();
  // Any thread: the last connection is gone after begin_shutdown().
  void finish();
  void run_io() noexcept;

  ServerOptions options_;
  // Declared before every I/O object so that it is destroyed after them.
  asio::io_context io_;
  asio::strand<asio::io_context::executor_type> control_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // the first is options_.host:port
  asio::steady_timer grace_timer_;
  asio::steady_timer backoff_timer_;
  std::optional<asio::signal_set> signals_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::optional<WorkerPool> workers_;
  ConnectionSet connections_;
  std::optional<ServerEnv> env_;
  bool stopping_ = false;  // control_ only
};

Status HttpServer::Impl::listen() { return open(*listeners_.front()); }

Result<uint16_t> HttpServer::Impl::add_listener(const std::string& host, uint16_t port,
                                                api::Handler& handler) {
  listeners_.push_back(std::make_unique<Listener>(control_, host, port, handler));
  if (Status status = open(*listeners_.back()); !status.is_ok()) {
    listeners_.pop_back();
    return status;
  }
  return listeners_.back()->port;
}

Status HttpServer::Impl::open(Listener& listener) {
  tcp::acceptor& acceptor = listener.acceptor;
  if (acceptor.is_open()) return Status::ok();
  error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(listener.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, listener.port);
  } else {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(listener.host, std::to_string(listener.port), ec);
    if (ec || results.empty()) {
      return Status(Errc::kInvalidArgument, "cannot resolve listen host " + listener.host);
    }
    endpoint = *results.begin();
  }
  const std::string where = listener.host + ":" + std::to_string(listener.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) listener.port = acceptor.local_endpoint(ec).port();
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    if (ec == asio::error::address_in_use) {
      return Status(Errc::kUnavailable, "address already in use: " + where);
    }
    return Status(Errc::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  }
  return Status::ok();
}

void HttpServer::Impl::run() {
  if (!listeners_.front()->acceptor.is_open()) return;
  workers_.emplace(std::max(1u, options_.worker_threads));
  env_.emplace(options_, *workers_, connections_);
  // Keeps run() going while every connection waits for a worker; released by finish().
  work_.emplace(io_.get_executor());
  signals_.emplace(control_, SIGINT, SIGTERM);
  wait_for_signal();
  for (auto& listener : listeners_) {
    if (!listener->acceptor.is_open()) continue;
    asio::co_spawn(control_, accept_loop(*listener),
                   [](std::exception_ptr e) { report_unexpected("the accept loop", e); });
  }

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < std::max(1u, options_.io_threads); ++i) {
    threads.emplace_back([this] { run_io(); });
  }
  run_io();
  for (auto& t : threads) t.join();
  // Every connection is gone, so no job is queued or running.
  workers_->join();
}

void HttpServer::Impl::run_io() noexcept {
  for (;;) {
    try {
      io_.run();
      return;
    } catch (...) {
      report_unexpected("an I/O thread", std::current_exception());
    }
  }
}

// Every listener's connections count against the one max_connections.
asio::awaitable<void> HttpServer::Impl::accept_loop(Listener& listener) {
  const size_t max_connections = connection_limit(std::max(1u, options_.max_connections));
  for (;;) {
    tcp::socket socket(asio::make_strand(io_));
    auto [ec] =
        co_await listener.acceptor.async_accept(socket, asio::as_tuple(asio::use_awaitable));
    if (stopping_ || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or memory, or a connection reset before it was accepted: back off
      // briefly rather than spin.
      backoff_timer_.expires_after(std::chrono::milliseconds(50));
      co_await backoff_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (stopping_) co_return;
      continue;
    }
    if (connections_.size() >= max_connections) {
      reject(std::move(socket), listener.handler);
      continue;
    }
    Connection::start(std::make_shared<Connection>(std::move(socket), *env_, listener.handler));
  }
}

void HttpServer::Impl::reject(tcp::socket socket, api::Handler& handler) {
  EmptyBody body;
  api::Request request;
  request.body = &body;
  error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (!ec) request.remote_address = peer.address().to_string();
  api::Response response;
  try {
    response = handler.error_response(request, 503, Errc::kUnavailable, "too many connections");
  } catch (...) {
    response = api::Response{};
    response.status = 503;
  }
  HeadLine line;
  line.status = 503;
  line.close = true;
  line.content_length = response.body.size();
  std::string head;
  serialize_head(line, response.headers, head);
  // A fresh socket's send buffer takes a small response whole; never wait for it.
  socket.non_blocking(true, ec);
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(head), asio::buffer(response.body)};
  size_t written = socket.write_some(buffers, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
  api::ExchangeRecord record;
  record.status = 503;
  record.bytes_out = written > head.size() ? written - head.size() : 0;
  record.aborted = written < head.size() + response.body.size();
  try {
    handler.on_complete(request, record);
  } catch (...) {
  }
}

void HttpServer::Impl::wait_for_signal() {
  signals_->async_wait([this](const error_code& ec, int signal_number) {
    if (ec) return;
    if (stopping_) {
      // A second signal: the operator does not want to wait for the grace period.
      std::_Exit(128 + signal_number);
    }
    begin_shutdown();
    wait_for_signal();
  });
}

void HttpServer::Impl::begin_shutdown() {
  if (stopping_) return;
  stopping_ = true;
  if (env_) env_->shutting_down.store(true);
  error_code ec;
  for (auto& listener : listeners_) listener->acceptor.close(ec);
  backoff_timer_.cancel();
  for (const auto& c : connections_.snapshot()) c->notify_shutdown();
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([this](const error_code& ec) {
    if (ec) return;
    for (const auto& c : connections_.snapshot()) c->force_close();
  });
  connections_.when_empty([this] { finish(); });
}

void HttpServer::Impl::finish() {
  // Nothing is left that needs the I/O threads: the pending accept, signal wait and grace
  // timer are dropped with the io_context.
  io_.stop();
}

HttpServer::HttpServer(ServerOptions options, api::Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::listen() { return impl_->listen(); }

Result<uint16_t> HttpServer::add_listener(const std::string& host, uint16_t port,
                                          api::Handler& handler) {
  return impl_->add_listener(host, port, handler);
}

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::run() { impl_->run(); }

void HttpServer::stop() { impl_->stop(); }

}  // namespace coffer::http
