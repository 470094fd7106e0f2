// DOCX, XLSX and OpenDocument files are zip archives of XML. The archive is read from memory
// with libzip, one named part at a time, each bounded: the number of entries, the bytes
// inflated from the whole archive and the compression ratio of every entry (zip bombs).

#include <zip.h>

#include <memory>
#include <string>

#include "extract/formats.h"

namespace coffer::extract {
namespace {

constexpr uint64_t kRatioGrace = uint64_t{1} << 20;  // small entries may compress very well

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

class Archive {
 public:
  Archive(Zip zip, const ExtractLimits& limits) : zip_(std::move(zip)), limits_(limits) {}

  bool has(const char* name) { return zip_name_locate(zip_.get(), name, 0) >= 0; }

  // The whole entry `name`, refusing it when it inflates past the archive's budget or past
  // the ratio; the real byte count decides, not the sizes the archive declares.
  Result<std::string> read(const char* name) {
    const zip_int64_t index = zip_name_locate(zip_.get(), name, 0);
    if (index < 0) return Status(Errc::kNotFound, std::string("no ") + name + " in the archive");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(index), 0, &st) != 0) {
      return Status(Errc::kInvalidArgument, "a damaged zip entry");
    }
    const uint64_t compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    const uint64_t ratio_cap = compressed * limits_.max_compression_ratio + kRatioGrace;
    std::unique_ptr<zip_file_t, ZipFileCloser> file(
        zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0));
    if (!file) return Status(Errc::kInvalidArgument, "a zip entry cannot be opened");
    std::string data;
    char buf[64 * 1024];
    for (;;) {
      const zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
      if (n < 0) return Status(Errc::kInvalidArgument, "a zip entry is damaged or truncated");
      if (n == 0) break;
      inflated_ += static_cast<uint64_t>(n);
      if (inflated_ > limits_.max_unzipped_bytes || data.size() + n > ratio_cap) {
        return Status(Errc::kInvalidArgument,
                      "the archive inflates beyond its limits (a zip bomb?)");
      }
      data.append(buf, static_cast<size_t>(n));
    }
    return data;
  }

 private:
  Zip zip_;
  const ExtractLimits& limits_;
  uint64_t inflated_ = 0;
};

Result<Zip> open_zip(std::string_view bytes, const ExtractLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return Status(Errc::kInvalidArgument, "the archive cannot be read");
  }
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (zip == nullptr) {
    zip_source_free(source);
    return Status(Errc::kInvalidArgument, "not a readable zip archive (damaged or truncated)");
  }
  Zip owned(zip);
  const zip_int64_t entries = zip_get_num_entries(zip, 0);
  if (entries < 0 || static_cast<uint64_t>(entries) > limits.max_zip_entries) {
    return Status(Errc::kInvalidArgument, "the archive has too many entries");
  }
  return owned;
}

Status part_text(Archive& archive, const char* name, const XmlTextRules& rules, TextBuffer& out) {
  auto xml = archive.read(name);
  COFFER_RETURN_IF_ERROR(xml);
  return xml_text(*xml, rules, out);
}

}  // namespace

Status office_text(std::string_view bytes, const ExtractLimits& limits, TextBuffer& out) {
  auto zip = open_zip(bytes, limits);
  COFFER_RETURN_IF_ERROR(zip);
  Archive archive(std::move(*zip), limits);
  if (archive.has("word/document.xml")) {
    // WordprocessingML: runs of text in w:t, paragraphs w:p, tabs and breaks.
    return part_text(archive, "word/document.xml", {{"t"}, {"p", "tr"}, {"tab", "br", "cr"}}, out);
  }
  if (archive.has("xl/workbook.xml")) {
    // SpreadsheetML keeps the text of cells in the shared strings table; numbers and
    // formulas are not indexed.
    if (!archive.has("xl/sharedStrings.xml")) return Status::ok();
    return part_text(archive, "xl/sharedStrings.xml", {{"t"}, {"si"}, {}}, out);
  }
  if (archive.has("content.xml") && archive.has("mimetype")) {
    auto mimetype = archive.read("mimetype");
    COFFER_RETURN_IF_ERROR(mimetype);
    if (mimetype->rfind("application/vnd.oasis.opendocument.", 0) != 0) {
      return Status(Errc::kUnsupportedMediaType, "not an OpenDocument file");
    }
    // OpenDocument: every text node of the body; paragraphs, headings and cells end lines.
    return part_text(archive, "content.xml",
                     {{}, {"p", "h", "table-cell", "list-item"}, {"s", "tab", "line-break"}}, out);
  }
  return Status(Errc::kUnsupportedMediaType, "a zip archive that is no known document format");
}

}  // namespace coffer::extract
