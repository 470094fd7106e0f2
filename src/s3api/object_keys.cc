#include "s3api/object_keys.h"

#include "core/name_rules.h"

namespace coffer::s3api {

Result<ObjectKey> parse_key(std::string_view key) {
  if (key.empty()) return Status(Errc::kInvalidArgument, "the object key is empty");
  if (key.size() > kMaxKeyBytes) {
    return Status(Errc::kInvalidArgument, "object keys are at most 1024 bytes");
  }
  ObjectKey parsed;
  if (key.back() == '/') {
    parsed.folder_marker = true;
    key.remove_suffix(1);
  }
  size_t pos = 0;
  while (pos <= key.size()) {
    size_t slash = key.find('/', pos);
    if (slash == std::string_view::npos) slash = key.size();
    std::string_view segment = key.substr(pos, slash - pos);
    if (segment.empty()) {
      return Status(Errc::kInvalidName,
                    "object keys with an empty segment (\"//\" or a leading '/') are not "
                    "supported: every segment is a folder or file name");
    }
    auto name = normalize_name(segment);
    COFFER_RETURN_IF_ERROR(name);
    parsed.segments.push_back(std::move(*name));
    pos = slash + 1;
  }
  return parsed;
}

Result<Node> find_bucket(service::FileService& files, int64_t actor, std::string_view bucket) {
  auto name = normalize_name(bucket);
  if (!name.is_ok()) return Status(Errc::kNotFound, "no such bucket");
  auto root = files.root_id(actor);
  COFFER_RETURN_IF_ERROR(root);
  auto node = files.resolve_own(actor, *root, {*name});
  if (!node.is_ok() && node.status().code() != Errc::kNotFound) return node.status();
  if (!node.is_ok() || node->kind != NodeKind::kFolder) {
    return Status(Errc::kNotFound, "The specified bucket does not exist");
  }
  return node;
}

namespace {

// A found node is the key's object when it is a file, or a folder for a marker key.
Result<Node> as_object(Result<Node> node, const ObjectKey& key) {
  if (!node.is_ok()) {
    if (node.status().code() == Errc::kNotFound) {
      return Status(Errc::kNotFound, "The specified key does not exist.");
    }
    return node.status();
  }
  if ((node->kind == NodeKind::kFolder) != key.folder_marker) {
    return Status(Errc::kNotFound, "The specified key does not exist.");
  }
  return node;
}

}  // namespace

Result<Node> find_object(service::FileService& files, int64_t actor, const Node& bucket,
                         const ObjectKey& key) {
  return as_object(files.resolve_own(actor, bucket.id, key.segments), key);
}

Result<Node> find_bucket_object(service::FileService& files, int64_t actor, std::string_view bucket,
                                const ObjectKey& key) {
  auto name = normalize_name(bucket);
  if (!name.is_ok()) return Status(Errc::kNotFound, "no such bucket");
  auto root = files.root_id(actor);
  COFFER_RETURN_IF_ERROR(root);
  std::vector<std::string> names{std::move(*name)};
  names.insert(names.end(), key.segments.begin(), key.segments.end());
  return as_object(files.resolve_own(actor, *root, names), key);
}

Result<std::vector<Node>> all_children(service::FileService& files, int64_t actor,
                                       const Node& folder) {
  std::vector<Node> all;
  ListOptions options;
  options.limit = 1000;
  options.include_archived = true;  // every object, whatever its document status
  for (;;) {
    auto page = files.list(actor, folder.id, options);
    COFFER_RETURN_IF_ERROR(page);
    const bool more = page->size() == options.limit;
    for (Node& n : *page) all.push_back(std::move(n));
    if (!more) return all;
    options.after = all.back();
  }
}

Result<Node> make_parent(service::FileService& files, int64_t actor, const Node& bucket,
                         const ObjectKey& key) {
  Node current = bucket;
  const size_t folders = key.folder_marker ? key.segments.size() : key.segments.size() - 1;
  for (size_t i = 0; i < folders; ++i) {
    const std::string& name = key.segments[i];
    auto child = files.resolve_own(actor, current.id, {name});
    if (!child.is_ok() && child.status().code() == Errc::kNotFound) {
      child = files.create_folder(actor, current.id, name);
      // Another request made it first.
      if (!child.is_ok() && child.status().code() == Errc::kNameConflict) {
        child = files.resolve_own(actor, current.id, {name});
      }
    }
    COFFER_RETURN_IF_ERROR(child);
    if (child->kind != NodeKind::kFolder) {
      return Status(Errc::kConflict, "\"" + name +
                                         "\" is an object, so it cannot also be a prefix of "
                                         "other keys here");
    }
    current = std::move(*child);
  }
  return current;
}

}  // namespace coffer::s3api
