#pragma once
// Shared helpers for the storage engine tests: deterministic data, temp directories and an
// in-memory ChunkStore that can be told to fail.

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../temp_dir.h"
#include "store/chunk_codec.h"
#include "store/chunk_store.h"

namespace coffer::store::testing {

// Incompressible bytes, the same for the same seed on every run.
inline std::vector<std::byte> random_bytes(size_t size, uint64_t seed) {
  std::vector<std::byte> out(size);
  uint64_t state = seed;
  for (size_t i = 0; i < size; i += 8) {
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    std::memcpy(out.data() + i, &z, std::min<size_t>(8, size - i));
  }
  return out;
}

// An encoded chunk and its id, as a store receives them from ObjectWriter.
struct Blob {
  ChunkId id;
  std::vector<std::byte> encoded;
};

inline Blob make_blob(size_t size, uint64_t seed) {
  auto raw = random_bytes(size, seed);
  return {ChunkId::of(raw), ChunkCodec::encode(raw).bytes};
}

// Text-like bytes that zstd shrinks several times over.
inline std::vector<std::byte> compressible_bytes(size_t size, uint64_t seed) {
  static const char* const kWords[] = {"coffer ",  "stores ", "chunks ", "of ",   "files ",
                                       "durably ", "and ",    "finds ",  "them ", "again.\n"};
  std::vector<std::byte> out;
  out.reserve(size);
  auto noise = random_bytes(size / 4 + 8, seed);
  size_t k = 0;
  while (out.size() < size) {
    const char* word = kWords[static_cast<uint8_t>(noise[k++ % noise.size()]) % 10];
    for (const char* c = word; *c != '\0' && out.size() < size; ++c) {
      out.push_back(static_cast<std::byte>(*c));
    }
  }
  return out;
}

// The unit tests' temporary directory (tests/unit/temp_dir.h).
using ::coffer::testing::TempDir;

// Regular files anywhere under `dir`.
inline size_t count_files(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) ++n;
  }
  return n;
}

// A ChunkStore in memory. put() fails with kIoError once `puts_before_failure` puts have
// succeeded (never when negative).
class MemoryChunkStore : public ChunkStore {
 public:
  Status put(const ChunkId& id, std::span<const std::byte> encoded) override {
    std::lock_guard lock(mu_);
    if (puts_before_failure_ == 0) return Status(Errc::kIoError, "injected put failure");
    if (puts_before_failure_ > 0) --puts_before_failure_;
    ++puts_;
    chunks_.try_emplace(id, encoded.begin(), encoded.end());
    return Status::ok();
  }
  Status put_many(std::span<const ChunkPut> chunks) override {
    {
      std::lock_guard lock(mu_);
      ++put_many_calls_;
    }
    return ChunkStore::put_many(chunks);
  }
  Result<bool> touch(const ChunkId& id) override {
    std::lock_guard lock(mu_);
    return chunks_.contains(id);
  }
  Result<std::vector<std::byte>> get(const ChunkId& id) override {
    std::lock_guard lock(mu_);
    auto it = chunks_.find(id);
    if (it == chunks_.end()) return Status(Errc::kNotFound, "no chunk");
    return it->second;
  }
  Result<size_t> read_at(const ChunkId& id, uint64_t offset, std::span<std::byte> out) override {
    std::lock_guard lock(mu_);
    auto it = chunks_.find(id);
    if (it == chunks_.end()) return Status(Errc::kNotFound, "no chunk");
    if (offset >= it->second.size()) return size_t{0};
    size_t n = std::min<size_t>(out.size(), it->second.size() - offset);
    std::memcpy(out.data(), it->second.data() + offset, n);
    return n;
  }
  Status remove(const ChunkId& id) override {
    std::lock_guard lock(mu_);
    chunks_.erase(id);
    return Status::ok();
  }
  Status for_each(const std::function<Status(const StoredChunkInfo&)>& fn) override {
    // Listed first, then called without the lock: fn may use the store, as with the real ones.
    std::vector<StoredChunkInfo> listed;
    {
      std::lock_guard lock(mu_);
      for (const auto& [id, bytes] : chunks_) listed.push_back({id, bytes.size(), 0});
    }
    for (const StoredChunkInfo& info : listed) COFFER_RETURN_IF_ERROR(fn(info));
    return Status::ok();
  }
  Status put_marker(std::string_view kind, std::string_view name) override {
    std::lock_guard lock(mu_);
    markers_[std::string(kind) + "/" + std::string(name)] = std::time(nullptr);
    return Status::ok();
  }
  Status remove_marker(std::string_view kind, std::string_view name) override {
    std::lock_guard lock(mu_);
    markers_.erase(std::string(kind) + "/" + std::string(name));
    return Status::ok();
  }
  Status for_each_marker(std::string_view kind,
                         const std::function<Status(const MarkerInfo&)>& fn) override {
    std::lock_guard lock(mu_);
    const std::string prefix = std::string(kind) + "/";
    for (const auto& [key, modified] : markers_) {
      if (key.starts_with(prefix)) {
        COFFER_RETURN_IF_ERROR(fn(MarkerInfo{key.substr(prefix.size()), modified}));
      }
    }
    return Status::ok();
  }
  Status check_ready() override { return Status::ok(); }

  void fail_puts_after(int successful_puts) {
    std::lock_guard lock(mu_);
    puts_before_failure_ = successful_puts;
  }
  int puts() {
    std::lock_guard lock(mu_);
    return puts_;
  }
  int put_many_calls() {
    std::lock_guard lock(mu_);
    return put_many_calls_;
  }
  // Direct access for corrupting stored bytes.
  std::vector<std::byte>* find(const ChunkId& id) {
    std::lock_guard lock(mu_);
    auto it = chunks_.find(id);
    return it == chunks_.end() ? nullptr : &it->second;
  }

 private:
  std::mutex mu_;
  std::map<ChunkId, std::vector<std::byte>> chunks_;
  std::map<std::string, int64_t> markers_;  // "kind/name" -> modification time
  int puts_before_failure_ = -1;
  int puts_ = 0;
  int put_many_calls_ = 0;
};

}  // namespace coffer::store::testing
