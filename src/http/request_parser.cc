#include "http/request_parser.h"

#include <strings.h>

#include <algorithm>
#include <cstring>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace coffer::http {

namespace bhttp = boost::beast::http;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The transfer coding named by one list element, without parameters ("gzip;q=1" -> "gzip").
std::string_view coding_name(std::string_view element) {
  return trim(element.substr(0, element.find(';')));
}

}  // namespace

HeadError head_error_for(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return {431, Errc::kBadRequest, "request head too large"};
  }
  if (ec == bhttp::error::bad_content_length) {
    return {400, Errc::kBadRequest, "invalid Content-Length"};
  }
  if (ec == bhttp::error::multiple_content_length) {
    return {400, Errc::kBadRequest, "conflicting Content-Length headers"};
  }
  if (ec == bhttp::error::bad_transfer_encoding) {
    return {400, Errc::kBadRequest, "invalid Transfer-Encoding"};
  }
  if (ec == bhttp::error::bad_method || ec == bhttp::error::bad_target ||
      ec == bhttp::error::bad_version) {
    return {400, Errc::kBadRequest, "malformed request line"};
  }
  if (ec == bhttp::error::bad_field || ec == bhttp::error::bad_value ||
      ec == bhttp::error::bad_obs_fold || ec == bhttp::error::bad_line_ending) {
    return {400, Errc::kBadRequest, "malformed header field"};
  }
  return {400, Errc::kBadRequest, "malformed request"};
}

RequestParser::RequestParser(api::Request& request, uint32_t header_limit) : request_(request) {
  this->header_limit(header_limit);
  // Sizes are the API's business (quotas); the HTTP layer streams any length.
  this->body_limit(boost::none);
}

void RequestParser::on_request_impl(bhttp::verb, string_view method_str, string_view target,
                                    int version, error_code& ec) {
  if (method_str.empty()) {
    ec = bhttp::error::bad_method;
    return;
  }
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
  version_ = version;
}

void RequestParser::on_field_impl(bhttp::field name, string_view name_string, string_view value,
                                  error_code&) {
  // Trailer fields of a chunked body arrive while the handler runs; they are dropped rather
  // than appended to headers the handler may be looking at.
  if (in_trailer_) return;
  switch (name) {
    case bhttp::field::host:
      ++host_count_;
      break;
    case bhttp::field::content_length:
      ++content_length_count_;
      break;
    case bhttp::field::transfer_encoding:
      ++transfer_encoding_count_;
      if (!transfer_encoding_.empty()) transfer_encoding_ += ',';
      transfer_encoding_.append(value.data(), value.size());
      break;
    case bhttp::field::expect:
      if (iequals(trim(value), "100-continue")) expect_continue_ = true;
      break;
    default:
      break;
  }
  auto& headers = request_.headers;
  if (fields_ == headers.size()) headers.emplace_back();
  // assign() keeps the capacity of strings left by the previous request on this connection.
  headers[fields_].name.assign(name_string.data(), name_string.size());
  headers[fields_].value.assign(value.data(), value.size());
  ++fields_;
}

void RequestParser::on_header_impl(error_code&) {
  request_.headers.resize(fields_);
  in_trailer_ = true;
}

std::optional<HeadError> RequestParser::check_framing() const {
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
  if (host_count_ > 1 || (version_ >= 11 && host_count_ == 0)) {
    return HeadError{400, Errc::kBadRequest, "missing or repeated Host header"};
  }
  if (transfer_encoding_count_ == 0) return std::nullopt;
  // RFC 9112 §6.1/§6.3: a request with both is a smuggling attempt or a broken client. Beast
  // catches this only when the coding is chunked, so check again for every order and coding.
  if (content_length_count_ > 0) {
    return HeadError{400, Errc::kBadRequest, "both Content-Length and Transfer-Encoding"};
  }
  std::string_view list = transfer_encoding_;
  std::string_view last;
  unsigned codings = 0;
  unsigned chunked = 0;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = coding_name(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (name.empty()) continue;
    ++codings;
    if (iequals(name, "chunked")) ++chunked;
    last = name;
  }
  // The length of a request whose final coding is not chunked cannot be determined.
  if (codings == 0 || !iequals(last, "chunked") || chunked > 1) {
    return HeadError{400, Errc::kBadRequest, "Transfer-Encoding must be chunked"};
  }
  if (codings > 1) {
    return HeadError{501, Errc::kBadRequest, "unsupported transfer coding"};
  }
  return std::nullopt;
}

size_t RequestParser::deliver(string_view body, error_code& ec) {
  size_t n = std::min(body.size(), out_.size() - out_used_);
  if (n > 0) std::memcpy(out_.data() + out_used_, body.data(), n);
  out_used_ += n;
  if (n < body.size()) ec = bhttp::error::need_buffer;
  return n;
}

size_t RequestParser::on_body_impl(string_view body, error_code& ec) { return deliver(body, ec); }

size_t RequestParser::on_chunk_body_impl(uint64_t, string_view body, error_code& ec) {
  return deliver(body, ec);
}

}  // namespace coffer::http
