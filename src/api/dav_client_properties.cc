#include "api/dav_client_properties.h"

#include <charconv>
#include <cstdio>

#include "dav/xml_writer.h"

namespace coffer::api {
namespace {

// What makes oc:id unique across installations in the clients' databases; constant, since a
// client account belongs to one server anyway.
constexpr std::string_view kInstanceSuffix = "occoffer";

std::string hex(uint64_t value) {
  char digits[17];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value, 16);
  return std::string(digits, end);
}

bool append_oc_property(std::string& out, std::string_view name, const Node& node,
                        const DavTree& tree, std::string_view owner_name) {
  const bool file = node.kind == NodeKind::kFile;
  const bool virtual_collection = node.id == 0;
  auto put = [&](std::string_view value) {
    std::string escaped;
    dav::append_xml_escaped(escaped, value);
    dav::append_xml_element(out, "oc", name, escaped);
    return true;
  };
  if (name == "id") return put(oc_id(node.id));  // the virtual collection's is 00000000…
  if (name == "fileid") return !virtual_collection && put(std::to_string(node.id));
  if (name == "permissions") return put(oc_permissions(node, tree));
  if (name == "size") return file && put(std::to_string(node.size));
  if (name == "checksums") {
    if (!file || node.sha256.empty()) return false;
    // Several in one element, space-separated, as ownCloud lists them; SHA-1 only where the
    // uploading client declared it (rclone compares SHA-1 only, the desktop clients SHA-256).
    std::string sums = "<oc:checksum>";
    if (!node.sha1.empty()) sums += "SHA1:" + node.sha1 + " ";
    sums += "SHA256:" + node.sha256 + "</oc:checksum>";
    dav::append_xml_element(out, "oc", name, sums);
    return true;
  }
  // Empty: no backup has been restored (a change tells clients to keep their local files).
  if (name == "data-fingerprint") return put("");
  if (name == "share-types") return put("");
  if (name == "downloadURL" || name == "dDC") return put("");
  if (name == "favorite") return put("0");
  if (name == "owner-id" || name == "owner-display-name") {
    return !owner_name.empty() && put(owner_name);
  }
  return false;
}

bool append_nc_property(std::string& out, std::string_view name, const Node& node,
                        bool has_preview) {
  auto put = [&](std::string_view escaped) {
    dav::append_xml_element(out, "nc", name, escaped);
    return true;
  };
  if (name == "has-preview") return put(has_preview ? "true" : "false");
  if (name == "is-encrypted") return put("0");
  if (name == "mount-type") return put("");
  if (name == "creation_time") return put(std::to_string(node.created / 1'000'000));
  return false;
}

}  // namespace

std::string dav_etag(const Node& node) {
  if (node.kind == NodeKind::kFile) return "\"" + node.sha256.substr(0, 32) + "\"";
  const Micros changed = node.tree_changed != 0 ? node.tree_changed : node.modified;
  return "\"" + hex(static_cast<uint64_t>(node.id)) + "-" + hex(static_cast<uint64_t>(changed)) +
         "\"";
}

std::string oc_id(int64_t node_id) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%08lld", static_cast<long long>(node_id));
  return std::string(digits) + std::string(kInstanceSuffix);
}

std::optional<int64_t> parse_client_file_id(std::string_view id) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  const std::string_view rest(end, static_cast<size_t>(id.data() + id.size() - end));
  if (ec != std::errc() || value <= 0 || !(rest.empty() || rest == kInstanceSuffix)) {
    return std::nullopt;
  }
  return value;
}

std::string oc_permissions(const Node& node, const DavTree& tree) {
  const bool file = node.kind == NodeKind::kFile;
  if (node.id == 0) return "G";  // the virtual collection of what is shared with the caller
  const bool shared = tree.top_id != 0;
  std::string out = shared ? "S" : "R";
  out += 'G';
  if (!tree.writable) return out;
  // The shared node itself is the owner's to delete, rename or move.
  if (node.id != tree.top_id) out += "DNV";
  out += file ? "W" : "CK";
  return out;
}

bool append_client_property(std::string& out, std::string_view ns, std::string_view name,
                            const Node& node, const DavTree& tree, std::string_view owner_name,
                            bool has_preview) {
  if (ns == kOcNs) return append_oc_property(out, name, node, tree, owner_name);
  if (ns == kNcNs) return append_nc_property(out, name, node, has_preview);
  return false;
}

}  // namespace coffer::api
