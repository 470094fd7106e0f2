#include "service/search_service.h"

#include <algorithm>
#include <span>
#include <string>
#include <unordered_map>

namespace coffer::service {
namespace {

constexpr size_t kHeadBytes = 8192;

// Up to `max` bytes of `source`.
Result<std::string> read_up_to(ByteSource& source, uint64_t max) {
  std::string data;
  data.reserve(static_cast<size_t>(std::min<uint64_t>(max, uint64_t{1} << 20)));
  std::string buf(256 * 1024, '\0');
  while (data.size() < max) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), max - data.size()));
    auto n = source.read(std::as_writable_bytes(std::span<char>(buf.data(), want)));
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) break;
    data.append(buf.data(), *n);
  }
  return data;
}

}  // namespace

SearchService::SearchService(meta::Catalog& catalog, FileService& files, SearchOptions options)
    : catalog_(catalog), files_(files), options_(std::move(options)) {}

Result<std::vector<SearchHit>> SearchService::search(const SearchRequest& request) {
  // A page and one more, which tells the caller whether another page follows.
  if (request.limit == 0 || request.limit > kMaxSearchPage + 1) {
    return Status(Errc::kInvalidArgument, "limit must be 1 to " + std::to_string(kMaxSearchPage));
  }
  if (request.offset > kMaxSearchOffset) {
    return Status(Errc::kInvalidArgument, "results past the first " +
                                              std::to_string(kMaxSearchOffset) +
                                              " are not served; narrow the search");
  }
  // The caller may read their own tree and what others share with them (AccessPolicy's rule:
  // a share reaches everything below the shared node).
  auto shared = catalog_.shares().shared_with(request.owner_id);
  COFFER_RETURN_IF_ERROR(shared);
  std::unordered_map<int64_t, const std::string*> owner_of_root;
  SearchRequest scoped = request;
  for (const SharedWithMe& item : *shared) {
    if (item.node.owner_id == request.owner_id) continue;
    scoped.shared_roots.push_back(item.node.id);
    owner_of_root.emplace(item.node.id, &item.owner_name);
  }
  auto hits = catalog_.search().search(scoped);
  COFFER_RETURN_IF_ERROR(hits);
  for (SearchHit& hit : *hits) {
    if (hit.share_root_id != 0) hit.shared_by = *owner_of_root.at(hit.share_root_id);
  }
  return hits;
}

Status SearchService::index_file_content(int64_t owner_id, int64_t node_id) {
  auto node = files_.stat(owner_id, node_id);
  if (node.status().code() == Errc::kNotFound) return Status::ok();  // deleted meanwhile
  COFFER_RETURN_IF_ERROR(node);
  if (node->kind != NodeKind::kFile || node->size == 0) return Status::ok();
  const uint64_t length = std::min<uint64_t>(node->size, options_.max_input_bytes);
  auto source = files_.open_content(*node, 0, length);
  COFFER_RETURN_IF_ERROR(source);
  auto bytes = read_up_to(**source, length);
  COFFER_RETURN_IF_ERROR(bytes);
  const std::string_view head = std::string_view(*bytes).substr(0, kHeadBytes);
  const extract::Format format = extract::detect_format(node->mime, node->name, head);
  const bool cut = node->size > length;
  if (format == extract::Format::kNone ||
      (cut && format != extract::Format::kPlain && format != extract::Format::kHtml)) {
    return Status::ok();
  }
  auto text = extract::extract_text(format, *bytes, options_.limits);
  COFFER_RETURN_IF_ERROR(text);
  return status_of(catalog_.search().set_content(owner_id, node_id, node->version_id, *text));
}

}  // namespace coffer::service
