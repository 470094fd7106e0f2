#include "dav/if_header.h"

#include <strings.h>

namespace coffer::dav {
namespace {

void skip_space(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

// "<...>" -> the inside; advances `s`.
std::optional<std::string> take_angle(std::string_view& s) {
  if (s.empty() || s.front() != '<') return std::nullopt;
  const size_t end = s.find('>');
  if (end == std::string_view::npos) return std::nullopt;
  std::string inside(s.substr(1, end - 1));
  s.remove_prefix(end + 1);
  return inside;
}

}  // namespace

std::vector<std::string> IfHeader::submitted_tokens() const {
  std::vector<std::string> out;
  for (const auto& list : lists) {
    for (const auto& c : list.conditions) {
      if (!c.negated && !c.is_etag) out.push_back(c.value);
    }
  }
  return out;
}

Result<IfHeader> parse_if_header(std::string_view s) {
  const Status bad(Errc::kInvalidArgument, "malformed If header");
  IfHeader header;
  std::optional<std::string> tag;
  bool tagged = false;
  skip_space(s);
  if (s.empty()) return bad;
  while (true) {
    skip_space(s);
    if (s.empty()) break;
    if (s.front() == '<') {
      // A resource tag applies to the lists that follow it.
      if (!header.lists.empty() && !tagged) return bad;  // no mixing of the two forms
      tag = take_angle(s);
      if (!tag) return bad;
      tagged = true;
      skip_space(s);
      if (s.empty() || s.front() != '(') return bad;
      continue;
    }
    if (s.front() != '(') return bad;
    s.remove_prefix(1);
    IfList list;
    list.resource = tag;
    while (true) {
      skip_space(s);
      if (s.empty()) return bad;
      if (s.front() == ')') {
        s.remove_prefix(1);
        break;
      }
      IfCondition condition;
      if (s.size() >= 3 && strncasecmp(s.data(), "not", 3) == 0) {
        condition.negated = true;
        s.remove_prefix(3);
        skip_space(s);
      }
      if (!s.empty() && s.front() == '<') {
        auto token = take_angle(s);
        if (!token) return bad;
        condition.value = std::move(*token);
      } else if (!s.empty() && s.front() == '[') {
        const size_t end = s.find(']');
        if (end == std::string_view::npos) return bad;
        condition.is_etag = true;
        condition.value = std::string(s.substr(1, end - 1));
        s.remove_prefix(end + 1);
      } else {
        return bad;
      }
      list.conditions.push_back(std::move(condition));
    }
    if (list.conditions.empty()) return bad;
    header.lists.push_back(std::move(list));
  }
  if (header.lists.empty()) return bad;
  return header;
}

bool if_header_allows(const IfHeader& header, const IfSubject& subject,
                      const std::function<std::optional<std::string>(std::string_view)>& tag_path) {
  bool any_applies = false;
  for (const auto& list : header.lists) {
    if (list.resource) {
      auto path = tag_path(*list.resource);
      if (!path || *path != subject.path) continue;
    }
    any_applies = true;
    bool all = true;
    for (const auto& c : list.conditions) {
      bool holds = false;
      if (c.is_etag) {
        // Weak comparison is not allowed here (RFC 4918 §10.4.4 uses strong comparison);
        // our ETags are strong.
        holds = !subject.etag.empty() && c.value == subject.etag;
      } else {
        holds = subject.token_matches(c.value);
      }
      if (holds == c.negated) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return !any_applies;
}

}  // namespace coffer::dav
