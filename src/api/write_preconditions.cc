#include "api/write_preconditions.h"

#include "api/http_headers.h"

namespace coffer::api {
namespace {

Status failed(std::string_view why) { return Status(Errc::kPreconditionFailed, std::string(why)); }

}  // namespace

bool has_write_conditions(const Request& request) {
  return !request.header("If-Match").empty() || !request.header("If-None-Match").empty();
}

Result<WritePrecondition> write_precondition(const Request& request,
                                             const std::optional<Node>& current,
                                             std::string_view etag) {
  WritePrecondition out;
  const bool file = current && current->kind == NodeKind::kFile;
  const std::string_view if_match = trim_whitespace(request.header("If-Match"));
  if (!if_match.empty()) {
    if (!file) return failed("If-Match: there is no file to match");
    if (if_match == "*") {
      out.present = true;
    } else if (etag_list_matches(if_match, etag, false)) {
      out.current_version = current->version_id;
    } else {
      return failed("If-Match does not match the file's ETag");
    }
  }
  const std::string_view if_none_match = trim_whitespace(request.header("If-None-Match"));
  if (!if_none_match.empty()) {
    if (if_none_match == "*") {
      if (current) return failed("If-None-Match: * and the name is taken");
      out.absent = true;
    } else if (file && etag_list_matches(if_none_match, etag, true)) {
      return failed("If-None-Match matches the file's ETag");
    } else if (file) {
      out.current_version = current->version_id;
    } else if (!current) {
      out.absent = true;
    }
  }
  return out;
}

}  // namespace coffer::api
