#pragma once
// A pull stream of bytes: request bodies flow into the storage engine through it, and file
// contents flow out to responses through it.

#include <cstddef>
#include <span>

#include "core/status.h"

namespace coffer {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to buf.size() bytes (at least one unless at the end). Returns 0 at the end.
  virtual Result<size_t> read(std::span<std::byte> buf) = 0;
};

}  // namespace coffer
