#pragma once
// Full-text search and the content half of its index. Free of HTTP and SQL: searches go to
// meta::SearchIndex; content is read through FileService and turned into text by
// src/extract. Names, paths, tags and metadata are indexed by the catalog itself.

#include <cstdint>
#include <vector>

#include "core/search.h"
#include "core/status.h"
#include "extract/text_extractor.h"
#include "meta/catalog.h"
#include "service/file_service.h"

namespace coffer::service {

struct SearchOptions {
  extract::ExtractLimits limits;
  // Files are read up to this many bytes for extraction. Beyond it, text files are indexed
  // by their beginning; PDFs and office files (useless when cut) are not indexed.
  uint64_t max_input_bytes = uint64_t{64} << 20;
};

inline constexpr uint32_t kMaxSearchPage = 100;
inline constexpr uint32_t kMaxSearchOffset = 10000;

class SearchService {
 public:
  SearchService(meta::Catalog& catalog, FileService& files, SearchOptions options = {});

  // The caller's (request.owner_id's) own nodes and those shared with them that match.
  // Errors: kInvalidArgument (a limit over kMaxSearchPage + 1 or an offset over
  // kMaxSearchOffset).
  Result<std::vector<SearchHit>> search(const SearchRequest& request);

  // The work of a `text` job: extracts the text of file `node_id`'s current version and
  // stores it in the index. OK when there is nothing to index (a folder, a binary type, a
  // file gone or replaced meanwhile). Permanent failures, which a retry cannot mend:
  // kInvalidArgument (corrupt or truncated content, a zip bomb, an encrypted PDF),
  // kUnsupportedMediaType (an unknown zip format); the others (kIoError, kUnavailable,
  // kCorruption) come from storage or the database and may succeed on a retry.
  Status index_file_content(int64_t owner_id, int64_t node_id);

 private:
  meta::Catalog& catalog_;
  FileService& files_;
  SearchOptions options_;
};

}  // namespace coffer::service
