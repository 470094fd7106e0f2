#pragma once
// A zip archive produced on the fly as a pull stream: entries are taken one at a time, each
// file's content is opened only when the archive reaches it, and the bytes are read straight
// into the caller's buffer. Memory stays bounded by a small constant plus, per entry, its
// central directory header and its name in the set of used names (about 150 bytes plus twice
// the name); nothing is written to disk. Entries are stored uncompressed (method 0) with a
// CRC-32 computed while streaming; Zip64 is used where sizes, offsets or the entry count need
// it; names are UTF-8. Format choices: docs/zip.md.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "archive/zip_names.h"
#include "archive/zip_records.h"
#include "core/byte_source.h"
#include "core/model.h"
#include "core/status.h"

namespace coffer::archive {

// One file or folder of an archive.
struct ZipEntry {
  std::string path;        // UTF-8, '/'-separated, relative; sanitised and made unique (ZipNamer)
  bool is_folder = false;  // decides, not a trailing '/' in path
  // Files: the content's length when known in advance. The content must then be exactly that
  // long (else the stream fails), and exact_length() can count the archive. Unknown: counted
  // while streaming.
  std::optional<uint64_t> size;
  Micros modified = 0;
  // Files: opens the content. Called when the archive reaches the entry, never before, and at
  // most once; the source is released when its content has been streamed.
  std::function<Result<std::unique_ptr<ByteSource>>()> open;
};

// Produces the entries in archive order, one per call; nullopt after the last. A folder's
// contents must follow it (depth first). It may walk a tree lazily: the archive never asks
// for an entry before the previous one has been streamed.
using NextEntry = std::function<Result<std::optional<ZipEntry>>()>;

// A NextEntry over a list held in memory.
NextEntry entries_from(std::vector<ZipEntry> entries);

// The archive's exact length in bytes, when every file's size is given and every path is
// usable; nullopt otherwise. Equal to what a ZipStream over the same entries produces when
// each content has its declared size (HTTP uses it for Content-Length).
std::optional<uint64_t> exact_length(std::span<const ZipEntry> entries);

class ZipStream final : public ByteSource {
 public:
  explicit ZipStream(NextEntry next);
  ZipStream(const ZipStream&) = delete;
  ZipStream& operator=(const ZipStream&) = delete;

  // Fills `buf` with the next bytes of the archive; 0 once it is complete. Fails with the
  // error of NextEntry or of a content source, kInvalidName for an unusable path, or
  // kCorruption when a content is shorter or longer than its declared size. After a failure
  // the archive is incomplete and every further read returns the same error: the caller must
  // abort the transfer rather than end it normally.
  Result<size_t> read(std::span<std::byte> buf) override;

  // Bytes produced so far.
  uint64_t offset() const { return offset_; }

 private:
  enum class Phase { kNextEntry, kContent, kDone };

  Status start_next_entry();
  Result<size_t> read_content(std::span<std::byte> buf);
  void finish_content();
  // REQUIRES: the previous pending bytes were all handed out.
  void queue(std::string bytes);

  NextEntry next_;
  ZipNamer namer_;
  Phase phase_ = Phase::kNextEntry;
  std::string pending_;  // header or trailer bytes not yet handed out
  size_t pending_pos_ = 0;
  ZipRecord current_;                   // the entry being streamed
  std::unique_ptr<ByteSource> source_;  // the current file's content, while streaming
  uint64_t streamed_ = 0;               // of the current content
  unsigned long crc_ = 0;               // of the current content (zlib's uLong)
  uint64_t offset_ = 0;
  uint64_t entries_ = 0;
  std::string central_;  // the central directory headers so far
  Status failed_;
};

}  // namespace coffer::archive
