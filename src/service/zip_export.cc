#include "service/zip_export.h"

#include <optional>
#include <string>

#include "archive/zip_stream.h"

namespace coffer::service {
namespace {

constexpr uint32_t kPageSize = 500;

// Walks the selection depth first, producing one zip entry per call: what NextEntry asks of
// it. A folder's entry comes before its contents; its children are listed a page at a time.
class TreeWalk {
 public:
  TreeWalk(FileService& files, int64_t actor, std::vector<Node> roots)
      : files_(files), actor_(actor), roots_(std::move(roots)) {}

  Result<std::optional<archive::ZipEntry>> next() {
    for (;;) {
      if (folders_.empty()) {
        if (next_root_ == roots_.size()) return std::optional<archive::ZipEntry>();
        return std::optional(enter(roots_[next_root_++], ""));
      }
      Folder& folder = folders_.back();
      if (folder.pos < folder.page.size()) {
        Node node = folder.page[folder.pos++];
        return std::optional(enter(node, folder.path + "/"));
      }
      if (folder.done) {
        folders_.pop_back();
        continue;
      }
      ListOptions options;
      options.limit = kPageSize;
      if (!folder.page.empty()) options.after = folder.page.back();
      auto page = files_.list(actor_, folder.id, options);
      COFFER_RETURN_IF_ERROR(page);
      folder.done = page->size() < kPageSize;
      folder.page = std::move(*page);
      folder.pos = 0;
    }
  }

 private:
  struct Folder {
    int64_t id = 0;
    std::string path;
    std::vector<Node> page;
    size_t pos = 0;
    bool done = false;
  };

  // The entry of `node`; a folder is also pushed so that its contents follow.
  archive::ZipEntry enter(const Node& node, const std::string& prefix) {
    archive::ZipEntry entry;
    entry.path = prefix + node.name;
    entry.modified = node.modified;
    if (node.kind == NodeKind::kFolder) {
      entry.is_folder = true;
      folders_.push_back(Folder{node.id, entry.path, {}, 0, false});
      return entry;
    }
    entry.size = node.size;
    FileService* files = &files_;
    entry.open = [files, node]() { return files->open_content(node, 0, node.size); };
    return entry;
  }

  FileService& files_;
  int64_t actor_;
  std::vector<Node> roots_;
  size_t next_root_ = 0;
  std::vector<Folder> folders_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> zip_nodes(FileService& files, int64_t actor,
                                              const std::vector<int64_t>& ids) {
  if (ids.empty()) return Status(Errc::kInvalidArgument, "ids is empty");
  if (ids.size() > kMaxZipSelection) {
    return Status(Errc::kInvalidArgument,
                  "at most " + std::to_string(kMaxZipSelection) + " ids per archive");
  }
  std::vector<Node> roots;
  roots.reserve(ids.size());
  for (int64_t id : ids) {
    auto node = files.stat(actor, id);
    COFFER_RETURN_IF_ERROR(node);
    if (node->parent_id == 0) node->name = "Files";  // a root folder has no name of its own
    roots.push_back(std::move(*node));
  }
  auto walk = std::make_shared<TreeWalk>(files, actor, std::move(roots));
  return std::unique_ptr<ByteSource>(
      std::make_unique<archive::ZipStream>([walk]() { return walk->next(); }));
}

}  // namespace coffer::service
