#include "store/object_reader.h"

#include <algorithm>
#include <cstring>

#include "store/chunk_check.h"
#include "store/chunk_codec.h"

namespace coffer::store {
namespace {

Status damaged(const ChunkRef& chunk, const std::string& what) {
  return Status(Errc::kCorruption, "chunk " + chunk.id.hex() + " " + what);
}

}  // namespace

ObjectReader::ObjectReader(ChunkStore& store, std::vector<ChunkRef> chunks, uint64_t offset,
                           uint64_t length, DamageHandler on_damage)
    : store_(store),
      chunks_(std::move(chunks)),
      on_damage_(std::move(on_damage)),
      position_(offset),
      end_(offset + length) {
  // The last chunk starting at or before `offset` holds it.
  auto after = std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                                [](uint64_t off, const ChunkRef& c) { return off < c.offset; });
  chunk_index_ = after == chunks_.begin() ? 0 : static_cast<size_t>(after - chunks_.begin()) - 1;
}

Status ObjectReader::prepare() {
  if (!failed_.is_ok() || position_ >= end_) return failed_;
  if (Status status = seek_chunk(); !status.is_ok()) return failed_ = status;
  if (current_index_ == chunk_index_) return Status::ok();
  return load(chunk_index_);
}

Result<size_t> ObjectReader::read(std::span<std::byte> buf) {
  if (!failed_.is_ok()) return failed_;
  size_t done = 0;
  while (done < buf.size() && position_ < end_) {
    Status status = seek_chunk();
    if (status.is_ok() && current_index_ != chunk_index_) status = load(chunk_index_);
    if (!status.is_ok()) {
      failed_ = status;
      // What was read is delivered; the next call meets the error.
      if (done > 0) return done;
      return status;
    }
    const ChunkRef& chunk = chunks_[chunk_index_];
    const uint64_t in_chunk = position_ - chunk.offset;
    const size_t n = static_cast<size_t>(
        std::min<uint64_t>({buf.size() - done, chunk.size - in_chunk, end_ - position_}));
    std::memcpy(buf.data() + done, current_.data() + in_chunk, n);
    done += n;
    position_ += n;
  }
  return done;
}

Status ObjectReader::seek_chunk() {
  while (chunk_index_ < chunks_.size() &&
         position_ >= chunks_[chunk_index_].offset + chunks_[chunk_index_].size) {
    ++chunk_index_;
  }
  if (chunk_index_ >= chunks_.size() || position_ < chunks_[chunk_index_].offset) {
    return Status(Errc::kCorruption, "object manifest does not cover the requested range");
  }
  return Status::ok();
}

Status ObjectReader::load(size_t index) {
  current_index_ = SIZE_MAX;
  current_ = {};
  const ChunkRef& chunk = chunks_[index];
  Status status = fetch(chunk);
  if (!status.is_ok()) {
    // The catalog says the chunk exists: a missing one is lost data, not a missing file.
    if (status.code() == Errc::kNotFound) status = damaged(chunk, "is missing");
    failed_ = status;
    if (status.code() == Errc::kCorruption && on_damage_) on_damage_(chunk.id, status);
    return status;
  }
  current_index_ = index;
  return Status::ok();
}

uint64_t ObjectReader::fast_check(const ChunkRef& chunk) const {
  return store_.fast_checks_suffice() ? chunk.check : kNoChunkCheck;
}

Status ObjectReader::fetch(const ChunkRef& chunk) {
  std::span<const std::byte> encoded;
  if (store_.reads_in_place()) {
    // One read of the whole chunk into a buffer reused from chunk to chunk: no allocation
    // and no zero-filling per chunk. A raw chunk is header + content; asking for one byte
    // more shows a chunk that is longer than that. A compressed one is shorter.
    const size_t want = ChunkCodec::kHeaderSize + size_t{chunk.size} + 1;
    if (buffer_capacity_ < want) {
      buffer_.reset();
      buffer_ = std::make_unique_for_overwrite<std::byte[]>(want);
      buffer_capacity_ = want;
    }
    auto n = store_.read_at(chunk.id, 0, std::span(buffer_.get(), want));
    COFFER_RETURN_IF_ERROR(n);
    encoded = std::span<const std::byte>(buffer_.get(), *n);
  } else {
    fetched_.clear();
    fetched_.shrink_to_fit();  // one chunk held at a time, not two
    auto got = store_.get(chunk.id);
    COFFER_RETURN_IF_ERROR(got);
    fetched_ = std::move(got).value();
    encoded = fetched_;
  }

  auto header = ChunkCodec::parse_header(encoded);
  if (!header.is_ok()) return damaged(chunk, "has a bad header: " + header.status().message());
  if (header->raw_size != chunk.size) return damaged(chunk, "has the wrong size");
  if (header->encoding == ChunkEncoding::kRaw) {
    // Hashed here rather than through ChunkCodec::decode, which would copy the content.
    const auto content = encoded.subspan(ChunkCodec::kHeaderSize);
    if (content.size() != chunk.size) return damaged(chunk, "is truncated or overlong");
    if (!content_matches(content, chunk.id, fast_check(chunk))) {
      return damaged(chunk, "does not hash to its id");
    }
    current_ = content;
    return Status::ok();
  }
  // Compressed (also when the catalog says raw: another upload of the same content may have
  // stored it compressed). decode() verifies the hash.
  auto decoded = ChunkCodec::decode(encoded, chunk.id, fast_check(chunk));
  COFFER_RETURN_IF_ERROR(decoded);
  decoded_ = std::move(decoded).value();
  current_ = decoded_;
  return Status::ok();
}

}  // namespace coffer::store
