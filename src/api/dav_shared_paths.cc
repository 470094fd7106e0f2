#include "api/dav_shared_paths.h"

#include <algorithm>
#include <limits>

#include "core/name_rules.h"
#include "dav/lock_manager.h"
#include "dav/share_names.h"

namespace coffer::api {
namespace {

std::string join_path(std::string prefix, auto begin, auto end) {
  for (auto it = begin; it != end; ++it) {
    if (!prefix.ends_with('/')) prefix += '/';
    prefix += *it;
  }
  return prefix;
}

// The owner's path of `node`, walking up to the owner's root. Only ever used as a lock key:
// the caller never sees it (DavTree::view_segments stops at the top).
Result<std::string> owner_path_of(ApiContext& ctx, const Node& node) {
  std::vector<std::string> names;
  Node current = node;
  while (current.parent_id != 0) {
    names.push_back(current.name);
    auto parent = ctx.catalog.get_node(current.owner_id, current.parent_id);
    COFFER_RETURN_IF_ERROR(parent);
    current = std::move(*parent);
  }
  return join_path("/", names.rbegin(), names.rend());
}

Result<std::optional<Node>> mapped(Result<Node> node) {
  if (node.is_ok()) return std::optional<Node>(std::move(*node));
  if (node.status().code() == Errc::kNotFound) return std::optional<Node>();
  return node.status();
}

}  // namespace

std::string DavTree::owner_path(const std::vector<std::string>& segments) const {
  const size_t skip = std::min(view_prefix.size(), segments.size());
  return join_path(owner_prefix, segments.begin() + static_cast<ptrdiff_t>(skip), segments.end());
}

std::vector<std::string> DavTree::view_segments(std::string_view owner_path) const {
  std::vector<std::string> out = view_prefix;
  if (!dav::path_within(owner_path, owner_prefix)) return out;
  std::string_view rest = owner_path.substr(owner_prefix == "/" ? 0 : owner_prefix.size());
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of('/');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = rest.find('/');
    out.emplace_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  return out;
}

Result<std::vector<DavSharedEntry>> dav_shared_entries(ApiContext& ctx, int64_t actor) {
  auto items = ctx.shares.shared_with_me(actor);
  COFFER_RETURN_IF_ERROR(items);
  std::vector<dav::ShareNameInput> inputs;
  for (const SharedWithMe& item : *items) {
    inputs.push_back({item.share.id, item.node.name, item.node.kind == NodeKind::kFolder});
  }
  const std::vector<std::string> names = dav::shared_entry_names(inputs);
  std::vector<DavSharedEntry> out;
  for (size_t i = 0; i < items->size(); ++i) out.push_back({names[i], std::move((*items)[i])});
  std::sort(out.begin(), out.end(),
            [](const DavSharedEntry& a, const DavSharedEntry& b) { return a.name < b.name; });
  return out;
}

Result<Node> dav_shared_collection_node(ApiContext& ctx, int64_t actor) {
  auto root = ctx.files.root(actor);
  COFFER_RETURN_IF_ERROR(root);
  auto fingerprint = dav_shared_fingerprint(ctx, actor);
  COFFER_RETURN_IF_ERROR(fingerprint);
  Node node = std::move(*root);
  node.id = 0;
  node.parent_id = 0;
  node.name = std::string(kDavSharedName);
  node.tree_changed = *fingerprint;
  return node;
}

Result<Micros> dav_shared_fingerprint(ApiContext& ctx, int64_t actor) {
  auto entries = dav_shared_entries(ctx, actor);
  COFFER_RETURN_IF_ERROR(entries);
  if (entries->empty()) return Micros{0};
  // FNV-1a over what each member's own ETag is made of, plus its name and permission: stable
  // across restarts and nodes, and different whenever a share comes, goes or changes below.
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view bytes) {
    for (const char c : bytes) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
    hash ^= 0xff;  // a separator, so that ("ab", "c") and ("a", "bc") differ
    hash *= 0x100000001b3ULL;
  };
  for (const DavSharedEntry& entry : *entries) {
    const Node& node = entry.item.node;
    mix(entry.name);
    mix(std::to_string(node.id));
    mix(std::to_string(node.tree_changed != 0 ? node.tree_changed : node.modified));
    mix(node.sha256);
    mix(entry.item.share.permission == Permission::kWrite ? "w" : "r");
  }
  return static_cast<Micros>(hash >> 1);  // positive
}

Result<DavTree> dav_shared_tree(ApiContext& ctx, const DavSharedEntry& entry) {
  auto prefix = owner_path_of(ctx, entry.item.node);
  COFFER_RETURN_IF_ERROR(prefix);
  return DavTree{entry.item.node.owner_id,
                 {std::string(kDavSharedName), entry.name},
                 std::move(*prefix),
                 entry.item.node.id,
                 entry.item.share.permission == Permission::kWrite};
}

Result<DavTarget> locate_dav_path(ApiContext& ctx, int64_t actor, DavPath path) {
  DavTarget target;
  target.tree.owner_id = actor;
  if (path.is_root() || path.segments.front() != kDavSharedName) {
    auto node = mapped(ctx.files.resolve_path(actor, path.path()));
    COFFER_RETURN_IF_ERROR(node);
    if (path.is_root() && node->has_value()) {
      // The root's ETag covers /dav/Shared too: a sync client polls the root alone.
      auto shared = dav_shared_fingerprint(ctx, actor);
      COFFER_RETURN_IF_ERROR(shared);
      Node& root = **node;
      const Micros own = root.tree_changed != 0 ? root.tree_changed : root.modified;
      if (*shared != 0) root.tree_changed = (own ^ *shared) & std::numeric_limits<Micros>::max();
    }
    target.node = std::move(*node);
    target.path = std::move(path);
    return target;
  }
  if (path.segments.size() == 1) {
    target.place = DavPlace::kSharedCollection;
    auto node = dav_shared_collection_node(ctx, actor);
    COFFER_RETURN_IF_ERROR(node);
    target.node = std::move(*node);
    target.path = std::move(path);
    return target;
  }
  target.place = DavPlace::kShared;
  target.path = std::move(path);
  const std::vector<std::string>& segments = target.path.segments;
  // An unknown entry itself is an unmapped path in no one's tree (owner 0): reads find
  // nothing, and creating it is refused by its parent, the read-only virtual collection.
  target.tree = DavTree{0, {segments[0], segments[1]}, "/", 0, false};
  // Below an unknown entry there is no tree at all: everything is kNotFound, so a revoked
  // share answers 404 to every request.
  auto no_such_entry = [&]() -> Result<DavTarget> {
    if (segments.size() > 2) return Status(Errc::kNotFound, "nothing is shared with you there");
    return std::move(target);
  };
  auto wanted = normalize_name(segments[1]);
  if (!wanted.is_ok()) return no_such_entry();
  auto entries = dav_shared_entries(ctx, actor);
  COFFER_RETURN_IF_ERROR(entries);
  for (const DavSharedEntry& entry : *entries) {
    if (entry.name != *wanted) continue;
    auto tree = dav_shared_tree(ctx, entry);
    COFFER_RETURN_IF_ERROR(tree);
    target.tree = std::move(*tree);
    const std::string rest = join_path("/", segments.begin() + 2, segments.end());
    auto node = mapped(ctx.files.resolve_below(actor, entry.item.node.id, rest));
    COFFER_RETURN_IF_ERROR(node);
    target.node = std::move(*node);
    // The entry's name, which may carry a " (2)" the node's own name does not.
    if (target.node && target.is_share_top()) target.node->name = entry.name;
    return target;
  }
  return no_such_entry();
}

}  // namespace coffer::api
