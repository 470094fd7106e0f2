#pragma once
// The XML of WebDAV request bodies (PROPFIND, PROPPATCH, LOCK), parsed safely with expat into
// a small tree: namespaces resolved, no DTD (a document with a DOCTYPE is refused, so neither
// internal entity expansion nor external entities can happen), and limits on size, depth and
// the number of nodes. A malformed or refused document is kInvalidArgument, never a crash.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace coffer::dav {

inline constexpr std::string_view kDavNs = "DAV:";
// The namespace of the reserved prefix `xml` (xml:lang): always that prefix, never declared
// (Namespaces in XML §3).
inline constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";

struct XmlAttribute {
  std::string ns;  // namespace URI, "" for none (the usual case for attributes)
  std::string name;
  std::string value;
};

// An element, or a text node (name empty, text set) inside one.
struct XmlElement {
  std::string ns;    // namespace URI, "" for none
  std::string name;  // local name; empty for a text node
  std::string text;  // text nodes only
  std::vector<XmlAttribute> attributes;
  std::vector<XmlElement> children;  // elements and text nodes in document order

  bool is_text() const { return name.empty(); }
  bool is(std::string_view want_ns, std::string_view want_name) const {
    return !is_text() && ns == want_ns && name == want_name;
  }
  // The first child element `ns`:`name`, or null.
  const XmlElement* child(std::string_view want_ns, std::string_view want_name) const;
  // The child elements, without text nodes.
  std::vector<const XmlElement*> elements() const;
  // The text directly inside, concatenated, without leading and trailing white space.
  std::string inner_text() const;
};

struct XmlLimits {
  size_t max_bytes = 1 << 20;
  size_t max_depth = 64;
  size_t max_nodes = 20000;
};

// Errors: kInvalidArgument (not well-formed, a DOCTYPE, over a limit).
Result<XmlElement> parse_xml(std::string_view document, const XmlLimits& limits = {});

// `element` as self-contained XML: every namespace it and its descendants use is declared on
// it, so it can be written into any other document unchanged.
std::string serialize_xml(const XmlElement& element);

// Text and attribute values escaped for XML (&, <, >, ", ').
std::string xml_escape(std::string_view text);

}  // namespace coffer::dav
