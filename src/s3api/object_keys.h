#pragma once
// Object keys as paths in a bucket's folder: "a/b/c.txt" is the file c.txt in the folder b in
// the folder a. Folders along a key are made as a write needs them; "a/b/" (a key ending in
// '/') names the folder itself, S3's "folder marker". What S3 allows and a file tree does not
// (empty segments "a//b", ".", "..", names that break the name rules, a key that is a file and
// a prefix at once) is refused (docs/s3.md).

#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "service/file_service.h"

namespace coffer::s3api {

inline constexpr size_t kMaxKeyBytes = 1024;

struct ObjectKey {
  std::vector<std::string> segments;  // normalised names, at least one
  bool folder_marker = false;         // the key ended in '/'
};

// Errors: kInvalidName (with the offending segment's rule), kInvalidArgument (too long, empty).
Result<ObjectKey> parse_key(std::string_view key);

// The bucket: a folder at the top of the actor's own tree (never one shared with them).
// kNotFound when there is none.
Result<Node> find_bucket(service::FileService& files, int64_t actor, std::string_view bucket);

// The node a key names below `bucket` (a file, or a folder for a marker key).
Result<Node> find_object(service::FileService& files, int64_t actor, const Node& bucket,
                         const ObjectKey& key);

// Every child of `folder`, in the catalog's order.
Result<std::vector<Node>> all_children(service::FileService& files, int64_t actor,
                                       const Node& folder);

// The object at `key` in the bucket named `bucket`, in one look-up (reads are most of the
// traffic). kNotFound when either is missing: a caller that must say which asks find_bucket.
Result<Node> find_bucket_object(service::FileService& files, int64_t actor, std::string_view bucket,
                                const ObjectKey& key);

// The folder that holds the key's last segment, made (with every folder above it) as needed;
// for a marker key, the marked folder itself. kConflict when a segment on the way is a file.
Result<Node> make_parent(service::FileService& files, int64_t actor, const Node& bucket,
                         const ObjectKey& key);

}  // namespace coffer::s3api
