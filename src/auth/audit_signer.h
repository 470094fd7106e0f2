#pragma once
// The key that seals the audit trail (core/audit_chain.h): an Ed25519 key pair derived from the
// server's master key (auth/key_file.h) for this one purpose, so every node of a cluster, which
// shares the master key, seals with the same key, and no further file needs copying. Anyone
// holding only the public key can check seals (`coffer audit verify --public-key`).

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <sodium.h>

#include "core/audit_chain.h"

namespace coffer::auth {

class AuditSigner {
 public:
  // Derives the key pair from `master_key` (32 bytes).
  explicit AuditSigner(const std::vector<unsigned char>& master_key);
  ~AuditSigner();
  AuditSigner(const AuditSigner&) = delete;
  AuditSigner& operator=(const AuditSigner&) = delete;

  // 64 lower-case hex digits.
  const std::string& public_key() const { return public_key_hex_; }

  // Sets the seal's public_key and signature over audit_seal_message(seal).
  void sign(AuditSeal& seal) const;

  // True when the seal's signature over its message verifies with `public_key_hex` and the
  // seal names that key.
  static bool verify(const AuditSeal& seal, std::string_view public_key_hex);

 private:
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key_{};
  std::string public_key_hex_;
};

}  // namespace coffer::auth
