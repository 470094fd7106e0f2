#include "service/file_service.h"

#include <algorithm>

#include <array>

#include "core/digest.h"
#include "core/hex.h"
#include "core/mime_types.h"
#include "core/name_rules.h"
#include "media/sniffer.h"
#include "store/object_reader.h"
#include "store/object_writer.h"

namespace coffer::service {
namespace {

// Counts an upload as in flight for the lifetime of the guard.
class InFlightGuard {
 public:
  explicit InFlightGuard(std::atomic<uint64_t>& counter) : counter_(counter) { ++counter_; }
  ~InFlightGuard() { --counter_; }
  InFlightGuard(const InFlightGuard&) = delete;
  InFlightGuard& operator=(const InFlightGuard&) = delete;

 private:
  std::atomic<uint64_t>& counter_;
};

constexpr size_t kUploadBufferBytes = 1024 * 1024;
static_assert(media::kSniffBytes <= kUploadBufferBytes);

// The declared type: the client's Content-Type without parameters, unless it says nothing
// ("application/octet-stream" is what clients send when they do not know), else the name's.
std::string declared_type(std::string_view content_type, std::string_view name) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type.empty() || type == "application/octet-stream" || type.size() > 255 ||
      type.find('/') == std::string::npos) {
    return std::string(mime_type_for_name(name));
  }
  return type;
}

}  // namespace

std::vector<VersionChunk> version_chunks_of(const store::ObjectManifest& manifest,
                                            uint64_t base_offset) {
  std::vector<VersionChunk> out;
  out.reserve(manifest.chunks.size());
  for (const auto& c : manifest.chunks) {
    out.push_back(VersionChunk{c.id.hex(), base_offset + c.offset, c.size, c.stored_size,
                               static_cast<uint8_t>(c.encoding), c.check});
  }
  return out;
}

FileService::FileService(meta::Catalog& catalog, store::ChunkStore& chunks,
                         store::InflightChunks& inflight, store::GcLeases& leases,
                         store::ChunkerParams chunker_params)
    : catalog_(catalog),
      chunks_(chunks),
      inflight_(inflight),
      leases_(leases),
      chunker_(chunker_params),
      access_(catalog) {}

Result<Node> FileService::upload(const UploadRequest& request) {
  auto staged = stage(request, nullptr);
  COFFER_RETURN_IF_ERROR(staged);
  // The chunks are durable (ObjectWriter::finish) and pinned against GC until `staged` goes
  // out of scope, after this commit.
  const Micros now = now_micros();
  auto node =
      catalog_.commit_file(staged->owner_id, staged->parent_id, staged->name, staged->version, now);
  if (node.is_ok()) after_commit(*staged, *node, now);
  return node;
}

Result<FileService::Staged> FileService::stage(const UploadRequest& request,
                                               store::ChunkBatch* batch) {
  auto name = normalize_name(request.name);
  COFFER_RETURN_IF_ERROR(name);
  // Fail before reading the body when the target cannot take a file. In a folder shared with
  // the uploader, the file is the folder owner's and counts against their quota.
  auto access = access_.check(request.owner_id, request.parent_id, Permission::kWrite);
  COFFER_RETURN_IF_ERROR(access);
  const int64_t owner_id = access->owner_id;
  auto parent = catalog_.get_node(owner_id, request.parent_id);
  COFFER_RETURN_IF_ERROR(parent);
  if (parent->kind != NodeKind::kFolder) return Status(Errc::kConflict, "the parent is a file");
  // The quota is enforced when the version commits; checking here too stops an upload that
  // cannot fit before its bytes are read (Content-Length) or as soon as they pass the room left.
  auto quota_room = catalog_.quota_room(owner_id);
  COFFER_RETURN_IF_ERROR(quota_room);
  const std::optional<uint64_t> room = *quota_room;
  auto over_quota = [&](uint64_t bytes) {
    return Status(Errc::kQuotaExceeded, "the upload (" + std::to_string(bytes) +
                                            " bytes or more) does not fit in the storage quota; " +
                                            std::to_string(*room) + " bytes left");
  };
  if (room && request.expected_size && *request.expected_size > *room) {
    return over_quota(*request.expected_size);
  }

  if (auto limit = policy_.overall_limit();
      limit && request.expected_size && *request.expected_size > *limit) {
    return file_too_large(*request.expected_size, *limit, "any type");
  }

  InFlightGuard guard(uploads_in_flight_);
  // The first bytes decide the type: read them before storing anything, so that a refused
  // type leaves no chunk behind.
  // Sized to the declared length (at least the sniffing window, at most 1 MiB) and left
  // uninitialised: a 4 KiB upload has no use for a zeroed mebibyte, and 16 of them at once
  // were a tenth of the CPU of small uploads (memset).
  const size_t buffer_bytes =
      request.expected_size
          ? static_cast<size_t>(std::clamp<uint64_t>(*request.expected_size + 1, media::kSniffBytes,
                                                     kUploadBufferBytes))
          : kUploadBufferBytes;
  std::unique_ptr<std::byte[]> storage(new std::byte[buffer_bytes]);
  const std::span<std::byte> buffer(storage.get(), buffer_bytes);
  size_t head = 0;
  while (head < media::kSniffBytes) {
    auto n = request.body->read(std::span(buffer.data() + head, buffer.size() - head));
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) break;
    head += *n;
  }
  const std::string declared = declared_type(request.declared_mime, *name);
  const std::string mime = media::effective_mime(
      media::sniff_mime(std::span(buffer.data(), std::min(head, media::kSniffBytes))), declared);
  COFFER_RETURN_IF_ERROR(policy_.check_type(mime));
  const std::optional<uint64_t> limit = policy_.size_limit(mime);
  if (limit && request.expected_size && *request.expected_size > *limit) {
    return file_too_large(*request.expected_size, *limit, mime);
  }

  Staged staged;
  auto lease = leases_.begin_upload();
  COFFER_RETURN_IF_ERROR(lease);
  staged.lease = std::move(*lease);
  store::WriterOptions writer_options;
  writer_options.batch = batch;
  staged.writer =
      std::make_unique<store::ObjectWriter>(chunks_, chunker_, inflight_, writer_options);
  store::ObjectWriter& writer = *staged.writer;
  uint64_t received = 0;
  std::optional<Digest> sha1;
  if (request.expected_sha1) sha1.emplace(Digest::Kind::kSha1);
  for (size_t n = head;; n = 0) {
    if (n == 0) {
      auto got = request.body->read(buffer);
      COFFER_RETURN_IF_ERROR(got);
      if (*got == 0) break;
      n = *got;
    }
    received += n;
    if (room && received > *room) return over_quota(received);
    if (limit && received > *limit) return file_too_large(received, *limit, mime);
    COFFER_RETURN_IF_ERROR(writer.write(std::span(buffer.data(), n)));
    if (sha1) sha1->update(std::span(buffer.data(), n));
    COFFER_RETURN_IF_ERROR(staged.lease->keep_alive());
  }
  auto manifest = writer.finish();
  COFFER_RETURN_IF_ERROR(manifest);
  COFFER_RETURN_IF_ERROR(staged.lease->keep_alive());

  if (request.expected_size && *request.expected_size != manifest->size) {
    return Status(Errc::kInvalidArgument, "the body length does not match the declared size");
  }
  NewVersion& version = staged.version;
  version.size = manifest->size;
  version.sha256 = to_hex(manifest->sha256);
  if (request.expected_sha256 && *request.expected_sha256 != version.sha256) {
    return Status(Errc::kChecksumMismatch, "the body does not match the declared SHA-256");
  }
  if (sha1) {
    version.sha1 = sha1->finish_hex();
    if (version.sha1 != *request.expected_sha1) {
      return Status(Errc::kChecksumMismatch, "the body does not match the declared SHA-1");
    }
  }
  version.mime = mime;
  version.declared_mime = declared;
  version.modified = request.modified;
  if (request.content_md5) version.md5 = request.content_md5();
  version.object_headers = request.object_headers;
  version.precondition = request.precondition;
  if (jobs_ != nullptr) version.jobs = jobs_->kinds_for(mime, version.size);
  version.chunks = version_chunks_of(*manifest);
  staged.actor = request.owner_id;
  staged.owner_id = owner_id;
  staged.parent_id = request.parent_id;
  staged.name = std::move(*name);
  return staged;
}

void FileService::after_commit(const Staged& staged, const Node& node, Micros now) {
  if (!staged.version.jobs.empty() && on_enqueued_) on_enqueued_();
  // A file the commit created has this commit's time as its creation time.
  note(node, staged.actor, node.created == now ? activity::kUploaded : activity::kNewVersion,
       activity_detail(
           {{"size", static_cast<int64_t>(node.size)}, {"version_id", node.version_id}}));
}

Status FileService::store_derived(std::string_view bytes,
                                  const std::function<Status(const NewVersion&)>& commit) {
  auto lease = leases_.begin_upload();
  COFFER_RETURN_IF_ERROR(lease);
  store::ObjectWriter writer(chunks_, chunker_, inflight_);
  COFFER_RETURN_IF_ERROR(
      writer.write(std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size())));
  auto manifest = writer.finish();
  COFFER_RETURN_IF_ERROR(manifest);
  COFFER_RETURN_IF_ERROR((*lease)->keep_alive());
  NewVersion stored;
  stored.size = manifest->size;
  stored.sha256 = to_hex(manifest->sha256);
  stored.chunks = version_chunks_of(*manifest);
  return commit(stored);
}

Result<Node> FileService::root(int64_t owner_id) {
  auto user = catalog_.find_user(owner_id);
  COFFER_RETURN_IF_ERROR(user);
  return catalog_.get_node(owner_id, user->root_id);
}

Result<Node> FileService::stat(int64_t actor, int64_t node_id) {
  Node node;
  COFFER_RETURN_IF_ERROR(access_.check(actor, node_id, Permission::kRead, &node));
  return node;
}

Result<Access> FileService::access(int64_t actor, int64_t node_id, Permission need) const {
  return access_.check(actor, node_id, need);
}

Result<Node> FileService::create_folder(int64_t actor, int64_t parent_id, std::string_view name) {
  auto normalized = normalize_name(name);
  COFFER_RETURN_IF_ERROR(normalized);
  auto access = access_.check(actor, parent_id, Permission::kWrite);
  COFFER_RETURN_IF_ERROR(access);
  auto folder = catalog_.create_folder(access->owner_id, parent_id, *normalized, now_micros());
  if (folder.is_ok()) note(*folder, actor, activity::kCreated);
  return folder;
}

Result<std::vector<Node>> FileService::list(int64_t actor, int64_t folder_id,
                                            const ListOptions& options) {
  Node folder;
  auto access = access_.check(actor, folder_id, Permission::kRead, &folder);
  COFFER_RETURN_IF_ERROR(access);
  if (folder.kind != NodeKind::kFolder) return Status(Errc::kConflict, "not a folder");
  return catalog_.list_children(access->owner_id, folder_id, options);
}

Result<Node> FileService::resolve_path(int64_t owner_id, std::string_view path) {
  auto names = path_names(path);
  COFFER_RETURN_IF_ERROR(names);
  auto root = root_id(owner_id);
  COFFER_RETURN_IF_ERROR(root);
  // Every step in one read transaction (a transaction per step cost more than the steps).
  if (names->empty()) return catalog_.get_node(owner_id, *root);
  return catalog_.find_path(owner_id, *root, *names);
}

Result<int64_t> FileService::root_id(int64_t owner_id) {
  {
    std::lock_guard lock(roots_mu_);
    if (auto it = roots_.find(owner_id); it != roots_.end()) return it->second;
  }
  auto user = catalog_.find_user(owner_id);
  COFFER_RETURN_IF_ERROR(user);
  std::lock_guard lock(roots_mu_);
  roots_[owner_id] = user->root_id;
  return user->root_id;
}

Result<Node> FileService::resolve_own(int64_t owner_id, int64_t folder_id,
                                      const std::vector<std::string>& names) {
  return catalog_.find_path(owner_id, folder_id, names);
}

Result<Node> FileService::resolve_below(int64_t actor, int64_t node_id, std::string_view path) {
  Node top;
  auto access = access_.check(actor, node_id, Permission::kRead, &top);
  COFFER_RETURN_IF_ERROR(access);
  auto names = path_names(path);
  COFFER_RETURN_IF_ERROR(names);
  if (names->empty()) return top;
  return catalog_.find_path(access->owner_id, top.id, *names);
}

Result<std::vector<std::string>> FileService::path_names(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return Status(Errc::kInvalidArgument, "path must start with '/'");
  }
  std::vector<std::string> names;
  size_t pos = 1;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view segment =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    pos = slash == std::string_view::npos ? path.size() : slash + 1;
    if (segment.empty()) continue;  // tolerate "//" and a trailing '/'
    auto name = normalize_name(segment);
    COFFER_RETURN_IF_ERROR(name);
    names.push_back(std::move(*name));
  }
  return names;
}

// Where a move or copy may put things: a folder the actor may write to, in the same owner's
// tree (a copy or move between two people's trees would change whose quota pays for it).
Status FileService::check_destination(int64_t actor, int64_t owner_id, int64_t parent_id) const {
  auto target = access_.check(actor, parent_id, Permission::kWrite);
  COFFER_RETURN_IF_ERROR(target);
  if (target->owner_id != owner_id) {
    return Status(Errc::kConflict,
                  "moving or copying between your files and files shared with you is not "
                  "supported; download and upload instead");
  }
  return Status::ok();
}

Result<Node> FileService::move(int64_t actor, int64_t node_id, std::optional<int64_t> new_parent_id,
                               std::optional<std::string_view> new_name,
                               std::optional<int64_t> if_version) {
  std::optional<std::string> normalized;
  if (new_name) {
    auto n = normalize_name(*new_name);
    COFFER_RETURN_IF_ERROR(n);
    normalized = std::move(*n);
  }
  Node before;
  auto access = access_.check_below_share(actor, node_id, &before);
  COFFER_RETURN_IF_ERROR(access);
  if (new_parent_id) {
    COFFER_RETURN_IF_ERROR(check_destination(actor, access->owner_id, *new_parent_id));
  }
  auto moved = catalog_.move_node(access->owner_id, node_id, new_parent_id, std::move(normalized),
                                  now_micros(), if_version);
  if (moved.is_ok()) note_placed(before, *moved, actor, /*copied=*/false);
  return moved;
}

Result<Node> FileService::copy(int64_t actor, int64_t node_id, std::optional<int64_t> new_parent_id,
                               std::optional<std::string_view> new_name) {
  Node source;
  auto access = access_.check(actor, node_id, Permission::kRead, &source);
  COFFER_RETURN_IF_ERROR(access);
  int64_t parent = new_parent_id.value_or(source.parent_id);
  if (parent == 0) return Status(Errc::kConflict, "a root folder cannot be copied");
  COFFER_RETURN_IF_ERROR(check_destination(actor, access->owner_id, parent));
  std::string name = source.name;
  if (new_name) {
    auto n = normalize_name(*new_name);
    COFFER_RETURN_IF_ERROR(n);
    name = std::move(*n);
  }
  auto copied = catalog_.copy_node(access->owner_id, node_id, parent, name, now_micros());
  if (copied.is_ok()) note_placed(source, *copied, actor, /*copied=*/true);
  return copied;
}

Result<meta::Transferred> FileService::transfer(const Principal& who, const RequestOrigin& origin,
                                                meta::Transfer how, int64_t node_id,
                                                int64_t parent_id, std::string_view name,
                                                bool overwrite) {
  const int64_t actor = who.user_id;
  auto normalized = normalize_name(name);
  COFFER_RETURN_IF_ERROR(normalized);
  Node source;
  auto access = how == meta::Transfer::kMove
                    ? access_.check_below_share(actor, node_id, &source)
                    : access_.check(actor, node_id, Permission::kRead, &source);
  COFFER_RETURN_IF_ERROR(access);
  COFFER_RETURN_IF_ERROR(check_destination(actor, access->owner_id, parent_id));
  int64_t before = 0;  // recent_deletions(), read only when something may be replaced
  if (overwrite) {
    // Whoever may delete what has the name now may replace it; a node that takes the name
    // before the commit is in the same folder, where the same rights hold. One that has gone
    // in the meantime (another client replaced it) is no reason to refuse.
    auto there = catalog_.find_child(access->owner_id, parent_id, *normalized);
    if (there.is_ok()) {
      auto may = access_.check_below_share(actor, there->id);
      if (!may.is_ok() && may.status().code() != Errc::kNotFound) return may.status();
      before = recent_deletions(who);
    } else if (there.status().code() != Errc::kNotFound) {
      return there.status();
    }
  }
  auto placed = catalog_.transfer_node(access->owner_id, how, node_id, parent_id, *normalized,
                                       overwrite, now_micros(), who.api_token_id);
  COFFER_RETURN_IF_ERROR(placed);
  if (placed->previous) {
    note(*placed->previous, actor, activity::kDeleted);
    audit_deletion(who, origin, *placed->previous, before);
  }
  note_placed(source, placed->node, actor, /*copied=*/how != meta::Transfer::kMove);
  return placed;
}

Status FileService::remove(const Principal& who, const RequestOrigin& origin, int64_t node_id,
                           std::optional<int64_t> if_version) {
  // What a recipient deletes goes to the owner's trash, where the owner can restore it.
  Node node;
  auto access = access_.check_below_share(who.user_id, node_id, &node);
  COFFER_RETURN_IF_ERROR(access);
  const int64_t before = recent_deletions(who);
  COFFER_RETURN_IF_ERROR(
      catalog_.delete_node(access->owner_id, node_id, now_micros(), who.api_token_id, if_version));
  note(node, who.user_id, activity::kDeleted);
  audit_deletion(who, origin, node, before);
  return Status::ok();
}

int64_t FileService::recent_deletions(const Principal& who) {
  if (audit_ == nullptr || mass_delete_threshold_ <= 0) return 0;
  auto n = catalog_.count_deleted_since(who.user_id, who.api_token_id,
                                        now_micros() - 60 * kMicrosPerSecond);
  return n.is_ok() ? *n : 0;
}

void FileService::audit_deletion(const Principal& who, const RequestOrigin& origin,
                                 const Node& node, int64_t before) {
  if (audit_ == nullptr) return;
  if (mass_delete_threshold_ > 0 && before <= mass_delete_threshold_) {
    // One flagged event when a client crosses the threshold within a minute: the usual sign
    // of a sync client or script deleting a tree by mistake (POST /api/v1/trash/restore
    // undoes it).
    const int64_t after = recent_deletions(who);
    if (after > mass_delete_threshold_) {
      audit_->record(&who, "files.mass_delete",
                     who.api_token_id != 0 ? "token:" + std::to_string(who.api_token_id)
                                           : "user:" + std::to_string(who.user_id),
                     "flagged", origin, std::to_string(after) + " nodes deleted within a minute");
    }
  }
  audit_->record(&who, "files.delete", "node:" + std::to_string(node.id), "success", origin,
                 std::string(node.kind == NodeKind::kFolder ? "folder" : "file") + " via " +
                     credential_of(who));
}

Result<Node> FileService::restore_trashed(int64_t actor, int64_t node_id,
                                          const std::optional<std::string>& new_name) {
  auto node = catalog_.restore_trashed(actor, node_id, new_name, now_micros());
  if (node.is_ok()) note(*node, actor, activity::kRestored);
  return node;
}

Result<NodeAttributes> FileService::attributes(int64_t actor, int64_t node_id) {
  auto access = access_.check(actor, node_id, Permission::kRead);
  COFFER_RETURN_IF_ERROR(access);
  return catalog_.attributes(access->owner_id, node_id);
}

Result<NodeAttributes> FileService::set_attributes(int64_t actor, int64_t node_id,
                                                   const AttributeChanges& changes,
                                                   std::optional<int64_t> if_version) {
  Node node;
  auto access = access_.check(actor, node_id, Permission::kWrite, &node);
  COFFER_RETURN_IF_ERROR(access);
  if (activity_ == nullptr) {
    return catalog_.set_attributes(access->owner_id, node_id, changes, now_micros(), if_version);
  }
  // What changed decides which events follow.
  auto before = catalog_.attributes(access->owner_id, node_id);
  COFFER_RETURN_IF_ERROR(before);
  auto after =
      catalog_.set_attributes(access->owner_id, node_id, changes, now_micros(), if_version);
  if (!after.is_ok()) return after;
  if (after->status != before->status) {
    note(node, actor, activity::kStatusChanged,
         activity_detail({{"from", std::string(doc_status_name(before->status))},
                          {"to", std::string(doc_status_name(after->status))}}));
  }
  if (after->tags != before->tags) {
    note(node, actor, activity::kTagged, activity_detail({{"tags", after->tags}}));
  }
  if (after->metadata_json != before->metadata_json) {
    note(node, actor, activity::kMetadataChanged);
  }
  return after;
}

Result<std::vector<FileVersion>> FileService::list_versions(int64_t actor, int64_t file_id) {
  auto access = access_.check(actor, file_id, Permission::kRead);
  COFFER_RETURN_IF_ERROR(access);
  return catalog_.list_versions(access->owner_id, file_id);
}

Result<Node> FileService::file_at_version(int64_t actor, int64_t file_id, int64_t version_id) {
  auto access = access_.check(actor, file_id, Permission::kRead);
  COFFER_RETURN_IF_ERROR(access);
  return catalog_.file_at_version(access->owner_id, file_id, version_id);
}

Result<Node> FileService::restore_version(int64_t actor, int64_t file_id, int64_t version_id) {
  auto access = access_.check(actor, file_id, Permission::kWrite);
  COFFER_RETURN_IF_ERROR(access);
  // The restored content gets the jobs of an upload (its text is indexed again for the new
  // current version; its thumbnails, kept by content, are found already made).
  std::vector<std::string> jobs;
  if (jobs_ != nullptr) {
    auto old = catalog_.file_at_version(access->owner_id, file_id, version_id);
    COFFER_RETURN_IF_ERROR(old);
    jobs = jobs_->kinds_for(old->mime, old->size);
  }
  auto file = catalog_.restore_version(access->owner_id, file_id, version_id, jobs, now_micros());
  if (file.is_ok()) {
    if (!jobs.empty() && on_enqueued_) on_enqueued_();
    note(*file, actor, activity::kVersionRestored,
         activity_detail({{"restored_version_id", version_id}, {"version_id", file->version_id}}));
  }
  return file;
}

Status FileService::delete_version(int64_t actor, int64_t file_id, int64_t version_id) {
  auto access = access_.check(actor, file_id, Permission::kWrite);
  COFFER_RETURN_IF_ERROR(access);
  COFFER_RETURN_IF_ERROR(catalog_.delete_version(access->owner_id, file_id, version_id));
  if (activity_ != nullptr) {
    if (auto file = catalog_.get_node(access->owner_id, file_id); file.is_ok()) {
      note(*file, actor, activity::kVersionDeleted, activity_detail({{"version_id", version_id}}));
    }
  }
  return Status::ok();
}

Result<Node> FileService::stat_version(int64_t file_id, int64_t version_id) {
  return catalog_.get_file_version(file_id, version_id);
}

Result<std::unique_ptr<ByteSource>> FileService::open_content(const Node& file, uint64_t offset,
                                                              uint64_t length) {
  if (file.kind != NodeKind::kFile) return Status(Errc::kConflict, "not a file");
  if (auto known = version_chunks_.find(file.version_id)) {
    return open_object(*known, offset, length, file.id, file.version_id);
  }
  auto chunks = catalog_.version_chunks(file.version_id);
  COFFER_RETURN_IF_ERROR(chunks);
  version_chunks_.remember(file.version_id, *chunks);
  return open_object(*chunks, offset, length, file.id, file.version_id);
}

Result<std::unique_ptr<ByteSource>> FileService::open_chunks(
    const std::vector<VersionChunk>& chunks, uint64_t offset, uint64_t length) {
  return open_object(chunks, offset, length, 0, 0);
}

Result<std::unique_ptr<ByteSource>> FileService::open_object(
    const std::vector<VersionChunk>& chunks, uint64_t offset, uint64_t length, int64_t file_id,
    int64_t version_id) {
  std::vector<store::ChunkRef> refs;
  refs.reserve(chunks.size());
  for (const auto& c : chunks) {
    auto id = store::ChunkId::from_hex(c.chunk);
    if (!id) return Status(Errc::kCorruption, "a chunk id in the catalog is malformed");
    refs.push_back(store::ChunkRef{*id, c.offset, c.size, c.stored_size,
                                   static_cast<store::ChunkEncoding>(c.encoding), c.check});
  }
  auto reader = std::make_unique<store::ObjectReader>(
      chunks_, std::move(refs), offset, length,
      [this, file_id, version_id](const store::ChunkId& chunk, const Status& error) {
        damaged_.record({chunk, file_id, version_id, error}, now_micros());
      });
  COFFER_RETURN_IF_ERROR(reader->prepare());
  return std::unique_ptr<ByteSource>(std::move(reader));
}

void FileService::note(const Node& node, int64_t actor, std::string_view action,
                       std::string detail) {
  if (activity_ != nullptr) activity_->record(activity_of(node, actor, action, std::move(detail)));
}

void FileService::note_placed(const Node& source, const Node& placed, int64_t actor, bool copied) {
  if (copied) {
    note(placed, actor, activity::kCopied,
         activity_detail({{"source_id", source.id}, {"source_name", source.name}}));
  } else if (placed.parent_id != source.parent_id) {
    note(placed, actor, activity::kMoved,
         activity_detail({{"from_parent_id", source.parent_id},
                          {"to_parent_id", placed.parent_id},
                          {"old_name", source.name},
                          {"new_name", placed.name}}));
  } else if (placed.name != source.name) {
    note(placed, actor, activity::kRenamed,
         activity_detail({{"old_name", source.name}, {"new_name", placed.name}}));
  }
}

uint64_t FileService::uploads_in_flight() const { return uploads_in_flight_.load(); }

}  // namespace coffer::service
