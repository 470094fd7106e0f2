#pragma once
// The access keys of the S3-compatible API (table s3_keys, docs/schema.md). A key's secret must
// be handed back to the signature check, so it is stored sealed (auth::SecretBox), never in the
// clear and never hashed; the store keeps what it is given and opens nothing.
//
// Every operation is one transaction.

#include <cstdint>
#include <string>
#include <vector>

#include "core/account.h"
#include "core/model.h"
#include "core/status.h"

namespace coffer::meta {

// A live key as the signature check needs it: the key, its sealed secret and its owner.
struct S3KeyUse {
  S3Key key;
  std::string sealed_secret;
  User user;
};

class S3KeyStore {
 public:
  virtual ~S3KeyStore() = default;

  // Stores a new key unless the user already holds `max_active` live ones, both in one
  // transaction (so concurrent creations never pass the limit). Errors: kLimitExceeded,
  // kAlreadyExists (the access key id is taken: draw another).
  virtual Result<S3Key> create_s3_key(int64_t user_id, const std::string& name, uint32_t scopes,
                                      const std::string& access_key_id,
                                      const std::string& sealed_secret, Micros now,
                                      size_t max_active) = 0;
  // The user's live keys, oldest first.
  virtual Result<std::vector<S3Key>> list_s3_keys(int64_t user_id) = 0;
  // Errors: kNotFound (no live key of that user with that id).
  virtual Status revoke_s3_key(int64_t user_id, int64_t key_id, Micros now) = 0;
  // The live key with this access key id, and its user whatever the user's status; records
  // the use (at most once per kCredentialUseResolution). Errors: kNotFound (unknown or
  // revoked).
  virtual Result<S3KeyUse> use_s3_key(const std::string& access_key_id, Micros now) = 0;
};

}  // namespace coffer::meta
