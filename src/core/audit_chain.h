#pragma once
// The tamper-evident audit trail's rules (docs/archive.md, "Tamper-evident audit trail"): how
// an audit entry is hashed into the chain, what a seal's signature covers, and how a chain
// read back from the database is proven or the first broken entry found. Pure functions of
// their inputs: no database, no keys (a seal's signature is checked by a predicate the caller
// gives, auth::AuditSigner::verify in the server).
//
// entry_hash = SHA-256( "coffer-audit-v1" 0x00
//                       || prev_hash (32 bytes; 32 zero bytes for the first entry)
//                       || id || at || actor_id          (each 8 bytes, big-endian two's
//                       complement)
//                       || for action, target, outcome, ip, user_agent, request_id, detail:
//                            length (8 bytes, big-endian) || the bytes )
// Every column takes part, each field is length-prefixed so no two entries encode alike, and
// the id is included, so editing, deleting or reordering entries breaks the chain.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/account.h"
#include "core/model.h"

namespace coffer {

// The previous hash of the first chained entry: 64 hex zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// True when `hex` is 64 hex digits (a hash as the chain stores it).
bool is_audit_hash(std::string_view hex);

// The canonical bytes of `event` (its hashes excluded) following `prev_hash_hex`.
// Returns empty when prev_hash_hex is not 64 hex digits.
std::string audit_entry_encoding(std::string_view prev_hash_hex, const AuditEvent& event);

// SHA-256 of audit_entry_encoding, as 64 lower-case hex digits; empty when prev_hash_hex is
// not a hash.
std::string audit_entry_hash(std::string_view prev_hash_hex, const AuditEvent& event);

// A signed statement that the chain's entry `head_id` had the hash `head_hash` at `sealed_at`.
struct AuditSeal {
  int64_t id = 0;
  int64_t head_id = 0;
  std::string head_hash;  // hex
  Micros sealed_at = 0;
  std::string public_key;  // hex, the Ed25519 key that signed it
  std::string signature;   // hex, Ed25519 over audit_seal_message()
};

// The bytes a seal's signature covers: "coffer-audit-seal-v1" 0x00 || head_id (8 bytes,
// big-endian) || head_hash (32 bytes) || sealed_at (8 bytes, big-endian). Empty when
// head_hash is not a hash.
std::string audit_seal_message(const AuditSeal& seal);

// Where a chain stops being proven, and why.
struct AuditBreak {
  int64_t entry_id = 0;  // the first entry that is not proven intact
  std::string reason;
};

struct AuditVerification {
  int64_t entries = 0;         // chained entries checked
  int64_t legacy_entries = 0;  // entries written before the chain began (not covered)
  int64_t seals = 0;           // seals whose signature and hash were proven
  int64_t head_id = 0;         // the newest chained entry (0 when none)
  std::string head_hash;
  int64_t sealed_through = 0;  // the newest entry a proven seal covers (0 when none)
  std::optional<AuditBreak> broken;

  bool intact() const { return !broken.has_value(); }
};

// Walks a chain read oldest first. Offer every seal with add_seal(), then feed every entry in
// id order with add(), then finish(). Entries without hashes before the first chained one are
// legacy (written before migration 16); any later entry without them breaks the chain.
// Memory: a few dozen bytes per authentic seal, nothing per entry.
class AuditChainVerifier {
 public:
  // True when the seal's signature is valid and made by a trusted key.
  using SealCheck = std::function<bool(const AuditSeal&)>;

  explicit AuditChainVerifier(SealCheck authentic);
  // As add_seal() for each of `seals`.
  AuditChainVerifier(const std::vector<AuditSeal>& seals, SealCheck authentic);

  // REQUIRES: no entry was added yet.
  void add_seal(const AuditSeal& seal);
  // Checks one entry; false once the chain is broken (further entries are ignored).
  bool add(const AuditEvent& entry);
  AuditVerification finish();

 private:
  // What the walk needs of an authentic seal.
  struct SealedHead {
    int64_t head_id;
    int64_t seal_id;
    std::string head_hash;
  };

  void fail(int64_t entry_id, std::string reason);
  // Orders the seals by the entry they cover, once, before the first entry.
  void begin_walk();

  SealCheck authentic_;
  std::vector<SealedHead> seals_;  // by head_id once the walk began
  bool walking_ = false;           // an entry was added (seals_ is sorted)
  size_t next_seal_ = 0;           // the first seal whose head the walk has not reached
  std::string head_ = std::string(kAuditGenesisHash);
  bool chained_ = false;  // a chained entry was seen
  int64_t last_id_ = 0;   // the last entry added
  // The first entry after the newest proven seal's head: where an altered entry that a later
  // seal exposes may be, at the earliest.
  int64_t first_unsealed_id_ = 0;
  AuditVerification result_;
};

}  // namespace coffer
