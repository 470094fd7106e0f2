#pragma once
// Retention rules and legal holds (tables retention_rules and legal_holds, docs/schema.md;
// the rules in core/retention.h). What they lock is enforced by the Catalog inside the
// transaction of every change (meta/sql_retention.h); this store only sets, lists and lifts
// them, for administrators, whoever owns the node.
//
// Every operation is one transaction.

#include <cstdint>
#include <string>
#include <vector>

#include "core/retention.h"
#include "core/status.h"

namespace coffer::meta {

class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  // Sets the retention date of folder `node_id` (live, any owner's) or moves it later.
  // Errors: kNotFound, kConflict (a file), and those of check_retention_change.
  virtual Result<RetentionRule> set_retention(int64_t node_id, Micros retain_until, int64_t set_by,
                                              Micros now) = 0;
  // Removes an expired rule. Errors: kNotFound (none), kRetentionActive (not expired).
  virtual Status remove_retention(int64_t node_id, Micros now) = 0;
  // Every rule, active or expired, by node id.
  virtual Result<std::vector<RetentionRule>> list_retention() = 0;

  // Places a hold on `node_id` (a file or folder of any owner, live or in the trash), or
  // replaces the reason of the hold it has. Errors: kNotFound.
  virtual Result<LegalHold> place_hold(int64_t node_id, const std::string& reason, int64_t set_by,
                                       Micros now) = 0;
  // Errors: kNotFound (no hold on that node).
  virtual Status release_hold(int64_t node_id) = 0;
  // Every hold, by node id.
  virtual Result<std::vector<LegalHold>> list_holds() = 0;

  // Fails with kLegalHold or kRetentionActive when a node of `user_id` is held or under an
  // active retention rule: such an account may not be deleted.
  virtual Status refuse_if_owner_locked(int64_t user_id, Micros now) = 0;
};

}  // namespace coffer::meta
