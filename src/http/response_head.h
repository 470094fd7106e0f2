#pragma once
// Serialization of response heads and chunked framing. Written by hand rather than through
// beast::http::response so that a keep-alive connection builds each head in one reused string
// with no per-header allocation.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/exchange.h"

namespace coffer::http {

// How the response body is delimited on the wire.
enum class Framing {
  kNone,        // no body by definition (204, 304, or a HEAD response without a known size)
  kLength,      // Content-Length
  kChunked,     // Transfer-Encoding: chunked
  kUntilClose,  // HTTP/1.0 client and unknown length: the body ends when the connection closes
};

struct HeadLine {
  int status = 200;
  // The status line always says HTTP/1.1 (RFC 9110 §2.5); an HTTP/1.0 client additionally
  // needs "Connection: keep-alive" to keep the connection.
  bool client_http11 = true;
  bool close = false;  // announce that the connection closes after this response
  Framing framing = Framing::kLength;
  uint64_t content_length = 0;  // kLength only
};

// Replaces `out` with the status line and header block (ending in an empty line). Headers the
// HTTP layer owns (Content-Length, Transfer-Encoding, Connection, Keep-Alive, Date, Server) are
// taken from `line`, never from `headers`; handler headers with a malformed name or a CR, LF or
// NUL in the value are dropped rather than allowed to split the response.
void serialize_head(const HeadLine& line, const std::vector<api::Header>& headers,
                    std::string& out);

// True for statuses whose responses never carry a body (RFC 9110 §6.4.1).
inline bool status_has_no_body(int status) {
  return status < 200 || status == 204 || status == 304;
}

inline constexpr std::string_view kContinueLine = "HTTP/1.1 100 Continue\r\n\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
inline constexpr std::string_view kCrlf = "\r\n";

// Writes "<hex size>\r\n" into `buf` and returns its length.
size_t format_chunk_size(uint64_t size, char (&buf)[24]);

}  // namespace coffer::http
