#include "dav/dav_requests.h"

namespace coffer::dav {
namespace {

Status invalid(std::string message) { return Status(Errc::kInvalidArgument, std::move(message)); }

}  // namespace

Result<PropfindRequest> parse_propfind(std::string_view body) {
  PropfindRequest request;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return request;
  auto root = parse_xml(body);
  COFFER_RETURN_IF_ERROR(root);
  if (!root->is(kDavNs, "propfind")) return invalid("the body is not a DAV:propfind element");
  bool chosen = false;
  for (const XmlElement* e : root->elements()) {
    if (e->is(kDavNs, "allprop")) {
      request.kind = PropfindRequest::Kind::kAllProp;
    } else if (e->is(kDavNs, "propname")) {
      request.kind = PropfindRequest::Kind::kPropName;
    } else if (e->is(kDavNs, "prop")) {
      request.kind = PropfindRequest::Kind::kProp;
      for (const XmlElement* p : e->elements()) request.names.push_back({p->ns, p->name});
    } else if (e->is(kDavNs, "include")) {
      for (const XmlElement* p : e->elements()) request.names.push_back({p->ns, p->name});
      continue;
    } else {
      continue;  // RFC 4918 §17: unknown elements are ignored
    }
    if (chosen) return invalid("propfind holds more than one of allprop, propname and prop");
    chosen = true;
  }
  if (!chosen) return invalid("propfind needs allprop, propname or prop");
  return request;
}

Result<std::vector<PropertyUpdate>> parse_proppatch(std::string_view body) {
  auto root = parse_xml(body);
  COFFER_RETURN_IF_ERROR(root);
  if (!root->is(kDavNs, "propertyupdate")) {
    return invalid("the body is not a DAV:propertyupdate element");
  }
  std::vector<PropertyUpdate> updates;
  for (const XmlElement* instruction : root->elements()) {
    const bool set = instruction->is(kDavNs, "set");
    if (!set && !instruction->is(kDavNs, "remove")) continue;
    const XmlElement* prop = instruction->child(kDavNs, "prop");
    if (prop == nullptr) return invalid("set and remove need a DAV:prop element");
    for (const XmlElement* p : prop->elements()) {
      PropertyUpdate update;
      update.name = {p->ns, p->name};
      update.remove = !set;
      if (set) update.xml = serialize_xml(*p);
      updates.push_back(std::move(update));
    }
  }
  if (updates.empty()) return invalid("propertyupdate changes no property");
  return updates;
}

Result<LockRequest> parse_lockinfo(std::string_view body) {
  auto root = parse_xml(body);
  COFFER_RETURN_IF_ERROR(root);
  if (!root->is(kDavNs, "lockinfo")) return invalid("the body is not a DAV:lockinfo element");
  LockRequest request;
  const XmlElement* scope = root->child(kDavNs, "lockscope");
  const XmlElement* type = root->child(kDavNs, "locktype");
  if (scope == nullptr || type == nullptr) return invalid("lockinfo needs lockscope and locktype");
  if (scope->child(kDavNs, "exclusive") != nullptr) {
    request.exclusive = true;
  } else if (scope->child(kDavNs, "shared") != nullptr) {
    request.exclusive = false;
  } else {
    return invalid("lockscope must be exclusive or shared");
  }
  if (type->child(kDavNs, "write") == nullptr) return invalid("locktype must be write");
  if (const XmlElement* owner = root->child(kDavNs, "owner")) {
    request.owner_xml = serialize_xml(*owner);
  }
  return request;
}

}  // namespace coffer::dav
