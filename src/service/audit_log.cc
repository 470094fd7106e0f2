#include "service/audit_log.h"

namespace coffer::service {

void AuditLog::record(const Principal* who, std::string action, std::string target,
                      std::string outcome, const RequestOrigin& origin, std::string detail) {
  AuditEvent event;
  event.at = now_micros();
  event.actor_id = who ? who->user_id : 0;
  event.action = std::move(action);
  event.target = std::move(target);
  event.outcome = std::move(outcome);
  event.ip = origin.ip;
  event.user_agent = origin.user_agent;
  event.request_id = origin.request_id;
  event.detail = std::move(detail);
  Status appended = accounts_.append_audit(event);
  if (appended.is_ok()) return;
  failures_.fetch_add(1, std::memory_order_relaxed);
  if (on_failure_) on_failure_(event, appended);
}

std::string credential_of(const Principal& who) {
  if (who.api_token_id != 0) return "api token " + std::to_string(who.api_token_id);
  if (who.s3_key_id != 0) return "s3 key " + std::to_string(who.s3_key_id);
  return "session " + std::to_string(who.session_id);
}

}  // namespace coffer::service
