#pragma once
// Sharing as the domain sees it: shares of a node with a user or a group, and public links.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace coffer {

// What a share grants on the shared node and everything below it. Write implies read.
enum class Permission { kRead, kWrite };
std::string_view permission_name(Permission permission);
std::optional<Permission> parse_permission(std::string_view name);

// A node shared by its owner with one user or one group (exactly one of the two is set).
struct Share {
  int64_t id = 0;
  int64_t node_id = 0;
  int64_t owner_id = 0;
  int64_t user_id = 0;
  int64_t group_id = 0;
  Permission permission = Permission::kRead;
  Micros created = 0;
  std::string recipient_name;  // the user's or the group's name, for listings
};

// A share as its recipient sees it: the shared node and who owns it.
struct SharedWithMe {
  Share share;
  Node node;
  std::string owner_name;
};

// What the access check found: the tree's owner (whom catalog operations act as), the
// permission the caller holds there, and, when the caller is not the owner, the shared node
// the permission comes from (which the recipient may not move, rename or delete).
struct Access {
  int64_t owner_id = 0;
  Permission permission = Permission::kWrite;
  int64_t share_root_id = 0;  // 0: the caller owns the node
  // Through shares: when the oldest of the shares reaching the caller was made, the start of
  // what the caller may see of the node's history (its activity).
  Micros shared_since = 0;
  bool owned() const { return share_root_id == 0; }
};

// A public link to a file or folder. The token itself is never stored in the clear; the
// database holds its SHA-256 (for lookup) and a sealed copy (so the owner can copy it again).
struct ShareLink {
  int64_t id = 0;
  int64_t node_id = 0;
  int64_t owner_id = 0;
  std::string token_sealed;
  std::string password_hash;  // Argon2id; "" when the link has no password
  std::optional<Micros> expires;
  std::optional<int64_t> max_downloads;
  int64_t downloads = 0;
  int64_t views = 0;
  bool disabled = false;
  bool file_drop = false;  // folders only: visitors may upload, not list or download
  Micros created = 0;
  // Bumped when the password changes, so access granted under the old one ends.
  int64_t password_epoch = 0;

  bool usable(Micros now) const {
    return !disabled && (!expires || now < *expires) &&
           (!max_downloads || downloads < *max_downloads);
  }
};

struct NewLink {
  int64_t node_id = 0;
  std::string token_hash;
  std::string token_sealed;
  std::string password_hash;
  std::optional<Micros> expires;
  std::optional<int64_t> max_downloads;
  bool file_drop = false;
};

// A PATCH of a link: each field, when present, replaces the stored one. An empty optional
// inside means "remove" (no expiry, no limit, no password).
struct LinkChanges {
  std::optional<std::optional<Micros>> expires;
  std::optional<std::optional<int64_t>> max_downloads;
  std::optional<std::string> password_hash;  // "" removes the password
  std::optional<bool> disabled;
  std::optional<bool> file_drop;
};

}  // namespace coffer
