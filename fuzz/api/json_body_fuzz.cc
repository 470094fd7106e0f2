// JSON request bodies (api/json_io.h) as the HTTP layer hands them to a handler: bounded,
// typed as JSON, read in pieces. The first byte picks the Content-Type and the read sizes.

#include <boost/json.hpp>

#include "api/exchange.h"
#include "api/json_io.h"
#include "fuzz_input.h"

namespace {

using namespace coffer;

class PiecewiseBody : public api::BodyReader {
 public:
  PiecewiseBody(std::string_view data, uint8_t seed) : source_(data, seed), length_(data.size()) {}
  Result<size_t> read(std::span<std::byte> buf) override { return source_.read(buf); }
  std::optional<uint64_t> content_length() const override { return length_; }
  bool finished() const override { return source_.at_end(); }

 private:
  fuzz::PiecewiseSource source_;
  uint64_t length_;
};

constexpr std::string_view kContentTypes[] = {"application/json", "application/json; charset=utf-8",
                                              "", "text/plain"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t choice = in.byte();
  PiecewiseBody body(in.rest(), choice >> 2);
  api::Request request;
  request.method = "POST";
  const std::string_view content_type = kContentTypes[choice % std::size(kContentTypes)];
  if (!content_type.empty()) request.headers.push_back({"Content-Type", std::string(content_type)});
  request.body = &body;
  auto object = api::read_json_object(request);
  if (object.is_ok()) {
    // What was accepted is an object that writes out as JSON again. (Not compared member by
    // member: Boost.JSON 1.81 does not round-trip every double exactly, 2.2e20 for one.)
    boost::system::error_code ec;
    const boost::json::value again = boost::json::parse(boost::json::serialize(*object), ec);
    COFFER_FUZZ_CHECK(!ec && again.is_object() && again.as_object().size() == object->size());
    auto name = api::optional_string(*object, "name");
    auto id = api::optional_int(*object, "parent_id");
    (void)name;
    (void)id;
  }
  auto id = api::parse_id(in.rest());
  if (id.is_ok()) COFFER_FUZZ_CHECK(*id > 0);
  return 0;
}
