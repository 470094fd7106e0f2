#include "api/response_compression.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "api/http_headers.h"

namespace coffer::api {
namespace {

// zstd's level 3 is its default: several times gzip's speed at a similar ratio. A 128 KiB
// window keeps a stream's state small (listings repeat within a few entries).
constexpr int kZstdLevel = 3;
constexpr int kZstdWindowLog = 17;
// gzip: zlib's level 6 default; windowBits 15 + 16 asks zlib for the gzip wrapper.
constexpr int kGzipLevel = 6;
constexpr size_t kChunkBytes = 64 * 1024;

// One compressed stream: input in pieces, output as it comes.
class Encoder {
 public:
  virtual ~Encoder() = default;
  // Compresses `in` (all of it), appending output to `out`; `last` ends the stream.
  virtual Status add(std::span<const std::byte> in, bool last, std::string& out) = 0;
};

class ZstdEncoder final : public Encoder {
 public:
  ZstdEncoder() : cctx_(ZSTD_createCCtx()) {
    ZSTD_CCtx_setParameter(cctx_.get(), ZSTD_c_compressionLevel, kZstdLevel);
    ZSTD_CCtx_setParameter(cctx_.get(), ZSTD_c_windowLog, kZstdWindowLog);
  }

  Status add(std::span<const std::byte> in, bool last, std::string& out) override {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    const ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
      const size_t start = out.size();
      out.resize(start + ZSTD_CStreamOutSize());
      ZSTD_outBuffer output{out.data() + start, out.size() - start, 0};
      const size_t left = ZSTD_compressStream2(cctx_.get(), &output, &input, mode);
      out.resize(start + output.pos);
      if (ZSTD_isError(left)) return Status(Errc::kInternal, ZSTD_getErrorName(left));
      const bool consumed = input.pos == input.size;
      if (last ? left == 0 : consumed) return Status::ok();
    }
  }

 private:
  struct Free {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  std::unique_ptr<ZSTD_CCtx, Free> cctx_;
};

class GzipEncoder final : public Encoder {
 public:
  GzipEncoder() {
    ok_ = deflateInit2(&z_, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipEncoder() override {
    if (ok_) deflateEnd(&z_);
  }

  Status add(std::span<const std::byte> in, bool last, std::string& out) override {
    if (!ok_) return Status(Errc::kInternal, "zlib could not start");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    const int flush = last ? Z_FINISH : Z_NO_FLUSH;
    for (;;) {
      const size_t start = out.size();
      out.resize(start + kChunkBytes);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + start);
      z_.avail_out = static_cast<uInt>(kChunkBytes);
      const int rc = deflate(&z_, flush);
      out.resize(start + kChunkBytes - z_.avail_out);
      if (rc == Z_STREAM_ERROR) return Status(Errc::kInternal, "zlib failed");
      if (last ? rc == Z_STREAM_END : z_.avail_in == 0 && z_.avail_out != 0) {
        return Status::ok();
      }
    }
  }

 private:
  z_stream z_{};
  bool ok_ = false;
};

// A body stream compressed as it is pulled.
class CompressedSource final : public BodySource {
 public:
  CompressedSource(std::unique_ptr<BodySource> inner, std::unique_ptr<Encoder> encoder)
      : inner_(std::move(inner)), encoder_(std::move(encoder)), in_(kChunkBytes) {}

  Result<size_t> read(std::span<std::byte> buf) override {
    while (pending_.size() == offset_ && !ended_) {
      pending_.clear();
      offset_ = 0;
      auto n = inner_->read(in_);
      COFFER_RETURN_IF_ERROR(n);
      ended_ = *n == 0;
      COFFER_RETURN_IF_ERROR(encoder_->add(std::span(in_.data(), *n), ended_, pending_));
    }
    const size_t n = std::min(buf.size(), pending_.size() - offset_);
    std::memcpy(buf.data(), pending_.data() + offset_, n);
    offset_ += n;
    return n;
  }

 private:
  std::unique_ptr<BodySource> inner_;
  std::unique_ptr<Encoder> encoder_;
  std::vector<std::byte> in_;
  std::string pending_;
  size_t offset_ = 0;
  bool ended_ = false;
};

// Adds `field` to the response's Vary header (one header, its fields comma-separated).
void add_vary(Response& response, std::string_view field) {
  for (Header& h : response.headers) {
    if (h.name != "Vary") continue;
    h.value += ", ";
    h.value += field;
    return;
  }
  response.set_header("Vary", std::string(field));
}

}  // namespace

void compress_response(const Request& request, Response& response) {
  if (!response.compressible) return;
  add_vary(response, "Accept-Encoding");
  if (request.method == "HEAD" ||
      (response.status != 200 && response.status != 201 && response.status != 207)) {
    return;
  }
  for (const Header& h : response.headers) {
    if (h.name == "Content-Encoding") return;
  }
  const bool streamed = response.stream != nullptr;
  if (!streamed && response.body.size() < kMinCompressedBytes) return;
  const std::string_view accepted = request.header("Accept-Encoding");
  std::unique_ptr<Encoder> encoder;
  std::string_view coding;
  if (accepts_encoding(accepted, "zstd")) {
    encoder = std::make_unique<ZstdEncoder>();
    coding = "zstd";
  } else if (accepts_encoding(accepted, "gzip")) {
    encoder = std::make_unique<GzipEncoder>();
    coding = "gzip";
  } else {
    return;
  }
  if (streamed) {
    response.stream =
        std::make_unique<CompressedSource>(std::move(response.stream), std::move(encoder));
    response.content_length.reset();  // chunked
  } else {
    std::string compressed;
    if (!encoder->add(std::as_bytes(std::span(response.body)), true, compressed).is_ok()) {
      return;  // sent as it is
    }
    response.body = std::move(compressed);
    response.content_length.reset();
  }
  response.set_header("Content-Encoding", std::string(coding));
}

}  // namespace coffer::api
