#pragma once
// One client connection: reads requests, reads the start of each body ahead of its handler,
// hands each to the handler (on a worker thread, or on this I/O thread for a request without a
// body while another I/O thread stays free), writes the responses. The session is a coroutine
// on the socket's strand; the handler's blocking body reads are bridged onto that strand
// (BodyTransport).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/exchange.h"
#include "core/status.h"
#include "http/body_reader.h"
#include "http/connection_set.h"
#include "http/request_parser.h"
#include "http/response_head.h"
#include "http/server.h"
#include "http/stream_slots.h"
#include "http/worker_pool.h"

namespace coffer::http {

// One piece of a streamed response body, pulled where run_blocking() runs it.
struct StreamPiece {
  size_t size = 0;
  bool ok = true;  // false: the source failed with `code`
  Errc code = Errc::kOk;
};

// What every connection of one server shares. Outlives the connections.
struct ServerEnv {
  ServerEnv(const ServerOptions& o, WorkerPool& w, ConnectionSet& c)
      : options(o),
        workers(w),
        connections(c),
        inline_limit(o.inline_bodyless_handlers && o.io_threads > 1 ? o.io_threads - 1 : 0),
        stream_slots(StreamSlots::for_workers(o.worker_threads)) {}

  // Claims one of the inline_limit slots for running blocking work on an I/O thread.
  bool enter_inline() {
    unsigned n = inline_running.load(std::memory_order_relaxed);
    while (n < inline_limit) {
      if (inline_running.compare_exchange_weak(n, n + 1, std::memory_order_acquire)) return true;
    }
    return false;
  }
  void leave_inline() { inline_running.fetch_sub(1, std::memory_order_release); }

  const ServerOptions& options;
  WorkerPool& workers;
  ConnectionSet& connections;
  // At most this many I/O threads run handlers at once, so at least one is always free for
  // I/O (including the body reads of handlers on workers).
  const unsigned inline_limit;
  std::atomic<unsigned> inline_running{0};
  // Handlers that may wait for their client's body hold one of these (see StreamSlots).
  StreamSlots stream_slots;
  // Set when shutdown begins; read without the strand, which an inline handler may occupy
  // when the shutdown notice is posted.
  std::atomic<bool> shutting_down{false};
};

class Connection final : public std::enable_shared_from_this<Connection>, private BodyTransport {
 public:
  // REQUIRES: the socket's executor is a strand (every completion of this connection runs on
  // it, so the members below need no locks).
  // `handler` is the one of the listener that accepted the socket; it outlives the server.
  Connection(boost::asio::ip::tcp::socket socket, ServerEnv& env, api::Handler& handler);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers the connection with env.connections and runs its session until it closes.
  static void start(std::shared_ptr<Connection> connection);

  // Thread-safe. The server is shutting down: finish the exchange in progress, then close; close
  // at once if waiting for a request.
  void notify_shutdown();
  // Thread-safe. Closes the socket now (the shutdown grace period is over).
  void force_close();

 private:
  using Clock = std::chrono::steady_clock;
  enum class HeadStatus { kReady, kClosed, kRejected };
  struct BodyIo {
    boost::system::error_code ec;
    size_t size = 0;
    bool timed_out = false;
    bool forced = false;
  };

  static boost::asio::awaitable<void> run(std::shared_ptr<Connection> self);
  boost::asio::awaitable<void> session();
  // Parses the next request head into request_ / parser_. kClosed: the connection ended
  // quietly (idle timeout, shutdown, peer gone); kRejected: an error response went out.
  boost::asio::awaitable<HeadStatus> read_head();
  // Runs the handler for a parsed head and writes its response. Returns whether the connection
  // may carry another request.
  boost::asio::awaitable<bool> exchange();
  // Before the handler runs, reads the request body on this strand until it is whole in memory
  // or kReadAhead bytes of it are, holding no worker meanwhile. Returns false when the exchange
  // ended here: an error went out (408, 400) or the client is gone.
  boost::asio::awaitable<bool> read_ahead();
  // Acknowledges what arrived at once instead of after the kernel's delayed-ACK timer.
  void acknowledge_now();
  // Holds the connection, with no thread, until the handler's Park says to call it again: its
  // signal moved, its recheck time passed, or the server is shutting down.
  boost::asio::awaitable<void> wait_parked(const api::Park& park);
  // Answers a request the server refuses by itself; the connection closes afterwards.
  boost::asio::awaitable<void> send_error(const HeadError& error);
  // Where run_blocking() runs it: handler.handle(), then the body bookkeeping that decides
  // keep-alive.
  void run_handler() noexcept;
  // Writes response_. Fills record.status and bytes_out; returns false if it could not be
  // written completely (the connection must close).
  boost::asio::awaitable<bool> write_response(api::ExchangeRecord& record);
  boost::asio::awaitable<bool> write_stream(HeadLine line, api::ExchangeRecord& record);
  boost::asio::awaitable<StreamPiece> read_piece(std::span<std::byte> buf);
  template <typename Buffers>
  boost::asio::awaitable<bool> write_all(const Buffers& buffers);
  // With `linger`, stops sending and reads what the client still sends for a moment before
  // closing, so that an unread request body does not make the kernel reset the connection
  // before the client has read the response.
  boost::asio::awaitable<void> close(bool linger);

  // Runs `fn`, which may block: on this I/O thread when `may_inline` and an inline slot is
  // free, else on a worker thread. Either way the coroutine continues on the strand.
  template <typename Fn>
  boost::asio::awaitable<void> run_blocking(Fn fn, bool may_inline);
  // Runs `fn` on a worker thread; resumes the coroutine on the strand afterwards.
  template <typename Fn>
  auto on_worker(Fn fn);

  api::Response error_response(int status, Errc code, std::string_view message) noexcept;
  void complete(const api::ExchangeRecord& record) noexcept;
  double seconds_since_start() const;

  // Deadlines. One timer per connection, re-armed only when a deadline moves earlier: moving it
  // later (the common case) is a store. On expiry the pending socket operations are cancelled
  // and timed_out_ tells them why.
  void arm(Clock::duration timeout) { arm_at(Clock::now() + timeout); }
  void arm_at(Clock::time_point deadline);
  void disarm() { deadline_ = Clock::time_point::max(); }
  void on_timer(const boost::system::error_code& ec);

  // The minimum body rate (see kMinBodyRate in connection.cc). The deadline of a body read
  // that starts at `now`, and the bookkeeping after one that started at `since` brought `n`
  // bytes. Strand only.
  Clock::time_point body_read_deadline(Clock::time_point now) const;
  void count_body_bytes(size_t n, Clock::time_point since);

  // BodyTransport, called by body_ on the worker thread.
  Result<size_t> read_some(std::span<std::byte> buf, bool send_continue) override;
  void start_body_read(std::span<std::byte> buf, bool send_continue);
  void read_body_bytes(std::span<std::byte> buf);
  void finish_body_read(const boost::system::error_code& ec, size_t size);

  boost::asio::ip::tcp::socket socket_;
  ServerEnv& env_;
  api::Handler& handler_;
  ConnectionSet::Id id_ = 0;

  boost::asio::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timer_expiry_ = Clock::time_point::max();
  bool timed_out_ = false;

  // A long poll waiting (wait_parked); park_round_ tells a late wake-up from an earlier round.
  boost::asio::steady_timer park_timer_;
  bool parked_ = false;
  uint64_t park_round_ = 0;

  bool idle_ = false;      // waiting for the first byte of a request
  bool stopping_ = false;  // server shutdown: close after the exchange in progress
  bool forced_ = false;    // closed by the server after the grace period
  bool closed_ = false;

  boost::beast::flat_buffer input_;
  std::optional<RequestParser> parser_;
  api::Request request_;
  RequestBody body_;
  api::Response response_;
  std::string head_;  // serialized response head, reused

  // The exchange in progress.
  Clock::time_point started_;
  bool client_http11_ = true;
  bool keep_alive_ = true;
  bool head_only_ = false;
  bool close_after_ = false;
  bool linger_ = false;
  // The body rate window in progress: time spent waiting for body bytes, and bytes received.
  Clock::duration rate_waited_{};
  uint64_t rate_bytes_ = 0;

  // Body reads bridged from the worker: the worker waits for io_seq_ to move.
  std::atomic<uint32_t> io_seq_{0};
  BodyIo io_result_;
};

}  // namespace coffer::http
