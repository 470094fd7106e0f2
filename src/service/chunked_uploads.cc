#include "service/chunked_uploads.h"

#include <algorithm>
#include <span>

#include "store/object_writer.h"

namespace coffer::service {
namespace {

constexpr size_t kReadBufferBytes = 1024 * 1024;

class EmptySource final : public ByteSource {
 public:
  Result<size_t> read(std::span<std::byte>) override { return size_t{0}; }
};

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Orders decimal names by value without parsing them (they may exceed 64 bits).
bool numerically_before(std::string_view a, std::string_view b) {
  a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
  b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

ChunkedUploads::ChunkedUploads(meta::Catalog& catalog, FileService& files,
                               store::ChunkStore& chunks, store::InflightChunks& inflight,
                               store::GcLeases& leases, ChunkedUploadOptions options,
                               store::ChunkerParams chunker_params)
    : catalog_(catalog),
      files_(files),
      chunks_(chunks),
      inflight_(inflight),
      leases_(leases),
      options_(options),
      chunker_(chunker_params) {}

bool ChunkedUploads::valid_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
           c == '_' || c == '~' || c == '-';
  });
}

Micros ChunkedUploads::expiry(const meta::ChunkedUpload& upload) const {
  return std::min(now_micros() + options_.idle_seconds * 1'000'000,
                  upload.created + options_.lifetime_seconds * 1'000'000);
}

Status ChunkedUploads::begin(int64_t owner_id, std::string_view transfer,
                             std::optional<uint64_t> total_length, std::string target) {
  if (!valid_name(transfer)) {
    return Status(Errc::kInvalidArgument,
                  "an upload's name is 1 to 128 letters, digits and . _ ~ - (not first .)");
  }
  if (total_length) {
    if (*total_length > options_.max_size) {
      return Status(Errc::kPayloadTooLarge, "OC-Total-Length exceeds the largest upload (" +
                                                std::to_string(options_.max_size) + " bytes)");
    }
    // Refused now rather than after the client sent every part; each part and the commit
    // check again.
    auto room = catalog_.quota_room(owner_id);
    COFFER_RETURN_IF_ERROR(room);
    if (*room && *total_length > **room) {
      return Status(Errc::kQuotaExceeded, "the upload (" + std::to_string(*total_length) +
                                              " bytes) does not fit in the storage quota");
    }
  }
  meta::ChunkedUpload upload;
  upload.owner_id = owner_id;
  upload.transfer = std::string(transfer);
  upload.total_length = total_length;
  upload.target = std::move(target);
  upload.created = now_micros();
  upload.expires = expiry(upload);
  return catalog_.chunked_uploads().create(upload);
}

Result<meta::ChunkedUpload> ChunkedUploads::get(int64_t owner_id, std::string_view transfer) {
  auto upload = catalog_.chunked_uploads().get(owner_id, std::string(transfer));
  COFFER_RETURN_IF_ERROR(upload);
  if (upload->expires <= now_micros()) return Status(Errc::kNotFound, "the upload has expired");
  return upload;
}

Result<std::vector<meta::ChunkedUpload>> ChunkedUploads::list(int64_t owner_id) {
  auto all = catalog_.chunked_uploads().list(owner_id);
  COFFER_RETURN_IF_ERROR(all);
  const Micros now = now_micros();
  std::erase_if(*all, [now](const meta::ChunkedUpload& u) { return u.expires <= now; });
  return all;
}

Result<std::vector<meta::ChunkedUploadPart>> ChunkedUploads::parts(int64_t owner_id,
                                                                   std::string_view transfer) {
  COFFER_RETURN_IF_ERROR(get(owner_id, transfer));
  return catalog_.chunked_uploads().parts(owner_id, std::string(transfer), false);
}

Result<meta::ChunkedUploadPart> ChunkedUploads::put_part(int64_t owner_id,
                                                         std::string_view transfer,
                                                         std::string_view name, ByteSource& body,
                                                         std::optional<uint64_t> content_length,
                                                         const std::function<std::string()>& md5) {
  if (!valid_name(name)) {
    return Status(Errc::kInvalidArgument,
                  "a part's name is 1 to 128 letters, digits and . _ ~ - (not first .)");
  }
  auto upload = get(owner_id, transfer);
  COFFER_RETURN_IF_ERROR(upload);
  auto existing = catalog_.chunked_uploads().parts(owner_id, upload->transfer, false);
  COFFER_RETURN_IF_ERROR(existing);
  uint64_t others = 0;  // the bytes of the other parts
  for (const auto& p : *existing) {
    if (p.name != name) others += p.size;
  }
  const uint64_t limit = upload->total_length.value_or(options_.max_size);
  auto room = catalog_.quota_room(owner_id);
  COFFER_RETURN_IF_ERROR(room);
  auto held = catalog_.chunked_uploads().bytes_held(owner_id);
  COFFER_RETURN_IF_ERROR(held);
  // What this part may add: the quota room less what every waiting part holds (a part being
  // replaced is counted until it is).
  std::optional<uint64_t> quota;
  if (*room) quota = **room > *held ? **room - *held : 0;
  auto check = [&](uint64_t size) -> Status {
    if (others + size > limit) {
      return Status(Errc::kPayloadTooLarge, upload->total_length
                                                ? "the parts exceed OC-Total-Length"
                                                : "the parts exceed the largest upload");
    }
    if (quota && size > *quota) {
      return Status(Errc::kQuotaExceeded, "the part does not fit in the storage quota");
    }
    return Status::ok();
  };
  if (content_length) COFFER_RETURN_IF_ERROR(check(*content_length));

  auto lease = leases_.begin_upload();
  COFFER_RETURN_IF_ERROR(lease);
  store::ObjectWriter writer(chunks_, chunker_, inflight_);
  std::vector<std::byte> buffer(kReadBufferBytes);
  uint64_t taken = 0;
  for (;;) {
    auto n = body.read(buffer);
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) break;
    taken += *n;
    COFFER_RETURN_IF_ERROR(check(taken));
    COFFER_RETURN_IF_ERROR(writer.write(std::span(buffer.data(), *n)));
    COFFER_RETURN_IF_ERROR((*lease)->keep_alive());
  }
  if (content_length && taken != *content_length) {
    return Status(Errc::kInvalidArgument, "the body is shorter than Content-Length");
  }
  auto manifest = writer.finish();
  COFFER_RETURN_IF_ERROR(manifest);
  COFFER_RETURN_IF_ERROR((*lease)->keep_alive());
  meta::ChunkedUploadPart part;
  part.name = std::string(name);
  part.size = manifest->size;
  part.modified = now_micros();
  part.chunks = version_chunks_of(*manifest);
  if (md5) part.md5 = md5();
  // Recorded while the writer still pins the chunks: from here the part's rows protect them.
  COFFER_RETURN_IF_ERROR(catalog_.chunked_uploads().put_part(owner_id, upload->transfer, part,
                                                             expiry(*upload), options_.max_parts));
  part.chunks.clear();
  return part;
}

Status ChunkedUploads::remove_part(int64_t owner_id, std::string_view transfer,
                                   std::string_view name) {
  COFFER_RETURN_IF_ERROR(get(owner_id, transfer));
  return catalog_.chunked_uploads().delete_part(owner_id, std::string(transfer), std::string(name));
}

Status ChunkedUploads::remove(int64_t owner_id, std::string_view transfer) {
  return catalog_.chunked_uploads().remove(owner_id, std::string(transfer));
}

Result<AssembledUpload> ChunkedUploads::assemble(int64_t owner_id, std::string_view transfer,
                                                 std::optional<uint64_t> expected_size) {
  auto upload = get(owner_id, transfer);
  COFFER_RETURN_IF_ERROR(upload);
  auto parts = catalog_.chunked_uploads().parts(owner_id, upload->transfer, true);
  COFFER_RETURN_IF_ERROR(parts);
  const bool numbered =
      std::all_of(parts->begin(), parts->end(), [](const auto& p) { return all_digits(p.name); });
  if (numbered) {
    std::sort(parts->begin(), parts->end(), [](const auto& a, const auto& b) {
      return numerically_before(a.name, b.name) ||
             (!numerically_before(b.name, a.name) && a.name < b.name);
    });
  }
  std::vector<VersionChunk> chunks;
  uint64_t size = 0;
  for (const auto& part : *parts) {
    for (VersionChunk c : part.chunks) {
      c.offset += size;
      chunks.push_back(std::move(c));
    }
    size += part.size;
  }
  for (const std::optional<uint64_t>& want : {expected_size, upload->total_length}) {
    if (want && *want != size) {
      return Status(Errc::kInvalidArgument, "the parts hold " + std::to_string(size) +
                                                " bytes, not the " + std::to_string(*want) +
                                                " announced: a part is missing");
    }
  }
  AssembledUpload out;
  out.size = size;
  if (chunks.empty()) {
    out.body = std::make_unique<EmptySource>();
    return out;
  }
  auto body = files_.open_chunks(chunks, 0, size);
  COFFER_RETURN_IF_ERROR(body);
  out.body = std::move(*body);
  return out;
}

Result<int64_t> ChunkedUploads::remove_expired() {
  return catalog_.chunked_uploads().remove_expired(now_micros());
}

}  // namespace coffer::service
