#include "http/response_head.h"

#include <strings.h>

#include <charconv>
#include <cstdio>
#include <ctime>

#include <boost/beast/http/status.hpp>

namespace coffer::http {

namespace {

// tchar from RFC 9110 §5.6.2.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

bool valid_value(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool owned_by_http_layer(std::string_view name) {
  switch (name.size()) {
    case 4:
      return iequals(name, "Date");
    case 6:
      return iequals(name, "Server");
    case 10:
      return iequals(name, "Connection") || iequals(name, "Keep-Alive");
    case 14:
      return iequals(name, "Content-Length");
    case 17:
      return iequals(name, "Transfer-Encoding");
    default:
      return false;
  }
}

// The IMF-fixdate of the current second, formatted once per second per thread (strftime would
// follow the locale; HTTP dates are always English).
std::string_view http_date() {
  static constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local time_t cached_second = -1;
  thread_local char text[32];
  thread_local size_t length = 0;
  time_t now = std::time(nullptr);
  if (now != cached_second) {
    struct tm tm;
    gmtime_r(&now, &tm);
    int n = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                          kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
    length = n > 0 ? static_cast<size_t>(n) : 0;
    cached_second = now;
  }
  return {text, length};
}

void append_number(std::string& out, uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

}  // namespace

void serialize_head(const HeadLine& line, const std::vector<api::Header>& headers,
                    std::string& out) {
  out.clear();
  out += "HTTP/1.1 ";
  append_number(out, static_cast<uint64_t>(line.status));
  out += ' ';
  std::string_view reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(line.status));
  if (!reason.empty() && reason.front() != '<') out += reason;  // "<unknown-status>"
  out += "\r\nServer: coffer\r\nDate: ";
  out += http_date();
  out += "\r\n";
  for (const auto& h : headers) {
    if (!valid_name(h.name) || !valid_value(h.value) || owned_by_http_layer(h.name)) continue;
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  switch (line.framing) {
    case Framing::kLength:
      out += "Content-Length: ";
      append_number(out, line.content_length);
      out += "\r\n";
      break;
    case Framing::kChunked:
      out += "Transfer-Encoding: chunked\r\n";
      break;
    case Framing::kNone:
    case Framing::kUntilClose:
      break;
  }
  if (line.close) {
    out += "Connection: close\r\n";
  } else if (!line.client_http11) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
}

size_t format_chunk_size(uint64_t size, char (&buf)[24]) {
  auto [end, ec] = std::to_chars(buf, buf + 20, size, 16);
  *end++ = '\r';
  *end++ = '\n';
  return static_cast<size_t>(end - buf);
}

}  // namespace coffer::http
