#pragma once
// The request body as the handler sees it: a blocking api::BodyReader over a socket that is
// served asynchronously by the connection's I/O thread.

#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

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
//
// Before the handler runs, the connection reads the start of the body on its I/O strand (see
// Connection::read_ahead): a Content-Length body stays in the input buffer, a chunked one is
// decoded into a read-ahead buffer of its own (decode_ahead). The handler's reads take those
// bytes first. A body that is whole in memory (in_memory()) never makes its handler wait for
// the client.
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

  // Read-ahead, on the connection's strand before the handler runs (the strand owns the body
  // until then). Body bytes in memory, not yet read by the handler: for a Content-Length body
  // the part of the input buffer that belongs to it, for a chunked one the decoded read-ahead.
  uint64_t buffered() const;
  // True when the whole body is in memory (or failed): reading it never waits for the socket.
  bool in_memory() const;
  // Chunked only: decodes what the input buffer holds into the read-ahead buffer, up to
  // `limit` decoded bytes in all. A malformed body sets failure().
  void decode_ahead(size_t limit);
  // Whether the client waits for "100 Continue" before it sends the body.
  bool continue_pending() const { return continue_pending_; }
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
  // kChunked: decoded body bytes read ahead of the handler, [ahead_pos_, ahead_.size()) unread.
  std::vector<std::byte> ahead_;
  size_t ahead_pos_ = 0;
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
