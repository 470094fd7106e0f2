#pragma once
// Where a WebDAV path lands. /dav/ is the caller's own tree, except /dav/Shared: a read-only
// virtual collection with one member per share visible to the caller (directly or through a
// group; dav::shared_entry_names names them), and everything below /dav/Shared/<entry>/ lies in
// the share owner's tree, below the shared node. A real root folder of the caller named
// "Shared" is hidden from WebDAV by the virtual one (it stays reachable over REST).
//
// Each location carries its DavTree: whose tree it is (for dead properties, quota and locks)
// and how the caller's paths translate to the owner's and back. Locks are keyed by the owner's
// path, so a lock taken through /dav/Shared/… binds the owner's own path too; the translation
// back never shows the caller anything above the shared node.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_context.h"
#include "api/dav_paths.h"
#include "core/model.h"
#include "core/sharing.h"
#include "core/status.h"

namespace coffer::api {

// The name of the virtual collection in every user's DAV root.
inline constexpr std::string_view kDavSharedName = "Shared";

// A tree as the caller sees it: its top is the caller's root (`view_prefix` empty) or a shared
// node (`view_prefix` {"Shared", entry}).
struct DavTree {
  int64_t owner_id = 0;                  // whose tree: catalog calls, properties, quota, locks
  std::vector<std::string> view_prefix;  // the caller's path to the top
  std::string owner_prefix = "/";        // the owner's path to the top
  int64_t top_id = 0;                    // the shared node at the top; 0 for the caller's own tree
  bool writable = true;  // whether the caller may change what lies in it (a share's permission)

  // The owner's path (the lock key) of the caller's `segments`, which start with view_prefix.
  std::string owner_path(const std::vector<std::string>& segments) const;
  // The caller's segments for an owner's path; a path at or above the top maps to the top.
  std::vector<std::string> view_segments(std::string_view owner_path) const;
};

enum class DavPlace {
  kOwn,               // the caller's own tree
  kSharedCollection,  // /dav/Shared itself
  kShared,            // /dav/Shared/<entry> and below
};

struct DavTarget {
  DavPath path;  // as the caller sent it
  DavPlace place = DavPlace::kOwn;
  DavTree tree;
  // The resource; nullopt when unmapped. For the virtual collection, a stand-in folder with
  // id 0 (the caller's root's timestamps), so that no catalog call can act on it.
  std::optional<Node> node;

  bool is_virtual() const { return place == DavPlace::kSharedCollection; }
  // /dav/Shared/<entry>: the shared node itself, which only its owner renames, moves or deletes.
  bool is_share_top() const { return place == DavPlace::kShared && path.segments.size() == 2; }
  std::string lock_path() const { return tree.owner_path(path.segments); }
};

// One member of /dav/Shared.
struct DavSharedEntry {
  std::string name;
  SharedWithMe item;
};

// The members of the caller's /dav/Shared, in name order.
Result<std::vector<DavSharedEntry>> dav_shared_entries(ApiContext& ctx, int64_t actor);

// Resolves `path` for `actor`. An unknown entry of /dav/Shared (or one whose share was revoked)
// is kNotFound; so is anything below an unmapped path.
Result<DavTarget> locate_dav_path(ApiContext& ctx, int64_t actor, DavPath path);

// The virtual collection's stand-in node for `actor`; its tree_changed is the fingerprint below.
Result<Node> dav_shared_collection_node(ApiContext& ctx, int64_t actor);

// A value that changes whenever anything shared with `actor` changes (a share added, revoked or
// renamed, or anything below a shared node); 0 when nothing is shared with `actor`.
Result<Micros> dav_shared_fingerprint(ApiContext& ctx, int64_t actor);

// The tree below one entry of /dav/Shared.
Result<DavTree> dav_shared_tree(ApiContext& ctx, const DavSharedEntry& entry);

}  // namespace coffer::api
