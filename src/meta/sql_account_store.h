#pragma once
// The AccountStore over any Database dialect (docs/schema.md, tables of migration 2).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/account_store.h"
#include "meta/database.h"

namespace coffer::meta {

class SqlAccountStore final : public AccountStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlAccountStore(Database& db) : db_(db) {}

  Result<Session> create_session(int64_t user_id, const std::string& refresh_hash,
                                 const RequestOrigin& origin, Micros now, Micros expires) override;
  Result<RefreshResult> rotate_refresh(const std::string& presented_hash,
                                       const std::string& next_hash, const RequestOrigin& origin,
                                       Micros now, Micros expires,
                                       Micros lost_response_since) override;
  Result<User> session_user(int64_t session_id, Micros now) override;
  Result<std::vector<Session>> list_sessions(int64_t user_id, Micros now) override;
  Status revoke_session(int64_t user_id, int64_t session_id, Micros now) override;
  Result<int64_t> revoke_sessions(int64_t user_id, int64_t keep_session_id, Micros now) override;
  Status change_password(int64_t user_id, const std::string& password_hash, int64_t keep_session_id,
                         bool revoke_api_tokens, Micros now) override;

  Result<ApiToken> create_api_token(int64_t user_id, const std::string& name, uint32_t scopes,
                                    const std::string& token_hash, std::optional<Micros> expires,
                                    Micros now) override;
  Result<std::vector<ApiToken>> list_api_tokens(int64_t user_id, Micros now) override;
  Status revoke_api_token(int64_t user_id, int64_t token_id, Micros now) override;
  Result<std::pair<ApiToken, User>> use_api_token(const std::string& token_hash,
                                                  Micros now) override;

  Result<std::vector<ThrottleState>> throttle_states(const std::vector<std::string>& keys) override;
  Status update_throttle(const std::string& key,
                         const std::function<ThrottleState(const ThrottleState&)>& update) override;
  Status clear_throttle(const std::string& key) override;

  Status begin_totp(int64_t user_id, const std::string& secret_box, Micros now) override;
  Result<std::optional<TotpRecord>> totp(int64_t user_id) override;
  Status confirm_totp(int64_t user_id, int64_t step,
                      const std::vector<std::string>& recovery_hashes, Micros now) override;
  Result<bool> use_totp_step(int64_t user_id, int64_t step) override;
  Result<bool> use_recovery_code(int64_t user_id, const std::string& code_hash,
                                 Micros now) override;
  Status remove_totp(int64_t user_id) override;

  Result<std::vector<User>> list_users(const UserQuery& query) override;
  Result<User> update_user(int64_t user_id, const UserChanges& changes, Micros now) override;

  Status create_password_reset(int64_t user_id, int64_t created_by, const std::string& token_hash,
                               Micros now, Micros expires) override;
  Result<int64_t> redeem_password_reset(const std::string& token_hash,
                                        const std::string& password_hash, Micros now) override;

  Result<std::vector<TokenKeyGeneration>> token_key_generations(Micros now) override;
  Result<std::vector<TokenKeyGeneration>> rotate_token_key(int64_t current, Micros now) override;
  Result<std::optional<std::string>> setting(const std::string& name) override;
  Status set_setting(const std::string& name, const std::string& value) override;

  Status create_invite(const std::string& token_hash, int64_t created_by, Micros now,
                       Micros expires) override;
  Result<bool> claim_invite(const std::string& token_hash, Micros now) override;
  Status release_invite(const std::string& token_hash) override;
  Status bind_invite(const std::string& token_hash, int64_t user_id) override;

  Status create_login_flow(const std::string& poll_hash, const std::string& login_hash,
                           const std::string& client_name, Micros now, Micros expires) override;
  Result<LoginFlow> login_flow(const std::string& login_hash, Micros now) override;
  Status grant_login_flow(const std::string& login_hash, int64_t user_id, Micros now) override;
  Result<LoginFlow> take_login_flow(const std::string& poll_hash, Micros now) override;
  Result<Group> create_group(const std::string& name, Micros now) override;
  Result<std::vector<Group>> list_groups() override;
  Result<Group> get_group(int64_t group_id) override;
  Status delete_group(int64_t group_id) override;
  Status add_group_member(int64_t group_id, int64_t user_id) override;
  Status remove_group_member(int64_t group_id, int64_t user_id) override;

  Status append_audit(const AuditEvent& event) override;
  Result<std::vector<AuditEvent>> list_audit(const AuditQuery& query) override;
  Status scan_audit(const std::function<Status(const AuditEvent&)>& fn) override;
  Result<std::optional<AuditSeal>> seal_audit(Micros now,
                                              const std::function<void(AuditSeal&)>& sign) override;
  Status scan_audit_seals(const std::function<Status(const AuditSeal&)>& fn) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
