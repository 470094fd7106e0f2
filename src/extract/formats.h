#pragma once
// The extractors behind extract_text (text_extractor.h), one file each. Each appends to `out`
// and stops early once it is full.

#include <string_view>

#include "core/status.h"
#include "extract/text_buffer.h"
#include "extract/text_extractor.h"

namespace coffer::extract {

Status html_text(std::string_view bytes, TextBuffer& out);
Status pdf_text(std::string_view bytes, const ExtractLimits& limits, TextBuffer& out);
Status office_text(std::string_view bytes, const ExtractLimits& limits, TextBuffer& out);

// The text of an XML document (office_text's parts): what `rules` selects.
struct XmlTextRules {
  // Only text inside elements of these local names counts; every text counts when empty.
  std::initializer_list<std::string_view> text_elements;
  // Elements whose end is a line break (paragraphs, rows, shared strings).
  std::initializer_list<std::string_view> line_elements;
  // Empty elements that stand for a blank (tabs, line breaks, ODF's text:s).
  std::initializer_list<std::string_view> blank_elements;
};
Status xml_text(std::string_view xml, const XmlTextRules& rules, TextBuffer& out);

}  // namespace coffer::extract
