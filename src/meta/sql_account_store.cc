#include "meta/sql_account_store.h"

#include <algorithm>
#include <utility>

#include "core/client_address.h"
#include "meta/sql_statements.h"
#include "meta/user_row.h"

namespace coffer::meta {
namespace {

constexpr uint32_t kMaxAuditLimit = 1000;

// The transact_exclusive() key of audit writers (appends and seals): not a user id (those are
// positive) nor the activity writers' (-1), so they wait only for each other.
constexpr int64_t kAuditWriters = -2;

// The columns of an audit entry, in audit_from_row()'s order.
constexpr std::string_view kAuditColumns =
    "id, at, actor_id, action, target, outcome, ip, user_agent, request_id, detail, prev_hash, "
    "entry_hash";

AuditEvent audit_from_row(const Row& row) {
  AuditEvent e;
  e.id = row.int64(0);
  e.at = row.int64(1);
  e.actor_id = row.opt_int64(2).value_or(0);
  e.action = row.text(3);
  e.target = row.text(4);
  e.outcome = row.text(5);
  e.ip = row.text(6);
  e.user_agent = row.text(7);
  e.request_id = row.text(8);
  e.detail = row.text(9);
  e.prev_hash = row.text(10);
  e.entry_hash = row.text(11);
  return e;
}

constexpr std::string_view kSessionColumns =
    "s.id, s.user_id, s.created_at, s.last_used_at, s.expires_at, s.ip, s.user_agent, "
    "s.revoked_at";

Session session_from_row(const Row& row) {
  Session s;
  s.id = row.int64(0);
  s.user_id = row.int64(1);
  s.created = row.int64(2);
  s.last_used = row.int64(3);
  s.expires = row.int64(4);
  s.ip = row.text(5);
  s.user_agent = row.text(6);
  if (!row.is_null(7)) s.revoked = row.int64(7);
  return s;
}

Result<Session> load_session(Connection& conn, int64_t session_id) {
  auto row = conn.query_row(
      "SELECT " + std::string(kSessionColumns) + " FROM sessions s WHERE s.id = ?", {session_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such session");
  return session_from_row(**row);
}

constexpr std::string_view kTokenColumns =
    "t.id, t.user_id, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at";

ApiToken token_from_row(const Row& row) {
  ApiToken t;
  t.id = row.int64(0);
  t.user_id = row.int64(1);
  t.name = row.text(2);
  t.scopes = scopes_from_text(row.text(3));
  t.created = row.int64(4);
  if (!row.is_null(5)) t.expires = row.int64(5);
  if (!row.is_null(6)) t.last_used = row.int64(6);
  return t;
}

// Truncates client-supplied text kept for display (user agents) to a sane size.
std::string bounded(const std::string& text, size_t max = 256) {
  return text.size() <= max ? text : text.substr(0, max);
}

// Makes `next_hash` the session's current refresh token and extends the session.
Result<RefreshResult> rotate(Connection& conn, const std::string& next_hash,
                             const RequestOrigin& origin, Micros now, Micros expires,
                             RefreshResult result) {
  const int64_t session_id = result.session.id;
  COFFER_RETURN_IF_ERROR(
      conn.exec("INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)",
                {next_hash, session_id, now}));
  COFFER_RETURN_IF_ERROR(
      conn.exec("UPDATE sessions SET last_used_at = ?, expires_at = ?, ip = ?, user_agent = ? "
                "WHERE id = ?",
                {now, expires, bounded(origin.ip, 64), bounded(origin.user_agent), session_id}));
  result.session.last_used = now;
  result.session.expires = expires;
  result.session.ip = bounded(origin.ip, 64);
  result.session.user_agent = bounded(origin.user_agent);
  result.outcome = RefreshOutcome::kRotated;
  return result;
}

// Whether `origin` is the client that last rotated the session's refresh token: its address
// (an IPv6 client by its /64, as privacy addresses change) and its user agent, both as stored.
bool same_client(const Session& session, const RequestOrigin& origin) {
  return address_bucket_key(bounded(origin.ip, 64)) == address_bucket_key(session.ip) &&
         bounded(origin.user_agent) == session.user_agent;
}

// Every API token and S3 access key of the user: the credentials made to act without a
// password, which whoever learned the password may have made.
Status revoke_all_api_tokens(Connection& conn, int64_t user_id, Micros now) {
  for (const char* sql :
       {"UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        "UPDATE s3_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"}) {
    COFFER_RETURN_IF_ERROR(conn.exec(sql, {now, user_id}));
  }
  return Status::ok();
}

}  // namespace

Result<Session> SqlAccountStore::create_session(int64_t user_id, const std::string& refresh_hash,
                                                const RequestOrigin& origin, Micros now,
                                                Micros expires) {
  return transact_value<Session>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<Session> {
    auto row = conn.query_row(
        "INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, ip, user_agent) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        {user_id, now, now, expires, bounded(origin.ip, 64), bounded(origin.user_agent)});
    COFFER_RETURN_IF_ERROR(row);
    const int64_t id = (*row)->int64(0);
    COFFER_RETURN_IF_ERROR(conn.exec(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)",
        {refresh_hash, id, now}));
    return load_session(conn, id);
  });
}

Result<RefreshResult> SqlAccountStore::rotate_refresh(const std::string& presented_hash,
                                                      const std::string& next_hash,
                                                      const RequestOrigin& origin, Micros now,
                                                      Micros expires, Micros lost_response_since) {
  return transact_value<RefreshResult>(
      db_, TxMode::kWrite, [&](Connection& conn) -> Result<RefreshResult> {
        RefreshResult result;
        auto token = conn.query_row(
            "SELECT session_id, spent_at, superseded_at FROM refresh_tokens WHERE token_hash = ?",
            {presented_hash});
        COFFER_RETURN_IF_ERROR(token);
        if (!*token) return result;  // kInvalid
        auto session = load_session(conn, (*token)->int64(0));
        COFFER_RETURN_IF_ERROR(session);
        if (session->revoked || session->expires <= now) return result;
        result.session = *session;
        if (!(*token)->is_null(1)) {
          const Micros spent = (*token)->int64(1);
          auto later =
              conn.query_row("SELECT 1 FROM refresh_tokens WHERE session_id = ? AND spent_at > ?",
                             {session->id, spent});
          COFFER_RETURN_IF_ERROR(later);
          const bool superseded = !(*token)->is_null(2);
          if (!superseded && spent >= lost_response_since && !*later &&
              same_client(*session, origin)) {
            // Spent moments ago by this very client and its successor never used: the client
            // did not get the response (a dropped connection, a closed tab). The successor is
            // void instead; whoever presents it later holds a copy of the session.
            COFFER_RETURN_IF_ERROR(
                conn.exec("UPDATE refresh_tokens SET spent_at = ?, superseded_at = ? "
                          "WHERE session_id = ? AND spent_at IS NULL",
                          {now, now, session->id}));
            return rotate(conn, next_hash, origin, now, expires, result);
          }
          // A spent token came back: whoever holds the family is not alone. End it.
          COFFER_RETURN_IF_ERROR(conn.exec(
              "UPDATE sessions SET revoked_at = ?, revoked_reason = 'refresh token reuse' "
              "WHERE id = ?",
              {now, session->id}));
          result.session.revoked = now;
          result.outcome = RefreshOutcome::kReused;
          return result;
        }
        COFFER_RETURN_IF_ERROR(conn.exec(
            "UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ?", {now, presented_hash}));
        return rotate(conn, next_hash, origin, now, expires, result);
      });
}

Result<User> SqlAccountStore::session_user(int64_t session_id, Micros now) {
  static const std::string sql = "SELECT " + std::string(kUserColumnsU) +
                                 " FROM sessions s JOIN users u ON u.id = s.user_id "
                                 "WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ?";
  return transact_value<User>(db_, TxMode::kRead, [&](Connection& conn) -> Result<User> {
    auto row = conn.query_row(sql, {session_id, now});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "no such session");
    return user_from_row(**row);
  });
}

Result<std::vector<Session>> SqlAccountStore::list_sessions(int64_t user_id, Micros now) {
  return read_all(db_,
                  "SELECT " + std::string(kSessionColumns) +
                      " FROM sessions s WHERE s.user_id = ? AND s.revoked_at IS NULL "
                      "AND s.expires_at > ? ORDER BY s.id",
                  {user_id, now}, session_from_row);
}

Status SqlAccountStore::revoke_session(int64_t user_id, int64_t session_id, Micros now) {
  return update_one(db_,
                    "UPDATE sessions SET revoked_at = ?, revoked_reason = 'revoked' "
                    "WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?",
                    {now, session_id, user_id, now}, "no such session");
}

Result<int64_t> SqlAccountStore::revoke_sessions(int64_t user_id, int64_t keep_session_id,
                                                 Micros now) {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) {
    return conn.exec(
        "UPDATE sessions SET revoked_at = ?, revoked_reason = 'revoked' "
        "WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
        {now, user_id, keep_session_id});
  });
}

Status SqlAccountStore::change_password(int64_t user_id, const std::string& password_hash,
                                        int64_t keep_session_id, bool revoke_api_tokens,
                                        Micros now) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec("UPDATE users SET password_hash = ? WHERE id = ?", {password_hash, user_id});
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kNotFound, "no such user");
    COFFER_RETURN_IF_ERROR(
        conn.exec("UPDATE sessions SET revoked_at = ?, revoked_reason = 'password changed' "
                  "WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
                  {now, user_id, keep_session_id}));
    if (revoke_api_tokens) COFFER_RETURN_IF_ERROR(revoke_all_api_tokens(conn, user_id, now));
    return Status::ok();
  });
}

Result<ApiToken> SqlAccountStore::create_api_token(int64_t user_id, const std::string& name,
                                                   uint32_t scopes, const std::string& token_hash,
                                                   std::optional<Micros> expires, Micros now) {
  return transact_value<ApiToken>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<ApiToken> {
    auto row = conn.query_row(
        "INSERT INTO api_tokens (user_id, name, scopes, token_hash, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        {user_id, name, scopes_text(scopes), token_hash, now, expires});
    COFFER_RETURN_IF_ERROR(row);
    ApiToken token;
    token.id = (*row)->int64(0);
    token.user_id = user_id;
    token.name = name;
    token.scopes = scopes;
    token.created = now;
    token.expires = expires;
    return token;
  });
}

Result<std::vector<ApiToken>> SqlAccountStore::list_api_tokens(int64_t user_id, Micros now) {
  return read_all(db_,
                  "SELECT " + std::string(kTokenColumns) +
                      " FROM api_tokens t WHERE t.user_id = ? AND t.revoked_at IS NULL "
                      "AND (t.expires_at IS NULL OR t.expires_at > ?) ORDER BY t.id",
                  {user_id, now}, token_from_row);
}

Status SqlAccountStore::revoke_api_token(int64_t user_id, int64_t token_id, Micros now) {
  return update_one(
      db_,
      "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
      {now, token_id, user_id}, "no such API token");
}

Result<std::pair<ApiToken, User>> SqlAccountStore::use_api_token(const std::string& token_hash,
                                                                 Micros now) {
  using Found = std::pair<ApiToken, User>;
  static const std::string sql =
      "SELECT " + std::string(kTokenColumns) + ", " + std::string(kUserColumnsU) +
      " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? "
      "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)";
  auto found = transact_value<Found>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Found> {
    auto row = conn.query_row(sql, {token_hash, now});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "no such API token");
    auto user = user_from_row(**row, 7);
    COFFER_RETURN_IF_ERROR(user);
    return Found{token_from_row(**row), std::move(*user)};
  });
  COFFER_RETURN_IF_ERROR(found);
  COFFER_RETURN_IF_ERROR(
      record_credential_use(db_, "api_tokens", found->first.id, found->first.last_used, now));
  return found;
}

Result<std::vector<ThrottleState>> SqlAccountStore::throttle_states(
    const std::vector<std::string>& keys) {
  using States = std::vector<ThrottleState>;
  return transact_value<States>(db_, TxMode::kRead, [&](Connection& conn) -> Result<States> {
    States states;
    for (const std::string& key : keys) {
      auto row = conn.query_row(
          "SELECT failures, last_failure_at, blocked_until FROM login_throttle "
          "WHERE throttle_key = ?",
          {key});
      COFFER_RETURN_IF_ERROR(row);
      ThrottleState state;
      if (*row) state = {(*row)->int64(0), (*row)->int64(1), (*row)->int64(2)};
      states.push_back(state);
    }
    return states;
  });
}

Status SqlAccountStore::update_throttle(
    const std::string& key, const std::function<ThrottleState(const ThrottleState&)>& update) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto row = conn.query_row(
        "SELECT failures, last_failure_at, blocked_until FROM login_throttle "
        "WHERE throttle_key = ?",
        {key});
    COFFER_RETURN_IF_ERROR(row);
    ThrottleState current;
    if (*row) current = {(*row)->int64(0), (*row)->int64(1), (*row)->int64(2)};
    const ThrottleState next = update(current);
    if (*row) {
      return status_of(conn.exec(
          "UPDATE login_throttle SET failures = ?, last_failure_at = ?, blocked_until = ? "
          "WHERE throttle_key = ?",
          {next.failures, next.last_failure, next.blocked_until, key}));
    }
    return status_of(conn.exec(
        "INSERT INTO login_throttle (throttle_key, failures, last_failure_at, blocked_until) "
        "VALUES (?, ?, ?, ?)",
        {key, next.failures, next.last_failure, next.blocked_until}));
  });
}

Status SqlAccountStore::clear_throttle(const std::string& key) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    return status_of(conn.exec("DELETE FROM login_throttle WHERE throttle_key = ?", {key}));
  });
}

Status SqlAccountStore::append_audit(const AuditEvent& event) {
  AuditEvent e = event;
  e.ip = bounded(e.ip, 64);
  e.user_agent = bounded(e.user_agent);
  e.request_id = bounded(e.request_id, 128);
  e.detail = bounded(e.detail, 1024);
  // Under the audit writers' exclusion, ids are handed out in chain order, and the head read
  // here is the entry this one follows on every node.
  return db_.transact_exclusive(kAuditWriters, [&](Connection& conn) -> Status {
    auto head = conn.query_row("SELECT entry_hash FROM audit_events ORDER BY id DESC LIMIT 1");
    COFFER_RETURN_IF_ERROR(head);
    // After a head whose hash someone destroyed, a new chain begins: the log stays writable,
    // and `coffer audit verify` reports the break there.
    const std::string head_hash = *head ? (*head)->text(0) : std::string();
    e.prev_hash = is_audit_hash(head_hash) ? head_hash : std::string(kAuditGenesisHash);
    // The hash covers the row as stored (RETURNING), which is what a verifier reads back.
    auto row = conn.query_row(
        "INSERT INTO audit_events (at, actor_id, action, target, outcome, ip, user_agent, "
        "request_id, detail, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " +
            std::string(kAuditColumns),
        {e.at, e.actor_id == 0 ? Value() : Value(e.actor_id), e.action, e.target, e.outcome, e.ip,
         e.user_agent, e.request_id, e.detail, e.prev_hash});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kInternal, "an audit entry was inserted without an id");
    const AuditEvent stored = audit_from_row(**row);
    const std::string entry_hash = audit_entry_hash(stored.prev_hash, stored);
    return status_of(
        conn.exec("UPDATE audit_events SET entry_hash = ? WHERE id = ?", {entry_hash, stored.id}));
  });
}

Result<std::vector<AuditEvent>> SqlAccountStore::list_audit(const AuditQuery& q) {
  using Events = std::vector<AuditEvent>;
  std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_events WHERE 1 = 1";
  Params params;
  if (q.actor_id) {
    sql += " AND actor_id = ?";
    params.emplace_back(*q.actor_id);
  }
  if (q.action) {
    sql += " AND action = ?";
    params.emplace_back(*q.action);
  }
  if (q.before_id) {
    sql += " AND id < ?";
    params.emplace_back(*q.before_id);
  }
  if (q.after_id) {
    sql += " AND id > ?";
    params.emplace_back(*q.after_id);
  }
  sql += q.oldest_first ? " ORDER BY id LIMIT ?" : " ORDER BY id DESC LIMIT ?";
  params.emplace_back(static_cast<int64_t>(std::clamp<uint32_t>(q.limit, 1, kMaxAuditLimit)));
  return transact_value<Events>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Events> {
    auto rows = conn.query(sql, params);
    COFFER_RETURN_IF_ERROR(rows);
    Events events;
    events.reserve(rows->size());
    for (const Row& row : *rows) events.push_back(audit_from_row(row));
    return events;
  });
}

Status SqlAccountStore::scan_audit(const std::function<Status(const AuditEvent&)>& fn) {
  return db_.transact(TxMode::kRead, [&](Connection& conn) -> Status {
    return conn.query_each(
        "SELECT " + std::string(kAuditColumns) + " FROM audit_events ORDER BY id", {},
        [&](const Row& row) { return fn(audit_from_row(row)); });
  });
}

Result<std::optional<AuditSeal>> SqlAccountStore::seal_audit(
    Micros now, const std::function<void(AuditSeal&)>& sign) {
  using Sealed = std::optional<AuditSeal>;
  return transact_exclusive_value<Sealed>(
      db_, kAuditWriters, [&](Connection& conn) -> Result<Sealed> {
        auto head = conn.query_row(
            "SELECT id, entry_hash FROM audit_events WHERE entry_hash IS NOT NULL "
            "ORDER BY id DESC LIMIT 1");
        COFFER_RETURN_IF_ERROR(head);
        if (!*head) return Sealed();
        auto last = conn.query_row("SELECT head_id FROM audit_seals ORDER BY id DESC LIMIT 1");
        COFFER_RETURN_IF_ERROR(last);
        if (*last && (*last)->int64(0) == (*head)->int64(0)) return Sealed();
        AuditSeal seal;
        seal.head_id = (*head)->int64(0);
        seal.head_hash = (*head)->text(1);
        seal.sealed_at = now;
        sign(seal);
        auto id = conn.query_row(
            "INSERT INTO audit_seals (head_id, head_hash, sealed_at, public_key, signature) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            {seal.head_id, seal.head_hash, seal.sealed_at, seal.public_key, seal.signature});
        COFFER_RETURN_IF_ERROR(id);
        if (*id) seal.id = (**id).int64(0);
        return Sealed(std::move(seal));
      });
}

Status SqlAccountStore::scan_audit_seals(const std::function<Status(const AuditSeal&)>& fn) {
  return db_.transact(TxMode::kRead, [&](Connection& conn) -> Status {
    return conn.query_each(
        "SELECT id, head_id, head_hash, sealed_at, public_key, signature FROM audit_seals "
        "ORDER BY id",
        {}, [&](const Row& row) {
          return fn(AuditSeal{row.int64(0), row.int64(1), row.text(2), row.int64(3), row.text(4),
                              row.text(5)});
        });
  });
}

}  // namespace coffer::meta

namespace coffer::meta {
namespace {

// Runs one statement in its own write transaction; `changed` says whether it changed a row.
Result<bool> exec_changed(Database& db, const std::string& sql, const Params& params) {
  return transact_value<bool>(db, TxMode::kWrite, [&](Connection& conn) -> Result<bool> {
    auto n = conn.exec(sql, params);
    COFFER_RETURN_IF_ERROR(n);
    return *n > 0;
  });
}

Status exec_write(Database& db, const std::string& sql, const Params& params) {
  return status_of(exec_changed(db, sql, params));
}

Status end_sessions(Connection& conn, int64_t user_id, Micros now, const char* reason) {
  return status_of(
      conn.exec("UPDATE sessions SET revoked_at = ?, revoked_reason = ? "
                "WHERE user_id = ? AND revoked_at IS NULL",
                {now, reason, user_id}));
}

Result<Group> load_group(Connection& conn, int64_t group_id) {
  auto row =
      conn.query_row("SELECT id, name, created_at FROM user_groups WHERE id = ?", {group_id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such group");
  Group group{(*row)->int64(0), (*row)->text(1), (*row)->int64(2), {}};
  auto members = conn.query("SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id",
                            {group_id});
  COFFER_RETURN_IF_ERROR(members);
  for (const Row& m : *members) group.member_ids.push_back(m.int64(0));
  return group;
}

}  // namespace

Status SqlAccountStore::begin_totp(int64_t user_id, const std::string& secret_box, Micros now) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto row = conn.query_row("SELECT confirmed_at FROM totp WHERE user_id = ?", {user_id});
    COFFER_RETURN_IF_ERROR(row);
    if (*row && !(*row)->is_null(0)) {
      return Status(Errc::kConflict, "two-factor authentication is already enabled");
    }
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM totp WHERE user_id = ?", {user_id}));
    return status_of(conn.exec(
        "INSERT INTO totp (user_id, secret_box, created_at, last_step) VALUES (?, ?, ?, 0)",
        {user_id, secret_box, now}));
  });
}

Result<std::optional<TotpRecord>> SqlAccountStore::totp(int64_t user_id) {
  using Found = std::optional<TotpRecord>;
  return transact_value<Found>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Found> {
    auto row = conn.query_row(
        "SELECT secret_box, confirmed_at, last_step FROM totp WHERE user_id = ?", {user_id});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Found();
    return Found(TotpRecord{(*row)->text(0), !(*row)->is_null(1), (*row)->int64(2)});
  });
}

Status SqlAccountStore::confirm_totp(int64_t user_id, int64_t step,
                                     const std::vector<std::string>& recovery_hashes, Micros now) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec(
        "UPDATE totp SET confirmed_at = ?, last_step = ? "
        "WHERE user_id = ? AND confirmed_at IS NULL",
        {now, step, user_id});
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kConflict, "no two-factor enrolment is waiting");
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM recovery_codes WHERE user_id = ?", {user_id}));
    for (const std::string& hash : recovery_hashes) {
      COFFER_RETURN_IF_ERROR(conn.exec(
          "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", {user_id, hash}));
    }
    return Status::ok();
  });
}

Result<bool> SqlAccountStore::use_totp_step(int64_t user_id, int64_t step) {
  return exec_changed(db_, "UPDATE totp SET last_step = ? WHERE user_id = ? AND last_step < ?",
                      {step, user_id, step});
}

Result<bool> SqlAccountStore::use_recovery_code(int64_t user_id, const std::string& code_hash,
                                                Micros now) {
  return exec_changed(db_,
                      "UPDATE recovery_codes SET used_at = ? "
                      "WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                      {now, user_id, code_hash});
}

Status SqlAccountStore::remove_totp(int64_t user_id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM recovery_codes WHERE user_id = ?", {user_id}));
    return status_of(conn.exec("DELETE FROM totp WHERE user_id = ?", {user_id}));
  });
}

Result<std::vector<User>> SqlAccountStore::list_users(const UserQuery& q) {
  std::string sql = std::string(kUserSelect) + "WHERE id > ?";
  Params params{q.after_id};
  if (q.role) {
    sql += " AND role = ?";
    params.emplace_back(role_name(*q.role));
  }
  if (q.status) {
    sql += " AND status = ?";
    params.emplace_back(user_status_name(*q.status));
  }
  if (q.name_prefix && !q.name_prefix->empty()) {
    // Usernames hold no LIKE wildcards (validate_username), but the prefix is user input.
    sql += " AND username >= ? AND username < ?";
    params.emplace_back(*q.name_prefix);
    params.emplace_back(*q.name_prefix + "\x7f");
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(static_cast<int64_t>(std::clamp<uint32_t>(q.limit, 1, 1000)));
  using Users = std::vector<User>;
  return transact_value<Users>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Users> {
    auto rows = conn.query(sql, params);
    COFFER_RETURN_IF_ERROR(rows);
    Users users;
    for (const Row& row : *rows) {
      auto user = user_from_row(row);
      COFFER_RETURN_IF_ERROR(user);
      users.push_back(std::move(*user));
    }
    return users;
  });
}

Result<User> SqlAccountStore::update_user(int64_t user_id, const UserChanges& c, Micros now) {
  return transact_value<User>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<User> {
    auto exists = conn.query_row("SELECT id FROM users WHERE id = ?", {user_id});
    COFFER_RETURN_IF_ERROR(exists);
    if (!*exists) return Status(Errc::kNotFound, "no such user");
    if (c.role) {
      COFFER_RETURN_IF_ERROR(
          conn.exec("UPDATE users SET role = ? WHERE id = ?", {role_name(*c.role), user_id}));
    }
    if (c.status) {
      COFFER_RETURN_IF_ERROR(conn.exec("UPDATE users SET status = ? WHERE id = ?",
                                       {user_status_name(*c.status), user_id}));
      if (*c.status != UserStatus::kActive) {
        COFFER_RETURN_IF_ERROR(end_sessions(conn, user_id, now, "account not active"));
      }
    }
    if (c.quota_bytes) {
      COFFER_RETURN_IF_ERROR(
          conn.exec("UPDATE users SET quota_bytes = ? WHERE id = ?", {*c.quota_bytes, user_id}));
    }
    auto row = conn.query_row(std::string(kUserSelect) + "WHERE id = ?", {user_id});
    COFFER_RETURN_IF_ERROR(row);
    return user_from_row(**row);
  });
}

Status SqlAccountStore::create_password_reset(int64_t user_id, int64_t created_by,
                                              const std::string& token_hash, Micros now,
                                              Micros expires) {
  return exec_write(db_,
                    "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, "
                    "expires_at) VALUES (?, ?, ?, ?, ?)",
                    {token_hash, user_id, created_by, now, expires});
}

Result<int64_t> SqlAccountStore::redeem_password_reset(const std::string& token_hash,
                                                       const std::string& password_hash,
                                                       Micros now) {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<int64_t> {
    auto row = conn.query_row(
        "SELECT user_id FROM password_resets "
        "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        {token_hash, now});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "the reset link is unknown, used or expired");
    const int64_t user_id = (*row)->int64(0);
    COFFER_RETURN_IF_ERROR(conn.exec("UPDATE password_resets SET used_at = ? WHERE token_hash = ?",
                                     {now, token_hash}));
    COFFER_RETURN_IF_ERROR(
        conn.exec("UPDATE users SET password_hash = ? WHERE id = ?", {password_hash, user_id}));
    COFFER_RETURN_IF_ERROR(end_sessions(conn, user_id, now, "password reset"));
    COFFER_RETURN_IF_ERROR(revoke_all_api_tokens(conn, user_id, now));
    return user_id;
  });
}

Status SqlAccountStore::create_login_flow(const std::string& poll_hash,
                                          const std::string& login_hash,
                                          const std::string& client_name, Micros now,
                                          Micros expires) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM login_flows WHERE expires_at <= ?", {now}));
    COFFER_RETURN_IF_ERROR(conn.exec(
        "INSERT INTO login_flows (poll_hash, login_hash, client_name, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        {poll_hash, login_hash, client_name, now, expires}));
    return Status::ok();
  });
}

Result<LoginFlow> SqlAccountStore::login_flow(const std::string& login_hash, Micros now) {
  return transact_value<LoginFlow>(db_, TxMode::kRead, [&](Connection& conn) -> Result<LoginFlow> {
    auto row = conn.query_row(
        "SELECT client_name, COALESCE(user_id, 0), expires_at FROM login_flows "
        "WHERE login_hash = ? AND expires_at > ?",
        {login_hash, now});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "the sign-in request is unknown or expired");
    return LoginFlow{(*row)->text(0), (*row)->int64(1), (*row)->int64(2)};
  });
}

Status SqlAccountStore::grant_login_flow(const std::string& login_hash, int64_t user_id,
                                         Micros now) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec(
        "UPDATE login_flows SET user_id = ? "
        "WHERE login_hash = ? AND user_id IS NULL AND expires_at > ?",
        {user_id, login_hash, now});
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kNotFound, "the sign-in request is unknown, expired or done");
    return Status::ok();
  });
}

Result<LoginFlow> SqlAccountStore::take_login_flow(const std::string& poll_hash, Micros now) {
  return transact_value<LoginFlow>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<LoginFlow> {
    auto row = conn.query_row(
        "SELECT client_name, user_id, expires_at FROM login_flows "
        "WHERE poll_hash = ? AND user_id IS NOT NULL AND expires_at > ?",
        {poll_hash, now});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "not granted (yet), unknown or expired");
    LoginFlow flow{(*row)->text(0), (*row)->int64(1), (*row)->int64(2)};
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM login_flows WHERE poll_hash = ?", {poll_hash}));
    return flow;
  });
}

namespace {

Result<std::vector<TokenKeyGeneration>> read_token_keys(Connection& conn) {
  auto rows =
      conn.query("SELECT generation, created_at, retired_at FROM token_keys ORDER BY generation");
  COFFER_RETURN_IF_ERROR(rows);
  std::vector<TokenKeyGeneration> out;
  for (const Row& row : *rows) {
    out.push_back(TokenKeyGeneration{row.int64(0), row.int64(1), row.opt_int64(2)});
  }
  return out;
}

}  // namespace

Result<std::vector<TokenKeyGeneration>> SqlAccountStore::token_key_generations(Micros now) {
  using Generations = std::vector<TokenKeyGeneration>;
  auto known = transact_value<Generations>(db_, TxMode::kRead, read_token_keys);
  if (!known.is_ok() || !known->empty()) return known;
  return transact_value<Generations>(
      db_, TxMode::kWrite, [&](Connection& conn) -> Result<Generations> {
        COFFER_RETURN_IF_ERROR(conn.exec(
            "INSERT INTO token_keys (generation, created_at) VALUES (1, ?) ON CONFLICT DO NOTHING",
            {now}));
        return read_token_keys(conn);
      });
}

Result<std::vector<TokenKeyGeneration>> SqlAccountStore::rotate_token_key(int64_t current,
                                                                          Micros now) {
  using Generations = std::vector<TokenKeyGeneration>;
  return transact_value<Generations>(
      db_, TxMode::kWrite, [&](Connection& conn) -> Result<Generations> {
        auto newest = conn.query_row("SELECT MAX(generation) FROM token_keys");
        COFFER_RETURN_IF_ERROR(newest);
        if (*newest && !(*newest)->is_null(0) && (*newest)->int64(0) == current) {
          COFFER_RETURN_IF_ERROR(conn.exec(
              "UPDATE token_keys SET retired_at = ? WHERE generation = ?", {now, current}));
          COFFER_RETURN_IF_ERROR(conn.exec(
              "INSERT INTO token_keys (generation, created_at) VALUES (?, ?)", {current + 1, now}));
        }
        return read_token_keys(conn);
      });
}

Result<std::optional<std::string>> SqlAccountStore::setting(const std::string& name) {
  using Found = std::optional<std::string>;
  return transact_value<Found>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Found> {
    auto row = conn.query_row("SELECT value FROM settings WHERE name = ?", {name});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Found();
    return Found((*row)->text(0));
  });
}

Status SqlAccountStore::set_setting(const std::string& name, const std::string& value) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec("UPDATE settings SET value = ? WHERE name = ?", {value, name});
    COFFER_RETURN_IF_ERROR(n);
    if (*n > 0) return Status::ok();
    return status_of(conn.exec("INSERT INTO settings (name, value) VALUES (?, ?)", {name, value}));
  });
}

Status SqlAccountStore::create_invite(const std::string& token_hash, int64_t created_by, Micros now,
                                      Micros expires) {
  return exec_write(
      db_,
      "INSERT INTO invites (token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)",
      {token_hash, created_by, now, expires});
}

Result<bool> SqlAccountStore::claim_invite(const std::string& token_hash, Micros now) {
  return exec_changed(db_,
                      "UPDATE invites SET used_at = ? "
                      "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                      {now, token_hash, now});
}

Status SqlAccountStore::release_invite(const std::string& token_hash) {
  return exec_write(db_,
                    "UPDATE invites SET used_at = NULL WHERE token_hash = ? AND used_by IS NULL",
                    {token_hash});
}

Status SqlAccountStore::bind_invite(const std::string& token_hash, int64_t user_id) {
  return exec_write(db_, "UPDATE invites SET used_by = ? WHERE token_hash = ?",
                    {user_id, token_hash});
}

Result<Group> SqlAccountStore::create_group(const std::string& name, Micros now) {
  return transact_value<Group>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<Group> {
    auto row = conn.query_row(
        "INSERT INTO user_groups (name, created_at) VALUES (?, ?) RETURNING id", {name, now});
    if (!row.is_ok() && row.status().code() == Errc::kAlreadyExists) {
      return Status(Errc::kAlreadyExists, "a group with that name exists");
    }
    COFFER_RETURN_IF_ERROR(row);
    return Group{(*row)->int64(0), name, now, {}};
  });
}

Result<std::vector<Group>> SqlAccountStore::list_groups() {
  using Groups = std::vector<Group>;
  return transact_value<Groups>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Groups> {
    auto ids = conn.query("SELECT id FROM user_groups ORDER BY name");
    COFFER_RETURN_IF_ERROR(ids);
    Groups groups;
    for (const Row& row : *ids) {
      auto group = load_group(conn, row.int64(0));
      COFFER_RETURN_IF_ERROR(group);
      groups.push_back(std::move(*group));
    }
    return groups;
  });
}

Result<Group> SqlAccountStore::get_group(int64_t group_id) {
  return transact_value<Group>(db_, TxMode::kRead,
                               [&](Connection& conn) { return load_group(conn, group_id); });
}

Status SqlAccountStore::delete_group(int64_t group_id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM group_members WHERE group_id = ?", {group_id}));
    // What was shared with the group is no longer shared with anyone through it.
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM shares WHERE group_id = ?", {group_id}));
    auto n = conn.exec("DELETE FROM user_groups WHERE id = ?", {group_id});
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kNotFound, "no such group");
    return Status::ok();
  });
}

Status SqlAccountStore::add_group_member(int64_t group_id, int64_t user_id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto group = conn.query_row("SELECT id FROM user_groups WHERE id = ?", {group_id});
    COFFER_RETURN_IF_ERROR(group);
    if (!*group) return Status(Errc::kNotFound, "no such group");
    auto user =
        conn.query_row("SELECT id FROM users WHERE id = ? AND status <> 'deleted'", {user_id});
    COFFER_RETURN_IF_ERROR(user);
    if (!*user) return Status(Errc::kNotFound, "no such user");
    return status_of(conn.exec(
        "INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        {group_id, user_id}));
  });
}

Status SqlAccountStore::remove_group_member(int64_t group_id, int64_t user_id) {
  return update_one(db_, "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                    {group_id, user_id}, "no such group member");
}

}  // namespace coffer::meta
