#include "auth/audit_signer.h"

#include <cstdlib>

#include "core/hex.h"

namespace coffer::auth {
namespace {

template <size_t N>
bool from_hex(std::string_view hex, std::array<unsigned char, N>& out) {
  size_t len = 0;
  return hex.size() == N * 2 &&
         sodium_hex2bin(out.data(), N, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 &&
         len == N;
}

}  // namespace

AuditSigner::AuditSigner(const std::vector<unsigned char>& master_key) {
  static_assert(crypto_kdf_KEYBYTES == 32 && crypto_sign_SEEDBYTES == 32);
  if (sodium_init() < 0 || master_key.size() != crypto_kdf_KEYBYTES) std::abort();
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  crypto_kdf_derive_from_key(seed.data(), seed.size(), 1, "cofferAU", master_key.data());
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  crypto_sign_seed_keypair(public_key.data(), secret_key_.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  public_key_hex_ = to_hex(std::span<const uint8_t>(public_key));
}

AuditSigner::~AuditSigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

void AuditSigner::sign(AuditSeal& seal) const {
  const std::string message = audit_seal_message(seal);
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key_.data());
  seal.public_key = public_key_hex_;
  seal.signature = to_hex(std::span<const uint8_t>(signature));
}

bool AuditSigner::verify(const AuditSeal& seal, std::string_view public_key_hex) {
  if (sodium_init() < 0) return false;
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  const std::string message = audit_seal_message(seal);
  return seal.public_key == public_key_hex && !message.empty() &&
         from_hex(public_key_hex, public_key) && from_hex(seal.signature, signature) &&
         crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}

}  // namespace coffer::auth
