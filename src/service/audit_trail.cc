#include "service/audit_trail.h"

#include <algorithm>

namespace coffer::service {

AuditTrail::AuditTrail(meta::AccountStore& accounts, const std::vector<unsigned char>& master_key,
                       SealListener on_seal)
    : accounts_(accounts), signer_(master_key), on_seal_(std::move(on_seal)) {}

AuditTrail::~AuditTrail() { stop(); }

Result<std::optional<AuditSeal>> AuditTrail::seal() {
  return accounts_.seal_audit(now_micros(), [this](AuditSeal& seal) { signer_.sign(seal); });
}

void AuditTrail::start(std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] { loop(interval); });
}

void AuditTrail::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  // What was appended since the last seal, up to shutdown, is covered too.
  report(seal());
}

void AuditTrail::loop(std::chrono::milliseconds interval) {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    report(seal());
    lock.lock();
  }
}

void AuditTrail::report(const Result<std::optional<AuditSeal>>& sealed) {
  if (!on_seal_) return;
  if (!sealed.is_ok()) {
    on_seal_(sealed.status());
  } else if (*sealed) {
    on_seal_(**sealed);
  }
}

Result<AuditVerification> AuditTrail::verify(std::vector<std::string> trusted_keys) {
  if (trusted_keys.empty()) trusted_keys.push_back(signer_.public_key());
  AuditChainVerifier verifier([&](const AuditSeal& seal) {
    return std::any_of(trusted_keys.begin(), trusted_keys.end(), [&](const std::string& key) {
      return auth::AuditSigner::verify(seal, key);
    });
  });
  COFFER_RETURN_IF_ERROR(accounts_.scan_audit_seals([&](const AuditSeal& seal) {
    verifier.add_seal(seal);
    return Status::ok();
  }));
  // Seals first, then the entries: a snapshot read later holds every entry a seal covers. A
  // break ends the walk early: the first broken entry is the answer.
  bool broken = false;
  Status walked = accounts_.scan_audit([&](const AuditEvent& e) {
    if (verifier.add(e)) return Status::ok();
    broken = true;
    return Status(Errc::kCorruption, "the audit chain is broken");
  });
  if (!walked.is_ok() && !broken) return walked;
  return verifier.finish();
}

}  // namespace coffer::service
