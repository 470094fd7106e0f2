#pragma once
// The download data path: streams a byte range of an object by reading its chunks in order.
// Starts at the chunk holding the first requested byte (binary search on chunk offsets);
// raw chunks are read in place, compressed ones decoded whole. Every decoded chunk is
// verified against its ChunkId, so corruption is reported rather than served.
//
// On a store that reads in place (local disk), raw chunks are not hashed on every read: a
// range request would have to read and hash whole chunks to serve a few bytes. Their header
// (encoding, size) is checked once per chunk, and their content is verified by fsck and scrub
// instead. On any other store (S3) every chunk is fetched whole and verified like a
// compressed one.

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
  ObjectReader(ChunkStore& store, std::vector<ChunkRef> chunks, uint64_t offset, uint64_t length);

  // Fills buf as far as the range allows, across chunks. An error after some bytes were read
  // is reported by the next call. Errors: kNotFound / kCorruption (a chunk is missing or
  // fails its hash or header check), kIoError.
  Result<size_t> read(std::span<std::byte> buf) override;

 private:
  // Copies `out.size()` bytes at `in_chunk` in `chunk` (chunks_[chunk_index_]).
  Status read_chunk(const ChunkRef& chunk, uint64_t in_chunk, std::span<std::byte> out);
  // Whether a chunk recorded as raw is stored raw, per its header (checked once per chunk).
  Result<bool> readable_in_place(const ChunkRef& chunk);

  ChunkStore& store_;
  std::vector<ChunkRef> chunks_;
  uint64_t position_;
  uint64_t end_;
  size_t chunk_index_ = 0;
  std::vector<std::byte> decoded_;   // the current compressed chunk, decoded
  size_t decoded_index_ = SIZE_MAX;  // index of the chunk in decoded_, or SIZE_MAX
  size_t header_index_ = SIZE_MAX;   // index of the chunk whose header was checked
  bool header_raw_ = false;          // that header says raw
};

}  // namespace coffer::store
