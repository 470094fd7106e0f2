// HTTP/1.1 framing (http/request_parser.h): a request head, then a chunked body, fed to the
// parser in pieces as a socket would deliver them. The first byte seeds the piece sizes. A
// head the parser accepts passes the framing checks or is refused by them; a chunked body
// never writes past the window it was given.

#include <boost/beast/http/error.hpp>
#include <string>

#include "api/exchange.h"
#include "fuzz_input.h"
#include "http/request_parser.h"

namespace {

using namespace coffer;
namespace bhttp = boost::beast::http;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t seed = in.byte();
  fuzz::PiecewiseSource wire(in.rest(), seed == 0 ? 1 : seed);
  api::Request request;
  http::RequestParser parser(request, 8 * 1024);
  std::string pending;
  std::array<std::byte, 256> piece{};
  std::array<std::byte, 64> window{};
  bool body_started = false;
  for (int steps = 0; steps < 100000 && !parser.is_done(); ++steps) {
    const size_t n = *wire.read(piece);
    pending.append(reinterpret_cast<const char*>(piece.data()), n);
    boost::system::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (parser.is_header_done() && !body_started) {
      body_started = true;
      COFFER_FUZZ_CHECK(parser.version() == 10 || parser.version() == 11);
      if (parser.check_framing()) return 0;  // refused before any body is read
      if (!parser.chunked()) return 0;       // Content-Length bodies bypass the parser
      parser.eager(true);
      parser.set_output(window);
    }
    if (ec == bhttp::error::need_buffer) {
      COFFER_FUZZ_CHECK(parser.output_used() <= window.size());
      parser.set_output(window);
      continue;
    }
    if (ec == bhttp::error::need_more) {
      if (wire.at_end()) return 0;
      continue;
    }
    if (ec) {
      parser.trim_headers();
      return 0;
    }
    if (body_started) COFFER_FUZZ_CHECK(parser.output_used() <= window.size());
    if (wire.at_end() && pending.empty() && !parser.is_done()) return 0;
  }
  return 0;
}
