#pragma once
// The WebDAV properties of the ownCloud (http://owncloud.org/ns) and Nextcloud
// (http://nextcloud.org/ns) namespaces that their sync clients ask for in every PROPFIND:
// stable file ids (to tell a move from a delete and a create), permissions (what the client
// may change locally and push), checksums, sizes. PROPFIND answers declare the prefixes
// kOcPrefix and kNcPrefix on their root element.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/dav_shared_paths.h"
#include "core/model.h"

namespace coffer::api {

inline constexpr std::string_view kOcNs = "http://owncloud.org/ns";
inline constexpr std::string_view kNcNs = "http://nextcloud.org/ns";
// The namespace declarations a multistatus root carries for the properties written here.
inline constexpr std::string_view kClientNamespaces =
    " xmlns:oc=\"http://owncloud.org/ns\" xmlns:nc=\"http://nextcloud.org/ns\"";

// The entity tag of a node as every WebDAV mount shows it (quoted). A file's is the first 128
// bits of its content SHA-256 (litmus builds If headers in fixed 200-byte buffers, which the
// full 64 hex digits overflow); a folder's changes whenever anything below it changes
// (Node::tree_changed).
std::string dav_etag(const Node& node);

// oc:id: the node id zero-padded to eight digits and the installation's suffix, the form the
// clients store; also the value of the OC-FileId response header.
std::string oc_id(int64_t node_id);
// The node id a client names a file by: the number of oc:fileid, or an oc:id. nullopt when
// `id` is neither.
std::optional<int64_t> parse_client_file_id(std::string_view id);

// oc:permissions of `node` in `tree` as the clients read them: S shared with the caller,
// R may share, G readable, D deletable, N renamable, V movable, W writable (files),
// C and K may create files and folders in it (folders).
std::string oc_permissions(const Node& node, const DavTree& tree);

// Appends <prefix:name>value</prefix:name> for the property `name` of namespace `ns` (kOcNs or
// kNcNs) of `node`; false, with nothing appended, when the node has no such property.
// `owner_name` is the user name of the tree's owner (oc:owner-id); `has_preview` whether the
// Nextcloud preview endpoint serves one of the node (nc:has-preview).
bool append_client_property(std::string& out, std::string_view ns, std::string_view name,
                            const Node& node, const DavTree& tree, std::string_view owner_name,
                            bool has_preview);

}  // namespace coffer::api
