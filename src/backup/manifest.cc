#include "backup/manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "backup/file_copy.h"

namespace coffer::backup {
namespace json = boost::json;
namespace {

constexpr std::pair<FileKind, std::string_view> kKindNames[] = {
    {FileKind::kMetadata, "metadata"}, {FileKind::kVolumeIndex, "volume-index"},
    {FileKind::kVolume, "volume"},     {FileKind::kChunk, "chunk"},
    {FileKind::kKey, "key"},
};

Status corrupt(const std::string& why) {
  return Status(Errc::kCorruption, "the backup manifest is not valid: " + why);
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<uint64_t> get_uint(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return corrupt("no " + std::string(key));
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return corrupt(std::string(key) + " is not a count");
}

Result<std::string> get_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return corrupt("no " + std::string(key));
  return std::string(v->as_string());
}

Result<ManifestFile> decode_file(const json::value& value) {
  if (!value.is_object()) return corrupt("a file entry is not an object");
  const json::object& o = value.as_object();
  ManifestFile file;
  auto path = get_string(o, "path");
  COFFER_RETURN_IF_ERROR(path);
  auto restore_to = get_string(o, "restore_to");
  COFFER_RETURN_IF_ERROR(restore_to);
  if (!is_safe_relative_path(*path) || !is_safe_relative_path(*restore_to)) {
    return corrupt("unsafe path " + *path + " -> " + *restore_to);
  }
  file.path = *path;
  file.restore_to = *restore_to;
  auto kind = get_string(o, "kind");
  COFFER_RETURN_IF_ERROR(kind);
  bool known = false;
  for (const auto& [k, name] : kKindNames) {
    if (name == *kind) {
      file.kind = k;
      known = true;
    }
  }
  if (!known) return corrupt("unknown kind " + *kind);
  const json::value* segments = o.if_contains("segments");
  if (segments == nullptr || !segments->is_array()) return corrupt("no segments for " + *path);
  for (const json::value& s : segments->as_array()) {
    if (!s.is_object()) return corrupt("a segment of " + *path + " is not an object");
    auto length = get_uint(s.as_object(), "length");
    COFFER_RETURN_IF_ERROR(length);
    auto sha256 = get_string(s.as_object(), "sha256");
    COFFER_RETURN_IF_ERROR(sha256);
    if (!is_hex64(*sha256)) return corrupt("a segment of " + *path + " has a bad sha256");
    file.segments.push_back(Segment{*length, *sha256});
  }
  if (o.contains("source_inode")) {
    auto device = get_uint(o, "source_device");
    COFFER_RETURN_IF_ERROR(device);
    auto inode = get_uint(o, "source_inode");
    COFFER_RETURN_IF_ERROR(inode);
    file.source_device = *device;
    file.source_inode = *inode;
  }
  return file;
}

}  // namespace

std::string_view file_kind_name(FileKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "chunk";
}

uint64_t ManifestFile::size() const {
  uint64_t total = 0;
  for (const Segment& s : segments) total += s.length;
  return total;
}

bool is_safe_relative_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!plain) return false;
    }
    start = end + 1;
  }
  return true;
}

std::string encode_manifest(const Manifest& manifest) {
  json::array files;
  for (const ManifestFile& f : manifest.files) {
    json::array segments;
    for (const Segment& s : f.segments) {
      segments.push_back(json::object{{"length", s.length}, {"sha256", s.sha256}});
    }
    json::object entry{{"path", f.path},
                       {"restore_to", f.restore_to},
                       {"kind", file_kind_name(f.kind)},
                       {"size", f.size()},
                       {"segments", std::move(segments)}};
    if (f.kind == FileKind::kVolume) {
      entry["source_device"] = f.source_device;
      entry["source_inode"] = f.source_inode;
    }
    files.push_back(std::move(entry));
  }
  json::object root{{"format", manifest.format},
                    {"generation", manifest.generation},
                    {"created", manifest.created},
                    {"coffer_version", manifest.coffer_version},
                    {"files", std::move(files)}};
  // One file per line keeps a large manifest readable and diffable.
  std::string out = "{\"format\":" + json::serialize(root["format"]) +
                    ",\"generation\":" + json::serialize(root["generation"]) +
                    ",\"created\":" + json::serialize(root["created"]) +
                    ",\"coffer_version\":" + json::serialize(root["coffer_version"]) +
                    ",\"files\":[";
  bool first = true;
  for (const json::value& entry : root["files"].as_array()) {
    out += first ? "\n" : ",\n";
    out += json::serialize(entry);
    first = false;
  }
  out += "\n]}\n";
  return out;
}

Result<Manifest> decode_manifest(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return corrupt("not JSON");
  const json::object& o = root.as_object();
  Manifest manifest;
  auto format = get_uint(o, "format");
  COFFER_RETURN_IF_ERROR(format);
  if (*format != kManifestFormat) {
    return corrupt("format " + std::to_string(*format) + " is not one this coffer reads (" +
                   std::to_string(kManifestFormat) + ")");
  }
  auto generation = get_uint(o, "generation");
  COFFER_RETURN_IF_ERROR(generation);
  manifest.generation = *generation;
  auto created = get_string(o, "created");
  COFFER_RETURN_IF_ERROR(created);
  manifest.created = *created;
  auto version = get_string(o, "coffer_version");
  COFFER_RETURN_IF_ERROR(version);
  manifest.coffer_version = *version;
  const json::value* files = o.if_contains("files");
  if (files == nullptr || !files->is_array()) return corrupt("no files");
  for (const json::value& f : files->as_array()) {
    auto file = decode_file(f);
    COFFER_RETURN_IF_ERROR(file);
    manifest.files.push_back(std::move(*file));
  }
  return manifest;
}

Result<std::optional<Manifest>> read_manifest(const std::string& dir) {
  auto text = read_small_file(dir + "/" + kManifestName);
  if (!text.is_ok() && text.status().code() == Errc::kNotFound) {
    return std::optional<Manifest>();
  }
  COFFER_RETURN_IF_ERROR(text);
  auto manifest = decode_manifest(*text);
  COFFER_RETURN_IF_ERROR(manifest);
  return std::optional<Manifest>(std::move(*manifest));
}

Status write_manifest(const std::string& dir, const Manifest& manifest) {
  return write_file_atomically(dir, kManifestName, encode_manifest(manifest));
}

}  // namespace coffer::backup
