#pragma once
// The byte layout of a zip archive (PKWARE APPNOTE.TXT 6.3.x, section 4.3): local file
// headers, data descriptors, central directory headers and the end records, including the
// Zip64 forms. Pure functions of their inputs, so the stream and the length calculation
// (zip_stream.h) produce exactly the same bytes. docs/zip.md explains the choices.

#include <cstdint>
#include <string>

#include "core/model.h"

namespace coffer::archive {

// Sizes, offsets and counts at or above these no longer fit the classic fields (the all-ones
// value itself means "see the Zip64 record").
inline constexpr uint64_t kMax32 = 0xFFFFFFFF;
inline constexpr uint64_t kMax16 = 0xFFFF;

// What the records of one entry say. Entries are stored (method 0), so the compressed and
// uncompressed sizes are always equal.
struct ZipRecord {
  std::string name;  // the stored UTF-8 path; folders end with '/'
  bool is_folder = false;
  bool size_known = false;    // files: the size was given before the content was read
  uint64_t size = 0;          // the content's length (given, or counted once streamed)
  uint32_t crc32 = 0;         // known only after the content was streamed
  uint64_t local_offset = 0;  // where the entry's local header starts in the archive
  Micros modified = 0;
};

// True when the local header carries a Zip64 extra field, and hence the data descriptor has
// 8-byte sizes: a file whose size is unknown or does not fit 32 bits.
bool local_uses_zip64(const ZipRecord& r);

// The local file header with the name and extra fields. Files set bit 3: the CRC follows the
// data in a descriptor. Known sizes are written even so (see docs/zip.md); unknown ones are
// zero.
std::string local_header(const ZipRecord& r);

// The data descriptor that follows a file's content (signature, CRC-32, sizes).
std::string data_descriptor(const ZipRecord& r);

// Appends the entry's central directory header to `out`. REQUIRES: crc32 and size are final.
void append_central_header(const ZipRecord& r, std::string& out);

// The end of the archive: Zip64 end of central directory record and locator when the entry
// count, the directory's size or its offset overflow the classic fields, then the classic
// end of central directory record.
std::string end_records(uint64_t entries, uint64_t directory_offset, uint64_t directory_size);

}  // namespace coffer::archive
