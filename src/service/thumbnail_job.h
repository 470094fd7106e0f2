#pragma once
// The `thumbnail` job (core/job.h): for a new image (or PDF) version, two thumbnails
// ("small", 256 px; "large", 1024 px; WebP), stored as chunks and recorded by content
// (meta::MediaStore), plus its dimensions and selected EXIF. Content already processed is
// skipped, so identical files share the work. Decoding is bounded (media/thumbnailer.h): a
// hostile or corrupt file fails its job, and the file itself stays as it is.

#include <cstdint>
#include <string>
#include <vector>

#include "media/thumbnailer.h"
#include "meta/catalog.h"
#include "service/file_service.h"
#include "service/job_registry.h"

namespace coffer::service {

struct ThumbnailJobOptions {
  uint64_t max_pixels = 100'000'000;         // of the source image
  uint64_t max_source_bytes = 256ull << 20;  // larger files get no thumbnail job
};

// The variants and their sizes, in the order they are made.
const std::vector<media::ThumbnailSpec>& thumbnail_specs();

class ThumbnailJob final : public JobHandler {
 public:
  ThumbnailJob(meta::Catalog& catalog, FileService& files, ThumbnailJobOptions options);

  bool wants(std::string_view mime, uint64_t size) const override;
  Status run(const Job& job, const JobControl& control) override;

 private:
  meta::Catalog& catalog_;
  FileService& files_;
  ThumbnailJobOptions options_;
};

}  // namespace coffer::service
