#include "http/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

namespace coffer::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);

// Socket read size while waiting for a request head.
constexpr size_t kHeadReadSize = 16 * 1024;
// An unread request body at most this long is read and dropped to keep the connection.
constexpr uint64_t kDrainLimit = 64 * 1024;
// Streamed response bodies are pulled and written in pieces of this size, two in flight.
constexpr size_t kStreamPiece = 512 * 1024;
// How long a closing connection keeps reading an unread request body (see close()).
constexpr auto kLingerTime = std::chrono::seconds(2);
// The input buffer is given back after a request that grew it beyond this.
constexpr size_t kInputKeepCapacity = 64 * 1024;
// Read on the I/O strand before the handler runs: a body up to this long is read whole (so
// sign-ins, JSON requests and small uploads never make a handler wait for the client), a
// longer one this far before its handler takes a stream slot (see StreamSlots).
constexpr size_t kReadAhead = 64 * 1024;
// The minimum body rate, in bytes per second: every read_timeout spent waiting for a request
// body (time the handler spends elsewhere does not count) must bring read_timeout x this many
// bytes, or the request is cut off with 408. 500 bytes/s is Apache mod_reqtimeout's MinRate,
// far below any mobile link. So a body may stall for as long as one read always could, but
// cannot trickle; the first window is the grace period.
constexpr uint64_t kMinBodyRate = 500;

void report_unexpected(const char* what) noexcept {
  std::fprintf(stderr, "coffer http: unexpected exception in a connection: %s\n", what);
}

// Fills `buf` from `source`, as far as the source goes; may block (see run_blocking).
StreamPiece fill_piece(api::BodySource& source, std::span<std::byte> buf) noexcept;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Worker hand-off and writes

template <typename Fn>
auto Connection::on_worker(Fn fn) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      [this](auto handler, Fn fn) {
        env_.workers.post([fn = std::move(fn), handler = std::move(handler)]() mutable {
          fn();
          // Back to the strand the coroutine runs on (the handler's associated executor).
          asio::post(std::move(handler));
        });
      },
      asio::use_awaitable, std::move(fn));
}

template <typename Fn>
asio::awaitable<void> Connection::run_blocking(Fn fn, bool may_inline) {
  if (may_inline && env_.enter_inline()) {
    fn();
    env_.leave_inline();
    co_return;
  }
  co_await on_worker(std::move(fn));
}

template <typename Buffers>
asio::awaitable<bool> Connection::write_all(const Buffers& buffers) {
  timed_out_ = false;
  arm(env_.options.write_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, buffers, kUseAwaitable);
  disarm();
  co_return !ec;
}

// ---------------------------------------------------------------------------------------------
// Lifetime

Connection::Connection(tcp::socket socket, ServerEnv& env, api::Handler& handler)
    : socket_(std::move(socket)),
      env_(env),
      handler_(handler),
      timer_(socket_.get_executor()),
      park_timer_(socket_.get_executor()),
      body_(input_, *this) {
  request_.body = &body_;
}

Connection::~Connection() {
  if (id_ != 0) env_.connections.remove(id_);
}

void Connection::start(std::shared_ptr<Connection> connection) {
  connection->id_ = connection->env_.connections.add(connection);
  auto executor = connection->socket_.get_executor();
  asio::co_spawn(executor, run(std::move(connection)), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      report_unexpected(ex.what());
    } catch (...) {
      report_unexpected("unknown");
    }
  });
}

asio::awaitable<void> Connection::run(std::shared_ptr<Connection> self) {
  // The coroutine frame owns `self`: the connection lives exactly as long as its session.
  co_await self->session();
}

void Connection::notify_shutdown() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->idle_) {
      error_code ec;
      self->socket_.cancel(ec);
    }
    if (self->parked_) self->park_timer_.cancel();
  });
}

void Connection::force_close() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    self->forced_ = true;
    if (self->parked_) self->park_timer_.cancel();
    error_code ec;
    self->socket_.shutdown(tcp::socket::shutdown_both, ec);
    self->socket_.close(ec);
  });
}

// ---------------------------------------------------------------------------------------------
// Session

asio::awaitable<void> Connection::session() {
  bool linger = false;
  try {
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) request_.remote_address = peer.address().to_string();
    for (;;) {
      HeadStatus status = co_await read_head();
      if (status == HeadStatus::kClosed) break;
      if (status == HeadStatus::kRejected) {
        linger = true;
        break;
      }
      if (auto error = parser_->check_framing()) {
        co_await send_error(*error);
        linger = true;
        break;
      }
      bool again = co_await exchange();
      if (!again) {
        linger = linger_;
        break;
      }
      if (input_.capacity() > kInputKeepCapacity && input_.size() < kInputKeepCapacity) {
        input_.shrink_to_fit();
      }
    }
  } catch (const std::exception& e) {
    report_unexpected(e.what());
  } catch (...) {
    report_unexpected("unknown");
  }
  parser_.reset();
  co_await close(linger);
}

asio::awaitable<Connection::HeadStatus> Connection::read_head() {
  request_.method.clear();
  request_.target.clear();
  parser_.emplace(request_, env_.options.max_header_bytes);
  bool got_bytes = false;
  Clock::time_point head_deadline;
  for (;;) {
    if (!got_bytes) {
      // RFC 9112 §2.2: empty lines before a request line are ignored.
      while (input_.size() > 0) {
        char c = *static_cast<const char*>(input_.data().data());
        if (c != '\r' && c != '\n') break;
        input_.consume(1);
      }
    }
    if (input_.size() > 0) {
      if (!got_bytes) {
        got_bytes = true;
        started_ = Clock::now();
        // The whole head must arrive within read_timeout of its first byte.
        head_deadline = started_ + env_.options.read_timeout;
      }
      error_code ec;
      size_t used = parser_->put(input_.data(), ec);
      input_.consume(used);
      if (!ec && parser_->is_header_done()) co_return HeadStatus::kReady;
      if (ec && ec != bhttp::error::need_more) {
        parser_->trim_headers();
        co_await send_error(head_error_for(ec));
        co_return HeadStatus::kRejected;
      }
    }
    if (stopping_ && !got_bytes) co_return HeadStatus::kClosed;
    idle_ = !got_bytes;
    timed_out_ = false;
    if (got_bytes) {
      arm_at(head_deadline);
    } else {
      arm(env_.options.idle_timeout);
    }
    auto space = input_.prepare(kHeadReadSize);
    auto [ec, n] = co_await socket_.async_read_some(space, kUseAwaitable);
    disarm();
    idle_ = false;
    input_.commit(n);
    if (ec) {
      // Between requests, a timeout, a shutdown or a departing client just ends the connection.
      if (got_bytes && timed_out_) {
        parser_->trim_headers();
        co_await send_error({408, Errc::kRequestTimeout, "timed out reading the request head"});
        co_return HeadStatus::kRejected;
      }
      co_return HeadStatus::kClosed;
    }
  }
}

asio::awaitable<bool> Connection::exchange() {
  RequestParser& parser = *parser_;
  client_http11_ = parser.version() >= 11;
  keep_alive_ = parser.keep_alive();
  head_only_ = request_.method == "HEAD";
  close_after_ = false;
  linger_ = false;
  request_.request_id.clear();
  request_.route.clear();
  request_.path_params.clear();
  request_.user_id = 0;
  request_.poll_deadline.reset();

  // "100 Continue" is an HTTP/1.1 feature (RFC 9110 §10.1.1).
  bool expect_continue = parser.expect_continue() && client_http11_;
  if (parser.chunked()) {
    body_.start_chunked(parser, expect_continue);
  } else if (auto length = parser.content_length()) {
    body_.start_sized(*length, expect_continue);
  } else {
    body_.start_empty();
  }

  rate_waited_ = {};
  rate_bytes_ = 0;
  if (!body_.finished() && !co_await read_ahead()) co_return false;
  // A handler whose body is not whole in memory may wait for the client: it needs a slot.
  const bool streaming = !body_.in_memory();
  if (streaming && !env_.stream_slots.try_acquire()) {
    co_await env_.stream_slots.async_acquire(asio::use_awaitable);
  }
  {
    StreamSlots::Release slot(streaming ? &env_.stream_slots : nullptr);
    // A handler without a body to read never waits for this connection's strand, so it can run
    // right here; one that reads a body must not, since its reads are served on this strand.
    co_await run_blocking([this] { run_handler(); }, body_.finished());
  }
  while (response_.park && !forced_) {
    co_await wait_parked(*response_.park);
    response_ = api::Response{};
    // Shutting down: the handler answers with what it has instead of waiting on.
    if (stopping_ || env_.shutting_down.load(std::memory_order_relaxed)) {
      request_.poll_deadline = Clock::now();
    }
    co_await run_blocking([this] { run_handler(); }, true);
  }
  if (response_.park) response_ = error_response(503, Errc::kUnavailable, "shutting down");

  api::ExchangeRecord record;
  bool written = false;
  if (forced_) {
    record.status = response_.status;
  } else {
    written = co_await write_response(record);
  }
  record.bytes_in = body_.bytes_read();
  record.seconds = seconds_since_start();
  record.aborted = !written;
  complete(record);
  response_ = api::Response{};
  co_return written && !close_after_ && !stopping_;
}

asio::awaitable<void> Connection::wait_parked(const api::Park& park) {
  const uint64_t round = ++park_round_;
  parked_ = true;
  park_timer_.expires_after(park.recheck);
  // A wake-up may come from any thread, even from subscribe() itself: it is posted to this
  // strand, where it runs only once the wait below is pending.
  auto self = shared_from_this();
  const ChangeSignal::Ticket ticket = park.signal->subscribe(park.seen, [self, round] {
    asio::post(self->socket_.get_executor(), [self, round] {
      if (self->parked_ && self->park_round_ == round) self->park_timer_.cancel();
    });
  });
  if (!stopping_ && !env_.shutting_down.load(std::memory_order_relaxed)) {
    co_await park_timer_.async_wait(kUseAwaitable);
  }
  parked_ = false;
  park.signal->cancel(ticket);
}

void Connection::acknowledge_now() {
  // A client that writes the head and then the body without TCP_NODELAY (the Nextcloud and
  // ownCloud desktop clients do) has its body held back by Nagle's algorithm until the head
  // is acknowledged, and Linux delays that acknowledgement by at least 40 ms: every small
  // upload waited for it. TCP_QUICKACK sends the pending ACK now (it is not sticky: later
  // segments are acknowledged as usual).
  using QuickAck = asio::detail::socket_option::boolean<IPPROTO_TCP, TCP_QUICKACK>;
  error_code ignored;
  socket_.set_option(QuickAck(true), ignored);
}

asio::awaitable<bool> Connection::read_ahead() {
  // A client waiting for "100 Continue" sends nothing before the handler asks for the body (or
  // refuses it unread: 401, 413, 507).
  if (body_.continue_pending()) co_return true;
  const bool chunked = !body_.content_length();
  for (bool first = true;; first = false) {
    if (chunked) body_.decode_ahead(kReadAhead);
    if (body_.in_memory() || body_.buffered() >= kReadAhead) break;
    if (first) acknowledge_now();
    timed_out_ = false;
    const Clock::time_point since = Clock::now();
    arm_at(body_read_deadline(since));
    auto space = input_.prepare(kHeadReadSize);
    auto [ec, n] = co_await socket_.async_read_some(space, kUseAwaitable);
    disarm();
    input_.commit(n);
    count_body_bytes(n, since);
    if (ec) {
      if (!timed_out_) {
        // The client is gone (499, as a handler's failed read is logged), or the shutdown
        // grace period is over.
        api::ExchangeRecord record;
        record.status = forced_ ? 503 : 499;
        record.bytes_in = body_.buffered();
        record.seconds = seconds_since_start();
        record.aborted = true;
        complete(record);
        co_return false;
      }
      co_await send_error({408, Errc::kRequestTimeout, "the request body arrives too slowly"});
      linger_ = true;
      co_return false;
    }
  }
  if (!body_.failure().is_ok()) {
    co_await send_error({400, Errc::kBadRequest, "malformed chunked body"});
    linger_ = true;
    co_return false;
  }
  co_return true;
}

void Connection::run_handler() noexcept {
  try {
    response_ = handler_.handle(request_);
  } catch (const std::exception&) {
    response_ = error_response(500, Errc::kInternal, "internal error");
  } catch (...) {
    response_ = error_response(500, Errc::kInternal, "internal error");
  }
  // A broken or stalled body makes the handler's answer moot: the client gets the framing
  // error, and the connection cannot be trusted for another request.
  const Status& failure = body_.failure();
  if (!failure.is_ok()) {
    close_after_ = true;
    if (failure.code() == Errc::kBadRequest) {
      response_ = error_response(400, Errc::kBadRequest, failure.message());
    } else if (failure.code() == Errc::kRequestTimeout) {
      response_ = error_response(408, Errc::kRequestTimeout, failure.message());
    }
    return;
  }
  if (!body_.finished() && !body_.discard_rest(kDrainLimit)) {
    close_after_ = true;
    linger_ = body_.failure().is_ok();  // the rest of the body may still be on its way
  }
}

asio::awaitable<void> Connection::send_error(const HeadError& error) {
  client_http11_ = parser_ && parser_->is_header_done() ? parser_->version() >= 11 : true;
  keep_alive_ = false;
  head_only_ = request_.method == "HEAD";
  close_after_ = true;
  body_.start_empty();
  response_ = error_response(error.status, error.code, error.message);
  api::ExchangeRecord record;
  bool written = co_await write_response(record);
  record.seconds = seconds_since_start();
  record.aborted = !written;
  complete(record);
  response_ = api::Response{};
}

// ---------------------------------------------------------------------------------------------
// Responses

asio::awaitable<bool> Connection::write_response(api::ExchangeRecord& record) {
  api::Response& r = response_;
  // A 1xx is not a final response, and anything outside 100..999 is not a status at all.
  if (r.status < 200 || r.status > 999) {
    r = error_response(500, Errc::kInternal, "invalid response status");
  }
  close_after_ = close_after_ || r.close || !keep_alive_ || stopping_ ||
                 env_.shutting_down.load(std::memory_order_relaxed);

  HeadLine line;
  line.status = r.status;
  line.client_http11 = client_http11_;
  bool send_body = !head_only_;
  if (status_has_no_body(r.status)) {
    line.framing = Framing::kNone;
    send_body = false;
  } else if (r.stream) {
    if (r.content_length) {
      line.framing = Framing::kLength;
      line.content_length = *r.content_length;
    } else if (head_only_) {
      line.framing = Framing::kNone;
    } else if (client_http11_) {
      line.framing = Framing::kChunked;
    } else {
      line.framing = Framing::kUntilClose;
      close_after_ = true;
    }
  } else {
    line.framing = Framing::kLength;
    // A HEAD handler may state the size of the body it would send without producing it.
    line.content_length = head_only_ && r.content_length ? *r.content_length : r.body.size();
  }
  line.close = close_after_;
  record.status = line.status;

  if (send_body && r.stream) co_return co_await write_stream(line, record);

  serialize_head(line, r.headers, head_);
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::const_buffer()};
  if (send_body) buffers[1] = asio::buffer(r.body);
  bool ok = co_await write_all(buffers);
  if (ok && send_body) record.bytes_out = r.body.size();
  co_return ok;
}

asio::awaitable<bool> Connection::write_stream(HeadLine line, api::ExchangeRecord& record) {
  using namespace asio::experimental::awaitable_operators;
  const bool sized = line.framing == Framing::kLength;
  const bool chunked = line.framing == Framing::kChunked;
  const uint64_t total = sized ? line.content_length : 0;
  const size_t piece_size =
      sized ? static_cast<size_t>(std::clamp<uint64_t>(total, 1, kStreamPiece)) : kStreamPiece;
  std::unique_ptr<std::byte[]> buffers[2];
  buffers[0].reset(new std::byte[piece_size]);
  auto next_length = [&](uint64_t sent) {
    return sized ? static_cast<size_t>(std::min<uint64_t>(piece_size, total - sent)) : piece_size;
  };

  // The first piece is read before anything is sent, so that a source that fails at once
  // still gets a proper error response.
  size_t want = next_length(0);
  StreamPiece piece;
  if (want > 0) piece = co_await read_piece({buffers[0].get(), want});
  if (!piece.ok || (sized && piece.size < want)) {
    response_ = error_response(500, piece.ok ? Errc::kInternal : piece.code,
                               "could not read the response body");
    co_return co_await write_response(record);
  }

  serialize_head(line, response_.headers, head_);
  bool head_pending = true;
  uint64_t sent = 0;
  int current = 0;
  char chunk_size[24];
  for (;;) {
    std::array<asio::const_buffer, 4> out;
    if (head_pending) out[0] = asio::buffer(head_);
    if (piece.size > 0) {
      if (chunked) out[1] = asio::buffer(chunk_size, format_chunk_size(piece.size, chunk_size));
      out[2] = asio::buffer(buffers[current].get(), piece.size);
      if (chunked) out[3] = asio::buffer(kCrlf);
    } else if (chunked) {
      out[3] = asio::buffer(kLastChunk);
    }
    bool last = piece.size == 0 || (sized && sent + piece.size == total);
    if (last) {
      bool ok = co_await write_all(out);
      if (ok) record.bytes_out = sent + piece.size;
      // Without a length, the body ends when the connection does.
      co_return ok;
    }
    // Write this piece while a worker pulls the next one.
    int other = 1 - current;
    if (!buffers[other]) buffers[other].reset(new std::byte[piece_size]);
    want = next_length(sent + piece.size);
    auto [ok, next] = co_await (write_all(out) && read_piece({buffers[other].get(), want}));
    if (!ok) co_return false;
    head_pending = false;
    sent += piece.size;
    record.bytes_out = sent;
    // The status line is out: a failing or short source can only cut the connection.
    if (!next.ok || (sized && next.size < want)) co_return false;
    piece = next;
    current = other;
  }
}

asio::awaitable<StreamPiece> Connection::read_piece(std::span<std::byte> buf) {
  StreamPiece piece;
  api::BodySource& source = *response_.stream;
  co_await run_blocking([&] { piece = fill_piece(source, buf); }, true);
  co_return piece;
}

namespace {

StreamPiece fill_piece(api::BodySource& source, std::span<std::byte> buf) noexcept {
  StreamPiece piece;
  try {
    while (piece.size < buf.size()) {
      Result<size_t> r = source.read(buf.subspan(piece.size));
      if (!r) {
        piece.ok = false;
        piece.code = r.status().code();
        return piece;
      }
      if (*r == 0) break;
      piece.size += *r;
    }
  } catch (...) {
    piece.ok = false;
    piece.code = Errc::kInternal;
  }
  return piece;
}

}  // namespace

asio::awaitable<void> Connection::close(bool linger) {
  error_code ec;
  if (linger && !forced_ && socket_.is_open()) {
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
      timed_out_ = false;
      arm(kLingerTime);
      idle_ = true;  // a shutdown need not wait for this
      for (;;) {
        auto space = input_.prepare(kHeadReadSize);
        auto [read_ec, n] = co_await socket_.async_read_some(space, kUseAwaitable);
        if (read_ec || stopping_) break;
      }
      idle_ = false;
      disarm();
    }
  }
  closed_ = true;
  timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

// ---------------------------------------------------------------------------------------------
// Helpers

api::Response Connection::error_response(int status, Errc code, std::string_view message) noexcept {
  try {
    return handler_.error_response(request_, status, code, message);
  } catch (...) {
  }
  api::Response r;
  r.status = status;
  try {
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = "{\"error\":{\"code\":\"";
    r.body += errc_name(code);
    r.body += "\"}}";
  } catch (...) {
  }
  return r;
}

void Connection::complete(const api::ExchangeRecord& record) noexcept {
  try {
    handler_.on_complete(request_, record);
  } catch (...) {
  }
}

double Connection::seconds_since_start() const {
  return std::chrono::duration<double>(Clock::now() - started_).count();
}

// ---------------------------------------------------------------------------------------------
// Deadlines

void Connection::arm_at(Clock::time_point deadline) {
  deadline_ = deadline;
  if (deadline >= timer_expiry_) return;  // the pending wait fires first and re-arms
  timer_expiry_ = deadline;
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->on_timer(ec); });
}

void Connection::on_timer(const error_code& ec) {
  // Aborted: re-armed (a newer wait is pending) or closing.
  if (ec == asio::error::operation_aborted || closed_) return;
  timer_expiry_ = Clock::time_point::max();
  if (deadline_ == Clock::time_point::max()) return;
  if (Clock::now() >= deadline_) {
    deadline_ = Clock::time_point::max();
    timed_out_ = true;
    error_code ignored;
    socket_.cancel(ignored);
    return;
  }
  arm_at(deadline_);
}

// ---------------------------------------------------------------------------------------------
// Body reads for the worker

Result<size_t> Connection::read_some(std::span<std::byte> buf, bool send_continue) {
  // The worker owns body_ and input_ while the handler runs; the strand touches only the
  // socket and io_result_, and the release/acquire pair on io_seq_ hands the result over.
  uint32_t seq = io_seq_.load(std::memory_order_acquire);
  asio::post(socket_.get_executor(),
             [this, buf, send_continue] { start_body_read(buf, send_continue); });
  io_seq_.wait(seq, std::memory_order_acquire);
  const BodyIo& r = io_result_;
  if (!r.ec) return r.size;
  if (r.timed_out) return Status(Errc::kRequestTimeout, "timed out reading the request body");
  if (r.forced) return Status(Errc::kUnavailable, "the server is shutting down");
  return Status(Errc::kClientClosed, "the client closed the connection");
}

void Connection::start_body_read(std::span<std::byte> buf, bool send_continue) {
  if (forced_) {
    finish_body_read(asio::error::operation_aborted, 0);
    return;
  }
  if (!send_continue) {
    read_body_bytes(buf);
    return;
  }
  timed_out_ = false;
  arm(env_.options.write_timeout);
  asio::async_write(socket_, asio::buffer(kContinueLine),
                    [this, buf](const error_code& ec, size_t) {
                      disarm();
                      if (ec) {
                        finish_body_read(ec, 0);
                      } else {
                        read_body_bytes(buf);
                      }
                    });
}

void Connection::read_body_bytes(std::span<std::byte> buf) {
  timed_out_ = false;
  const Clock::time_point since = Clock::now();
  arm_at(body_read_deadline(since));
  socket_.async_read_some(asio::buffer(buf.data(), buf.size()),
                          [this, since](const error_code& ec, size_t n) {
                            count_body_bytes(n, since);
                            finish_body_read(ec, n);
                          });
}

Connection::Clock::time_point Connection::body_read_deadline(Clock::time_point now) const {
  return now + (env_.options.read_timeout - rate_waited_);
}

void Connection::count_body_bytes(size_t n, Clock::time_point since) {
  rate_waited_ += Clock::now() - since;
  rate_bytes_ += n;
  if (rate_bytes_ >= kMinBodyRate * static_cast<uint64_t>(env_.options.read_timeout.count())) {
    rate_waited_ = {};
    rate_bytes_ = 0;
  }
}

void Connection::finish_body_read(const error_code& ec, size_t size) {
  disarm();
  io_result_ = BodyIo{ec, size, ec && timed_out_, forced_};
  io_seq_.fetch_add(1, std::memory_order_release);
  io_seq_.notify_one();
}

}  // namespace coffer::http
