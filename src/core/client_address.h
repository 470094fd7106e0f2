#pragma once
// Which rate-limit bucket a client address belongs to.

#include <string>
#include <string_view>

namespace coffer {

// "ip:" and the address as the HTTP layer reports it, normalised so that one client cannot
// spread its requests over many buckets: an IPv6 host usually owns a whole /64, so the /64
// is the key ("ip:2001:db8:1:2::/64"); an IPv4-mapped IPv6 address counts as its IPv4
// address. Anything unparsable is used as given (truncated).
std::string address_bucket_key(std::string_view remote_address);

// Whether the address as the HTTP layer reports it is this machine's: 127.0.0.0/8, ::1, or
// an IPv4-mapped 127.0.0.0/8.
bool is_loopback_address(std::string_view remote_address);

}  // namespace coffer
