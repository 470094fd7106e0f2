#include "api/dav_client_properties.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

TEST(DavClientPropertiesTest, AClientNamesAFileByItsFileIdOrItsOcId) {
  EXPECT_EQ(parse_client_file_id("42"), 42);
  EXPECT_EQ(parse_client_file_id(oc_id(42)), 42);
  EXPECT_EQ(parse_client_file_id(oc_id(123456789)), 123456789);
  for (const char* bad : {"", "0", "-3", "42x", "00000042ocother", "x42", " 42"}) {
    EXPECT_FALSE(parse_client_file_id(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace coffer::api
