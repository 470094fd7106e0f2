#include "store/chunker.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>

namespace coffer::store {
namespace {

// The gear table maps each byte value to a pseudo-random 64-bit word. Chunk boundaries, and
// so chunk ids and deduplication against everything already stored, depend on it: it is part
// of the storage format and must never change (docs/storage-format.md). It is the first 256
// outputs of splitmix64 seeded with kGearSeed.
constexpr uint64_t kGearSeed = 0x636f66666572ULL;  // "coffer"

constexpr std::array<uint64_t, 256> make_gear_table() {
  std::array<uint64_t, 256> table{};
  uint64_t state = kGearSeed;
  for (auto& entry : table) {
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    entry = z ^ (z >> 31);
  }
  return table;
}

constexpr std::array<uint64_t, 256> kGear = make_gear_table();

// A mask of the `bits` most significant bits. The gear hash shifts left once per byte, so its
// top bits mix the last 64 bytes while its low bits see only the last few; testing the top
// bits gives the widest content window.
constexpr uint64_t top_bits_mask(int bits) { return bits <= 0 ? 0 : ~uint64_t{0} << (64 - bits); }

}  // namespace

Chunker::Chunker(ChunkerParams params) : params_(params) {
  assert(params_.min_size > 0 && params_.min_size <= params_.avg_size &&
         params_.avg_size <= params_.max_size);
  assert(std::has_single_bit(params_.avg_size));
  // Normalized chunking, level 2: cut points are 4x less likely than 1/avg_size before
  // avg_size and 4x more likely after it, which narrows the chunk size distribution.
  const int bits = std::bit_width(params_.avg_size) - 1;
  mask_small_ = top_bits_mask(std::min(bits + 2, 64));
  mask_large_ = top_bits_mask(std::max(bits - 2, 1));
}

size_t Chunker::next_boundary(std::span<const std::byte> data, bool at_end) const {
  const size_t size = data.size();
  if (size <= params_.min_size) return at_end ? size : 0;
  const size_t limit = std::min<size_t>(size, params_.max_size);
  const size_t normal = std::min<size_t>(limit, params_.avg_size);
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());

  // The first min_size bytes are skipped without hashing: no cut may fall there anyway.
  uint64_t fp = 0;
  size_t i = params_.min_size;
  for (; i < normal; ++i) {
    fp = (fp << 1) + kGear[p[i]];
    if ((fp & mask_small_) == 0) return i + 1;
  }
  for (; i < limit; ++i) {
    fp = (fp << 1) + kGear[p[i]];
    if ((fp & mask_large_) == 0) return i + 1;
  }
  if (limit == params_.max_size || at_end) return limit;
  return 0;
}

}  // namespace coffer::store
