#include "api/audit_json.h"

#include "api/json_io.h"

namespace coffer::api {
namespace json = boost::json;

namespace {

json::value hash_or_null(const std::string& hash) {
  return hash.empty() ? json::value(nullptr) : json::value(hash);
}

}  // namespace

json::object audit_event_json(const AuditEvent& e) {
  return json::object{
      {"id", e.id},
      {"at", rfc3339(e.at)},
      {"actor_id", e.actor_id == 0 ? json::value(nullptr) : json::value(e.actor_id)},
      {"action", e.action},
      {"target", e.target},
      {"outcome", e.outcome},
      {"ip", e.ip},
      {"user_agent", e.user_agent},
      {"request_id", e.request_id},
      {"detail", e.detail}};
}

std::string audit_export_line(const AuditEvent& e) {
  json::object line = audit_event_json(e);
  line["at_us"] = e.at;
  line["prev_hash"] = hash_or_null(e.prev_hash);
  line["entry_hash"] = hash_or_null(e.entry_hash);
  return json::serialize(line);
}

}  // namespace coffer::api
