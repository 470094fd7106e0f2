#include "api/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace coffer::api {
namespace {

size_t count_series(const std::string& text) {
  size_t n = 0;
  for (size_t at = text.find("\ncoffer_http_requests_total{"); at != std::string::npos;
       at = text.find("\ncoffer_http_requests_total{", at + 1)) {
    ++n;
  }
  return n;
}

TEST(Metrics, UnknownMethodsShareOneSeries) {
  Metrics metrics;
  for (int i = 0; i < 100; ++i) {
    metrics.record("unmatched", "X" + std::to_string(i), 405, 0.001, 0, 0);
  }
  metrics.record("unmatched", "get", 405, 0.001, 0, 0);  // methods are case-sensitive
  metrics.record("/dav/*", "PROPFIND", 207, 0.001, 0, 0);
  std::string text = metrics.render({});
  EXPECT_EQ(count_series(text), 2u) << text;
  EXPECT_NE(text.find("{route=\"unmatched\",method=\"other\",status=\"405\"} 101"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("method=\"PROPFIND\""), std::string::npos);
}

TEST(Metrics, StatusesOutsideTheRangeAreOther) {
  Metrics metrics;
  metrics.record("/health/live", "GET", 999, 0.001, 0, 0);
  metrics.record("/health/live", "GET", 42, 0.001, 0, 0);
  std::string text = metrics.render({});
  EXPECT_EQ(count_series(text), 1u) << text;
  EXPECT_NE(text.find("status=\"other\"} 2"), std::string::npos) << text;
}

}  // namespace
}  // namespace coffer::api
