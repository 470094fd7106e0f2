#include "core/client_address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace coffer {
namespace {

constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::string address_bucket_key(std::string_view remote_address) {
  const std::string address(remote_address.substr(0, INET6_ADDRSTRLEN));
  unsigned char bytes[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET6, address.c_str(), bytes) == 1) {
    if (std::equal(bytes, bytes + 12, kMappedPrefix)) {
      if (inet_ntop(AF_INET, bytes + 12, text, sizeof text)) return "ip:" + std::string(text);
    } else {
      std::fill(bytes + 8, bytes + 16, 0);
      if (inet_ntop(AF_INET6, bytes, text, sizeof text)) return "ip:" + std::string(text) + "/64";
    }
  }
  return "ip:" + address;
}

bool is_loopback_address(std::string_view remote_address) {
  const std::string address(remote_address.substr(0, INET6_ADDRSTRLEN));
  unsigned char bytes[16];
  if (inet_pton(AF_INET, address.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return false;
  if (std::equal(bytes, bytes + 12, kMappedPrefix)) return bytes[12] == 127;
  static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::equal(bytes, bytes + 16, kLoopback6);
}

}  // namespace coffer
