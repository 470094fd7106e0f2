#pragma once
// The bodies of WebDAV requests, from parsed XML to plain values (RFC 4918 §14): what a
// PROPFIND asks for, what a PROPPATCH changes, what a LOCK wants. An empty body means the
// default the RFC gives (PROPFIND: allprop; LOCK: a refresh). Errors: kInvalidArgument.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "dav/xml_document.h"

namespace coffer::dav {

struct PropertyName {
  std::string ns;
  std::string name;
  bool operator==(const PropertyName&) const = default;
  bool operator<(const PropertyName& other) const {
    return ns != other.ns ? ns < other.ns : name < other.name;
  }
};

struct PropfindRequest {
  enum class Kind { kAllProp, kPropName, kProp };
  Kind kind = Kind::kAllProp;
  std::vector<PropertyName> names;  // kProp: the properties asked for; kAllProp: `include`
};
Result<PropfindRequest> parse_propfind(std::string_view body);

struct PropertyUpdate {
  PropertyName name;
  bool remove = false;
  std::string xml;  // set: the property element, self-contained (serialize_xml)
};
// In document order: RFC 4918 §9.2 applies the instructions in order.
Result<std::vector<PropertyUpdate>> parse_proppatch(std::string_view body);

struct LockRequest {
  bool exclusive = true;
  std::string owner_xml;  // the <D:owner> element as given, self-contained; "" when none
};
Result<LockRequest> parse_lockinfo(std::string_view body);

}  // namespace coffer::dav
