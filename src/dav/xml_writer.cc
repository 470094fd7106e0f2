#include "dav/xml_writer.h"

namespace coffer::dav {
namespace {

// The civil date of a day number (days since 1970-01-01), for the proleptic Gregorian
// calendar (H. Hinnant's civil_from_days): gmtime_r without its locking and time-zone work.
struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (month <= 2), month, day};
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void append_digits(std::string& out, uint64_t value, int width) {
  char buf[20];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && n < 20);
  for (int i = n; i < width; ++i) out += '0';
  while (n > 0) out += buf[--n];
}

void append_year(std::string& out, int64_t year) {
  if (year < 0) {
    out += '-';
    append_digits(out, static_cast<uint64_t>(-year), 4);
  } else {
    append_digits(out, static_cast<uint64_t>(year), 4);
  }
}

}  // namespace

void append_xml_escaped(std::string& out, std::string_view text) {
  size_t plain = 0;  // start of the run of characters that need no escaping
  for (size_t i = 0; i < text.size(); ++i) {
    std::string_view entity;
    switch (text[i]) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&apos;";
        break;
      case '\r':
        entity = "&#13;";
        break;
      default:
        continue;
    }
    out.append(text.data() + plain, i - plain);
    out += entity;
    plain = i + 1;
  }
  out.append(text.data() + plain, text.size() - plain);
}

void append_http_date(std::string& out, int64_t unix_seconds) {
  static constexpr std::string_view kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t days = floor_div(unix_seconds, 86400);
  const auto second_of_day = static_cast<uint64_t>(unix_seconds - days * 86400);
  const CivilDate date = civil_from_days(days);
  out += kDays[static_cast<size_t>(((days % 7) + 7) % 7)];  // 1970-01-01 was a Thursday
  out += ", ";
  append_digits(out, date.day, 2);
  out += ' ';
  out += kMonths[date.month - 1];
  out += ' ';
  append_year(out, date.year);
  out += ' ';
  append_digits(out, second_of_day / 3600, 2);
  out += ':';
  append_digits(out, second_of_day / 60 % 60, 2);
  out += ':';
  append_digits(out, second_of_day % 60, 2);
  out += " GMT";
}

void append_rfc3339(std::string& out, int64_t unix_micros) {
  const int64_t seconds = floor_div(unix_micros, 1'000'000);
  const auto micros = static_cast<uint64_t>(unix_micros - seconds * 1'000'000);
  const int64_t days = floor_div(seconds, 86400);
  const auto second_of_day = static_cast<uint64_t>(seconds - days * 86400);
  const CivilDate date = civil_from_days(days);
  append_year(out, date.year);
  out += '-';
  append_digits(out, date.month, 2);
  out += '-';
  append_digits(out, date.day, 2);
  out += 'T';
  append_digits(out, second_of_day / 3600, 2);
  out += ':';
  append_digits(out, second_of_day / 60 % 60, 2);
  out += ':';
  append_digits(out, second_of_day % 60, 2);
  out += '.';
  append_digits(out, micros, 6);
  out += 'Z';
}

void append_xml_element(std::string& out, std::string_view prefix, std::string_view name,
                        std::string_view escaped_value) {
  out += '<';
  out += prefix;
  out += ':';
  out += name;
  if (escaped_value.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  out += escaped_value;
  out += "</";
  out += prefix;
  out += ':';
  out += name;
  out += '>';
}

}  // namespace coffer::dav
