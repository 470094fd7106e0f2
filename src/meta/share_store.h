#pragma once
// Shares with users and groups, and public links, in the metadata database. Node ownership
// is checked here (a node of someone else is kNotFound); who may do what is the service's.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/sharing.h"
#include "core/status.h"

namespace coffer::meta {

class ShareStore {
 public:
  virtual ~ShareStore() = default;

  // Shares `node_id` (a live node of `owner_id`) with a user or a group; sharing again with
  // the same recipient changes the permission. Errors: kNotFound (node, user or group),
  // kConflict (a root folder).
  virtual Result<Share> put_share(int64_t owner_id, int64_t node_id, int64_t user_id,
                                  int64_t group_id, Permission permission, Micros now) = 0;
  // The shares of one node of `owner_id`. Errors: kNotFound.
  virtual Result<std::vector<Share>> node_shares(int64_t owner_id, int64_t node_id) = 0;
  virtual Result<Share> get_share(int64_t share_id) = 0;
  virtual Status delete_share(int64_t share_id) = 0;
  // Live nodes shared with `user_id`, directly or through a group, newest first.
  virtual Result<std::vector<SharedWithMe>> shared_with(int64_t user_id) = 0;
  // What `user_id` may do on `node_id` through shares of it or of a folder above it (the
  // strongest permission wins); nullopt when no share reaches it or the node is not live.
  virtual Result<std::optional<Access>> share_access(int64_t user_id, int64_t node_id) = 0;
  // Whether `node_id` is `ancestor_id` or below it (both live).
  virtual Result<bool> is_within(int64_t ancestor_id, int64_t node_id) = 0;

  // Links. create_link errors: kNotFound (node). The others: kNotFound (no such link of
  // `owner_id`).
  virtual Result<ShareLink> create_link(int64_t owner_id, const NewLink& link, Micros now) = 0;
  // All links of `owner_id`, or those of one node, newest first.
  virtual Result<std::vector<ShareLink>> list_links(int64_t owner_id,
                                                    std::optional<int64_t> node_id) = 0;
  virtual Result<ShareLink> get_link(int64_t owner_id, int64_t link_id) = 0;
  virtual Result<ShareLink> update_link(int64_t owner_id, int64_t link_id,
                                        const LinkChanges& changes) = 0;
  virtual Status delete_link(int64_t owner_id, int64_t link_id) = 0;
  // The link whose token hashes to `token_hash`, whatever its state (the caller decides);
  // nullopt when unknown or its node is no longer live.
  virtual Result<std::optional<ShareLink>> find_link(const std::string& token_hash) = 0;
  virtual Status count_view(int64_t link_id) = 0;
  // Counts one download unless the limit is reached; false when it was.
  virtual Result<bool> count_download(int64_t link_id) = 0;
};

}  // namespace coffer::meta
