#pragma once
// A byte source passed through while its MD5 is computed: S3 ETags of content read back from
// the store (copies, parts copied from objects).

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "core/byte_source.h"
#include "s3/sigv4.h"

namespace coffer::s3api {

// Passes a source through, computing its MD5 (for a source whose MD5 was never recorded).
class Md5Source : public ByteSource {
 public:
  explicit Md5Source(std::unique_ptr<ByteSource> inner)
      : inner_(std::move(inner)), ctx_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr);
  }
  ~Md5Source() override { EVP_MD_CTX_free(ctx_); }
  Md5Source(const Md5Source&) = delete;
  Md5Source& operator=(const Md5Source&) = delete;

  Result<size_t> read(std::span<std::byte> buf) override {
    auto got = inner_->read(buf);
    if (got.is_ok()) EVP_DigestUpdate(ctx_, buf.data(), *got);
    return got;
  }
  // REQUIRES: the source has ended; called once.
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_, digest, &size);
    return s3::to_hex(digest, size);
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  EVP_MD_CTX* ctx_;
};

}  // namespace coffer::s3api
