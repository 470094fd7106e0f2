#pragma once
// Content-defined chunking (FastCDC, Xia et al. 2016, with normalized chunking): boundaries
// depend on the content around them, so an insert early in a file shifts only the chunks near
// it and the rest deduplicate against the previous version.

#include <cstddef>
#include <cstdint>
#include <span>

namespace coffer::store {

struct ChunkerParams {
  uint32_t min_size = 256 * 1024;
  uint32_t avg_size = 1024 * 1024;  // power of two
  uint32_t max_size = 4 * 1024 * 1024;
};

class Chunker {
 public:
  explicit Chunker(ChunkerParams params = {});

  // Returns the length of the first chunk of `data`: a content-defined cut point, or
  // min(data.size(), max_size) when none is found. When `at_end` is false and no cut point is
  // found before data.size() < max_size, returns 0: "need more data".
  // Deterministic: the same bytes always give the same cut points.
  size_t next_boundary(std::span<const std::byte> data, bool at_end) const;

  const ChunkerParams& params() const { return params_; }

 private:
  ChunkerParams params_;
  uint64_t mask_small_;  // stricter mask before avg_size
  uint64_t mask_large_;  // looser mask after avg_size
};

}  // namespace coffer::store
