#include "core/retention.h"

#include <ctime>

namespace coffer {
namespace {

std::string utc_date(Micros t) {
  const time_t seconds = static_cast<time_t>(t / kMicrosPerSecond);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Status check_retention_change(std::optional<Micros> current, Micros requested, Micros now) {
  if (requested <= now) {
    return Status(Errc::kInvalidArgument, "retain_until must be in the future");
  }
  if (requested - now > kMaxRetentionDays * 86400 * kMicrosPerSecond) {
    return Status(Errc::kInvalidArgument,
                  "retention is limited to " + std::to_string(kMaxRetentionDays) + " days");
  }
  if (current && retention_active(*current, now) && requested < *current) {
    return Status(
        Errc::kRetentionActive,
        "retention can be extended, never shortened: it runs until " + utc_date(*current));
  }
  return Status::ok();
}

Status check_retention_removal(Micros current, Micros now) {
  if (retention_active(current, now)) return retention_refusal(current);
  return Status::ok();
}

Status retention_refusal(Micros retain_until) {
  return Status(Errc::kRetentionActive,
                "under retention until " + utc_date(retain_until) +
                    ": nothing inside may be deleted, overwritten or moved until then");
}

Status legal_hold_refusal() {
  return Status(Errc::kLegalHold,
                "under legal hold: it may not be deleted, overwritten or moved until the hold is "
                "released");
}

}  // namespace coffer
