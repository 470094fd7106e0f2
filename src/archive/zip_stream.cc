#include "archive/zip_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace coffer::archive {
namespace {

// The records' view of an entry, before its content is streamed.
ZipRecord record_for(const ZipEntry& e, std::string name, uint64_t offset) {
  ZipRecord r;
  r.name = std::move(name);
  r.is_folder = e.is_folder;
  r.size_known = e.is_folder || e.size.has_value();
  r.size = e.is_folder ? 0 : e.size.value_or(0);
  r.local_offset = offset;
  r.modified = e.modified;
  return r;
}

}  // namespace

NextEntry entries_from(std::vector<ZipEntry> entries) {
  auto list = std::make_shared<std::vector<ZipEntry>>(std::move(entries));
  size_t next = 0;
  return [list, next]() mutable -> Result<std::optional<ZipEntry>> {
    if (next == list->size()) return std::optional<ZipEntry>();
    return std::optional<ZipEntry>(std::move((*list)[next++]));
  };
}

// Builds the same records the stream does, to count their bytes rather than send them.
std::optional<uint64_t> exact_length(std::span<const ZipEntry> entries) {
  ZipNamer namer;
  uint64_t offset = 0;
  uint64_t directory = 0;
  std::string central;
  for (const ZipEntry& e : entries) {
    if (!e.is_folder && !e.size) return std::nullopt;
    auto name = namer.assign(e.path, e.is_folder);
    if (!name) return std::nullopt;
    ZipRecord r = record_for(e, std::move(*name), offset);
    offset += local_header(r).size();
    if (!r.is_folder) offset += r.size + data_descriptor(r).size();
    central.clear();
    append_central_header(r, central);
    directory += central.size();
  }
  return offset + directory + end_records(entries.size(), offset, directory).size();
}

ZipStream::ZipStream(NextEntry next) : next_(std::move(next)) {}

Result<size_t> ZipStream::read(std::span<std::byte> buf) {
  if (!failed_.is_ok()) return failed_;
  size_t n = 0;
  while (n < buf.size()) {
    if (pending_pos_ < pending_.size()) {
      size_t k = std::min(buf.size() - n, pending_.size() - pending_pos_);
      std::memcpy(buf.data() + n, pending_.data() + pending_pos_, k);
      pending_pos_ += k;
      n += k;
      offset_ += k;
      continue;
    }
    if (phase_ == Phase::kDone) break;
    Status status;
    if (phase_ == Phase::kNextEntry) {
      status = start_next_entry();
    } else {
      auto got = read_content(buf.subspan(n));
      if (got.is_ok()) {
        n += *got;
        offset_ += *got;
        continue;
      }
      status = got.status();
    }
    if (!status.is_ok()) {
      // Whatever this call already copied is useless without the rest: report the error now.
      source_.reset();
      failed_ = status;
      return failed_;
    }
  }
  return n;
}

Status ZipStream::start_next_entry() {
  auto next = next_();
  if (!next.is_ok()) return next.status();
  if (!next->has_value()) {
    uint64_t directory_offset = offset_;
    std::string trailer = std::move(central_);
    trailer += end_records(entries_, directory_offset, trailer.size());
    queue(std::move(trailer));
    phase_ = Phase::kDone;
    return Status::ok();
  }
  ZipEntry& e = **next;
  auto name = namer_.assign(e.path, e.is_folder);
  if (!name) return name.status();
  current_ = record_for(e, std::move(*name), offset_);
  if (!e.is_folder) {
    if (!e.open)
      return Status(Errc::kInternal, "archive entry " + current_.name + " has no content");
    auto source = e.open();
    if (!source) return source.status();
    source_ = std::move(*source);
    streamed_ = 0;
    crc_ = crc32_z(0, nullptr, 0);
    phase_ = Phase::kContent;
  }
  queue(local_header(current_));
  ++entries_;
  if (e.is_folder) append_central_header(current_, central_);
  return Status::ok();
}

Result<size_t> ZipStream::read_content(std::span<std::byte> buf) {
  if (current_.size_known) {
    uint64_t left = current_.size - streamed_;
    if (left == 0) {
      // The declared size is reached: the content must end exactly here.
      std::byte probe;
      auto more = source_->read({&probe, 1});
      if (!more) return more.status();
      if (*more != 0) {
        return Status(Errc::kCorruption, "content of " + current_.name + " is longer than " +
                                             std::to_string(current_.size) + " bytes");
      }
      finish_content();
      return size_t{0};
    }
    buf = buf.first(static_cast<size_t>(std::min<uint64_t>(buf.size(), left)));
  }
  auto got = source_->read(buf);
  if (!got) return got.status();
  if (*got == 0) {
    if (current_.size_known) {
      return Status(Errc::kCorruption, "content of " + current_.name + " ended after " +
                                           std::to_string(streamed_) + " of " +
                                           std::to_string(current_.size) + " bytes");
    }
    finish_content();
    return size_t{0};
  }
  crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(buf.data()), *got);
  streamed_ += *got;
  return *got;
}

void ZipStream::finish_content() {
  source_.reset();
  current_.size = streamed_;
  current_.crc32 = static_cast<uint32_t>(crc_);
  queue(data_descriptor(current_));
  append_central_header(current_, central_);
  phase_ = Phase::kNextEntry;
}

void ZipStream::queue(std::string bytes) {
  pending_ = std::move(bytes);
  pending_pos_ = 0;
}

}  // namespace coffer::archive
