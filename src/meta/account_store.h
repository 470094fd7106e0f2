#pragma once
// The metadata of accounts beyond the user row: sessions and their refresh tokens, personal
// API tokens, sign-in throttling and the audit log (docs/schema.md). Secrets are never stored:
// callers pass the SHA-256 hex of each random token, and look tokens up by that hash.
//
// Every operation is one transaction, so a decision and its consequence (a refresh token
// rotated, a reused one revoking its family) happen together or not at all, on every node.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/account.h"
#include "core/audit_chain.h"
#include "core/model.h"
#include "core/status.h"

namespace coffer::meta {

// What happened to a presented refresh token.
enum class RefreshOutcome {
  kRotated,  // it was current: it is now spent and the new one is current
  kReused,   // it was already spent: the whole session (token family) is now revoked
  kInvalid,  // unknown, or its session is revoked or expired
};

struct RefreshResult {
  RefreshOutcome outcome = RefreshOutcome::kInvalid;
  Session session;  // set for kRotated and kReused
};

// Failed sign-ins counted under one key ("user:<name>", "ip:<address>").
struct ThrottleState {
  int64_t failures = 0;
  Micros last_failure = 0;
  Micros blocked_until = 0;
};

struct AuditQuery {
  std::optional<int64_t> actor_id;
  std::optional<std::string> action;
  std::optional<int64_t> before_id;  // keyset pagination: events older than this id
  std::optional<int64_t> after_id;   // events newer than this id
  bool oldest_first = false;         // order by id ascending (exports) rather than descending
  uint32_t limit = 100;
};

struct TotpRecord {
  std::string secret_box;  // the sealed seed (auth::SecretBox)
  bool confirmed = false;
  int64_t last_step = 0;  // the last time step a code was accepted for (replay guard)
};

struct UserQuery {
  std::optional<Role> role;
  std::optional<UserStatus> status;
  std::optional<std::string> name_prefix;
  int64_t after_id = 0;  // keyset pagination by id
  uint32_t limit = 100;
};

struct UserChanges {
  std::optional<Role> role;
  std::optional<UserStatus> status;
  std::optional<std::optional<int64_t>> quota_bytes;  // set, or clear with nullopt inside
};

struct Group {
  int64_t id = 0;
  std::string name;
  Micros created = 0;
  std::vector<int64_t> member_ids;
};

// A sign-in of a sync client through the browser (Nextcloud Login Flow v2), pending until a
// user grants it.
struct LoginFlow {
  std::string client_name;
  int64_t user_id = 0;  // 0 until granted
  Micros expires = 0;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Sessions. create_session stores the session and its first refresh token.
  virtual Result<Session> create_session(int64_t user_id, const std::string& refresh_hash,
                                         const RequestOrigin& origin, Micros now,
                                         Micros expires) = 0;
  // Spends `presented_hash` and makes `next_hash` current, extending the session to
  // `expires`; a spent token revokes its session instead (RFC 9700 §4.14.2). Except the one
  // case of a lost response: the newest spent token of its session, spent at or after
  // `lost_response_since` and presented by the client that spent it (the same address, by
  // IPv6 /64, and user agent), rotates once more; its unused successor is superseded, and
  // presenting a superseded token is a reuse like any other.
  virtual Result<RefreshResult> rotate_refresh(const std::string& presented_hash,
                                               const std::string& next_hash,
                                               const RequestOrigin& origin, Micros now,
                                               Micros expires, Micros lost_response_since) = 0;
  // The user of a live (not revoked, not expired) session. Errors: kNotFound.
  virtual Result<User> session_user(int64_t session_id, Micros now) = 0;
  virtual Result<std::vector<Session>> list_sessions(int64_t user_id, Micros now) = 0;
  // Errors: kNotFound (no live session of that user).
  virtual Status revoke_session(int64_t user_id, int64_t session_id, Micros now) = 0;
  // Revokes every live session of the user except `keep_session_id`; returns how many.
  virtual Result<int64_t> revoke_sessions(int64_t user_id, int64_t keep_session_id, Micros now) = 0;
  // Sets the password hash and revokes every other session, in one transaction.
  // With `revoke_api_tokens`, also revokes every API token and S3 access key of the user.
  virtual Status change_password(int64_t user_id, const std::string& password_hash,
                                 int64_t keep_session_id, bool revoke_api_tokens, Micros now) = 0;

  // Personal API tokens.
  virtual Result<ApiToken> create_api_token(int64_t user_id, const std::string& name,
                                            uint32_t scopes, const std::string& token_hash,
                                            std::optional<Micros> expires, Micros now) = 0;
  virtual Result<std::vector<ApiToken>> list_api_tokens(int64_t user_id, Micros now) = 0;
  // Errors: kNotFound.
  virtual Status revoke_api_token(int64_t user_id, int64_t token_id, Micros now) = 0;
  // The live token with this hash and its user; records the use (at most once a minute).
  // Errors: kNotFound (unknown, revoked or expired).
  virtual Result<std::pair<ApiToken, User>> use_api_token(const std::string& token_hash,
                                                          Micros now) = 0;

  // Sign-in throttling. Reads the state under each key (absent keys read as zero).
  virtual Result<std::vector<ThrottleState>> throttle_states(
      const std::vector<std::string>& keys) = 0;
  // Replaces the state under `key` with update(current) in one write transaction.
  virtual Status update_throttle(
      const std::string& key, const std::function<ThrottleState(const ThrottleState&)>& update) = 0;
  virtual Status clear_throttle(const std::string& key) = 0;

  // Second factor. begin_totp stores an unconfirmed seed (replacing an unconfirmed one).
  // Errors: kConflict (a confirmed one exists).
  virtual Status begin_totp(int64_t user_id, const std::string& secret_box, Micros now) = 0;
  virtual Result<std::optional<TotpRecord>> totp(int64_t user_id) = 0;
  // Confirms the seed at `step` and replaces the recovery codes. Errors: kNotFound, kConflict.
  virtual Status confirm_totp(int64_t user_id, int64_t step,
                              const std::vector<std::string>& recovery_hashes, Micros now) = 0;
  // Records that a code for `step` was used; false when that step (or a later one) already
  // was, so a code works once across every node.
  virtual Result<bool> use_totp_step(int64_t user_id, int64_t step) = 0;
  // Spends an unused recovery code; false when there is none with that hash.
  virtual Result<bool> use_recovery_code(int64_t user_id, const std::string& code_hash,
                                         Micros now) = 0;
  virtual Status remove_totp(int64_t user_id) = 0;

  // Administration of users.
  virtual Result<std::vector<User>> list_users(const UserQuery& query) = 0;
  // Applies the changes; a status other than active also ends every session of the user.
  // Errors: kNotFound.
  virtual Result<User> update_user(int64_t user_id, const UserChanges& changes, Micros now) = 0;

  // One-time password-reset links, stored hashed.
  virtual Status create_password_reset(int64_t user_id, int64_t created_by,
                                       const std::string& token_hash, Micros now,
                                       Micros expires) = 0;
  // Spends a live reset token and sets the password, ending every session, in one
  // transaction, and revokes every API token and S3 access key. Returns the user id.
  // Errors: kNotFound (unknown, used or expired).
  virtual Result<int64_t> redeem_password_reset(const std::string& token_hash,
                                                const std::string& password_hash, Micros now) = 0;

  // Access-token key generations, oldest first. On a database with none, generation 1 begins
  // at `now`.
  virtual Result<std::vector<TokenKeyGeneration>> token_key_generations(Micros now) = 0;
  // Retires generation `current` and begins the next, in one transaction, unless `current` is
  // no longer the newest (another node rotated first: nothing changes). Returns the
  // generations after it.
  virtual Result<std::vector<TokenKeyGeneration>> rotate_token_key(int64_t current, Micros now) = 0;

  // Server settings (name -> value).
  virtual Result<std::optional<std::string>> setting(const std::string& name) = 0;
  virtual Status set_setting(const std::string& name, const std::string& value) = 0;

  // Registration invites: single use, with an expiry. claim_invite marks a live invite used
  // (false when it is unknown, used or expired); release_invite undoes a claim whose
  // registration failed; bind_invite records who used it.
  virtual Status create_invite(const std::string& token_hash, int64_t created_by, Micros now,
                               Micros expires) = 0;
  virtual Result<bool> claim_invite(const std::string& token_hash, Micros now) = 0;
  virtual Status release_invite(const std::string& token_hash) = 0;
  virtual Status bind_invite(const std::string& token_hash, int64_t user_id) = 0;

  // Login flows, keyed by the hashes of their two tokens: the poll token (the client's) and
  // the login token (in the browser's URL). create_login_flow also deletes expired flows.
  virtual Status create_login_flow(const std::string& poll_hash, const std::string& login_hash,
                                   const std::string& client_name, Micros now, Micros expires) = 0;
  // A live flow, granted or not. Errors: kNotFound (unknown or expired).
  virtual Result<LoginFlow> login_flow(const std::string& login_hash, Micros now) = 0;
  // Grants a live, still pending flow to `user_id`. Errors: kNotFound (unknown, expired or
  // already granted).
  virtual Status grant_login_flow(const std::string& login_hash, int64_t user_id, Micros now) = 0;
  // Deletes a live granted flow and returns it: a grant is collected once. Errors: kNotFound
  // (unknown, expired, or not granted yet).
  virtual Result<LoginFlow> take_login_flow(const std::string& poll_hash, Micros now) = 0;

  // Groups. Errors: kAlreadyExists (name), kNotFound.
  virtual Result<Group> create_group(const std::string& name, Micros now) = 0;
  virtual Result<std::vector<Group>> list_groups() = 0;
  virtual Result<Group> get_group(int64_t group_id) = 0;
  virtual Status delete_group(int64_t group_id) = 0;
  // Errors: kNotFound (group or user).
  virtual Status add_group_member(int64_t group_id, int64_t user_id) = 0;
  virtual Status remove_group_member(int64_t group_id, int64_t user_id) = 0;

  // Audit log: append-only and chained (core/audit_chain.h). Appends are linear across every
  // process sharing the database: each reads the chain's head and adds its entry after it in
  // one transaction that excludes the other appends. The event's id and hashes are assigned.
  virtual Status append_audit(const AuditEvent& event) = 0;
  // Newest first, or oldest first as the query says.
  virtual Result<std::vector<AuditEvent>> list_audit(const AuditQuery& query) = 0;
  // Every entry, oldest first, with its hashes; stops at fn's first error and returns it.
  virtual Status scan_audit(const std::function<Status(const AuditEvent&)>& fn) = 0;
  // Seals the chain's head: unless it is sealed already (or nothing is chained), `sign` gets a
  // seal with head_id, head_hash and sealed_at = now set, and the seal is stored, in the same
  // exclusion as appends. Returns the stored seal, or nullopt when there was nothing to seal.
  virtual Result<std::optional<AuditSeal>> seal_audit(
      Micros now, const std::function<void(AuditSeal&)>& sign) = 0;
  // Every seal, oldest first; stops at fn's first error and returns it.
  virtual Status scan_audit_seals(const std::function<Status(const AuditSeal&)>& fn) = 0;
};

}  // namespace coffer::meta
