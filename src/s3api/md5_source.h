#pragma once
// A byte source passed through while its MD5 is computed: S3 ETags of content read back from
// the store (copies, parts copied from objects).

#include <memory>
#include <string>

#include "core/byte_source.h"
#include "core/digest.h"

namespace coffer::s3api {

// Passes a source through, computing its MD5 (for a source whose MD5 was never recorded).
class Md5Source : public ByteSource {
 public:
  explicit Md5Source(std::unique_ptr<ByteSource> inner) : inner_(std::move(inner)) {}

  Result<size_t> read(std::span<std::byte> buf) override {
    auto got = inner_->read(buf);
    if (got.is_ok()) md5_.update(buf.first(*got));
    return got;
  }
  // REQUIRES: the source has ended; called once.
  std::string hex() { return md5_.finish_hex(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  Digest md5_{Digest::Kind::kMd5};
};

}  // namespace coffer::s3api
