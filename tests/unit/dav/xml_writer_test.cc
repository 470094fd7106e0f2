#include "dav/xml_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include "dav/xml_document.h"

namespace coffer::dav {
namespace {

// What api::http_date() and api::rfc3339() write, through the C library.
std::string libc_http_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string libc_rfc3339(int64_t t) {
  std::time_t seconds = static_cast<std::time_t>(t / 1'000'000);
  long micros = static_cast<long>(t % 1'000'000);
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
  return buf;
}

TEST(XmlWriterTest, DatesMatchTheCLibraryAcrossCenturiesAndLeapDays) {
  // 1900 to 2200 in steps that are not a whole number of days, plus the edges of leap days
  // and of the epoch.
  std::vector<int64_t> seconds;
  for (int64_t t = -2'208'988'800; t < 7'258'118'400; t += 86'400 * 13 + 3'607)
    seconds.push_back(t);
  for (int64_t t : {int64_t{0}, int64_t{-1}, int64_t{951'782'399}, int64_t{951'782'400},
                    int64_t{951'868'800}, int64_t{4'107'456'000}, int64_t{1'709'251'199}}) {
    seconds.push_back(t);
  }
  for (int64_t t : seconds) {
    std::string out = "x";
    append_http_date(out, t);
    EXPECT_EQ(out, "x" + libc_http_date(t)) << t;
    for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{999'999}, int64_t{-1}}) {
      const int64_t at = t * 1'000'000 + micros;
      std::string r;
      append_rfc3339(r, at);
      EXPECT_EQ(r, libc_rfc3339(at)) << at;
    }
  }
}

TEST(XmlWriterTest, EscapingAppendsWhatXmlEscapeReturns) {
  for (std::string_view text :
       {"", "plain", "a&b <c>.txt", "it's \"quoted\"", "\r\n", "&&", "ünïcödé ☃", "<", "end>"}) {
    std::string out = "prefix";
    append_xml_escaped(out, text);
    EXPECT_EQ(out, "prefix" + xml_escape(text));
  }
  std::string out;
  append_xml_escaped(out, "a&b <c>'\"\r");
  EXPECT_EQ(out, "a&amp;b &lt;c&gt;&apos;&quot;&#13;");
}

}  // namespace
}  // namespace coffer::dav
