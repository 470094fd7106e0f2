// HTML through libxml2's forgiving HTML parser: it decodes entities and character sets and
// recovers from broken markup; we keep the text nodes outside scripts, styles and templates.

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>
#include <vector>

#include "extract/formats.h"

namespace coffer::extract {
namespace {

bool is_hidden(const xmlNode* node) {
  static constexpr const char* kHidden[] = {"script", "style", "noscript", "template"};
  for (const char* name : kHidden) {
    if (xmlStrcasecmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0) return true;
  }
  return false;
}

bool is_inline(const xmlNode* node) {
  static constexpr const char* kInline[] = {"a",     "b",   "i",   "em",   "strong", "span", "code",
                                            "small", "sub", "sup", "mark", "abbr",   "u",    "s"};
  for (const char* name : kInline) {
    if (xmlStrcasecmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0) return true;
  }
  return false;
}

// Depth first without recursion (hostile markup may nest deeply): `open` holds the elements
// being walked, whose next sibling follows once their children are done.
void collect(xmlNode* first, TextBuffer& out) {
  std::vector<xmlNode*> open;
  xmlNode* node = first;
  while (!out.full()) {
    if (node == nullptr) {
      if (open.empty()) break;
      node = open.back();
      open.pop_back();
      if (!is_inline(node)) out.newline();
      node = node->next;
      continue;
    }
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content != nullptr) out.append(reinterpret_cast<const char*>(node->content));
    } else if (node->type == XML_ELEMENT_NODE && !is_hidden(node)) {
      if (!is_inline(node)) out.newline();
      if (node->children != nullptr) {
        open.push_back(node);
        node = node->children;
        continue;
      }
    }
    node = node->next;
  }
}

}  // namespace

Status html_text(std::string_view bytes, TextBuffer& out) {
  if (bytes.empty()) return Status::ok();
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return Status(Errc::kInvalidArgument, "the HTML document is too large");
  }
  // Without a declared charset libxml2 would assume Latin-1; documents today are UTF-8.
  const bool declares_charset = bytes.substr(0, 4096).find("charset") != std::string_view::npos ||
                                bytes.substr(0, 4096).find("CHARSET") != std::string_view::npos;
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      htmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr,
                     declares_charset ? nullptr : "UTF-8",
                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                         HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED),
      &xmlFreeDoc);
  if (!doc) return Status(Errc::kInvalidArgument, "the HTML document cannot be parsed");
  collect(doc->children, out);
  return Status::ok();
}

}  // namespace coffer::extract
