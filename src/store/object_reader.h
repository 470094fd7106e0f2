#pragma once
// The download data path: streams a byte range of an object by reading its chunks in order.
// Starts at the chunk holding the first requested byte (binary search on chunk offsets);
// raw chunks are read in place, compressed ones decoded whole. Every decoded chunk is
// verified against its ChunkId, so corruption is reported rather than served.

#include <cstdint>
#include <span>
#include <vector>

#include "core/byte_source.h"
#include "store/chunk_store.h"
#include "store/object_writer.h"

namespace coffer::store {

class ObjectReader : public ByteSource {
 public:
  // Streams bytes [offset, offset + length) of the object described by `chunks` (ordered by
  // offset, contiguous). REQUIRES: offset + length <= total size.
  ObjectReader(ChunkStore& store, std::vector<ChunkRef> chunks, uint64_t offset,
               uint64_t length);

  // Errors: kNotFound / kCorruption (a chunk is missing or fails its hash), kIoError.
  Result<size_t> read(std::span<std::byte> buf) override;

 private:
  ChunkStore& store_;
  std::vector<ChunkRef> chunks_;
  uint64_t position_;
  uint64_t end_;
  size_t chunk_index_ = 0;
  std::vector<std::byte> decoded_;  // the current compressed chunk, decoded
  size_t decoded_index_ = SIZE_MAX;  // index of the chunk in decoded_, or SIZE_MAX
  bool verified_raw_ = false;
};

}  // namespace coffer::store
