#include "core/client_address.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

TEST(AddressBucketKey, IPv4IsItsOwnBucket) {
  EXPECT_EQ(address_bucket_key("192.0.2.7"), "ip:192.0.2.7");
  EXPECT_NE(address_bucket_key("192.0.2.7"), address_bucket_key("192.0.2.8"));
}

TEST(AddressBucketKey, IPv6CountsByItsSlash64) {
  EXPECT_EQ(address_bucket_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "ip:2001:db8:1:2::/64");
  EXPECT_EQ(address_bucket_key("2001:db8:1:2::1"), address_bucket_key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(address_bucket_key("2001:db8:1:2::1"), address_bucket_key("2001:db8:1:3::1"));
  EXPECT_EQ(address_bucket_key("::1"), "ip:::/64");
}

TEST(AddressBucketKey, MappedIPv4CountsAsIPv4) {
  EXPECT_EQ(address_bucket_key("::ffff:192.0.2.7"), "ip:192.0.2.7");
}

TEST(AddressBucketKey, AnythingElseIsUsedAsGivenAndBounded) {
  EXPECT_EQ(address_bucket_key(""), "ip:");
  EXPECT_EQ(address_bucket_key("not an address"), "ip:not an address");
  EXPECT_LE(address_bucket_key(std::string(1000, 'x')).size(), 3u + 46u);
}

TEST(IsLoopbackAddress, ThisMachinesAddressesOnly) {
  for (const char* local : {"127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_address(local)) << local;
  }
  for (const char* other : {"192.0.2.7", "128.0.0.1", "::2", "::ffff:192.0.2.7", "2001:db8::1", "",
                            "localhost", "127.0.0.1 "}) {
    EXPECT_FALSE(is_loopback_address(other)) << other;
  }
}

}  // namespace
}  // namespace coffer
