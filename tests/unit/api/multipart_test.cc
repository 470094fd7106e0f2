#include "api/multipart.h"

#include <gtest/gtest.h>

#include <cstring>

namespace coffer::api {
namespace {

// Feeds a string in pieces of `step` bytes, to exercise delimiters split across reads.
class StringSource : public ByteSource {
 public:
  StringSource(std::string data, size_t step) : data_(std::move(data)), step_(step) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = std::min({buf.size(), step_, data_.size() - pos_});
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t step_;
  size_t pos_ = 0;
};

std::string read_all(MultipartReader& reader) {
  std::string out;
  std::byte buf[7];
  for (;;) {
    auto n = reader.read(buf);
    EXPECT_TRUE(n.is_ok());
    if (!n.is_ok() || *n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf), *n);
  }
}

TEST(Multipart, BoundaryFromContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; boundary=\"a b\""), "a b");
  EXPECT_FALSE(multipart_boundary("text/plain; boundary=abc"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
}

TEST(Multipart, ReadsPartsAcrossAnySplit) {
  // Content may hold prefixes of the delimiter, never the delimiter itself (RFC 2046).
  std::string file_content = "line1\r\n--not-the-boundary\r\n--XY almost\r\n-end\r";
  std::string body =
      "preamble\r\n--XYZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
      "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"r\xC3\xA9sum\xC3\xA9.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n" +
      file_content + "\r\n--XYZ--\r\nepilogue";
  for (size_t step : {1, 2, 3, 5, 64, 100000}) {
    StringSource source(body, step);
    MultipartReader reader(source, "XYZ");
    auto first = reader.next_part();
    ASSERT_TRUE(first.is_ok() && *first) << step;
    EXPECT_EQ((*first)->field_name, "note");
    EXPECT_FALSE((*first)->filename);
    EXPECT_EQ(read_all(reader), "hello");
    auto second = reader.next_part();
    ASSERT_TRUE(second.is_ok() && *second) << step;
    EXPECT_EQ((*second)->filename, "r\xC3\xA9sum\xC3\xA9.txt");
    EXPECT_EQ((*second)->content_type, "text/plain");
    EXPECT_EQ(read_all(reader), file_content) << step;
    auto end = reader.next_part();
    ASSERT_TRUE(end.is_ok());
    EXPECT_FALSE(*end);
  }
}

TEST(Multipart, TruncatedBodyIsAnError) {
  StringSource source(
      "--XYZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nabc", 4);
  MultipartReader reader(source, "XYZ");
  auto part = reader.next_part();
  ASSERT_TRUE(part.is_ok() && *part);
  Status status;
  std::byte buf[16];
  for (;;) {
    auto n = reader.read(buf);
    if (!n.is_ok()) {
      status = n.status();
      break;
    }
    ASSERT_NE(*n, 0u) << "a truncated part must not end cleanly";
  }
  EXPECT_EQ(status.code(), Errc::kBadRequest);
}

}  // namespace
}  // namespace coffer::api
