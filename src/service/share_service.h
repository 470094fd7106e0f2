#pragma once
// Sharing: a node shared with users and groups (read or write), and public links that need no
// account. Who may reach a node through a share is the AccessPolicy's business; this service
// creates and revokes shares and links and answers the public side of links.
//
// Links fail closed and alike: an unknown, disabled, expired or exhausted token is the same
// kNotFound, so a token's state is no oracle. A link password is checked with the sign-in
// throttle (keyed by link and by client address) and, once right, exchanged for a short-lived
// signed access token that carries it instead of the password.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/secret_box.h"
#include "auth/url_signer.h"
#include "core/sharing.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/access_policy.h"
#include "service/activity_log.h"
#include "service/login_throttle.h"

namespace coffer::service {

struct LinkOptions {
  std::optional<Micros> expires;
  std::string password;  // "" for none
  std::optional<int64_t> max_downloads;
  bool file_drop = false;
};

// A PATCH of a link; see LinkChanges. `password` "" removes it.
struct LinkUpdate {
  std::optional<std::optional<Micros>> expires;
  std::optional<std::optional<int64_t>> max_downloads;
  std::optional<std::string> password;
  std::optional<bool> disabled;
  std::optional<bool> file_drop;
};

// A link with its token opened, for its owner.
struct LinkView {
  ShareLink link;
  std::string token;
};

// A link as a visitor reaches it: the link and the node it shares.
struct OpenedLink {
  ShareLink link;
  Node node;
};

class ShareService {
 public:
  // `link_box` seals tokens for their owners; `link_access` signs unlocked-password tokens.
  ShareService(meta::Catalog& catalog, auth::SecretBox link_box, auth::UrlSigner link_access,
               ThrottlePolicy throttle);

  // Where shares and links made or removed are recorded (null: nowhere). Must outlive this.
  void set_activity(ActivityLog* activity) { activity_ = activity; }

  // Shares with users and groups. Only the owner shares and lists; the owner or the
  // recipient user revokes. Errors: kNotFound, kForbidden (not the owner), kInvalidArgument
  // (sharing with oneself), kConflict (a root folder).
  Result<Share> share(int64_t actor, int64_t node_id, int64_t user_id, int64_t group_id,
                      Permission permission);
  Result<std::vector<Share>> node_shares(int64_t actor, int64_t node_id);
  Status revoke(int64_t actor, int64_t share_id);
  Result<std::vector<SharedWithMe>> shared_with_me(int64_t actor);

  // Links, for their owner. Errors: kNotFound, kForbidden (not the owner), kInvalidArgument.
  Result<LinkView> create_link(int64_t actor, int64_t node_id, const LinkOptions& options);
  Result<std::vector<LinkView>> links(int64_t actor, std::optional<int64_t> node_id);
  Result<LinkView> update_link(int64_t actor, int64_t link_id, const LinkUpdate& update);
  Status delete_link(int64_t actor, int64_t link_id);

  // The public side. open_link: kNotFound for every token that does not lead to a usable link.
  Result<OpenedLink> open_link(const std::string& token);
  // Whether the visitor holds the link's password: `access_token` from unlock(). A link without
  // a password is always unlocked.
  bool unlocked(const ShareLink& link, std::string_view access_token) const;
  // Checks the password; returns an access token valid for `ttl_seconds`. Errors:
  // kUnauthenticated (wrong password), kTooManyRequests (throttled).
  Result<std::string> unlock(const ShareLink& link, std::string_view password,
                             std::string_view client_address, int64_t ttl_seconds);
  // A node of the link's tree: the link's node itself or one below it (folder links).
  Result<Node> node_in_link(const OpenedLink& opened, int64_t node_id);
  Status count_view(const ShareLink& link);
  // Counts one download; kNotFound when the limit is reached (the same answer as for an
  // exhausted link).
  Status count_download(const ShareLink& link);

 private:
  Result<LinkView> view(const ShareLink& link) const;
  Result<Access> require_owner(int64_t actor, int64_t node_id) const;

  meta::Catalog& catalog_;
  meta::ShareStore& store_;
  AccessPolicy access_;
  auth::SecretBox link_box_;
  auth::UrlSigner link_access_;
  LoginThrottle throttle_;
  ActivityLog* activity_ = nullptr;

  // Records `action` on `node_id` of `owner_id`'s tree, when the node is still there.
  // Records, in each recipient's own activity, that `share` was made or revoked (`action`),
  // so that their change feed tells them even once the share no longer leads them to the
  // owner's tree.
  void note_for_recipients(const Share& share, int64_t actor, std::string_view action);
  void note(int64_t owner_id, int64_t node_id, int64_t actor, std::string_view action,
            std::string detail);
};

}  // namespace coffer::service
