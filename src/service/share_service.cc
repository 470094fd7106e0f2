#include "service/share_service.h"

#include "auth/opaque_token.h"
#include "auth/password.h"

namespace coffer::service {
namespace {

// Share link tokens: 256 random bits behind a prefix secret scanners can find.
constexpr std::string_view kLinkTokenPrefix = "csl_";

Status link_not_found() { return Status(Errc::kNotFound, "no such link"); }

Status validate_options(const std::optional<Micros>& expires,
                        const std::optional<int64_t>& max_downloads) {
  if (expires && *expires <= now_micros()) {
    return Status(Errc::kInvalidArgument, "expires_at must be in the future");
  }
  if (max_downloads && *max_downloads < 1) {
    return Status(Errc::kInvalidArgument, "max_downloads must be at least 1");
  }
  return Status::ok();
}

Result<std::string> hash_link_password(const std::string& password) {
  if (password.size() > 1024) return Status(Errc::kInvalidArgument, "the password is too long");
  return auth::hash_password(password);
}

}  // namespace

ShareService::ShareService(meta::Catalog& catalog, auth::SecretBox link_box,
                           auth::UrlSigner link_access, ThrottlePolicy throttle)
    : catalog_(catalog),
      store_(catalog.shares()),
      access_(catalog),
      link_box_(std::move(link_box)),
      link_access_(std::move(link_access)),
      throttle_(catalog.accounts(), throttle) {}

Result<Access> ShareService::require_owner(int64_t actor, int64_t node_id) const {
  auto access = access_.check(actor, node_id, Permission::kRead);
  COFFER_RETURN_IF_ERROR(access);
  if (!access->owned()) {
    return Status(Errc::kForbidden, "only the owner can share this or see its shares");
  }
  return access;
}

Result<Share> ShareService::share(int64_t actor, int64_t node_id, int64_t user_id, int64_t group_id,
                                  Permission permission) {
  if ((user_id != 0) == (group_id != 0)) {
    return Status(Errc::kInvalidArgument, "give either user_id or group_id");
  }
  if (user_id == actor) return Status(Errc::kInvalidArgument, "you cannot share with yourself");
  COFFER_RETURN_IF_ERROR(require_owner(actor, node_id));
  auto share = store_.put_share(actor, node_id, user_id, group_id, permission, now_micros());
  if (share.is_ok()) {
    note(actor, node_id, actor, activity::kShared,
         activity_detail({{"share_id", share->id},
                          {"recipient", share->recipient_name},
                          {"recipient_kind", std::string(user_id != 0 ? "user" : "group")},
                          {"permission", std::string(permission_name(permission))}}));
    note_for_recipients(*share, actor, activity::kShared);
  }
  return share;
}

Result<std::vector<Share>> ShareService::node_shares(int64_t actor, int64_t node_id) {
  COFFER_RETURN_IF_ERROR(require_owner(actor, node_id));
  return store_.node_shares(actor, node_id);
}

Status ShareService::revoke(int64_t actor, int64_t share_id) {
  auto share = store_.get_share(share_id);
  COFFER_RETURN_IF_ERROR(share);
  // The owner revokes; a recipient user may leave a share made to them by name.
  if (share->owner_id != actor && share->user_id != actor) {
    return Status(Errc::kNotFound, "no such share");
  }
  COFFER_RETURN_IF_ERROR(store_.delete_share(share_id));
  note(share->owner_id, share->node_id, actor, activity::kUnshared,
       activity_detail({{"share_id", share->id}, {"recipient", share->recipient_name}}));
  note_for_recipients(*share, actor, activity::kUnshared);
  return Status::ok();
}

Result<std::vector<SharedWithMe>> ShareService::shared_with_me(int64_t actor) {
  return store_.shared_with(actor);
}

Result<LinkView> ShareService::view(const ShareLink& link) const {
  auto token = link_box_.open(link.token_sealed);
  COFFER_RETURN_IF_ERROR(token);
  return LinkView{link, std::string(token->begin(), token->end())};
}

Result<LinkView> ShareService::create_link(int64_t actor, int64_t node_id,
                                           const LinkOptions& options) {
  COFFER_RETURN_IF_ERROR(validate_options(options.expires, options.max_downloads));
  auto access = require_owner(actor, node_id);
  COFFER_RETURN_IF_ERROR(access);
  auto node = catalog_.get_node(actor, node_id);
  COFFER_RETURN_IF_ERROR(node);
  if (options.file_drop && node->kind != NodeKind::kFolder) {
    return Status(Errc::kInvalidArgument, "file_drop needs a folder");
  }
  NewLink link;
  link.node_id = node_id;
  const std::string token = auth::new_opaque_token(kLinkTokenPrefix);
  link.token_hash = auth::opaque_token_hash(token);
  link.token_sealed = link_box_.seal(std::vector<unsigned char>(token.begin(), token.end()));
  if (!options.password.empty()) {
    auto hash = hash_link_password(options.password);
    COFFER_RETURN_IF_ERROR(hash);
    link.password_hash = std::move(*hash);
  }
  link.expires = options.expires;
  link.max_downloads = options.max_downloads;
  link.file_drop = options.file_drop;
  auto created = store_.create_link(actor, link, now_micros());
  COFFER_RETURN_IF_ERROR(created);
  // Never the token or the password: only that there is one.
  if (activity_ != nullptr) {
    activity_->record(activity_of(*node, actor, activity::kLinkCreated,
                                  activity_detail({{"link_id", created->id},
                                                   {"password", !options.password.empty()},
                                                   {"expires", options.expires.has_value()},
                                                   {"file_drop", options.file_drop}})));
  }
  return LinkView{std::move(*created), token};
}

Result<std::vector<LinkView>> ShareService::links(int64_t actor, std::optional<int64_t> node_id) {
  if (node_id) COFFER_RETURN_IF_ERROR(require_owner(actor, *node_id));
  auto links = store_.list_links(actor, node_id);
  COFFER_RETURN_IF_ERROR(links);
  std::vector<LinkView> out;
  out.reserve(links->size());
  for (const ShareLink& link : *links) {
    auto v = view(link);
    COFFER_RETURN_IF_ERROR(v);
    out.push_back(std::move(*v));
  }
  return out;
}

Result<LinkView> ShareService::update_link(int64_t actor, int64_t link_id,
                                           const LinkUpdate& update) {
  COFFER_RETURN_IF_ERROR(validate_options(update.expires.value_or(std::nullopt),
                                          update.max_downloads.value_or(std::nullopt)));
  LinkChanges changes;
  changes.expires = update.expires;
  changes.max_downloads = update.max_downloads;
  changes.disabled = update.disabled;
  changes.file_drop = update.file_drop;
  if (update.password) {
    if (update.password->empty()) {
      changes.password_hash = "";
    } else {
      auto hash = hash_link_password(*update.password);
      COFFER_RETURN_IF_ERROR(hash);
      changes.password_hash = std::move(*hash);
    }
  }
  if (update.file_drop.value_or(false)) {
    auto link = store_.get_link(actor, link_id);
    COFFER_RETURN_IF_ERROR(link);
    auto node = catalog_.get_node(actor, link->node_id);
    COFFER_RETURN_IF_ERROR(node);
    if (node->kind != NodeKind::kFolder) {
      return Status(Errc::kInvalidArgument, "file_drop needs a folder");
    }
  }
  auto link = store_.update_link(actor, link_id, changes);
  COFFER_RETURN_IF_ERROR(link);
  return view(*link);
}

Status ShareService::delete_link(int64_t actor, int64_t link_id) {
  auto link = store_.get_link(actor, link_id);
  COFFER_RETURN_IF_ERROR(link);
  COFFER_RETURN_IF_ERROR(store_.delete_link(actor, link_id));
  note(actor, link->node_id, actor, activity::kLinkRemoved,
       activity_detail({{"link_id", link_id}}));
  return Status::ok();
}

void ShareService::note(int64_t owner_id, int64_t node_id, int64_t actor, std::string_view action,
                        std::string detail) {
  if (activity_ == nullptr) return;
  auto node = catalog_.get_node(owner_id, node_id);
  if (node.is_ok()) activity_->record(activity_of(*node, actor, action, std::move(detail)));
}

void ShareService::note_for_recipients(const Share& share, int64_t actor, std::string_view action) {
  if (activity_ == nullptr) return;
  std::vector<int64_t> recipients;
  if (share.user_id != 0) {
    recipients.push_back(share.user_id);
  } else if (auto group = catalog_.accounts().get_group(share.group_id); group.is_ok()) {
    recipients = std::move(group->member_ids);
  }
  auto node = catalog_.get_node(share.owner_id, share.node_id);
  if (!node.is_ok()) return;
  for (int64_t recipient : recipients) {
    if (recipient == share.owner_id) continue;
    NewActivity e = activity_of(*node, actor, action, activity_detail({{"share_id", share.id}}));
    // In the recipient's tree, where the owner's folders mean nothing.
    e.owner_id = recipient;
    e.parent_id = 0;
    activity_->record(std::move(e));
  }
}

Result<OpenedLink> ShareService::open_link(const std::string& token) {
  if (token.size() != kLinkTokenPrefix.size() + 43 || !token.starts_with(kLinkTokenPrefix)) {
    return link_not_found();
  }
  auto link = store_.find_link(auth::opaque_token_hash(token));
  COFFER_RETURN_IF_ERROR(link);
  if (!*link || !(*link)->usable(now_micros())) return link_not_found();
  auto node = catalog_.get_node((*link)->owner_id, (*link)->node_id);
  if (!node.is_ok()) return link_not_found();
  return OpenedLink{std::move(**link), std::move(*node)};
}

bool ShareService::unlocked(const ShareLink& link, std::string_view access_token) const {
  if (link.password_hash.empty()) return true;
  if (access_token.empty()) return false;
  auto grant = link_access_.verify(access_token, now_micros() / 1'000'000);
  return grant.is_ok() && grant->file_id == link.id && grant->version_id == link.password_epoch;
}

Result<std::string> ShareService::unlock(const ShareLink& link, std::string_view password,
                                         std::string_view client_address, int64_t ttl_seconds) {
  const Micros now = now_micros();
  const std::string key = "link:" + std::to_string(link.id);
  COFFER_RETURN_IF_ERROR(throttle_.check(key, client_address, now));
  if (link.password_hash.empty() || !auth::verify_password(password, link.password_hash)) {
    COFFER_RETURN_IF_ERROR(throttle_.record_failure(key, client_address, now));
    return Status(Errc::kUnauthenticated, "the password is wrong");
  }
  (void)throttle_.record_success(key, client_address);
  auth::DownloadGrant grant;
  grant.file_id = link.id;
  grant.version_id = link.password_epoch;
  grant.expires_at = now / 1'000'000 + ttl_seconds;
  return link_access_.sign(grant);
}

Result<Node> ShareService::node_in_link(const OpenedLink& opened, int64_t node_id) {
  if (node_id == opened.node.id) return opened.node;
  if (opened.node.kind != NodeKind::kFolder) return link_not_found();
  auto within = store_.is_within(opened.node.id, node_id);
  COFFER_RETURN_IF_ERROR(within);
  if (!*within) return link_not_found();
  auto node = catalog_.get_node(opened.link.owner_id, node_id);
  if (!node.is_ok()) return link_not_found();
  return node;
}

Status ShareService::count_view(const ShareLink& link) { return store_.count_view(link.id); }

Status ShareService::count_download(const ShareLink& link) {
  auto counted = store_.count_download(link.id);
  COFFER_RETURN_IF_ERROR(counted);
  if (!*counted) return link_not_found();
  return Status::ok();
}

}  // namespace coffer::service
