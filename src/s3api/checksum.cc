#include "s3api/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <boost/crc.hpp>
#include <cctype>
#include <cstdlib>

#include "core/base64.h"

namespace coffer::s3api {
namespace {

struct AlgorithmName {
  ChecksumAlgorithm algorithm;
  std::string_view display;  // "CRC32"
  std::string_view header;   // "x-amz-checksum-crc32"
  size_t size;
};

constexpr std::array<AlgorithmName, 5> kNames = {{
    {ChecksumAlgorithm::kCrc32, "CRC32", "x-amz-checksum-crc32", 4},
    {ChecksumAlgorithm::kCrc32c, "CRC32C", "x-amz-checksum-crc32c", 4},
    {ChecksumAlgorithm::kSha1, "SHA1", "x-amz-checksum-sha1", 20},
    {ChecksumAlgorithm::kSha256, "SHA256", "x-amz-checksum-sha256", 32},
    {ChecksumAlgorithm::kCrc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", 8},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const AlgorithmName& name_of(ChecksumAlgorithm algorithm) {
  return *std::find_if(kNames.begin(), kNames.end(),
                       [&](const AlgorithmName& n) { return n.algorithm == algorithm; });
}

// The big-endian bytes of the low `size` bytes of `value`.
std::string big_endian(uint64_t value, size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[size - 1 - i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  }
  return out;
}

}  // namespace

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name) {
  for (const auto& n : kNames) {
    if (iequals(n.display, name)) return n.algorithm;
  }
  return std::nullopt;
}

std::optional<ChecksumAlgorithm> checksum_from_header_name(std::string_view header_name) {
  for (const auto& n : kNames) {
    if (iequals(n.header, header_name)) return n.algorithm;
  }
  return std::nullopt;
}

std::string_view checksum_header_name(ChecksumAlgorithm algorithm) {
  return name_of(algorithm).header;
}

std::string_view checksum_display_name(ChecksumAlgorithm algorithm) {
  return name_of(algorithm).display;
}

size_t checksum_size(ChecksumAlgorithm algorithm) { return name_of(algorithm).size; }

// Boost's CRC types, kept behind pointers so that checksum.h does not include Boost.
struct Checksum::Crc32c : boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> {};
struct Checksum::Crc64Nvme : boost::crc_optimal<64, 0xAD93D23594C93659ULL, 0xFFFFFFFFFFFFFFFFULL,
                                                0xFFFFFFFFFFFFFFFFULL, true, true> {};

Checksum::Checksum(ChecksumAlgorithm algorithm) : algorithm_(algorithm), state_(uint32_t{0}) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      state_ = static_cast<uint32_t>(crc32(0L, Z_NULL, 0));
      break;
    case ChecksumAlgorithm::kCrc32c:
      state_ = std::make_unique<Crc32c>();
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      state_ = std::make_unique<Crc64Nvme>();
      break;
    case ChecksumAlgorithm::kSha1:
      state_.emplace<Digest>(Digest::Kind::kSha1);
      break;
    case ChecksumAlgorithm::kSha256:
      state_.emplace<Digest>(Digest::Kind::kSha256);
      break;
  }
}

Checksum::~Checksum() = default;
Checksum::Checksum(Checksum&&) noexcept = default;
Checksum& Checksum::operator=(Checksum&&) noexcept = default;

void Checksum::update(std::span<const std::byte> data) {
  struct Visitor {
    std::span<const std::byte> data;
    void operator()(uint32_t& crc) const {
      // zlib takes at most a uInt at a time.
      for (auto rest = data; !rest.empty();) {
        const size_t n = std::min<size_t>(rest.size(), 1U << 30);
        crc = static_cast<uint32_t>(
            crc32(crc, reinterpret_cast<const Bytef*>(rest.data()), static_cast<uInt>(n)));
        rest = rest.subspan(n);
      }
    }
    void operator()(std::unique_ptr<Crc32c>& crc) const {
      crc->process_bytes(data.data(), data.size());
    }
    void operator()(std::unique_ptr<Crc64Nvme>& crc) const {
      crc->process_bytes(data.data(), data.size());
    }
    void operator()(Digest& digest) const { digest.update(data); }
  };
  std::visit(Visitor{data}, state_);
}

std::string Checksum::finish() {
  struct Visitor {
    std::string operator()(uint32_t& crc) const { return big_endian(crc, 4); }
    std::string operator()(std::unique_ptr<Crc32c>& crc) const {
      return big_endian(crc->checksum(), 4);
    }
    std::string operator()(std::unique_ptr<Crc64Nvme>& crc) const {
      return big_endian(crc->checksum(), 8);
    }
    std::string operator()(Digest& digest) const { return digest.finish(); }
  };
  return base64_encode(std::visit(Visitor{}, state_), Base64::kStandard);
}

}  // namespace coffer::s3api
