#pragma once
// How a chunk is framed and compressed before it reaches a ChunkStore. The format is in
// docs/storage-format.md. A chunk is zstd-compressed only when that saves space; otherwise it
// is kept raw so reads can go straight to the bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "store/chunk_id.h"

namespace coffer::store {

enum class ChunkEncoding : uint8_t { kRaw = 0, kZstd = 1 };

struct EncodedChunk {
  ChunkEncoding encoding = ChunkEncoding::kRaw;
  std::vector<std::byte> bytes;  // header + payload, ready for ChunkStore::put
};

class ChunkCodec {
 public:
  // Size of the fixed header in front of every encoded chunk.
  static constexpr size_t kHeaderSize = 16;

  // Encodes `raw`; compresses with zstd (level `level`) when that saves at least 1/16 of the
  // size. Cheap on incompressible data (it gives up early).
  static EncodedChunk encode(std::span<const std::byte> raw, int level = 1);

  // encode() for callers that encode many chunks and cannot afford an allocation and a copy
  // per chunk. `frame` holds kHeaderSize spare bytes followed by the raw content. Returns the
  // encoded chunk: `frame` itself with its header filled in (raw), or a compressed chunk built
  // in `scratch`, whose capacity is reused from call to call. Valid until either changes.
  struct EncodedView {
    ChunkEncoding encoding;
    std::span<const std::byte> bytes;
  };
  static EncodedView encode_in_place(std::span<std::byte> frame, std::vector<std::byte>& scratch,
                                     int level = 1);

  // Decodes an encoded chunk and verifies it hashes to `expected`. Errors: kCorruption (bad
  // header, failed decompression, or hash mismatch).
  static Result<std::vector<std::byte>> decode(std::span<const std::byte> encoded,
                                               const ChunkId& expected);
  // decode() verified by the chunk's fast check (store/chunk_check.h) when `check` is known,
  // by `expected` (its SHA-256) otherwise.
  static Result<std::vector<std::byte>> decode(std::span<const std::byte> encoded,
                                               const ChunkId& expected, uint64_t check);

  // Parses only the header: the encoding and the raw (uncompressed) size.
  struct HeaderInfo {
    ChunkEncoding encoding;
    uint64_t raw_size;
  };
  static Result<HeaderInfo> parse_header(std::span<const std::byte> header);
};

}  // namespace coffer::store
