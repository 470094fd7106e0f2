#include "api/range.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

using Kind = ByteRange::Kind;

TEST(Range, ClosedOpenAndSuffixRanges) {
  auto r = parse_range("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, Kind::kSatisfiable);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=900-", 1000);
  EXPECT_EQ(r.kind, Kind::kSatisfiable);
  EXPECT_EQ(r.first, 900u);
  EXPECT_EQ(r.last, 999u);
  r = parse_range("bytes=-10", 1000);
  EXPECT_EQ(r.kind, Kind::kSatisfiable);
  EXPECT_EQ(r.first, 990u);
  EXPECT_EQ(r.length(), 10u);
}

TEST(Range, ClampsPastTheEnd) {
  auto r = parse_range("bytes=990-5000", 1000);
  EXPECT_EQ(r.kind, Kind::kSatisfiable);
  EXPECT_EQ(r.last, 999u);
  r = parse_range("bytes=-5000", 1000);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 999u);
}

TEST(Range, Unsatisfiable) {
  EXPECT_EQ(parse_range("bytes=1000-", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=1000-2000", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, Kind::kUnsatisfiable);
}

TEST(Range, IgnoresWhatItCannotServe) {
  for (auto h : {"", "bytes", "bytes=", "items=0-1", "bytes=a-b", "bytes=5-1", "bytes=0-1,3-4",
                 "bytes=--1", "bytes=99999999999999999999-"}) {
    EXPECT_EQ(parse_range(h, 1000).kind, Kind::kNone) << h;
  }
}

}  // namespace
}  // namespace coffer::api
