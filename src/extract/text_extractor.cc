#include "extract/text_extractor.h"

#include <algorithm>
#include <cctype>

#include "extract/formats.h"

namespace coffer::extract {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

std::string_view extension(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
}

bool looks_like_html(std::string_view head) {
  size_t i = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a UTF-8 byte order mark
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  head.remove_prefix(i);
  return starts_with_ci(head, "<!doctype html") || starts_with_ci(head, "<html");
}

}  // namespace

Format detect_format(std::string_view mime, std::string_view name, std::string_view head) {
  if (head.substr(0, 5) == "%PDF-") return Format::kPdf;
  if (head.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return Format::kOffice;
  std::string ext(extension(name));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::string_view kTextExtensions[] = {
      "txt", "md", "markdown", "csv", "tsv", "log", "json", "xml", "yaml", "yml", "ini", "rst"};
  const bool text_name = std::find(std::begin(kTextExtensions), std::end(kTextExtensions), ext) !=
                         std::end(kTextExtensions);
  // A file named as text is indexed as text even when its content sniffs as HTML (notes
  // that quote markup): its tags are words the user wrote.
  if (!text_name && (mime == "text/html" || mime == "application/xhtml+xml" || ext == "html" ||
                     ext == "htm" || looks_like_html(head))) {
    return Format::kHtml;
  }
  // Binary content never passes for text, whatever its name says.
  if (head.find('\0') != std::string_view::npos) return Format::kNone;
  if (mime.starts_with("text/") || mime == "application/json" || mime == "application/xml") {
    return Format::kPlain;
  }
  return text_name ? Format::kPlain : Format::kNone;
}

Result<std::string> extract_text(Format format, std::string_view bytes,
                                 const ExtractLimits& limits) {
  TextBuffer out(limits.max_text_bytes);
  switch (format) {
    case Format::kNone:
      break;
    case Format::kPlain:
      // Markdown and CSV are text: the index's tokenizer ignores their punctuation.
      out.append(bytes);
      break;
    case Format::kHtml:
      COFFER_RETURN_IF_ERROR(html_text(bytes, out));
      break;
    case Format::kPdf:
      COFFER_RETURN_IF_ERROR(pdf_text(bytes, limits, out));
      break;
    case Format::kOffice:
      COFFER_RETURN_IF_ERROR(office_text(bytes, limits, out));
      break;
  }
  return std::move(out).take();
}

}  // namespace coffer::extract
