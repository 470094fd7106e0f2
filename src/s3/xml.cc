#include "s3/xml.h"

#include <expat.h>

#include <charconv>
#include <ctime>
#include <functional>
#include <memory>

namespace coffer::s3 {
namespace {

// Calls on_leaf(path, text) for each element, path being the '/'-joined names from the root,
// with the text directly inside it. Returns false if the document is not well-formed.
class LeafParser {
 public:
  using OnElement = std::function<void(std::string_view path, std::string_view text)>;

  explicit LeafParser(OnElement on_end) : on_end_(std::move(on_end)) {}

  bool parse(std::string_view xml) {
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"),
                                                                        &XML_ParserFree);
    if (!parser) return false;
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(parser.get(), &LeafParser::start, &LeafParser::end);
    XML_SetCharacterDataHandler(parser.get(), &LeafParser::text);
    return XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
           XML_STATUS_OK;
  }

 private:
  static void start(void* user, const XML_Char* name, const XML_Char**) {
    auto* self = static_cast<LeafParser*>(user);
    self->stack_.push_back(self->path_.size());
    if (!self->path_.empty()) self->path_.push_back('/');
    self->path_ += name;
    self->text_.clear();
  }
  static void end(void* user, const XML_Char*) {
    auto* self = static_cast<LeafParser*>(user);
    self->on_end_(self->path_, self->text_);
    self->text_.clear();
    self->path_.resize(self->stack_.back());
    self->stack_.pop_back();
  }
  static void text(void* user, const XML_Char* s, int len) {
    auto* self = static_cast<LeafParser*>(user);
    // Bounded: S3 keys and tokens are short; a huge text node is not a valid answer.
    if (self->text_.size() + static_cast<size_t>(len) <= 64 * 1024) self->text_.append(s, len);
  }

  OnElement on_end_;
  std::string path_;
  std::vector<size_t> stack_;
  std::string text_;
};

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

ErrorDocument parse_error_document(std::string_view xml) {
  ErrorDocument doc;
  LeafParser parser([&](std::string_view path, std::string_view text) {
    if (path == "Error/Code") doc.code = text;
    if (path == "Error/Message") doc.message = text;
  });
  if (!parser.parse(xml)) return {};
  return doc;
}

Result<ListPage> parse_list_page(std::string_view xml) {
  ListPage page;
  ListedObject current;
  bool bad = false;
  LeafParser parser([&](std::string_view path, std::string_view text) {
    if (path == "ListBucketResult/Contents/Key") {
      current.key = text;
    } else if (path == "ListBucketResult/Contents/Size") {
      bad = bad || !parse_number(text, current.size);
    } else if (path == "ListBucketResult/Contents/LastModified") {
      auto t = parse_iso8601(text);
      bad = bad || !t;
      current.last_modified_unix = t.value_or(0);
    } else if (path == "ListBucketResult/Contents") {
      page.objects.push_back(std::move(current));
      current = {};
    } else if (path == "ListBucketResult/IsTruncated") {
      page.truncated = text == "true";
    } else if (path == "ListBucketResult/NextContinuationToken") {
      page.next_continuation_token = text;
    }
  });
  if (!parser.parse(xml)) return Status(Errc::kIoError, "S3 listing is not well-formed XML");
  if (bad) return Status(Errc::kIoError, "S3 listing has a malformed Size or LastModified");
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status(Errc::kIoError, "S3 listing is truncated but has no continuation token");
  }
  return page;
}

std::optional<int64_t> parse_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS, then optional fraction, then 'Z'.
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  int year, month, day, hour, minute, second;
  if (!parse_number(text.substr(0, 4), year) || !parse_number(text.substr(5, 2), month) ||
      !parse_number(text.substr(8, 2), day) || !parse_number(text.substr(11, 2), hour) ||
      !parse_number(text.substr(14, 2), minute) || !parse_number(text.substr(17, 2), second)) {
    return std::nullopt;
  }
  struct tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  struct tm tm = {};
  std::string copy(text);
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace coffer::s3
