#include "dav/xml_document.h"

#include <expat.h>

#include <map>
#include <memory>

#include "dav/xml_writer.h"

namespace coffer::dav {
namespace {

// Expat reports a namespaced name as "URI<sep>local"; the separator cannot occur in a URI.
constexpr char kSeparator = '\x01';

void split_name(const XML_Char* full, std::string& ns, std::string& name) {
  std::string_view s(full);
  const size_t sep = s.find(kSeparator);
  if (sep == std::string_view::npos) {
    ns.clear();
    name = s;
  } else {
    ns = s.substr(0, sep);
    name = s.substr(sep + 1);
  }
}

class TreeBuilder {
 public:
  TreeBuilder(XML_Parser parser, const XmlLimits& limits) : parser_(parser), limits_(limits) {}

  static void on_start(void* user, const XML_Char* name, const XML_Char** attributes) {
    auto* self = static_cast<TreeBuilder*>(user);
    if (!self->refusal_.empty()) return;
    if (self->stack_.size() >= self->limits_.max_depth) return self->refuse("nested too deeply");
    if (!self->count_node()) return;
    XmlElement element;
    split_name(name, element.ns, element.name);
    for (size_t i = 0; attributes[i] != nullptr; i += 2) {
      XmlAttribute attribute;
      split_name(attributes[i], attribute.ns, attribute.name);
      attribute.value = attributes[i + 1];
      element.attributes.push_back(std::move(attribute));
    }
    if (self->stack_.empty()) {
      self->root_ = std::move(element);
      self->stack_.push_back(&self->root_);
    } else {
      auto& children = self->stack_.back()->children;
      children.push_back(std::move(element));
      self->stack_.push_back(&children.back());
    }
  }

  static void on_end(void* user, const XML_Char*) {
    auto* self = static_cast<TreeBuilder*>(user);
    if (self->refusal_.empty() && !self->stack_.empty()) self->stack_.pop_back();
  }

  static void on_text(void* user, const XML_Char* text, int length) {
    auto* self = static_cast<TreeBuilder*>(user);
    if (!self->refusal_.empty() || self->stack_.empty()) return;
    auto& children = self->stack_.back()->children;
    if (children.empty() || !children.back().is_text()) {
      if (!self->count_node()) return;
      children.emplace_back();
    }
    children.back().text.append(text, static_cast<size_t>(length));
  }

  // A DTD could define entities that expand without bound or name external files: refuse it.
  static void on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<TreeBuilder*>(user)->refuse("a DOCTYPE is not allowed");
  }
  static void on_entity(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                        const XML_Char*, const XML_Char*, const XML_Char*) {
    static_cast<TreeBuilder*>(user)->refuse("entity declarations are not allowed");
  }

  const std::string& refusal() const { return refusal_; }
  XmlElement take_root() { return std::move(root_); }

 private:
  bool count_node() {
    if (++nodes_ <= limits_.max_nodes) return true;
    refuse("too many XML nodes");
    return false;
  }
  void refuse(std::string why) {
    if (refusal_.empty()) refusal_ = std::move(why);
    XML_StopParser(parser_, XML_FALSE);
  }

  XML_Parser parser_;
  const XmlLimits& limits_;
  XmlElement root_;
  std::vector<XmlElement*> stack_;  // elements live in their parent's vector, which only the
                                    // innermost open element appends to, so pointers stay valid
  size_t nodes_ = 0;
  std::string refusal_;
};

void append_escaped(std::string& out, std::string_view text) { append_xml_escaped(out, text); }

class Serializer {
 public:
  std::string run(const XmlElement& root) {
    std::string body;
    write(root, body, true);
    return body;
  }

 private:
  // Prefixes are assigned per document; all declarations go on the root element.
  const std::string& prefix_for(const std::string& ns) {
    static const std::string xml_prefix = "xml";
    if (ns == kXmlNs) return xml_prefix;
    auto [it, added] = prefixes_.try_emplace(ns, "");
    if (added) it->second = "ns" + std::to_string(prefixes_.size() - 1);
    return it->second;
  }

  std::string qualified(const std::string& ns, const std::string& name) {
    if (ns.empty()) return name;
    return prefix_for(ns) + ":" + name;
  }

  void write(const XmlElement& element, std::string& out, bool root) {
    if (element.is_text()) {
      append_escaped(out, element.text);
      return;
    }
    const std::string tag = qualified(element.ns, element.name);
    out += '<';
    out += tag;
    const size_t declarations_at = out.size();
    for (const auto& attribute : element.attributes) {
      out += ' ';
      out += qualified(attribute.ns, attribute.name);
      out += "=\"";
      append_escaped(out, attribute.value);
      out += '"';
    }
    std::string inner;
    for (const auto& child : element.children) write(child, inner, false);
    if (root) {
      std::string declarations;
      for (const auto& [ns, prefix] : prefixes_) {
        declarations += " xmlns:" + prefix + "=\"";
        append_escaped(declarations, ns);
        declarations += '"';
      }
      out.insert(declarations_at, declarations);
    }
    if (inner.empty()) {
      out += "/>";
      return;
    }
    out += '>';
    out += inner;
    out += "</";
    out += tag;
    out += '>';
  }

  std::map<std::string, std::string> prefixes_;
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view want_ns, std::string_view want_name) const {
  for (const auto& c : children) {
    if (c.is(want_ns, want_name)) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::elements() const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children) {
    if (!c.is_text()) out.push_back(&c);
  }
  return out;
}

std::string XmlElement::inner_text() const {
  std::string out;
  for (const auto& c : children) {
    if (c.is_text()) out += c.text;
  }
  const size_t first = out.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const size_t last = out.find_last_not_of(" \t\r\n");
  return out.substr(first, last - first + 1);
}

Result<XmlElement> parse_xml(std::string_view document, const XmlLimits& limits) {
  if (document.size() > limits.max_bytes) {
    return Status(Errc::kInvalidArgument, "the XML body is too large");
  }
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(
      XML_ParserCreateNS(nullptr, kSeparator), &XML_ParserFree);
  if (!parser) return Status(Errc::kInternal, "cannot create an XML parser");
  TreeBuilder builder(parser.get(), limits);
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), &TreeBuilder::on_start, &TreeBuilder::on_end);
  XML_SetCharacterDataHandler(parser.get(), &TreeBuilder::on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), &TreeBuilder::on_doctype);
  XML_SetEntityDeclHandler(parser.get(), &TreeBuilder::on_entity);
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  const auto status =
      XML_Parse(parser.get(), document.data(), static_cast<int>(document.size()), XML_TRUE);
  if (!builder.refusal().empty()) {
    return Status(Errc::kInvalidArgument, "XML body refused: " + builder.refusal());
  }
  if (status != XML_STATUS_OK) {
    return Status(Errc::kInvalidArgument, std::string("malformed XML body: ") +
                                              XML_ErrorString(XML_GetErrorCode(parser.get())));
  }
  return builder.take_root();
}

std::string serialize_xml(const XmlElement& element) { return Serializer().run(element); }

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

}  // namespace coffer::dav
