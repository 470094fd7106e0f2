#pragma once
// The request body as the handler sees it: a blocking api::BodyReader over a socket that is
// served asynchronously by the connection's I/O thread.

#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "api/exchange.h"
#include "core/status.h"
#include "http/request_parser.h"

namespace coffer::http {

// Socket reads carried out for a RequestBody. Implemented by the connection, which performs
// them as asynchronous operations on its strand.
class BodyTransport {
 public:
  // Blocks the calling (worker) thread until at least one byte was read into `buf`, or fails
  // with kClientClosed (peer closed or reset), kRequestTimeout (no data within read_timeout) or
  // kUnavailable (the server is shutting down). When `send_continue`, first writes
  // "HTTP/1.1 100 Continue".
  virtual Result<size_t> read_some(std::span<std::byte> buf, bool send_continue) = 0;

 protected:
  ~BodyTransport() = default;
};

// One per connection, restarted for every request with start_*(). Between start and the end of
// the handler it belongs to the worker thread running the handler: it reads and consumes the
// connection's input buffer without locks, because the connection touches that buffer only
// while no handler runs.
//
// Content-Length bodies skip the parser: bytes already buffered are copied out, then the socket
// is read straight into the caller's buffer (no intermediate copy, reads as large as the
// caller asks). Chunked bodies go through the parser, which strips the framing.
class RequestBody final : public api::BodyReader {
 public:
  RequestBody(boost::beast::flat_buffer& input, BodyTransport& transport);
  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;

  // A request without a body.
  void start_empty();
  // A body of exactly `length` bytes.
  void start_sized(uint64_t length, bool expect_continue);
  // A chunked body, decoded by `parser` (which has parsed the head and must outlive the body).
  void start_chunked(RequestParser& parser, bool expect_continue);

  // api::BodyReader. Errors are sticky: after one, every read returns it again.
  Result<size_t> read(std::span<std::byte> buf) override;
  std::optional<uint64_t> content_length() const override;
  // True when every byte of the body has been consumed.
  bool finished() const override { return finished_; }

  // Body bytes delivered (or discarded) so far.
  uint64_t bytes_read() const { return bytes_read_; }
  // The first read error, ok if none.
  const Status& failure() const { return failure_; }
  // Reads and throws away the rest of the body if that takes at most `limit` more bytes, so a
  // keep-alive connection can go on. Refuses (returns false) when the client may be waiting for
  // "100 Continue" that was never sent. Returns finished().
  bool discard_rest(uint64_t limit);

 private:
  enum class Mode { kSized, kChunked };

  void start(Mode mode, bool expect_continue);
  Result<size_t> read_sized(std::span<std::byte> buf);
  Result<size_t> read_chunked(std::span<std::byte> buf);
  // Reads from the transport, sending "100 Continue" first if the client asked for it.
  Result<size_t> fill(std::span<std::byte> buf);
  Result<size_t> fail(Status status);

  boost::beast::flat_buffer& input_;
  BodyTransport& transport_;
  RequestParser* parser_ = nullptr;
  Mode mode_ = Mode::kSized;
  std::optional<uint64_t> length_;
  uint64_t remaining_ = 0;  // kSized only
  uint64_t bytes_read_ = 0;
  bool finished_ = true;
  bool continue_pending_ = false;  // the client sent "Expect: 100-continue"; not answered yet
  Status failure_;
};

// The body of a request that has none, or of a request refused before it was parsed.
class EmptyBody final : public api::BodyReader {
 public:
  Result<size_t> read(std::span<std::byte>) override { return size_t{0}; }
  std::optional<uint64_t> content_length() const override { return std::nullopt; }
  bool finished() const override { return true; }
};

}  // namespace coffer::http
