#include "api/json_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstring>

namespace coffer::api {
namespace {

// A request body as the HTTP layer presents it: `length` is the Content-Length (none for a
// request without one, or a chunked one); a chunked body is finished only once read to its end.
class StringBody : public BodyReader {
 public:
  StringBody(std::string data, std::optional<uint64_t> length, bool chunked = false)
      : data_(std::move(data)), length_(length), chunked_(chunked) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    const size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    if (n == 0) read_to_end_ = true;
    return n;
  }
  std::optional<uint64_t> content_length() const override { return length_; }
  bool finished() const override { return chunked_ ? read_to_end_ : pos_ == data_.size(); }

 private:
  std::string data_;
  std::optional<uint64_t> length_;
  bool chunked_;
  size_t pos_ = 0;
  bool read_to_end_ = false;
};

Result<boost::json::object> read(StringBody& body, std::string content_type = "") {
  Request request;
  request.method = "POST";
  if (!content_type.empty()) request.headers.push_back({"Content-Type", content_type});
  request.body = &body;
  return read_json_object(request);
}

// An action POST without a body (POST /api/v1/trash/{id}/restore) once answered 400
// INVALID_JSON, and one with an empty form body 415: an empty body means "no options".
TEST(ReadJsonObject, AnEmptyBodyIsNoOptionsNotInvalidJson) {
  StringBody no_length("", std::nullopt);
  auto parsed = read(no_length);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(parsed->empty());

  StringBody zero("", 0);
  parsed = read(zero, "application/json");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(parsed->empty());

  StringBody form("", 0);  // curl -X POST -d '' sends a form type with nothing in it
  parsed = read(form, "application/x-www-form-urlencoded");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(parsed->empty());

  StringBody chunked("", std::nullopt, true);
  parsed = read(chunked, "application/json");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(parsed->empty());
}

TEST(ReadJsonObject, ABodyIsStillCheckedAndParsed) {
  StringBody options(R"({"name":"a.txt"})", 16);
  auto parsed = read(options, "application/json");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(std::string(parsed->at("name").as_string()), "a.txt");

  StringBody form("name=a.txt", 10);
  EXPECT_EQ(read(form, "application/x-www-form-urlencoded").status().code(),
            Errc::kUnsupportedMediaType);

  StringBody spaces("  ", 2);
  EXPECT_EQ(read(spaces, "application/json").status().code(), Errc::kInvalidJson);

  StringBody array("[1]", 3);
  EXPECT_EQ(read(array, "application/json").status().code(), Errc::kInvalidJson);
}

// Found by fuzz/api/json_body_fuzz.cc: Boost.JSON reads a number beyond a double's range as
// infinity, which no JSON writer can write back ("1e99999" is not a double either).
TEST(ReadJsonObject, ANumberBeyondADoubleWasAcceptedAsInfinity) {
  for (std::string text : {R"({"parent_id":22222222222222e22212})", R"({"a":[{"b":-1e400}]})"}) {
    StringBody body(text, text.size());
    EXPECT_EQ(read(body, "application/json").status().code(), Errc::kInvalidJson) << text;
  }
  const std::string large = R"({"a":1e308,"b":-2.5e-320})";
  StringBody body(large, large.size());
  EXPECT_TRUE(read(body, "application/json").is_ok());
}

}  // namespace
}  // namespace coffer::api
