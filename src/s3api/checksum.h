#pragma once
// The digests an S3 request body is checked with: the x-amz-checksum-* algorithms that S3
// SDKs send (boto3 >= 1.36 and the JavaScript SDK >= 3.729 send CRC32 by default, the AWS
// CLI may send CRC64NVME), and the MD5 and SHA-256 of Content-MD5 and x-amz-content-sha256.
// Values are as S3 writes them: the digest's bytes (CRCs big-endian) in standard base64.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/digest.h"

namespace coffer::s3api {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kSha1, kSha256, kCrc64Nvme };

// "CRC32", "crc32", ... (x-amz-sdk-checksum-algorithm, x-amz-checksum-algorithm); nullopt
// for an algorithm this server does not know.
std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name);
// The algorithm of a header or trailer name such as "x-amz-checksum-crc32" (any case).
std::optional<ChecksumAlgorithm> checksum_from_header_name(std::string_view header_name);
// "x-amz-checksum-crc32"
std::string_view checksum_header_name(ChecksumAlgorithm algorithm);
// "CRC32", as S3 names it in its messages
std::string_view checksum_display_name(ChecksumAlgorithm algorithm);
// How many bytes the digest has (4 for CRC32, 32 for SHA-256, ...).
size_t checksum_size(ChecksumAlgorithm algorithm);

// A running x-amz-checksum-* value.
class Checksum {
 public:
  explicit Checksum(ChecksumAlgorithm algorithm);
  ~Checksum();
  Checksum(Checksum&&) noexcept;
  Checksum& operator=(Checksum&&) noexcept;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void update(std::span<const std::byte> data);
  void update(std::string_view data) { update(std::as_bytes(std::span(data))); }
  // The base64 value as S3 sends it; the Checksum must not be used afterwards.
  std::string finish();

 private:
  ChecksumAlgorithm algorithm_;
  struct Crc32c;
  struct Crc64Nvme;
  // zlib's CRC-32 value, Boost's CRC-32C or CRC-64/NVME, or a SHA digest.
  std::variant<uint32_t, std::unique_ptr<Crc32c>, std::unique_ptr<Crc64Nvme>, Digest> state_;
};

}  // namespace coffer::s3api
