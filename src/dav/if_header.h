#pragma once
// The WebDAV If header (RFC 4918 §10.4): lists of conditions on state tokens (lock tokens)
// and entity tags, optionally tagged with the resource they apply to.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::dav {

struct IfCondition {
  bool negated = false;
  bool is_etag = false;  // else a state token
  std::string value;     // the token without <>, or the entity tag with its quotes
};

struct IfList {
  std::optional<std::string> resource;  // the tag (an absolute URI or a path), when tagged
  std::vector<IfCondition> conditions;
};

struct IfHeader {
  std::vector<IfList> lists;
  // Every state token named without Not: what the client claims to hold.
  std::vector<std::string> submitted_tokens() const;
};

// Errors: kInvalidArgument (malformed).
Result<IfHeader> parse_if_header(std::string_view value);

// What the evaluation needs to know about one resource.
struct IfSubject {
  std::string path;  // the resource's decoded path, compared with the lists' tags
  std::string etag;  // "" when the resource does not exist
  // Whether `token` names a lock that currently covers the resource.
  std::function<bool(std::string_view token)> token_matches;
};

// RFC 4918 §10.4.3: true when a list that applies to the subject has all conditions true, or
// when no list applies to it. `tag_path` turns a tag into a decoded path (nullopt: a tag that
// can name no resource of ours).
bool if_header_allows(const IfHeader& header, const IfSubject& subject,
                      const std::function<std::optional<std::string>(std::string_view)>& tag_path);

}  // namespace coffer::dav
