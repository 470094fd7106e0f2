// Chunk decoding (store/chunk_codec.h): the bytes read back from a chunk store, verified
// against the id that names them and, when given, the fast check. The first 32 bytes are the
// id and the next 8 the check (0: unknown); the rest is the encoded chunk. Whatever decodes
// is the chunk: it matches its id, or its check when one was given. And every content
// encodes to a chunk that decodes to it.

#include <algorithm>

#include "fuzz_input.h"
#include "store/chunk_check.h"
#include "store/chunk_codec.h"
#include "store/chunk_id.h"

namespace {

using namespace coffer;
using namespace coffer::store;

std::span<const std::byte> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  ChunkId id;
  for (auto& b : id.bytes) b = static_cast<uint8_t>(in.byte());
  uint64_t check = 0;
  for (int i = 0; i < 8; ++i) check = check << 8 | in.byte();
  const auto encoded = bytes_of(in.rest());

  (void)ChunkCodec::parse_header(encoded.first(std::min(encoded.size(), ChunkCodec::kHeaderSize)));
  auto decoded = ChunkCodec::decode(encoded, id, check);
  if (decoded.is_ok()) COFFER_FUZZ_CHECK(content_matches(*decoded, id, check));

  // The same bytes as content: encoded (compressed when that pays) and decoded again.
  const auto content = bytes_of(in.rest());
  const EncodedChunk chunk = ChunkCodec::encode(content);
  auto round_trip = ChunkCodec::decode(chunk.bytes, ChunkId::of(content), chunk_check(content));
  COFFER_FUZZ_CHECK(round_trip.is_ok());
  COFFER_FUZZ_CHECK(
      std::equal(round_trip->begin(), round_trip->end(), content.begin(), content.end()));
  return 0;
}
