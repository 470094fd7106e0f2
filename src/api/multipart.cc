#include "api/multipart.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "api/http_headers.h"

namespace coffer::api {
namespace {

constexpr size_t kBufferBytes = 256 * 1024;
constexpr size_t kMaxPartHeaderBytes = 16 * 1024;

Status malformed(std::string_view why) {
  return Status(Errc::kBadRequest, "malformed multipart body: " + std::string(why));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Finds parameter `name` in a header value like `form-data; name="a"; filename="b"`.
std::optional<std::string> header_param(std::string_view value, std::string_view name) {
  size_t pos = 0;
  while (pos < value.size()) {
    size_t semi = value.find(';', pos);
    if (semi == std::string_view::npos) semi = value.size();
    std::string_view item = trim_whitespace(value.substr(pos, semi - pos));
    pos = semi + 1;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    if (lower(trim_whitespace(item.substr(0, eq))) != name) continue;
    std::string_view v = trim_whitespace(item.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"') {
      // Quoted string; browsers escape '"' as %22 and send other bytes raw (UTF-8).
      std::string out;
      for (size_t i = 1; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
          out += v[++i];
        } else if (v[i] == '"') {
          return out;
        } else {
          out += v[i];
        }
      }
      return std::nullopt;
    }
    return std::string(v);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type,
                                              std::string_view subtype) {
  size_t semi = content_type.find(';');
  if (lower(trim_whitespace(content_type.substr(0, semi))) != "multipart/" + std::string(subtype))
    return std::nullopt;
  if (semi == std::string_view::npos) return std::nullopt;
  auto boundary = header_param(content_type.substr(semi + 1), "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) return std::nullopt;
  return boundary;
}

MultipartReader::MultipartReader(ByteSource& body, std::string_view boundary)
    : body_(body), delimiter_("\r\n--" + std::string(boundary)), buf_(kBufferBytes) {
  // The first boundary has no CRLF in front of it; pretend it had, so every delimiter looks
  // the same.
  std::memcpy(buf_.data(), "\r\n", 2);
  end_ = 2;
}

void MultipartReader::compact() {
  if (begin_ == 0) return;
  std::memmove(buf_.data(), buf_.data() + begin_, buffered());
  end_ -= begin_;
  begin_ = 0;
}

Status MultipartReader::fill(size_t want) {
  while (buffered() < want && !body_done_) {
    if (end_ == buf_.size()) compact();
    if (end_ == buf_.size()) break;
    auto n = body_.read(std::as_writable_bytes(std::span(buf_.data() + end_, buf_.size() - end_)));
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) body_done_ = true;
    end_ += *n;
  }
  return Status::ok();
}

Result<size_t> MultipartReader::read(std::span<std::byte> out) {
  if (!in_part_ || out.empty()) return size_t{0};
  COFFER_RETURN_IF_ERROR(fill(delimiter_.size() + 1));
  std::string_view data = view();
  size_t at = data.find(delimiter_);
  size_t available;
  if (at != std::string_view::npos) {
    available = at;
  } else {
    if (body_done_) return malformed("the body ended inside a part");
    // Keep back what could be the start of a delimiter split across reads.
    available = data.size() - (delimiter_.size() - 1);
  }
  if (available == 0) {
    in_part_ = false;  // the delimiter is next; next_part() consumes it
    return size_t{0};
  }
  size_t n = std::min(available, out.size());
  std::memcpy(out.data(), data.data(), n);
  begin_ += n;
  return n;
}

Result<std::optional<MultipartReader::Part>> MultipartReader::next_part() {
  if (finished_) return std::optional<Part>();
  // Skip what remains of the current part (or the preamble).
  std::byte sink[16 * 1024];
  in_part_ = true;
  for (;;) {
    auto n = read(sink);
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) break;
  }
  COFFER_RETURN_IF_ERROR(fill(delimiter_.size() + 2));
  if (view().substr(0, delimiter_.size()) != delimiter_) return malformed("missing boundary");
  begin_ += delimiter_.size();
  std::string_view after = view().substr(0, 2);
  if (after == "--") {
    finished_ = true;
    return std::optional<Part>();
  }
  // Optional transport padding, then CRLF.
  while (!view().empty() && (view().front() == ' ' || view().front() == '\t')) ++begin_;
  COFFER_RETURN_IF_ERROR(fill(2));
  if (view().substr(0, 2) != "\r\n") return malformed("bad boundary line");
  begin_ += 2;

  Part part;
  for (;;) {
    size_t eol;
    for (;;) {
      eol = view().find("\r\n");
      if (eol != std::string_view::npos) break;
      if (buffered() >= kMaxPartHeaderBytes || body_done_)
        return malformed("part header too large or truncated");
      size_t before = buffered();
      COFFER_RETURN_IF_ERROR(fill(before + 1));
      if (buffered() == before) return malformed("truncated part header");
    }
    std::string_view line = view().substr(0, eol);
    if (line.empty()) {
      begin_ += 2;
      break;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("bad part header");
    std::string name = lower(trim_whitespace(line.substr(0, colon)));
    std::string_view value = trim_whitespace(line.substr(colon + 1));
    if (name == "content-disposition") {
      auto field = header_param(value, "name");
      if (!field) return malformed("part without a name");
      part.field_name = *field;
      part.filename = header_param(value, "filename");
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
    part.headers.emplace_back(std::move(name), std::string(value));
    begin_ += eol + 2;
  }
  in_part_ = true;
  return std::optional<Part>(std::move(part));
}

}  // namespace coffer::api
