#pragma once
// Text extraction for search: pure functions from a file's bytes to UTF-8 text. The heavy
// parsers (poppler for PDF, libzip for office archives, libxml2 for HTML and XML) are used in
// this folder only; nothing here does I/O, and every extractor is bounded: the text is capped,
// PDFs by pages and time, archives by entries, decompressed bytes and compression ratio.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coffer::extract {

struct ExtractLimits {
  size_t max_text_bytes = size_t{1} << 20;  // the text is cut (at a character) past this
  int max_pdf_pages = 500;
  std::chrono::milliseconds max_time{10000};         // checked between PDF pages
  uint64_t max_unzipped_bytes = uint64_t{64} << 20;  // all entries read from one archive
  uint32_t max_zip_entries = 20000;
  // An entry that inflates more than this many times its compressed size (beyond the first
  // MiB) is a zip bomb.
  uint32_t max_compression_ratio = 200;
};

enum class Format {
  kNone,    // nothing to extract (binary, images, unknown)
  kPlain,   // text/*: plain text, Markdown, CSV, JSON, source code
  kHtml,    // HTML: tags, scripts and styles removed, entities decoded
  kPdf,     // PDF (poppler)
  kOffice,  // a zip of XML: DOCX, XLSX, ODT and the other OpenDocument types
};

// The format to extract, from the content's first bytes (`head`, a few KiB suffice), its MIME
// type and its name. Magic numbers win over the type and the name.
Format detect_format(std::string_view mime, std::string_view name, std::string_view head);

// The text of `bytes` in `format`, as valid UTF-8 without control characters other than
// newline and tab, at most limits.max_text_bytes long. kNone gives "". Errors: kInvalidArgument
// (corrupt or truncated beyond use, a zip bomb, an encrypted PDF), kUnsupportedMediaType (a zip
// that is no document format known here).
Result<std::string> extract_text(Format format, std::string_view bytes,
                                 const ExtractLimits& limits = {});

}  // namespace coffer::extract
