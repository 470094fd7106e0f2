#pragma once
// Helpers for the HTTP server tests: a scriptable handler, a server running on a background
// thread, and a blocking POSIX-socket client whose reads time out instead of hanging.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/exchange.h"
#include "core/status.h"
#include "http/server.h"

namespace coffer::http::testing {

inline constexpr auto kTestTimeout = std::chrono::seconds(15);

// FNV-1a, to compare large bodies without keeping two copies around.
class Fnv {
 public:
  void add(const void* data, size_t n) {
    auto p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      hash_ ^= p[i];
      hash_ *= 1099511628211ull;
    }
    size_ += n;
  }
  uint64_t hash() const { return hash_; }
  uint64_t size() const { return size_; }

 private:
  uint64_t hash_ = 14695981039346656037ull;
  uint64_t size_ = 0;
};

// The deterministic content of test bodies: byte i of a pattern of any length.
inline char pattern_byte(uint64_t i) { return static_cast<char>((i * 131 + (i >> 11)) & 0xff); }

inline std::string pattern(uint64_t offset, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = pattern_byte(offset + i);
  return s;
}

inline uint64_t pattern_hash(uint64_t n) {
  Fnv f;
  for (uint64_t i = 0; i < n; ++i) {
    char c = pattern_byte(i);
    f.add(&c, 1);
  }
  return f.hash();
}

// A response body source of `total` pattern bytes, in reads of at most `step` bytes; fails
// with kIoError after `fail_after` bytes if set.
class PatternSource : public api::BodySource {
 public:
  PatternSource(uint64_t total, size_t step, std::optional<uint64_t> fail_after = std::nullopt)
      : total_(total), step_(step), fail_after_(fail_after) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    if (fail_after_ && offset_ >= *fail_after_) return Status(Errc::kIoError, "disk on fire");
    size_t n = static_cast<size_t>(std::min<uint64_t>({buf.size(), step_, total_ - offset_}));
    for (size_t i = 0; i < n; ++i) buf[i] = static_cast<std::byte>(pattern_byte(offset_ + i));
    offset_ += n;
    return n;
  }

 private:
  uint64_t total_;
  size_t step_;
  std::optional<uint64_t> fail_after_;
  uint64_t offset_ = 0;
};

struct Completed {
  std::string method;
  std::string target;
  api::ExchangeRecord record;
};

class TestHandler : public api::Handler {
 public:
  using Fn = std::function<api::Response(api::Request&)>;

  TestHandler() = default;
  explicit TestHandler(Fn fn) : fn_(std::move(fn)) {}
  void set(Fn fn) { fn_ = std::move(fn); }

  api::Response handle(api::Request& request) override {
    handled_.fetch_add(1);
    if (fn_) return fn_(request);
    api::Response r;
    r.body = request.method + " " + request.target;
    return r;
  }

  api::Response error_response(const api::Request&, int http_status, Errc code,
                               std::string_view message) override {
    api::Response r;
    r.status = http_status;
    r.set_header("Content-Type", "application/json");
    r.body = "{\"error\":{\"code\":\"" + std::string(errc_name(code)) + "\",\"message\":\"" +
             std::string(message) + "\"}}";
    return r;
  }

  void on_complete(const api::Request& request, const api::ExchangeRecord& record) override {
    std::lock_guard lock(mu_);
    completed_.push_back({request.method, request.target, record});
    cv_.notify_all();
  }

  // Waits until at least `n` exchanges completed; returns them all.
  std::vector<Completed> wait_completed(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kTestTimeout, [&] { return completed_.size() >= n; });
    return completed_;
  }
  std::vector<Completed> completed() {
    std::lock_guard lock(mu_);
    return completed_;
  }
  int handled() const { return handled_.load(); }

 private:
  Fn fn_;
  std::atomic<int> handled_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completed> completed_;
};

inline ServerOptions test_options(bool inline_handlers = true) {
  ServerOptions o;
  o.inline_bodyless_handlers = inline_handlers;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  o.worker_threads = 4;
  o.shutdown_grace = std::chrono::seconds(5);
  return o;
}

// An HttpServer listening on a free port, run() on a background thread.
class RunningServer {
 public:
  // `before_run` may add listeners.
  RunningServer(ServerOptions options, api::Handler& handler,
                const std::function<void(HttpServer&)>& before_run = {})
      : server_(options, handler) {
    Status s = server_.listen();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    if (before_run) before_run(server_);
    done_ = std::async(std::launch::async, [this] { server_.run(); });
  }
  ~RunningServer() { stop_and_wait(); }

  uint16_t port() const { return server_.port(); }
  HttpServer& server() { return server_; }

  // True once run() has returned.
  bool finished(std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    return done_.wait_for(wait) == std::future_status::ready;
  }

  void stop_and_wait() {
    if (stopped_) return;
    stopped_ = true;
    server_.stop();
    if (!finished(std::chrono::duration_cast<std::chrono::milliseconds>(kTestTimeout) * 2)) {
      ADD_FAILURE() << "HttpServer::run() did not return after stop()";
      std::_Exit(1);  // the future's destructor would hang the whole test binary
    }
  }

 private:
  HttpServer server_;
  std::future<void> done_;
  bool stopped_ = false;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool chunked = false;
  bool keep_alive = true;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

// A blocking client over a plain socket. Every read and write gives up after kTestTimeout.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{static_cast<time_t>(kTestTimeout.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Closes with a reset instead of an orderly FIN.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
  }

  // Reads one response. `head_request`: the response to a HEAD has no body.
  std::optional<Reply> read_response(bool head_request = false) {
    namespace bhttp = boost::beast::http;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.body_limit(boost::none);
    parser.header_limit(64 * 1024);
    if (head_request) parser.skip(true);
    for (;;) {
      if (!pending_.empty()) {
        boost::system::error_code ec;
        size_t used = parser.put(boost::asio::buffer(pending_), ec);
        pending_.erase(0, used);
        if (parser.is_done()) break;
        if (ec && ec != bhttp::error::need_more) {
          ADD_FAILURE() << "malformed response: " << ec.message();
          return std::nullopt;
        }
        if (!ec && used > 0) continue;
      }
      char buf[64 * 1024];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0 && parser.got_some()) {
          boost::system::error_code ec;
          parser.put_eof(ec);
          if (!ec && parser.is_done()) break;
        }
        return std::nullopt;
      }
      pending_.append(buf, static_cast<size_t>(n));
    }
    Reply reply;
    auto& message = parser.get();
    reply.status = message.result_int();
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      reply.headers[name] = std::string(field.value());
    }
    reply.body = std::move(message.body());
    reply.chunked = parser.chunked();
    reply.keep_alive = parser.keep_alive();
    return reply;
  }

  // True if the server ends the connection (EOF or reset) within kTestTimeout; data that
  // arrives first is dropped.
  bool closed_by_server() {
    pending_.clear();
    for (;;) {
      char buf[64 * 1024];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

inline std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

// Reads the whole body in reads of `step` bytes; returns "<bytes> <fnv>" or the error.
inline std::string digest_body(api::Request& request, size_t step = 100 * 1000) {
  std::vector<std::byte> buf(step);
  Fnv f;
  for (;;) {
    Result<size_t> r = request.body->read(buf);
    if (!r) return "error " + r.status().to_string();
    if (*r == 0) break;
    f.add(buf.data(), *r);
  }
  return std::to_string(f.size()) + " " + std::to_string(f.hash());
}

inline std::string expected_digest(uint64_t n) {
  return std::to_string(n) + " " + std::to_string(pattern_hash(n));
}

}  // namespace coffer::http::testing
