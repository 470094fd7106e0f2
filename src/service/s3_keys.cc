#include "service/s3_keys.h"

#include <sodium.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/base64.h"

namespace coffer::service {
namespace {

constexpr std::string_view kAccessKeyPrefix = "CK";
constexpr size_t kAccessKeyLength = 20;
constexpr size_t kSecretBytes = 30;  // 40 characters of base64
constexpr char kAccessKeyAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
// An id drawn twice is refused by the table's unique index; with 93 random bits a second
// collision in a row means something else is wrong.
constexpr int kCreateAttempts = 3;

Status unknown_key() { return Status(Errc::kNotFound, "no such S3 access key"); }

std::string key_target(int64_t id) { return "s3_key:" + std::to_string(id); }

}  // namespace

std::string new_s3_access_key_id() {
  std::string id(kAccessKeyPrefix);
  while (id.size() < kAccessKeyLength) {
    id += kAccessKeyAlphabet[randombytes_uniform(sizeof kAccessKeyAlphabet - 1)];
  }
  return id;
}

std::string new_s3_secret_access_key() {
  unsigned char raw[kSecretBytes];
  randombytes_buf(raw, sizeof raw);
  std::string encoded = base64_encode(raw, Base64::kStandard);
  sodium_memzero(raw, sizeof raw);
  return encoded;
}

bool is_s3_access_key_id(std::string_view id) {
  if (id.size() != kAccessKeyLength || !id.starts_with(kAccessKeyPrefix)) return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

S3Keys::S3Keys(meta::S3KeyStore& store, AuthService& auth, auth::SecretBox box)
    : store_(store), auth_(auth), cache_(auth.credential_cache()), box_(std::move(box)) {}

Result<CreatedS3Key> S3Keys::create(const Principal& who, std::string_view name, uint32_t scopes,
                                    const RequestOrigin& origin) {
  if (scopes == 0) scopes = kDefaultScopes;
  COFFER_RETURN_IF_ERROR(validate_credential_name(name));
  COFFER_RETURN_IF_ERROR(check_credential_scopes(who, scopes));
  std::string secret = new_s3_secret_access_key();
  const std::string sealed = box_.seal(std::vector<unsigned char>(secret.begin(), secret.end()));
  Result<S3Key> key = Status(Errc::kInternal, "no S3 access key made");
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    key = store_.create_s3_key(who.user_id, std::string(name), scopes, new_s3_access_key_id(),
                               sealed, now_micros(), kMaxActiveKeys);
    if (key.is_ok() || key.status().code() != Errc::kAlreadyExists) break;
  }
  COFFER_RETURN_IF_ERROR(key);
  auth_.audit(&who, "auth.s3_key_create", key_target(key->id), "success", origin,
              "access key " + key->access_key_id + ", scopes: " + scopes_text(scopes));
  return CreatedS3Key{std::move(*key), std::move(secret)};
}

Result<std::vector<S3Key>> S3Keys::list(const Principal& who) {
  return store_.list_s3_keys(who.user_id);
}

Status S3Keys::revoke(const Principal& who, int64_t key_id, const RequestOrigin& origin) {
  Status revoked = store_.revoke_s3_key(who.user_id, key_id, now_micros());
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(revoked);
  auth_.audit(&who, "auth.s3_key_revoke", key_target(key_id), "success", origin);
  return Status::ok();
}

Result<S3Credential> S3Keys::authenticate(std::string_view access_key_id) {
  if (!is_s3_access_key_id(access_key_id)) return unknown_key();
  // Read before the database, as AuthService does: a revocation committed after this read
  // makes the entry built below unusable.
  const uint64_t generation = cache_.generation();
  const std::string cache_key = "k:" + std::string(access_key_id);
  auto to_credential = [](CachedIdentity identity) {
    const int64_t key_id = identity.principal.s3_key_id;
    return S3Credential{key_id, std::move(identity.secret), std::move(identity.principal)};
  };
  if (auto hit = cache_.find(cache_key)) return to_credential(std::move(*hit));
  auto found = store_.use_s3_key(std::string(access_key_id), now_micros());
  if (!found.is_ok()) {
    if (found.status().code() == Errc::kNotFound) return unknown_key();
    return found.status();
  }
  if (found->user.status != UserStatus::kActive) return unknown_key();
  auto role_scopes = auth_.scopes_now(found->user);
  COFFER_RETURN_IF_ERROR(role_scopes);
  auto secret = box_.open(found->sealed_secret);
  COFFER_RETURN_IF_ERROR(secret);
  Principal principal{found->user.id, found->user.role, found->key.scopes & *role_scopes, 0, 0,
                      found->key.id};
  CachedIdentity identity{std::move(principal), found->user.username,
                          std::string(secret->begin(), secret->end())};
  sodium_memzero(secret->data(), secret->size());
  cache_.put(cache_key, identity, generation);
  return to_credential(std::move(identity));
}

}  // namespace coffer::service
