#include "service/job_registry.h"

namespace coffer::service {

bool is_permanent_job_failure(const Status& status) {
  switch (status.code()) {
    case Errc::kInvalidArgument:
    case Errc::kUnsupportedMediaType:
    case Errc::kPayloadTooLarge:
    case Errc::kFileTooLarge:
      return true;
    default:
      return false;
  }
}

void JobRegistry::add(std::string kind, std::shared_ptr<JobHandler> handler) {
  handlers_[std::move(kind)] = std::move(handler);
}

JobHandler* JobRegistry::find(std::string_view kind) const {
  auto it = handlers_.find(kind);
  return it == handlers_.end() ? nullptr : it->second.get();
}

std::vector<std::string> JobRegistry::kinds_for(std::string_view mime, uint64_t size) const {
  std::vector<std::string> out;
  for (const auto& [kind, handler] : handlers_) {
    if (handler->wants(mime, size)) out.push_back(kind);
  }
  return out;
}

std::vector<std::string> JobRegistry::kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, handler] : handlers_) out.push_back(kind);
  return out;
}

}  // namespace coffer::service
