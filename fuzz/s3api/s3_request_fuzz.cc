// What the S3 API reads of a request before any body (s3api/request_signature.h,
// s3api/s3_target.h, s3api/copy_source.h): the SigV4 signature in either form, the bucket and
// key, the copy source. The input is a request: the method, the target, then "Name: value"
// header lines up to an empty line. The only key is the S3 documentation's example key. A
// verified request names that key; a refused one gets a 400 or 403 whose message never holds
// the secret (unless the request itself spelled it).

#include <string>
#include <vector>

#include "api/exchange.h"
#include "fuzz_input.h"
#include "s3api/copy_source.h"
#include "s3api/request_signature.h"
#include "s3api/s3_target.h"

namespace {

using namespace coffer;
using namespace coffer::s3api;

constexpr int64_t kNow = 1369353600 + 60;  // a minute after 20130524T000000Z

std::optional<std::string> example_secret(std::string_view access_key_id) {
  if (access_key_id == "AKIAIOSFODNN7EXAMPLE") {
    return std::string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  api::Request request;
  request.method = std::string(in.line());
  request.target = std::string(in.line());
  for (int i = 0; i < 64 && !in.empty(); ++i) {
    std::string_view line = in.line();
    if (line.empty() || line == "\r") break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    request.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }

  const SignedRequestView view{request.method, request.target, &request.headers};
  (void)is_anonymous(view);
  const VerifyResult verified = verify_request(view, example_secret, kNow);
  if (const auto* signature = std::get_if<VerifiedSignature>(&verified)) {
    COFFER_FUZZ_CHECK(signature->access_key_id == "AKIAIOSFODNN7EXAMPLE");
  } else {
    const auto& error = std::get<S3Error>(verified);
    COFFER_FUZZ_CHECK(error.http_status == 400 || error.http_status == 403);
    COFFER_FUZZ_CHECK(!error.code.empty());
    // Messages may quote the request; the secret must not come from anywhere else.
    const std::string_view request_text(reinterpret_cast<const char*>(data), size);
    if (request_text.find("wJalrXUtnFEMI") == std::string_view::npos) {
      COFFER_FUZZ_CHECK(error.message.find("wJalrXUtnFEMI") == std::string::npos);
    }
  }

  if (auto target = parse_target(request, "s3.example.com")) {
    COFFER_FUZZ_CHECK(target->bucket.find('/') == std::string::npos);
  }
  if (auto source = parse_copy_source(request.header("x-amz-copy-source"))) {
    COFFER_FUZZ_CHECK(source->bucket.find('/') == std::string::npos);
  }
  return 0;
}
