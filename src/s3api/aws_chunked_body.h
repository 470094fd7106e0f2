#pragma once
// Request bodies of the S3 API, verified as they stream: an aws-chunked body (chunk
// signatures, trailers and their signature, a checksum trailer) and a plain body
// (x-amz-content-sha256, Content-MD5, an x-amz-checksum-* header). The wire format:
//
//   hex-size[;chunk-signature=sig]\r\n data \r\n ... 0[;chunk-signature=sig]\r\n
//   [trailer-name:value\r\n ... x-amz-trailer-signature:sig\r\n] \r\n
//
// Promise to callers that commit on what they read: the last decoded bytes are returned
// only after everything has verified (the final chunk, the trailer and its signature,
// every checksum, the decoded length), so a body that fails at its very end never yields
// all of its bytes. A signed chunk is returned only once its signature has verified.
//
// Bounds: a chunk header line is at most 4 KiB, the trailer section 16 KiB, a chunk 64 MiB;
// nothing is allocated beyond these on the client's word. Chunks smaller than AWS's 8 KiB
// minimum are accepted (boto3 sends whatever its source's read() returned).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "api/exchange.h"
#include "core/byte_source.h"
#include "s3api/checksum.h"
#include "s3api/request_signature.h"
#include "s3api/s3_error.h"

namespace coffer::s3api {

inline constexpr size_t kMaxChunkHeader = 4 * 1024;
inline constexpr size_t kMaxTrailerSection = 16 * 1024;
inline constexpr uint64_t kMaxChunkSize = 64 * 1024 * 1024;

// A request body that checks itself. read() fails with kChecksumMismatch (a signature or
// digest that does not match) or kBadRequest (framing, length), and failure() then tells
// the S3 error to answer with; errors of the inner source pass through unchanged, with
// failure() empty.
class VerifiedBody : public ByteSource {
 public:
  // Lower-case hex MD5 of the decoded body (the S3 ETag); complete once read() returned 0.
  virtual std::string md5_hex() const = 0;
  // The decoded length the request announced (x-amz-decoded-content-length, or
  // Content-Length for a plain body); nullopt when it announced none.
  virtual std::optional<uint64_t> decoded_length_hint() const = 0;
  virtual const std::optional<S3Error>& failure() const = 0;
};

// What a body must match at its end, from the request's headers.
struct BodyExpectations {
  std::optional<std::string> sha256_hex;   // kSigned: x-amz-content-sha256
  std::optional<std::string> content_md5;  // Content-MD5, its 16 raw bytes
  std::optional<std::pair<ChecksumAlgorithm, std::string>> checksum;  // header, base64
  std::optional<uint64_t> decoded_length;             // x-amz-decoded-content-length
  std::optional<uint64_t> content_length;             // Content-Length
  std::optional<ChecksumAlgorithm> trailer_checksum;  // announced by x-amz-trailer
  bool trailer_announced = false;
};

// Reads the expectations from the headers. Errors: 400 InvalidDigest (a Content-MD5 that
// is not base64 of 16 bytes), 400 InvalidRequest (an x-amz-checksum-* value of the wrong
// form, two of them, an unsupported x-amz-trailer), 400 InvalidArgument (an
// x-amz-decoded-content-length that is not a number).
std::variant<BodyExpectations, S3Error> body_expectations(const VerifiedSignature& signature,
                                                          const std::vector<api::Header>& headers);

// Decodes and verifies an aws-chunked body read from `inner` (which must outlive it).
class AwsChunkedBody final : public VerifiedBody {
 public:
  AwsChunkedBody(ByteSource& inner, const VerifiedSignature& signature, BodyExpectations expect);
  ~AwsChunkedBody() override;
  AwsChunkedBody(const AwsChunkedBody&) = delete;
  AwsChunkedBody& operator=(const AwsChunkedBody&) = delete;

  Result<size_t> read(std::span<std::byte> buf) override;
  std::string md5_hex() const override;
  std::optional<uint64_t> decoded_length_hint() const override;
  const std::optional<S3Error>& failure() const override { return failure_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<S3Error> failure_;
};

// A plain body passed through while its digests are computed; the end is held back until
// they match.
class VerifyingBody final : public VerifiedBody {
 public:
  VerifyingBody(ByteSource& inner, BodyExpectations expect);
  ~VerifyingBody() override;
  VerifyingBody(const VerifyingBody&) = delete;
  VerifyingBody& operator=(const VerifyingBody&) = delete;

  Result<size_t> read(std::span<std::byte> buf) override;
  std::string md5_hex() const override;
  std::optional<uint64_t> decoded_length_hint() const override;
  const std::optional<S3Error>& failure() const override { return failure_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<S3Error> failure_;
};

// The body decoder a verified request needs: AwsChunkedBody for the streaming payload
// modes, VerifyingBody otherwise. Errors: those of body_expectations, and 400
// InvalidRequest for Content-Encoding aws-chunked without a streaming payload mode.
std::variant<std::unique_ptr<VerifiedBody>, S3Error> make_request_body(
    const VerifiedSignature& signature, const std::vector<api::Header>& headers, ByteSource& inner);

}  // namespace coffer::s3api
