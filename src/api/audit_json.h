#pragma once
// Audit entries as JSON: the API's listing (GET /api/v1/audit) and the export of the
// tamper-evident trail (`coffer audit export`, JSON Lines), which adds what a verifier needs to
// recompute every hash (core/audit_chain.h): the time in microseconds and both hashes.

#include <boost/json.hpp>
#include <string>

#include "core/account.h"

namespace coffer::api {

boost::json::object audit_event_json(const AuditEvent& event);

// One line of the export, without its newline.
std::string audit_export_line(const AuditEvent& event);

}  // namespace coffer::api
