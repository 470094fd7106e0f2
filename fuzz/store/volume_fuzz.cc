// Packed volume recovery (store/volume_store.h): whatever bytes a volume file holds after a
// crash or damage, opening the store succeeds, indexes only records whose bytes are the chunk
// their header names, cuts the volume after the last such record, and a second opening finds
// nothing more to repair. The input is the volume file.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fuzz_input.h"
#include "store/chunk_codec.h"
#include "store/volume_store.h"

namespace {

using namespace coffer;
using namespace coffer::store;

// A fresh directory per input, on tmpfs when there is one (the index's commits are cheap).
std::filesystem::path fresh_directory() {
  const std::filesystem::path base =
      std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  std::string pattern = (base / "coffer-volume-fuzz-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

size_t indexed_chunks(VolumeStore& store) {
  size_t count = 0;
  COFFER_FUZZ_CHECK(store
                        .for_each([&](const StoredChunkInfo& info) {
                          auto encoded = store.get(info.id);
                          COFFER_FUZZ_CHECK(encoded.is_ok());
                          COFFER_FUZZ_CHECK(ChunkCodec::decode(*encoded, info.id).is_ok());
                          ++count;
                          return Status::ok();
                        })
                        .is_ok());
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path dir = fresh_directory();
  const std::filesystem::path volume = dir / "00000001.vol";
  std::ofstream(volume, std::ios::binary).write(reinterpret_cast<const char*>(data), size);
  size_t first_count = 0;
  {
    auto store = VolumeStore::open(dir.string());
    COFFER_FUZZ_CHECK(store.is_ok());
    first_count = indexed_chunks(**store);
    // Records, not chunks: a chunk may have been appended twice (the index keeps the first).
    COFFER_FUZZ_CHECK((*store)->recovery().records_indexed >= first_count);
    COFFER_FUZZ_CHECK(std::filesystem::file_size(volume) + (*store)->recovery().bytes_truncated ==
                      size);
  }
  {
    auto again = VolumeStore::open(dir.string());
    COFFER_FUZZ_CHECK(again.is_ok());
    COFFER_FUZZ_CHECK((*again)->recovery().records_indexed == 0);
    COFFER_FUZZ_CHECK((*again)->recovery().bytes_truncated == 0);
    COFFER_FUZZ_CHECK(indexed_chunks(**again) == first_count);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
