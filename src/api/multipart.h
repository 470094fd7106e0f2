#pragma once
// A streaming multipart/form-data reader (RFC 7578) for browser uploads: parts are read one
// after another straight from the request body, so a multi-gigabyte file never sits in memory.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_source.h"
#include "core/status.h"

namespace coffer::api {

// The boundary parameter of a Content-Type of multipart/`subtype` (RFC 2046 §5.1: form-data
// for browser uploads, related for the sync clients' bulk uploads), if it is one.
std::optional<std::string> multipart_boundary(std::string_view content_type,
                                              std::string_view subtype = "form-data");

class MultipartReader : public ByteSource {
 public:
  MultipartReader(ByteSource& body, std::string_view boundary);

  struct Part {
    std::string field_name;
    std::optional<std::string> filename;  // present for file fields
    std::string content_type;
    // Every header of the part, names in lower case.
    std::vector<std::pair<std::string, std::string>> headers;

    std::string_view header(std::string_view lower_case_name) const {
      for (const auto& [name, value] : headers) {
        if (name == lower_case_name) return value;
      }
      return {};
    }
  };
  // Skips the rest of the current part and moves to the next. nullopt after the last part.
  // Errors: kBadRequest (malformed), and the body's own errors.
  Result<std::optional<Part>> next_part();

  // Reads the current part's content; 0 at its end.
  Result<size_t> read(std::span<std::byte> out) override;

 private:
  Status fill(size_t want);  // ensures buffered() >= want unless the body ended
  size_t buffered() const { return end_ - begin_; }
  std::string_view view() const { return {buf_.data() + begin_, buffered()}; }
  void compact();

  ByteSource& body_;
  std::string delimiter_;  // "\r\n--" + boundary
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool body_done_ = false;
  bool in_part_ = false;
  bool finished_ = false;
};

}  // namespace coffer::api
