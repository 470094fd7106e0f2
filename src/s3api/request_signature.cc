#include "s3api/request_signature.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <utility>

#include "s3/sigv4.h"

namespace coffer::s3api {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kService = "s3";
constexpr std::string_view kTerminator = "aws4_request";

using Query = std::vector<s3::Field>;

// Everything the two forms carry, once parsed.
struct Credentials {
  bool presigned = false;
  std::string access_key_id;
  std::string date;  // "20130524", from the Credential scope
  std::string region;
  std::string service;
  std::string terminator;
  std::vector<std::string> signed_headers;  // as listed, lower-case
  std::string signature;
  std::string amz_date;  // "20130524T000000Z"
  int64_t expires = 0;   // presigned only
};

template <typename T>
using Parsed = std::variant<T, S3Error>;

S3Error error(int status, std::string code, std::string message) {
  return S3Error{status, std::move(code), std::move(message)};
}

// The 400 of a malformed credential, named after the form that carried it.
S3Error malformed(bool presigned, std::string_view detail) {
  if (presigned) return error(400, "AuthorizationQueryParametersError", std::string(detail));
  return error(400, "AuthorizationHeaderMalformed",
               "The authorization header is malformed; " + std::string(detail));
}

S3Error access_denied(std::string message) {
  return error(403, "AccessDenied", std::move(message));
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes; an escape that is not one stays as it is (the signature then decides).
std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
        hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(plus_is_space && in[i] == '+' ? ' ' : in[i]);
    }
  }
  return out;
}

Query parse_query(std::string_view query) {
  Query out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    out.emplace_back(
        percent_decode(pair.substr(0, eq), true),
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true));
  }
  return out;
}

const std::string* find_param(const Query& query, std::string_view name) {
  for (const auto& [n, v] : query) {
    if (n == name) return &v;
  }
  return nullptr;
}

// Each segment decoded and encoded again, so that an encoded '/' inside a segment stays
// encoded while equivalent spellings of other characters agree.
std::string canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  std::string out;
  out.reserve(raw_path.size() + 16);
  size_t start = 0;
  while (true) {
    const size_t slash = raw_path.find('/', start);
    out += s3::uri_encode(percent_decode(raw_path.substr(start, slash - start), false), false);
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

// "20130524T000000Z" as Unix seconds; nullopt unless exactly that form and a real time.
std::optional<int64_t> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto number = [&](size_t pos, size_t len) -> std::optional<int> {
    int v = 0;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, v);
    if (ec != std::errc() || p != text.data() + pos + len) return std::nullopt;
    return v;
  };
  const auto year = number(0, 4), month = number(4, 2), day = number(6, 2);
  const auto hour = number(9, 2), minute = number(11, 2), second = number(13, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  struct tm tm = {};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  const int64_t t = timegm(&tm);
  // timegm normalises 20130532 into June: a round trip refuses such dates.
  if (s3::amz_date(t) != text) return std::nullopt;
  return t;
}

std::vector<std::string> split_signed_headers(std::string_view list) {
  std::vector<std::string> out;
  while (true) {
    const size_t semi = list.find(';');
    out.push_back(to_lower(list.substr(0, semi)));
    if (semi == std::string_view::npos) break;
    list.remove_prefix(semi + 1);
  }
  return out;
}

// "AKID/20130524/us-east-1/s3/aws4_request" into `c`.
std::optional<S3Error> parse_credential(std::string_view text, Credentials& c) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t slash = text.find('/');
    parts.push_back(text.substr(0, slash));
    if (slash == std::string_view::npos) break;
    text.remove_prefix(slash + 1);
  }
  if (parts.size() != 5 || parts[0].empty() || parts[1].size() != 8 || parts[2].empty()) {
    return malformed(c.presigned,
                     "the Credential is mal-formed; expecting "
                     "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
  }
  c.access_key_id = parts[0];
  c.date = parts[1];
  c.region = parts[2];
  c.service = parts[3];
  c.terminator = parts[4];
  return std::nullopt;
}

bool has_presign_params(const Query& query) {
  return find_param(query, "X-Amz-Algorithm") || find_param(query, "X-Amz-Credential") ||
         find_param(query, "X-Amz-Signature");
}

S3Error unsupported_mechanism() {
  return error(400, "InvalidRequest",
               "The authorization mechanism you have provided is not supported. Please use "
               "AWS4-HMAC-SHA256.");
}

// "AWS4-HMAC-SHA256 Credential=AKID/..., SignedHeaders=a;b, Signature=hex" (the separator
// may be "," or ", ").
Parsed<Credentials> parse_authorization(std::string_view header,
                                        const std::vector<api::Header>& headers) {
  Credentials c;
  if (header.starts_with("AWS ") || header.starts_with("AWS4-ECDSA-P256-SHA256")) {
    return unsupported_mechanism();
  }
  if (!header.starts_with(kAlgorithm) || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ') {
    return error(400, "InvalidArgument", "Unsupported Authorization Type");
  }
  std::string_view rest = header.substr(kAlgorithm.size() + 1);
  std::optional<std::string_view> credential, signed_headers, signature;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") signed_headers = value;
    if (key == "Signature") signature = value;
  }
  if (!credential || !signed_headers || !signature || signed_headers->empty()) {
    return malformed(false,
                     "the authorization header requires three components: Credential, "
                     "SignedHeaders, and Signature.");
  }
  if (auto e = parse_credential(*credential, c)) return *e;
  c.signed_headers = split_signed_headers(*signed_headers);
  c.signature = *signature;
  c.amz_date = std::string(api::find_header(headers, "x-amz-date"));
  return c;
}

Parsed<Credentials> parse_presigned(const Query& query) {
  Credentials c;
  c.presigned = true;
  const std::string* algorithm = find_param(query, "X-Amz-Algorithm");
  const std::string* credential = find_param(query, "X-Amz-Credential");
  const std::string* date = find_param(query, "X-Amz-Date");
  const std::string* expires = find_param(query, "X-Amz-Expires");
  const std::string* signed_headers = find_param(query, "X-Amz-SignedHeaders");
  const std::string* signature = find_param(query, "X-Amz-Signature");
  if (!algorithm || !credential || !date || !expires || !signed_headers || !signature) {
    return malformed(true,
                     "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                     "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                     "and X-Amz-Expires parameters.");
  }
  if (*algorithm != kAlgorithm) {
    return malformed(true, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  if (auto e = parse_credential(*credential, c)) return *e;
  auto [p, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), c.expires);
  if (ec != std::errc() || p != expires->data() + expires->size() || c.expires < 0) {
    return malformed(true, "X-Amz-Expires should be a number");
  }
  if (c.expires > kMaxPresignSeconds) {
    return malformed(true, "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  if (c.expires < 1) return malformed(true, "X-Amz-Expires must be non-negative");
  if (signed_headers->empty()) return malformed(true, "X-Amz-SignedHeaders must not be empty");
  c.signed_headers = split_signed_headers(*signed_headers);
  c.signature = *signature;
  c.amz_date = *date;
  return c;
}

// The scope must be S3's, dated the day of X-Amz-Date.
std::optional<S3Error> check_scope(const Credentials& c) {
  if (c.service != kService) {
    return malformed(c.presigned,
                     "incorrect service \"" + c.service + "\". This endpoint belongs to \"s3\".");
  }
  if (c.terminator != kTerminator) {
    return malformed(c.presigned, "incorrect terminal \"" + c.terminator +
                                      "\". This endpoint uses \"aws4_request\".");
  }
  return std::nullopt;
}

// X-Amz-Date against the scope's date and the server's clock.
std::optional<S3Error> check_time(const Credentials& c, int64_t now) {
  const auto t = parse_amz_date(c.amz_date);
  if (!t) {
    if (c.presigned) {
      return malformed(true,
                       "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    }
    return access_denied("AWS authentication requires a valid Date or x-amz-date header");
  }
  if (c.amz_date.compare(0, 8, c.date) != 0) {
    return malformed(c.presigned, "Invalid credential date \"" + c.date +
                                      "\". This date is not the same as X-Amz-Date: \"" +
                                      c.amz_date.substr(0, 8) + "\".");
  }
  if (c.presigned) {
    if (now > *t + c.expires) return access_denied("Request has expired");
    if (*t - now > kMaxClockSkewSeconds) return access_denied("Request is not valid yet");
    return std::nullopt;
  }
  if (now - *t > kMaxClockSkewSeconds || *t - now > kMaxClockSkewSeconds) {
    return error(403, "RequestTimeTooSkewed",
                 "The difference between the request time and the current time is too large.");
  }
  return std::nullopt;
}

bool is_signed(const Credentials& c, std::string_view lower_name) {
  return std::find(c.signed_headers.begin(), c.signed_headers.end(), lower_name) !=
         c.signed_headers.end();
}

// Host and every x-amz-* header present must be signed: otherwise a captured signature
// could be replayed with another host or with added S3 options (x-amz-copy-source, ...).
std::optional<S3Error> check_signed_headers(const Credentials& c,
                                            const std::vector<api::Header>& headers) {
  std::string unsigned_names;
  if (!is_signed(c, "host")) unsigned_names = "host";
  for (const auto& h : headers) {
    const std::string name = to_lower(h.name);
    if (name.starts_with("x-amz-") && !is_signed(c, name) &&
        unsigned_names.find(name) == std::string::npos) {
      if (!unsigned_names.empty()) unsigned_names += ", ";
      unsigned_names += name;
    }
  }
  if (unsigned_names.empty()) return std::nullopt;
  return access_denied("There were headers present in the request which were not signed: " +
                       unsigned_names);
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char ch) { return hex_value(ch) >= 0; });
}

// The payload mode of an x-amz-content-sha256 value.
Parsed<PayloadMode> parse_payload(std::string_view value) {
  if (value == "UNSIGNED-PAYLOAD") return PayloadMode::kUnsigned;
  if (value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") return PayloadMode::kStreamingSigned;
  if (value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") {
    return PayloadMode::kStreamingSignedTrailer;
  }
  if (value == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") return PayloadMode::kStreamingUnsignedTrailer;
  if (is_sha256_hex(value)) return PayloadMode::kSigned;
  return error(400, "InvalidArgument",
               "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
               "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
               "or a valid sha256 value.");
}

// The declared payload hash as the canonical request carries it, and its mode.
Parsed<std::pair<std::string, PayloadMode>> payload_of(const Credentials& c,
                                                       const std::vector<api::Header>& headers) {
  const bool present = std::any_of(headers.begin(), headers.end(), [](const api::Header& h) {
    return iequals(h.name, "x-amz-content-sha256");
  });
  const std::string_view value = api::find_header(headers, "x-amz-content-sha256");
  if (!present) {
    if (c.presigned) return std::pair{std::string(s3::kUnsignedPayload), PayloadMode::kUnsigned};
    return error(400, "InvalidRequest",
                 "Missing required header for this request: x-amz-content-sha256");
  }
  if (!c.presigned && !is_signed(c, "x-amz-content-sha256")) {
    return error(400, "InvalidRequest",
                 "header 'x-amz-content-sha256' must be included in signature");
  }
  auto mode = parse_payload(value);
  if (auto* e = std::get_if<S3Error>(&mode)) return *e;
  const PayloadMode m = std::get<PayloadMode>(mode);
  if (c.presigned && m != PayloadMode::kSigned && m != PayloadMode::kUnsigned) {
    return error(400, "InvalidRequest",
                 "A presigned URL cannot carry a streaming (aws-chunked) payload.");
  }
  return std::pair{std::string(value), m};
}

// The signed headers' values, every occurrence, in the order received.
std::vector<s3::Field> signed_fields(const Credentials& c,
                                     const std::vector<api::Header>& headers) {
  std::vector<s3::Field> out;
  for (const auto& h : headers) {
    const std::string name = to_lower(h.name);
    if (is_signed(c, name)) out.emplace_back(name, h.value);
  }
  return out;
}

std::string scope_of(const Credentials& c) {
  return c.date + "/" + c.region + "/" + c.service + "/" + c.terminator;
}

bool same_signature(std::string_view expected, std::string_view given) {
  return expected.size() == given.size() &&
         CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

// Parses whichever form the request uses; AccessDenied when it uses none.
Parsed<Credentials> parse_credentials(const SignedRequestView& request, const Query& query) {
  const std::vector<api::Header>& headers = *request.headers;
  const std::string_view authorization = api::find_header(headers, "authorization");
  const bool presign = has_presign_params(query);
  if (!authorization.empty() && presign) {
    return error(400, "InvalidArgument",
                 "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                 "Signature query string parameter or the Authorization header should be "
                 "specified");
  }
  if (!authorization.empty()) return parse_authorization(authorization, headers);
  if (presign) return parse_presigned(query);
  if (find_param(query, "Signature") || find_param(query, "AWSAccessKeyId")) {
    return unsupported_mechanism();
  }
  return access_denied("Access Denied");
}

// Every check that needs no secret, in the order AWS reports them.
std::optional<S3Error> check_request(const Credentials& c, const SignedRequestView& request,
                                     const Query& query, int64_t now) {
  if (auto e = check_scope(c)) return e;
  if (auto e = check_time(c, now)) return e;
  const bool token = !api::find_header(*request.headers, "x-amz-security-token").empty() ||
                     find_param(query, "X-Amz-Security-Token") != nullptr;
  if (token) {
    return error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
  return std::nullopt;
}

}  // namespace

bool is_anonymous(const SignedRequestView& request) {
  const std::string_view target = request.target;
  const size_t q = target.find('?');
  const Query query = parse_query(q == std::string_view::npos ? "" : target.substr(q + 1));
  return api::find_header(*request.headers, "authorization").empty() && !has_presign_params(query);
}

VerifyResult verify_request(const SignedRequestView& request, const SecretLookup& lookup,
                            int64_t now_unix) {
  const std::vector<api::Header>& headers = *request.headers;
  const size_t q = request.target.find('?');
  const std::string_view raw_path = request.target.substr(0, q);
  Query query = parse_query(q == std::string_view::npos ? "" : request.target.substr(q + 1));

  auto parsed = parse_credentials(request, query);
  if (auto* e = std::get_if<S3Error>(&parsed)) return *e;
  const Credentials& c = std::get<Credentials>(parsed);
  if (auto e = check_request(c, request, query, now_unix)) return *e;
  auto payload = payload_of(c, headers);
  if (auto* e = std::get_if<S3Error>(&payload)) return *e;
  if (auto e = check_signed_headers(c, headers)) return *e;

  std::optional<std::string> secret = lookup(c.access_key_id);
  if (!secret) {
    return error(403, "InvalidAccessKeyId",
                 "The AWS Access Key Id you provided does not exist in our records.");
  }
  VerifiedSignature v;
  v.signing_key = s3::signing_key(*secret, c.date, c.region, c.service);
  std::fill(secret->begin(), secret->end(), '\0');

  if (c.presigned)
    std::erase_if(query, [](const s3::Field& f) { return f.first == "X-Amz-Signature"; });
  const auto& [payload_hash, mode] = std::get<std::pair<std::string, PayloadMode>>(payload);
  const std::string canonical = s3::canonical_request(request.method, canonical_uri(raw_path),
                                                      s3::canonical_query_string(query),
                                                      signed_fields(c, headers), payload_hash);
  v.scope = scope_of(c);
  const std::string expected =
      s3::signature_hex(v.signing_key, s3::string_to_sign(c.amz_date, v.scope, canonical));
  if (!same_signature(expected, c.signature)) {
    return error(403, "SignatureDoesNotMatch",
                 "The request signature we calculated does not match the signature you "
                 "provided. Check your key and signing method.");
  }
  v.access_key_id = c.access_key_id;
  v.payload = mode;
  if (mode == PayloadMode::kSigned) v.payload_sha256 = to_lower(payload_hash);
  v.presigned = c.presigned;
  v.seed_signature = c.signature;
  v.amz_date = c.amz_date;
  return v;
}

}  // namespace coffer::s3api
