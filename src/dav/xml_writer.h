#pragma once
// Appending to one growing buffer what WebDAV answers are made of: escaped XML text and the
// two date formats PROPFIND uses. No temporaries, no locale: a PROPFIND answer for a big
// folder writes these tens of thousands of times.

#include <cstdint>
#include <string>
#include <string_view>

namespace coffer::dav {

// `text` escaped for XML text and attribute values (&, <, >, ", ', and CR as &#13;), as
// xml_escape() returns it.
void append_xml_escaped(std::string& out, std::string_view text);

// <prefix:name>escaped_value</prefix:name>, or <prefix:name/> when `escaped_value` is empty.
void append_xml_element(std::string& out, std::string_view prefix, std::string_view name,
                        std::string_view escaped_value);

// An IMF-fixdate (RFC 9110 §5.6.7), "Sun, 06 Nov 1994 08:49:37 GMT", as api::http_date().
void append_http_date(std::string& out, int64_t unix_seconds);

// RFC 3339 in UTC with microseconds, "1994-11-06T08:49:37.000000Z", as api::rfc3339().
void append_rfc3339(std::string& out, int64_t unix_micros);

}  // namespace coffer::dav
