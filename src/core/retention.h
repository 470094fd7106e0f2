#pragma once
// Retention and legal hold (docs/archive.md, "Retention and legal hold"): what locks a node
// against change, and the compliance rule for changing a retention date. No I/O.
//
// A retention rule locks a folder and everything below it until `retain_until` (WORM, like S3
// Object Lock's compliance mode with one date for the whole folder): nothing inside may be
// deleted, overwritten, moved or renamed, and no version of it removed, until then; new files
// may be added (they are locked too). A legal hold locks a node (file or folder) and what is
// below it the same way, with no end date, until an administrator releases it.

#include <cstdint>
#include <optional>
#include <string>

#include "core/model.h"
#include "core/status.h"

namespace coffer {

struct RetentionRule {
  int64_t node_id = 0;
  int64_t owner_id = 0;
  Micros retain_until = 0;
  int64_t set_by = 0;  // the administrator's user id
  Micros set_at = 0;
};

struct LegalHold {
  int64_t node_id = 0;
  int64_t owner_id = 0;
  std::string reason;
  int64_t set_by = 0;
  Micros set_at = 0;
};

// Longest retention one rule may ask for, so a typo cannot lock data for millennia.
inline constexpr int64_t kMaxRetentionDays = 100 * 366;
// Longest reason of a legal hold, in bytes.
inline constexpr size_t kMaxHoldReasonBytes = 1024;

// Whether a rule with this date still locks at `now`.
inline bool retention_active(Micros retain_until, Micros now) { return retain_until > now; }

// Compliance: a retention date may be set in the future and moved later, never earlier while
// the rule is active. `current` is the rule's date, if the folder has one. Errors:
// kInvalidArgument (not in the future, or further than kMaxRetentionDays), kRetentionActive
// (an earlier date than an active rule's).
Status check_retention_change(std::optional<Micros> current, Micros requested, Micros now);

// Compliance: an active rule is never removed. Errors: kRetentionActive.
Status check_retention_removal(Micros current, Micros now);

// The error for a change refused because of a retention rule (until `retain_until`) or a hold.
Status retention_refusal(Micros retain_until);
Status legal_hold_refusal();

}  // namespace coffer
