#include "s3api/object_headers.h"

#include <boost/json.hpp>

namespace coffer::s3api {
namespace {

constexpr std::string_view kStoredNames[] = {"cache-control", "content-disposition",
                                             "content-encoding", "content-language", "expires"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Content-Encoding without the "aws-chunked" framing token, which describes the request only.
std::string without_aws_chunked(std::string_view value) {
  std::string out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view token = value.substr(pos, comma - pos);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (!token.empty() && lower(token) != "aws-chunked") {
      if (!out.empty()) out += ", ";
      out += token;
    }
    pos = comma + 1;
  }
  return out;
}

}  // namespace

Result<std::string> stored_headers(const std::vector<api::Header>& headers) {
  boost::json::object stored;
  size_t metadata_bytes = 0;
  for (const api::Header& h : headers) {
    std::string name = lower(h.name);
    if (name.starts_with("x-amz-meta-")) {
      metadata_bytes += name.size() - 11 + h.value.size();
      stored[name] = h.value;
      continue;
    }
    for (std::string_view wanted : kStoredNames) {
      if (name != wanted) continue;
      std::string value = name == "content-encoding" ? without_aws_chunked(h.value) : h.value;
      if (!value.empty()) stored[name] = value;
    }
  }
  if (metadata_bytes > kMaxUserMetadataBytes) {
    return Status(Errc::kInvalidArgument,
                  "Your metadata headers exceed the maximum allowed metadata size (2 KB)");
  }
  if (stored.empty()) return std::string();
  return boost::json::serialize(stored);
}

void add_stored_headers(const std::string& stored, api::Response& response) {
  if (stored.empty()) return;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(stored, ec);
  if (ec || !parsed.is_object()) return;
  for (const auto& [name, value] : parsed.as_object()) {
    if (value.is_string()) response.add_header(std::string(name), std::string(value.as_string()));
  }
}

}  // namespace coffer::s3api
