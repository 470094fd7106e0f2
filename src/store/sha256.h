#pragma once
// Incremental SHA-256 (OpenSSL EVP): the whole-object digest of an upload and the ChunkId of
// each chunk. Not thread-safe; one instance per stream.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

struct evp_md_ctx_st;

namespace coffer::store {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::byte> data);
  // Returns the digest of everything passed to update() and starts over.
  Digest finish();

  static Digest digest(std::span<const std::byte> data);

 private:
  evp_md_ctx_st* ctx_;
};

}  // namespace coffer::store
