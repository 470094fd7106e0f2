#pragma once
// Tags as JSON carries them: an array of at most 100 strings, each 1 to 64 bytes of valid
// UTF-8 without control characters or '/', NFC-normalised. Shared by PATCH /nodes/{id} and
// the batch "tag" operation.

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace coffer::api {

// Sorted and without duplicates. Errors: kInvalidArgument.
Result<std::vector<std::string>> parse_tags(const boost::json::value& tags);

}  // namespace coffer::api
