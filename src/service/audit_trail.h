#pragma once
// The tamper-evident audit trail over the audit log (docs/archive.md): seals the chain's head
// with the server's Ed25519 audit key at intervals and at shutdown, and proves a chain read back
// (`coffer audit verify`). The chain itself is extended by every append
// (meta::AccountStore::append_audit); its rules are core/audit_chain.h's.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/audit_signer.h"
#include "core/audit_chain.h"
#include "core/status.h"
#include "meta/account_store.h"

namespace coffer::service {

class AuditTrail {
 public:
  // Told about each seal written, and each failure to write one (from the sealer thread too).
  using SealListener = std::function<void(const Result<AuditSeal>&)>;

  // How often a running trail seals the head, when it moved. The tail written since the last
  // seal is what an intruder with write access to the database could rewrite unnoticed.
  static constexpr std::chrono::seconds kSealInterval{60};

  // `accounts` must outlive the trail.
  AuditTrail(meta::AccountStore& accounts, const std::vector<unsigned char>& master_key,
             SealListener on_seal = {});
  // Stops the sealer (sealing once more) if it runs.
  ~AuditTrail();
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  // The public half of the audit key (hex), for verifiers who keep it elsewhere.
  const std::string& public_key() const { return signer_.public_key(); }

  // Seals the head now, unless it is sealed already. Returns the seal, or nullopt.
  Result<std::optional<AuditSeal>> seal();

  // Starts sealing every `interval` (only `serve` does); stop() ends it and seals once more.
  void start(std::chrono::milliseconds interval = kSealInterval);
  void stop();

  // Walks the whole chain and every seal. A seal counts when its signature verifies with one of
  // `trusted_keys` (hex Ed25519 public keys; this server's own when empty). Errors: the
  // database's; a broken chain is a result (AuditVerification::broken), not an error.
  Result<AuditVerification> verify(std::vector<std::string> trusted_keys = {});

 private:
  void loop(std::chrono::milliseconds interval);
  void report(const Result<std::optional<AuditSeal>>& sealed);

  meta::AccountStore& accounts_;
  auth::AuditSigner signer_;
  SealListener on_seal_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace coffer::service
