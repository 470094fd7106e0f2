#pragma once
// Incremental SHA-1 (OpenSSL EVP), for the one thing Coffer still needs it for: the checksum
// some sync clients declare for an upload (OC-Checksum: SHA1:..., rclone's Nextcloud and
// ownCloud modes) and compare against what the server lists. Never used for identity or
// integrity of stored data (SHA-256 is). Not thread-safe; one instance per stream.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace coffer {

class Sha1 {
 public:
  Sha1();
  ~Sha1();
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  void update(std::span<const std::byte> data);
  // The digest of everything passed to update(), as 40 lower-case hex digits; the object must
  // not be used afterwards.
  std::string finish_hex();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace coffer
