#pragma once
// The request parser: Beast's HTTP/1.1 grammar, with the head written straight into an
// api::Request (no intermediate beast::http::fields, so a keep-alive connection reuses the
// request's string capacity) and chunked body bytes delivered into a caller-supplied window.

#include <boost/beast/http/basic_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/exchange.h"
#include "core/status.h"

namespace coffer::http {

// A request the server must refuse before the handler sees it.
struct HeadError {
  int status = 400;
  Errc code = Errc::kBadRequest;
  std::string_view message;  // a static string
};

// Maps an error reported by the parser while reading a head to the answer the client gets.
HeadError head_error_for(const boost::system::error_code& ec);

// Not reusable (Beast parsers never are): emplace a fresh one for every request.
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Fills `request`'s method, target and headers; other members are left alone. The request
  // must outlive the parser.
  RequestParser(api::Request& request, uint32_t header_limit);

  // Facts about the head; valid once is_header_done().
  int version() const { return version_; }  // 10 or 11
  bool expect_continue() const { return expect_continue_; }
  // RFC 9112 checks that Beast 1.81 leaves to the caller (it already rejects malformed and
  // conflicting Content-Length values, and Content-Length together with a chunked
  // Transfer-Encoding). Returns the error to answer, if any.
  std::optional<HeadError> check_framing() const;

  // After a parse error: drops headers left over from the previous request on the connection.
  void trim_headers() { request_.headers.resize(fields_); }

  // Where the next chunked body bytes go. The parser reports error::need_buffer once the window
  // is full. Content-Length bodies are read without the parser (see RequestBody).
  void set_output(std::span<std::byte> out) {
    out_ = out;
    out_used_ = 0;
  }
  size_t output_used() const { return out_used_; }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::system::error_code;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<uint64_t>&, error_code&) override {}
  size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  size_t deliver(string_view body, error_code& ec);

  api::Request& request_;
  size_t fields_ = 0;  // headers filled so far; request_.headers is trimmed to it at the end
  bool in_trailer_ = false;
  int version_ = 11;
  bool expect_continue_ = false;
  unsigned host_count_ = 0;
  unsigned transfer_encoding_count_ = 0;
  unsigned content_length_count_ = 0;
  std::string transfer_encoding_;  // all Transfer-Encoding values, comma-joined
  std::span<std::byte> out_;
  size_t out_used_ = 0;
};

}  // namespace coffer::http
