#include "store/object_reader.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace coffer::store {

ObjectReader::ObjectReader(ChunkStore& store, std::vector<ChunkRef> chunks, uint64_t offset,
                           uint64_t length)
    : store_(store), chunks_(std::move(chunks)), position_(offset), end_(offset + length) {
  // The last chunk starting at or before `offset` holds it.
  auto after = std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                                [](uint64_t off, const ChunkRef& c) { return off < c.offset; });
  chunk_index_ = after == chunks_.begin() ? 0 : static_cast<size_t>(after - chunks_.begin()) - 1;
}

Result<size_t> ObjectReader::read(std::span<std::byte> buf) {
  size_t done = 0;
  while (done < buf.size() && position_ < end_) {
    while (chunk_index_ < chunks_.size() &&
           position_ >= chunks_[chunk_index_].offset + chunks_[chunk_index_].size) {
      ++chunk_index_;
    }
    if (chunk_index_ >= chunks_.size() || position_ < chunks_[chunk_index_].offset) {
      return Status(Errc::kCorruption, "object manifest does not cover the requested range");
    }
    const ChunkRef& chunk = chunks_[chunk_index_];
    const uint64_t in_chunk = position_ - chunk.offset;
    const size_t n = static_cast<size_t>(
        std::min<uint64_t>({buf.size() - done, chunk.size - in_chunk, end_ - position_}));
    Status status = read_chunk(chunk, in_chunk, buf.subspan(done, n));
    if (!status.is_ok()) {
      // What was read is delivered; the next call meets the error again.
      if (done > 0) return done;
      return status;
    }
    done += n;
    position_ += n;
  }
  return done;
}

Status ObjectReader::read_chunk(const ChunkRef& chunk, uint64_t in_chunk,
                                std::span<std::byte> out) {
  if (chunk.encoding == ChunkEncoding::kRaw && store_.reads_in_place()) {
    auto in_place = readable_in_place(chunk);
    COFFER_RETURN_IF_ERROR(in_place);
    if (*in_place) {
      auto n = store_.read_at(chunk.id, ChunkCodec::kHeaderSize + in_chunk, out);
      COFFER_RETURN_IF_ERROR(n);
      if (*n != out.size()) {
        return Status(Errc::kCorruption, "chunk " + chunk.id.hex() + " is truncated");
      }
      return Status::ok();
    }
  }
  if (decoded_index_ != chunk_index_) {
    decoded_index_ = SIZE_MAX;
    auto encoded = store_.get(chunk.id);
    COFFER_RETURN_IF_ERROR(encoded);
    auto decoded = ChunkCodec::decode(*encoded, chunk.id);
    COFFER_RETURN_IF_ERROR(decoded);
    if (decoded->size() != chunk.size) {
      return Status(Errc::kCorruption, "chunk " + chunk.id.hex() + " has the wrong size");
    }
    decoded_ = std::move(decoded).value();
    decoded_index_ = chunk_index_;
  }
  std::memcpy(out.data(), decoded_.data() + in_chunk, out.size());
  return Status::ok();
}

Result<bool> ObjectReader::readable_in_place(const ChunkRef& chunk) {
  if (header_index_ == chunk_index_) return header_raw_;
  std::array<std::byte, ChunkCodec::kHeaderSize> header;
  auto n = store_.read_at(chunk.id, 0, header);
  COFFER_RETURN_IF_ERROR(n);
  auto info = ChunkCodec::parse_header(std::span(header).first(*n));
  if (!info.is_ok()) {
    return Status(Errc::kCorruption, "chunk " + chunk.id.hex() + ": " + info.status().message());
  }
  // A chunk stored compressed by another upload of the same content is decoded instead.
  header_raw_ = info->encoding == ChunkEncoding::kRaw;
  if (header_raw_ && info->raw_size != chunk.size) {
    return Status(Errc::kCorruption, "chunk " + chunk.id.hex() + " has the wrong size");
  }
  header_index_ = chunk_index_;
  return header_raw_;
}

}  // namespace coffer::store
