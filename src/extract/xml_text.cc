// XML parts of office documents through libxml2's streaming reader: no tree is built, no
// network is touched, external entities and DTDs are never loaded, and libxml2's own limits
// on entity expansion and depth stay on (no XML_PARSE_HUGE).

#include <libxml/xmlreader.h>

#include <algorithm>
#include <memory>

#include "extract/formats.h"

namespace coffer::extract {
namespace {

bool listed(std::initializer_list<std::string_view> names, const xmlChar* name) {
  if (name == nullptr) return false;
  const std::string_view n(reinterpret_cast<const char*>(name));
  return std::find(names.begin(), names.end(), n) != names.end();
}

}  // namespace

Status xml_text(std::string_view xml, const XmlTextRules& rules, TextBuffer& out) {
  if (xml.size() > static_cast<size_t>(INT32_MAX)) {
    return Status(Errc::kInvalidArgument, "an XML part is too large");
  }
  std::unique_ptr<xmlTextReader, decltype(&xmlFreeTextReader)> reader(
      xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      &xmlFreeTextReader);
  if (!reader) return Status(Errc::kInvalidArgument, "an XML part cannot be read");
  const bool all_text = rules.text_elements.size() == 0;
  int inside = 0;  // depth of open text elements
  int rc = 0;
  while (!out.full() && (rc = xmlTextReaderRead(reader.get())) == 1) {
    const int type = xmlTextReaderNodeType(reader.get());
    const xmlChar* name = xmlTextReaderConstLocalName(reader.get());
    switch (type) {
      case XML_READER_TYPE_ELEMENT:
        if (listed(rules.blank_elements, name)) out.space();
        if (!all_text && listed(rules.text_elements, name) &&
            !xmlTextReaderIsEmptyElement(reader.get())) {
          ++inside;
        }
        break;
      case XML_READER_TYPE_END_ELEMENT:
        if (!all_text && listed(rules.text_elements, name) && inside > 0) --inside;
        if (listed(rules.line_elements, name)) out.newline();
        break;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        if (all_text || inside > 0) {
          const xmlChar* value = xmlTextReaderConstValue(reader.get());
          if (value != nullptr) out.append(reinterpret_cast<const char*>(value));
        }
        break;
      default:
        break;
    }
  }
  if (rc < 0) {
    // A truncated or malformed part: keep what was read before the damage, if anything.
    if (out.full()) return Status::ok();
    return Status(Errc::kInvalidArgument, "an XML part is malformed");
  }
  return Status::ok();
}

}  // namespace coffer::extract
