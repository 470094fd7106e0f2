#include "service/text_job.h"

#include <array>

namespace coffer::service {

bool TextJob::wants(std::string_view mime, uint64_t size) const {
  if (size == 0) return false;
  if (mime.starts_with("text/")) return true;
  // The sniffed types of the documents src/extract reads (office files may sniff as a plain
  // zip; index_file_content then looks inside and indexes nothing when it is not one).
  static constexpr std::array<std::string_view, 9> kDocuments = {
      "application/pdf",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.oasis.opendocument.text",
      "application/zip",
      "application/json",
      "application/xml",
      "application/xhtml+xml",
      "application/csv",
  };
  for (std::string_view type : kDocuments) {
    if (mime == type) return true;
  }
  return false;
}

Status TextJob::run(const Job& job, const JobControl& control) {
  if (control.cancelled()) return Status(Errc::kUnavailable, "cancelled");
  Status indexed = search_.index_file_content(job.owner_id, job.node_id);
  // A corrupt, encrypted or hostile document will not read any better on a retry: the job is
  // done, and the file stays findable by its name, path, tags and metadata. Storage and
  // database errors are worth retrying.
  if (indexed.code() == Errc::kInvalidArgument || indexed.code() == Errc::kUnsupportedMediaType) {
    return Status::ok();
  }
  return indexed;
}

}  // namespace coffer::service
