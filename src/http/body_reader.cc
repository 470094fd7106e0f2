#include "http/body_reader.h"

#include <algorithm>
#include <cstring>

#include <boost/beast/http/error.hpp>

namespace coffer::http {

namespace {

// How much to ask the socket for when a chunked body needs more input: as much as the caller
// wants, within bounds (the input buffer keeps this capacity until the request ends).
constexpr size_t kMinChunkedRead = 16 * 1024;
constexpr size_t kMaxChunkedRead = 1024 * 1024;

}  // namespace

RequestBody::RequestBody(boost::beast::flat_buffer& input, BodyTransport& transport)
    : input_(input), transport_(transport) {}

void RequestBody::start(Mode mode, bool expect_continue) {
  mode_ = mode;
  parser_ = nullptr;
  length_.reset();
  remaining_ = 0;
  ahead_ = {};  // gives the memory back: an idle connection holds none
  ahead_pos_ = 0;
  bytes_read_ = 0;
  finished_ = false;
  // A client that already started sending the body is not waiting for "100 Continue".
  continue_pending_ = expect_continue && input_.size() == 0;
  failure_ = Status();
}

void RequestBody::start_empty() {
  start(Mode::kSized, false);
  finished_ = true;
}

void RequestBody::start_sized(uint64_t length, bool expect_continue) {
  start(Mode::kSized, expect_continue && length > 0);
  length_ = length;
  remaining_ = length;
  finished_ = length == 0;
}

void RequestBody::start_chunked(RequestParser& parser, bool expect_continue) {
  start(Mode::kChunked, expect_continue);
  parser_ = &parser;
  parser_->eager(true);
}

std::optional<uint64_t> RequestBody::content_length() const { return length_; }

Result<size_t> RequestBody::read(std::span<std::byte> buf) {
  if (!failure_.is_ok()) return failure_;
  if (finished_ || buf.empty()) return size_t{0};
  return mode_ == Mode::kSized ? read_sized(buf) : read_chunked(buf);
}

Result<size_t> RequestBody::read_sized(std::span<std::byte> buf) {
  size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), remaining_));
  size_t n = 0;
  if (input_.size() > 0) {
    n = std::min(want, input_.size());
    std::memcpy(buf.data(), input_.data().data(), n);
    input_.consume(n);
  } else {
    Result<size_t> r = fill(buf.first(want));
    if (!r) return fail(r.status());
    n = *r;
  }
  remaining_ -= n;
  bytes_read_ += n;
  if (remaining_ == 0) finished_ = true;
  return n;
}

uint64_t RequestBody::buffered() const {
  if (finished_) return 0;
  if (mode_ == Mode::kSized) return std::min<uint64_t>(input_.size(), remaining_);
  return ahead_.size() - ahead_pos_;
}

bool RequestBody::in_memory() const {
  if (finished_ || !failure_.is_ok()) return true;
  if (mode_ == Mode::kSized) return input_.size() >= remaining_;
  return parser_->is_done();
}

void RequestBody::decode_ahead(size_t limit) {
  namespace bhttp = boost::beast::http;
  while (failure_.is_ok() && !parser_->is_done() && input_.size() > 0 && ahead_.size() < limit) {
    const size_t had = ahead_.size();
    ahead_.resize(limit);
    parser_->set_output(std::span(ahead_).subspan(had));
    boost::system::error_code ec;
    size_t used = parser_->put(input_.data(), ec);
    input_.consume(used);
    ahead_.resize(had + parser_->output_used());
    if (ec && ec != bhttp::error::need_more && ec != bhttp::error::need_buffer) {
      failure_ = Status(Errc::kBadRequest, "malformed chunked body");
    }
    if (ec == bhttp::error::need_more || used == 0) break;
  }
  // An empty body, or the last of it already handed over.
  if (parser_->is_done() && ahead_pos_ == ahead_.size()) finished_ = true;
}

Result<size_t> RequestBody::read_chunked(std::span<std::byte> buf) {
  namespace bhttp = boost::beast::http;
  if (ahead_pos_ < ahead_.size()) {
    size_t n = std::min(buf.size(), ahead_.size() - ahead_pos_);
    std::memcpy(buf.data(), ahead_.data() + ahead_pos_, n);
    ahead_pos_ += n;
    bytes_read_ += n;
    if (ahead_pos_ == ahead_.size()) {
      ahead_.clear();
      ahead_pos_ = 0;
      if (parser_->is_done()) finished_ = true;
    }
    return n;
  }
  for (;;) {
    bool need_more = input_.size() == 0;
    if (!need_more) {
      parser_->set_output(buf);
      boost::system::error_code ec;
      size_t used = parser_->put(input_.data(), ec);
      input_.consume(used);
      if (ec && ec != bhttp::error::need_more && ec != bhttp::error::need_buffer) {
        return fail(Status(Errc::kBadRequest, "malformed chunked body"));
      }
      need_more = ec == bhttp::error::need_more || used == 0;
      size_t n = parser_->output_used();
      if (parser_->is_done()) finished_ = true;
      if (n > 0 || finished_) {
        bytes_read_ += n;
        return n;
      }
      // No body bytes: the parser consumed framing only (parse on) or needs more input.
    }
    if (need_more) {
      auto space = input_.prepare(std::clamp(buf.size(), kMinChunkedRead, kMaxChunkedRead));
      Result<size_t> r =
          fill({static_cast<std::byte*>(space.data()), static_cast<size_t>(space.size())});
      if (!r) return fail(r.status());
      input_.commit(*r);
    }
  }
}

Result<size_t> RequestBody::fill(std::span<std::byte> buf) {
  bool send_continue = continue_pending_;
  continue_pending_ = false;
  return transport_.read_some(buf, send_continue);
}

Result<size_t> RequestBody::fail(Status status) {
  failure_ = std::move(status);
  return failure_;
}

bool RequestBody::discard_rest(uint64_t limit) {
  if (finished_) return true;
  if (!failure_.is_ok() || continue_pending_) return false;
  if (mode_ == Mode::kSized && remaining_ > limit) return false;
  std::byte scratch[16 * 1024];
  uint64_t budget = limit;
  while (!finished_ && budget > 0) {
    Result<size_t> r =
        read({scratch, static_cast<size_t>(std::min<uint64_t>(sizeof scratch, budget))});
    if (!r) return false;
    budget -= *r;
  }
  return finished_;
}

}  // namespace coffer::http
