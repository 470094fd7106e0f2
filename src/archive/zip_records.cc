#include "archive/zip_records.h"

#include <ctime>
#include <limits>
#include <optional>

namespace coffer::archive {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kDataDescriptorSignature = 0x08074b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint32_t kEndSignature = 0x06054b50;

constexpr uint16_t kFlagDataDescriptor = 1 << 3;
constexpr uint16_t kFlagUtf8 = 1 << 11;
constexpr uint16_t kMethodStored = 0;
// "Version made by": upper byte 3 = UNIX, so readers take the permissions from the high half
// of the external attributes; lower byte 63 = APPNOTE 6.3.
constexpr uint16_t kVersionMadeBy = (3 << 8) | 63;
constexpr uint16_t kVersionDefault = 20;  // 2.0: folders
constexpr uint16_t kVersionZip64 = 45;    // 4.5: Zip64 extensions
constexpr uint16_t kExtraZip64 = 0x0001;
constexpr uint16_t kExtraTimestamp = 0x5455;  // "UT": extended timestamp, modification only
constexpr uint32_t kFileMode = 0100644;
constexpr uint32_t kFolderMode = 040755;
constexpr uint32_t kDosDirectory = 0x10;

void put16(std::string& out, uint64_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string& out, uint64_t v) {
  put16(out, v & 0xFFFF);
  put16(out, (v >> 16) & 0xFFFF);
}
void put64(std::string& out, uint64_t v) {
  put32(out, v & kMax32);
  put32(out, v >> 32);
}

// A value for a classic 32-bit field: itself, or all ones when a Zip64 field carries it.
uint64_t clamp32(uint64_t v) { return v >= kMax32 ? kMax32 : v; }

// Whole seconds since the epoch, rounded down (also before 1970).
int64_t unix_seconds(Micros t) { return t >= 0 ? t / 1'000'000 : -((-t + 999'999) / 1'000'000); }

// MS-DOS date and time (2-second resolution, 1980..2107), in UTC: the archive cannot know the
// reader's time zone, and the extended timestamp field carries the exact instant anyway.
std::pair<uint16_t, uint16_t> dos_date_time(Micros modified) {
  int64_t seconds = unix_seconds(modified);
  constexpr int64_t kFirst = 315532800;  // 1980-01-01T00:00:00Z
  constexpr int64_t kLast = 4354819198;  // 2107-12-31T23:59:58Z
  seconds = std::min(std::max(seconds, kFirst), kLast);
  time_t t = static_cast<time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  uint16_t date =
      static_cast<uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
  uint16_t time = static_cast<uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  return {date, time};
}

// The extended timestamp holds a signed 32-bit time; outside that range it is left out.
std::optional<int32_t> timestamp_seconds(Micros modified) {
  int64_t seconds = unix_seconds(modified);
  if (seconds < std::numeric_limits<int32_t>::min() ||
      seconds > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(seconds);
}

void put_timestamp_extra(std::string& out, Micros modified) {
  auto seconds = timestamp_seconds(modified);
  if (!seconds) return;
  put16(out, kExtraTimestamp);
  put16(out, 5);
  out.push_back(0x01);  // the modification time is present
  put32(out, static_cast<uint32_t>(*seconds));
}

// Any Zip64 field anywhere in this entry's records makes 4.5 the version needed, in the local
// and the central header alike (both are decided from what is known before the content).
uint16_t version_needed(const ZipRecord& r) {
  bool zip64 = local_uses_zip64(r) || r.size >= kMax32 || r.local_offset >= kMax32;
  return zip64 ? kVersionZip64 : kVersionDefault;
}

uint16_t flags(const ZipRecord& r) {
  return r.is_folder ? kFlagUtf8 : static_cast<uint16_t>(kFlagUtf8 | kFlagDataDescriptor);
}

// Fields shared by the local and the central header, from "version needed" to the sizes.
void put_common(std::string& out, const ZipRecord& r, uint32_t crc, uint64_t size32) {
  put16(out, version_needed(r));
  put16(out, flags(r));
  put16(out, kMethodStored);
  auto [date, time] = dos_date_time(r.modified);
  put16(out, time);
  put16(out, date);
  put32(out, crc);
  put32(out, size32);  // compressed
  put32(out, size32);  // uncompressed
}

}  // namespace

bool local_uses_zip64(const ZipRecord& r) {
  return !r.is_folder && (!r.size_known || r.size >= kMax32);
}

std::string local_header(const ZipRecord& r) {
  std::string extra;
  if (local_uses_zip64(r)) {
    // In a local header the Zip64 field always holds both sizes (APPNOTE 4.5.3); zero while
    // unknown, the descriptor then has the real ones.
    uint64_t size = r.size_known ? r.size : 0;
    put16(extra, kExtraZip64);
    put16(extra, 16);
    put64(extra, size);
    put64(extra, size);
  }
  put_timestamp_extra(extra, r.modified);

  uint64_t size32 = local_uses_zip64(r) ? kMax32 : r.size;  // folders: 0
  std::string out;
  out.reserve(30 + r.name.size() + extra.size());
  put32(out, kLocalHeaderSignature);
  // The CRC is not known before the content: zero here, in the descriptor after it.
  put_common(out, r, 0, size32);
  put16(out, r.name.size());
  put16(out, extra.size());
  out += r.name;
  out += extra;
  return out;
}

std::string data_descriptor(const ZipRecord& r) {
  std::string out;
  put32(out, kDataDescriptorSignature);
  put32(out, r.crc32);
  if (local_uses_zip64(r)) {
    put64(out, r.size);
    put64(out, r.size);
  } else {
    put32(out, r.size);
    put32(out, r.size);
  }
  return out;
}

void append_central_header(const ZipRecord& r, std::string& out) {
  // Only the fields that overflow go into the Zip64 extra field, in this order (4.5.3).
  std::string extra;
  bool big_size = r.size >= kMax32;
  bool big_offset = r.local_offset >= kMax32;
  if (big_size || big_offset) {
    put16(extra, kExtraZip64);
    put16(extra, (big_size ? 16 : 0) + (big_offset ? 8 : 0));
    if (big_size) {
      put64(extra, r.size);
      put64(extra, r.size);
    }
    if (big_offset) put64(extra, r.local_offset);
  }
  put_timestamp_extra(extra, r.modified);

  put32(out, kCentralHeaderSignature);
  put16(out, kVersionMadeBy);
  put_common(out, r, r.crc32, clamp32(r.size));
  put16(out, r.name.size());
  put16(out, extra.size());
  put16(out, 0);  // comment length
  put16(out, 0);  // disk number start
  put16(out, 0);  // internal attributes
  put32(out, r.is_folder ? (kFolderMode << 16) | kDosDirectory : kFileMode << 16);
  put32(out, clamp32(r.local_offset));
  out += r.name;
  out += extra;
}

std::string end_records(uint64_t entries, uint64_t directory_offset, uint64_t directory_size) {
  std::string out;
  bool zip64 = entries >= kMax16 || directory_offset >= kMax32 || directory_size >= kMax32;
  if (zip64) {
    uint64_t record_offset = directory_offset + directory_size;
    put32(out, kZip64EndSignature);
    put64(out, 44);  // size of the rest of this record
    put16(out, kVersionMadeBy);
    put16(out, kVersionZip64);
    put32(out, 0);        // this disk
    put32(out, 0);        // the disk where the central directory starts
    put64(out, entries);  // on this disk
    put64(out, entries);  // in total
    put64(out, directory_size);
    put64(out, directory_offset);

    put32(out, kZip64LocatorSignature);
    put32(out, 0);  // the disk with the Zip64 end record
    put64(out, record_offset);
    put32(out, 1);  // number of disks
  }
  uint64_t entries16 = entries >= kMax16 ? kMax16 : entries;
  put32(out, kEndSignature);
  put16(out, 0);  // this disk
  put16(out, 0);  // the disk where the central directory starts
  put16(out, entries16);
  put16(out, entries16);
  put32(out, clamp32(directory_size));
  put32(out, clamp32(directory_offset));
  put16(out, 0);  // comment length
  return out;
}

}  // namespace coffer::archive
