#include "service/thumbnail_job.h"

namespace coffer::service {

const std::vector<media::ThumbnailSpec>& thumbnail_specs() {
  static const std::vector<media::ThumbnailSpec> kSpecs = {{"small", 256}, {"large", 1024}};
  return kSpecs;
}

ThumbnailJob::ThumbnailJob(meta::Catalog& catalog, FileService& files, ThumbnailJobOptions options)
    : catalog_(catalog), files_(files), options_(options) {}

bool ThumbnailJob::wants(std::string_view mime, uint64_t size) const {
  return size > 0 && size <= options_.max_source_bytes && media::can_thumbnail(mime);
}

Status ThumbnailJob::run(const Job& job, const JobControl& control) {
  std::vector<std::string> variants;
  for (const auto& spec : thumbnail_specs()) variants.push_back(spec.variant);
  auto done = catalog_.media().has_thumbnails(job.sha256, variants);
  COFFER_RETURN_IF_ERROR(done);
  if (*done) return Status::ok();

  auto chunks = catalog_.version_chunks(job.version_id);
  COFFER_RETURN_IF_ERROR(chunks);
  uint64_t size = 0;
  for (const auto& c : *chunks) size += c.size;
  // The version was deleted before its job ran: nothing to make.
  if (chunks->empty()) return Status::ok();
  if (size > options_.max_source_bytes) {
    return Status(Errc::kFileTooLarge, "the file is too large for a thumbnail");
  }
  Node file;
  file.kind = NodeKind::kFile;
  file.version_id = job.version_id;
  file.size = size;
  auto reader = files_.open_content(file, 0, size);
  COFFER_RETURN_IF_ERROR(reader);
  std::string data(size, '\0');
  for (uint64_t at = 0; at < size;) {
    auto n = (*reader)->read(std::span(reinterpret_cast<std::byte*>(data.data()) + at, size - at));
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kCorruption, "the content ended early");
    at += *n;
  }

  media::ImageLimits limits;
  limits.max_pixels = options_.max_pixels;
  limits.cancel = &control.cancel_flag();
  auto analysis = media::make_thumbnails(data, thumbnail_specs(), limits);
  COFFER_RETURN_IF_ERROR(analysis);

  meta::MediaInfo info{analysis->width, analysis->height, analysis->camera_make,
                       analysis->camera_model, analysis->taken_at};
  std::vector<meta::Thumbnail> records;
  // Every thumbnail's chunks stay pinned until the record of all of them commits.
  std::function<Status(size_t)> store_from = [&](size_t i) -> Status {
    if (i == analysis->thumbnails.size()) {
      return catalog_.media().save(job.sha256, info, records, now_micros());
    }
    const media::ThumbnailImage& image = analysis->thumbnails[i];
    return files_.store_derived(image.bytes, [&](const NewVersion& stored) -> Status {
      records.push_back(meta::Thumbnail{job.sha256, image.variant, image.mime, image.width,
                                        image.height, stored.size, stored.sha256, stored.chunks});
      return store_from(i + 1);
    });
  };
  return store_from(0);
}

}  // namespace coffer::service
