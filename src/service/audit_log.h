#pragma once
// Records audit events (who did what to what, from where) in the audit log, whose chain
// service::AuditTrail seals.
//
// The rule for a failure to record: the event describes something that has happened or has
// been decided (a change committed, a sign-in refused), so a failure to record it never
// undoes it nor changes the answer the client gets; a client told "failed" after the change
// committed would retry what is already done. It is never silent either: every failure goes
// to the listener (the server logs it at error level and counts it in
// coffer_audit_failures_total) so that an operator sees a gap in the trail when it opens.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "core/account.h"
#include "core/status.h"
#include "meta/account_store.h"

namespace coffer::service {

class AuditLog {
 public:
  // Told of each event that could not be recorded, with the reason. Called on the
  // recording thread; must be thread-safe.
  using FailureListener = std::function<void(const AuditEvent& event, const Status& why)>;

  // `accounts` must outlive the log.
  explicit AuditLog(meta::AccountStore& accounts) : accounts_(accounts) {}
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Set before serving.
  void set_failure_listener(FailureListener listener) { on_failure_ = std::move(listener); }

  // Records an event by `who` (null: nobody signed in). A failure goes to the listener.
  void record(const Principal* who, std::string action, std::string target, std::string outcome,
              const RequestOrigin& origin, std::string detail = {});

  // Events that could not be recorded since the start.
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  meta::AccountStore& accounts_;
  FailureListener on_failure_;
  std::atomic<uint64_t> failures_{0};
};

// How an audit event names the credential that acted: "api token 7", "s3 key 3",
// "session 12".
std::string credential_of(const Principal& who);

}  // namespace coffer::service
