#include "s3/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "core/hex.h"

namespace coffer::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::array<uint8_t, 32> hmac(std::string_view key, std::string_view data) {
  std::array<uint8_t, 32> out;
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != out.size()) {
    std::abort();
  }
  return out;
}

std::string_view as_view(const std::array<uint8_t, 32>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Trims and collapses runs of spaces (SigV4's "Trimall").
std::string trim_all(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool has_header(const std::vector<Field>& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const Field& f) {
    return f.first.size() == lower_name.size() &&
           std::equal(f.first.begin(), f.first.end(), lower_name.begin(),
                      [](char a, char b) { return lower(a) == b; });
  });
}

void erase_header(std::vector<Field>& headers, std::string_view lower_name) {
  std::erase_if(headers, [&](const Field& f) {
    return f.first.size() == lower_name.size() &&
           std::equal(f.first.begin(), f.first.end(), lower_name.begin(),
                      [](char a, char b) { return lower(a) == b; });
  });
}

}  // namespace

std::string uri_encode(std::string_view in, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || (c == '/' && keep_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<uint8_t, 32> digest;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  return coffer::to_hex(std::span<const uint8_t>(digest.data(), digest.size()));
}

std::string amz_date(int64_t unix_seconds) {
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string canonical_query_string(const std::vector<Field>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::pair<std::string, std::string> canonical_headers(const std::vector<Field>& headers) {
  std::vector<std::pair<std::string, std::string>> lowered;
  lowered.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), lower);
    lowered.emplace_back(std::move(n), trim_all(value));
  }
  // Stable: repeated names keep the order in which they were given.
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical;
  std::string signed_names;
  for (size_t i = 0; i < lowered.size(); ++i) {
    const bool repeat = i > 0 && lowered[i].first == lowered[i - 1].first;
    if (repeat) {
      canonical.back() = ',';  // the previous value's '\n'
    } else {
      canonical += lowered[i].first;
      canonical.push_back(':');
      if (!signed_names.empty()) signed_names.push_back(';');
      signed_names += lowered[i].first;
    }
    canonical += lowered[i].second;
    canonical.push_back('\n');
  }
  return {std::move(canonical), std::move(signed_names)};
}

std::string canonical_request(const SignableRequest& request) {
  return canonical_request(
      request.method, uri_encode(request.path.empty() ? "/" : request.path, true),
      canonical_query_string(request.query), request.headers, request.payload_hash);
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const std::vector<Field>& headers,
                              std::string_view payload_hash) {
  auto [canonical_headers_text, signed_names] = canonical_headers(headers);
  std::string out;
  out.reserve(256 + canonical_headers_text.size());
  out += method;
  out.push_back('\n');
  out += canonical_uri;
  out.push_back('\n');
  out += canonical_query;
  out.push_back('\n');
  out += canonical_headers_text;
  out.push_back('\n');
  out += signed_names;
  out.push_back('\n');
  out += payload_hash;
  return out;
}

std::string string_to_sign(std::string_view date_time, std::string_view scope,
                           std::string_view canonical) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += date_time;
  out.push_back('\n');
  out += scope;
  out.push_back('\n');
  out += sha256_hex(canonical);
  return out;
}

std::array<uint8_t, 32> signing_key(std::string_view secret, std::string_view date,
                                    std::string_view region, std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret += secret;
  auto k_date = hmac(k_secret, date);
  std::fill(k_secret.begin(), k_secret.end(), '\0');
  auto k_region = hmac(as_view(k_date), region);
  auto k_service = hmac(as_view(k_region), service);
  return hmac(as_view(k_service), "aws4_request");
}

std::string signature_hex(const std::array<uint8_t, 32>& key, std::string_view to_sign) {
  auto mac = hmac(as_view(key), to_sign);
  return coffer::to_hex(std::span<const uint8_t>(mac.data(), mac.size()));
}

Signer::Signer(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)) {}

std::string Signer::scope(std::string_view date) const {
  std::string out(date);
  out += '/';
  out += region_;
  out += '/';
  out += service_;
  out += "/aws4_request";
  return out;
}

std::string Signer::signature(std::string_view date, std::string_view to_sign) const {
  return signature_hex(signing_key(credentials_.secret_access_key, date, region_, service_),
                       to_sign);
}

void Signer::sign(SignableRequest& request, int64_t now_unix) const {
  const std::string date_time = amz_date(now_unix);
  const std::string date = date_time.substr(0, 8);
  erase_header(request.headers, "x-amz-date");
  erase_header(request.headers, "authorization");
  request.headers.emplace_back("X-Amz-Date", date_time);
  if (!credentials_.session_token.empty() && !has_header(request.headers, "x-amz-security-token")) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  }
  const std::string canonical = canonical_request(request);
  const std::string signed_names = canonical_headers(request.headers).second;
  const std::string credential_scope = scope(date);
  std::string authorization(kAlgorithm);
  authorization += " Credential=";
  authorization += credentials_.access_key_id;
  authorization += '/';
  authorization += credential_scope;
  authorization += ", SignedHeaders=";
  authorization += signed_names;
  authorization += ", Signature=";
  authorization += signature(date, string_to_sign(date_time, credential_scope, canonical));
  request.headers.emplace_back("Authorization", std::move(authorization));
}

void Signer::presign(SignableRequest& request, int64_t now_unix, int64_t expires_seconds) const {
  const std::string date_time = amz_date(now_unix);
  const std::string date = date_time.substr(0, 8);
  const std::string credential_scope = scope(date);
  request.payload_hash = std::string(kUnsignedPayload);
  request.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  request.query.emplace_back("X-Amz-Credential",
                             credentials_.access_key_id + "/" + credential_scope);
  request.query.emplace_back("X-Amz-Date", date_time);
  request.query.emplace_back("X-Amz-Expires",
                             std::to_string(std::clamp<int64_t>(expires_seconds, 1, 604800)));
  if (!credentials_.session_token.empty()) {
    request.query.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  }
  request.query.emplace_back("X-Amz-SignedHeaders", canonical_headers(request.headers).second);
  const std::string canonical = canonical_request(request);
  request.query.emplace_back(
      "X-Amz-Signature", signature(date, string_to_sign(date_time, credential_scope, canonical)));
}

}  // namespace coffer::s3
