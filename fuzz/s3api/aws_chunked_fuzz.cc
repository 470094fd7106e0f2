// S3 request bodies as they stream (s3api/aws_chunked_body.h): aws-chunked framing with chunk
// signatures and trailers, and plain bodies with their declared digests. The first byte picks
// the payload mode and the read sizes; then "Name: value" header lines up to an empty line;
// the rest is the body. Signatures chain from the S3 documentation's chunked-upload example.
// An aws-chunked body that reads to its end without an error delivered exactly the decoded
// length it announced.

#include <string>
#include <vector>

#include "fuzz_input.h"
#include "s3/sigv4.h"
#include "s3api/aws_chunked_body.h"

namespace {

using namespace coffer;
using namespace coffer::s3api;

constexpr PayloadMode kModes[] = {
    PayloadMode::kStreamingSigned, PayloadMode::kStreamingSignedTrailer,
    PayloadMode::kStreamingUnsignedTrailer, PayloadMode::kSigned, PayloadMode::kUnsigned};

VerifiedSignature example_signature(PayloadMode mode) {
  VerifiedSignature v;
  v.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  v.payload = mode;
  v.payload_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  v.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  v.amz_date = "20130524T000000Z";
  v.scope = "20130524/us-east-1/s3/aws4_request";
  v.signing_key =
      s3::signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t choice = in.byte();
  std::vector<api::Header> headers;
  for (int i = 0; i < 32 && !in.empty(); ++i) {
    std::string_view line = in.line();
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
  }
  static const VerifiedSignature kSignatures[] = {
      example_signature(kModes[0]), example_signature(kModes[1]), example_signature(kModes[2]),
      example_signature(kModes[3]), example_signature(kModes[4])};
  fuzz::PiecewiseSource inner(in.rest(), choice >> 3);
  auto made = make_request_body(kSignatures[choice % std::size(kModes)], headers, inner);
  auto* body = std::get_if<std::unique_ptr<VerifiedBody>>(&made);
  if (body == nullptr) return 0;
  std::vector<std::byte> buf(1 + choice % 61);
  uint64_t total = 0;
  for (;;) {
    auto n = (*body)->read(buf);
    if (!n.is_ok()) {
      COFFER_FUZZ_CHECK((*body)->failure().has_value());
      return 0;
    }
    if (*n == 0) break;
    COFFER_FUZZ_CHECK(*n <= buf.size());
    total += *n;
    COFFER_FUZZ_CHECK(total <= size);
  }
  // The length an aws-chunked body announces is the body's own to enforce; a plain body's
  // (its Content-Length) is the HTTP layer's, whose reader this harness stands in for.
  const PayloadMode mode = kModes[choice % std::size(kModes)];
  const bool streaming = mode != PayloadMode::kSigned && mode != PayloadMode::kUnsigned;
  if (auto hint = (*body)->decoded_length_hint(); hint && streaming) {
    COFFER_FUZZ_CHECK(total == *hint);
  }
  COFFER_FUZZ_CHECK((*body)->md5_hex().size() == 32);
  return 0;
}
