#include "store/chunk_codec.h"

#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "store/chunk_check.h"

namespace coffer::store {
namespace {

// Header layout (docs/storage-format.md):
//   [0, 4)   magic "CFC1"
//   [4]      encoding (ChunkEncoding)
//   [5, 8)   reserved, zero
//   [8, 16)  raw (uncompressed) size, little-endian
constexpr std::byte kMagic[4] = {std::byte{'C'}, std::byte{'F'}, std::byte{'C'}, std::byte{'1'}};

// Inputs at least this large are first judged on samples before a full compression attempt.
constexpr size_t kSampleSlice = 16 * 1024;
constexpr size_t kSampleSlices = 4;

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  if (!cctx) std::abort();
  return cctx.get();
}

ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  if (!dctx) std::abort();
  return dctx.get();
}

void write_header(std::byte* out, ChunkEncoding encoding, uint64_t raw_size) {
  std::memcpy(out, kMagic, sizeof(kMagic));
  out[4] = static_cast<std::byte>(encoding);
  out[5] = out[6] = out[7] = std::byte{0};
  for (int i = 0; i < 8; ++i) out[8 + i] = static_cast<std::byte>(raw_size >> (8 * i));
}

// The most a payload of `raw_size` bytes may take for compression to be worth it: it must
// save at least 1/16.
size_t compressed_limit(size_t raw_size) { return raw_size - raw_size / 16; }

// Compressing a few slices spread over the input predicts cheaply whether the whole will
// compress: already-compressed media (photos, video, archives) is most of what a file store
// holds, and zstd on it is wasted work. The bar is lower than the final 1/16 because small
// slices compress worse than the whole.
bool samples_compress(std::span<const std::byte> raw, int level) {
  if (raw.size() < 2 * kSampleSlices * kSampleSlice) return true;
  thread_local std::vector<std::byte> scratch(ZSTD_compressBound(kSampleSlice));
  const size_t step = (raw.size() - kSampleSlice) / (kSampleSlices - 1);
  size_t compressed = 0;
  for (size_t i = 0; i < kSampleSlices; ++i) {
    size_t n = ZSTD_compressCCtx(thread_cctx(), scratch.data(), scratch.size(),
                                 raw.data() + i * step, kSampleSlice, level);
    compressed += ZSTD_isError(n) ? kSampleSlice : n;
  }
  const size_t total = kSampleSlices * kSampleSlice;
  return compressed <= total - total / 32;
}

Status corruption(std::string what) { return Status(Errc::kCorruption, "chunk: " + what); }

// Compresses `raw` into `out` after kHeaderSize bytes if that pays; returns the encoded size
// or 0. `out` only grows, so a reused buffer is not cleared again on every call.
size_t try_compress(std::span<const std::byte> raw, int level, std::vector<std::byte>& out) {
  if (raw.empty() || !samples_compress(raw, level)) return 0;
  // A destination capped at the worthwhile size makes zstd stop as soon as it cannot win.
  const size_t limit = compressed_limit(raw.size());
  if (out.size() < ChunkCodec::kHeaderSize + limit) out.resize(ChunkCodec::kHeaderSize + limit);
  size_t n = ZSTD_compressCCtx(thread_cctx(), out.data() + ChunkCodec::kHeaderSize, limit,
                               raw.data(), raw.size(), level);
  if (ZSTD_isError(n) || n > limit) return 0;
  write_header(out.data(), ChunkEncoding::kZstd, raw.size());
  return ChunkCodec::kHeaderSize + n;
}

}  // namespace

EncodedChunk ChunkCodec::encode(std::span<const std::byte> raw, int level) {
  EncodedChunk out;
  if (size_t n = try_compress(raw, level, out.bytes); n > 0) {
    out.encoding = ChunkEncoding::kZstd;
    out.bytes.resize(n);
    return out;
  }
  out.encoding = ChunkEncoding::kRaw;
  out.bytes.clear();
  out.bytes.reserve(kHeaderSize + raw.size());
  out.bytes.resize(kHeaderSize);
  write_header(out.bytes.data(), out.encoding, raw.size());
  out.bytes.insert(out.bytes.end(), raw.begin(), raw.end());
  return out;
}

ChunkCodec::EncodedView ChunkCodec::encode_in_place(std::span<std::byte> frame,
                                                    std::vector<std::byte>& scratch, int level) {
  const auto raw = std::span<const std::byte>(frame).subspan(kHeaderSize);
  if (size_t n = try_compress(raw, level, scratch); n > 0) {
    return {ChunkEncoding::kZstd, std::span<const std::byte>(scratch).first(n)};
  }
  write_header(frame.data(), ChunkEncoding::kRaw, raw.size());
  return {ChunkEncoding::kRaw, frame};
}

Result<ChunkCodec::HeaderInfo> ChunkCodec::parse_header(std::span<const std::byte> header) {
  if (header.size() < kHeaderSize) return corruption("shorter than its header");
  if (std::memcmp(header.data(), kMagic, sizeof(kMagic)) != 0) return corruption("bad magic");
  const auto encoding = static_cast<uint8_t>(header[4]);
  if (encoding != static_cast<uint8_t>(ChunkEncoding::kRaw) &&
      encoding != static_cast<uint8_t>(ChunkEncoding::kZstd)) {
    return corruption("unknown encoding " + std::to_string(encoding));
  }
  if (header[5] != std::byte{0} || header[6] != std::byte{0} || header[7] != std::byte{0}) {
    return corruption("reserved header bytes are set");
  }
  uint64_t raw_size = 0;
  for (int i = 0; i < 8; ++i) raw_size |= static_cast<uint64_t>(header[8 + i]) << (8 * i);
  return HeaderInfo{static_cast<ChunkEncoding>(encoding), raw_size};
}

Result<std::vector<std::byte>> ChunkCodec::decode(std::span<const std::byte> encoded,
                                                  const ChunkId& expected) {
  return decode(encoded, expected, kNoChunkCheck);
}

Result<std::vector<std::byte>> ChunkCodec::decode(std::span<const std::byte> encoded,
                                                  const ChunkId& expected, uint64_t check) {
  auto header = parse_header(encoded);
  COFFER_RETURN_IF_ERROR(header);
  const auto payload = encoded.subspan(kHeaderSize);
  std::vector<std::byte> raw;
  if (header->encoding == ChunkEncoding::kRaw) {
    if (payload.size() != header->raw_size) return corruption("raw payload size mismatch");
    raw.assign(payload.begin(), payload.end());
  } else {
    // The frame records its content size too; both must agree before anything is allocated,
    // so a damaged header cannot ask for an absurd buffer.
    const unsigned long long frame_size = ZSTD_getFrameContentSize(payload.data(), payload.size());
    if (frame_size == ZSTD_CONTENTSIZE_UNKNOWN || frame_size == ZSTD_CONTENTSIZE_ERROR ||
        frame_size != header->raw_size) {
      return corruption("zstd frame size mismatch");
    }
    raw.resize(header->raw_size);
    size_t n =
        ZSTD_decompressDCtx(thread_dctx(), raw.data(), raw.size(), payload.data(), payload.size());
    if (ZSTD_isError(n)) return corruption(std::string("zstd: ") + ZSTD_getErrorName(n));
    if (n != raw.size()) return corruption("zstd payload size mismatch");
  }
  if (!content_matches(raw, expected, check)) {
    return corruption("content does not hash to " + expected.hex());
  }
  return raw;
}

}  // namespace coffer::store
