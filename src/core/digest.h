#pragma once
// Incremental cryptographic digests through OpenSSL's EVP interface: MD5 (S3's ETags and
// Content-MD5, the sync clients' X-File-MD5), SHA-1 (the checksum sync clients declare,
// OC-Checksum: SHA1:..., never for identity or integrity) and SHA-256. The storage engine's
// chunk hashing has its own reusable context (store/sha256.h). Not thread-safe; one object
// per stream; not copyable.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace coffer {

class Digest {
 public:
  enum class Kind { kMd5, kSha1, kSha256 };
  explicit Digest(Kind kind);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;

  void update(std::span<const std::byte> data);
  void update(std::string_view data) { update(std::as_bytes(std::span(data))); }
  // The digest's bytes; the Digest must not be used afterwards.
  std::string finish();
  // The digest as lower-case hex; the Digest must not be used afterwards.
  std::string finish_hex();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace coffer
