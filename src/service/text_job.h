#pragma once
// The `text` job: after an upload commits, extract the text of the new version and put it in
// the search index (SearchService::index_file_content). Types without text are never
// enqueued; a document that cannot be read (corrupt, encrypted, a zip bomb) fails its job and
// stays findable by name, path, tags and metadata.

#include "service/job_registry.h"
#include "service/search_service.h"

namespace coffer::service {

class TextJob final : public JobHandler {
 public:
  explicit TextJob(SearchService& search) : search_(search) {}

  bool wants(std::string_view mime, uint64_t size) const override;
  Status run(const Job& job, const JobControl& control) override;

 private:
  SearchService& search_;
};

}  // namespace coffer::service
