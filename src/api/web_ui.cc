#include "api/web_ui.h"

#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>
#include <map>
#include <string>

#include "api/http_headers.h"

extern "C" const char coffer_asset_ui_pack_begin[], coffer_asset_ui_pack_end[];

namespace coffer::api {

const std::string_view kWebUiContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

namespace {

struct UiFile {
  std::string type;
  bool immutable = false;
  std::string etag;
  std::string_view identity;
  std::string_view gzip;  // empty when compression did not help
  std::string_view br;
};

using UiFiles = std::map<std::string, UiFile, std::less<>>;

// Reads the pack written by web/build.mjs. The pack is produced by our own build, so a
// malformed one is a build bug: it yields no files rather than a crash at request time.
UiFiles parse_pack(std::string_view pack) {
  UiFiles files;
  constexpr std::string_view kMagic = "COFFERUI1\n";
  if (!pack.starts_with(kMagic)) return files;
  pack.remove_prefix(kMagic.size());
  const size_t newline = pack.find('\n');
  size_t index_size = 0;
  if (newline == std::string_view::npos ||
      std::from_chars(pack.data(), pack.data() + newline, index_size).ec != std::errc{} ||
      newline + 1 + index_size > pack.size()) {
    return files;
  }
  const std::string_view index_text = pack.substr(newline + 1, index_size);
  const std::string_view blobs = pack.substr(newline + 1 + index_size);
  boost::system::error_code ec;
  boost::json::value index = boost::json::parse(index_text, ec);
  if (ec || !index.is_array()) return files;
  auto slice = [&](const boost::json::value& range) -> std::string_view {
    if (!range.is_array() || range.as_array().size() != 2) return {};
    const auto offset = range.as_array()[0].to_number<uint64_t>();
    const auto length = range.as_array()[1].to_number<uint64_t>();
    if (offset > blobs.size() || length > blobs.size() - offset) return {};
    return blobs.substr(offset, length);
  };
  for (const auto& entry : index.as_array()) {
    const auto& o = entry.as_object();
    UiFile file;
    file.type = std::string(o.at("type").as_string());
    file.immutable = o.at("immutable").as_bool();
    file.etag = std::string(o.at("etag").as_string());
    file.identity = slice(o.at("identity"));
    file.gzip = slice(o.at("gzip"));
    file.br = slice(o.at("br"));
    files.emplace(std::string(o.at("path").as_string()), std::move(file));
  }
  return files;
}

const UiFiles& ui_files() {
  static const UiFiles files = parse_pack(
      std::string_view(coffer_asset_ui_pack_begin,
                       static_cast<size_t>(coffer_asset_ui_pack_end - coffer_asset_ui_pack_begin)));
  return files;
}

// The q-value of each media range in an Accept header that matters for prefers_html; -1 for
// a range not listed.
struct AcceptWeights {
  double html = -1, text_any = -1, json = -1, application_any = -1, any = -1;
};

AcceptWeights accept_weights(std::string_view header) {
  AcceptWeights w;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = trim_whitespace(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    std::string_view range = item;
    double q = 1;
    if (const size_t semi = item.find(';'); semi != std::string_view::npos) {
      range = trim_whitespace(item.substr(0, semi));
      for (std::string_view params = item.substr(semi + 1); !params.empty();) {
        const size_t next = params.find(';');
        std::string_view param = trim_whitespace(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
        if (param.starts_with("q=") || param.starts_with("Q=")) {
          std::string value(param.substr(2));
          char* end = nullptr;
          q = std::strtod(value.c_str(), &end);
          if (end == value.c_str() || q < 0 || q > 1) q = 0;
        }
      }
    }
    std::string lower(range);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "text/html") w.html = q;
    if (lower == "text/*") w.text_any = q;
    if (lower == "application/json") w.json = q;
    if (lower == "application/*") w.application_any = q;
    if (lower == "*/*") w.any = q;
  }
  return w;
}

}  // namespace

bool prefers_html(std::string_view accept) {
  const AcceptWeights w = accept_weights(accept);
  // The most specific range decides each type's weight (RFC 9110 §12.5.1).
  const double html = w.html >= 0 ? w.html : w.text_any;
  const double json = w.json >= 0 ? w.json : w.application_any >= 0 ? w.application_any : w.any;
  return html > 0 && html > json;
}

bool is_reserved_for_server(std::string_view path) {
  for (std::string_view prefix :
       {"/api", "/docs", "/dav", "/s", "/health", "/metrics", "/.well-known", "/remote.php", "/ocs",
        "/status.php", "/index.php"}) {
    if (path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/')) return true;
  }
  return false;
}

std::optional<Response> serve_web_ui(const Request& request, std::string_view path) {
  const UiFiles& files = ui_files();
  auto it = files.find(path);
  if (it == files.end()) {
    if (path.starts_with("/assets/")) return std::nullopt;
    it = files.find(std::string_view("/index.html"));
    if (it == files.end()) return std::nullopt;
  }
  const UiFile& file = it->second;
  Response response;
  response.set_header("Content-Type", file.type);
  response.set_header("Cache-Control",
                      file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.set_header("Vary", "Accept-Encoding");
  if (file.type.starts_with("text/html")) {
    response.set_header("Content-Security-Policy", std::string(kWebUiContentSecurityPolicy));
  }
  // Each encoding is its own representation with its own validator (RFC 9110 §8.8.3).
  const std::string_view accepted = request.header("Accept-Encoding");
  std::string_view body = file.identity;
  std::string etag = file.etag;
  if (!file.br.empty() && accepts_encoding(accepted, "br")) {
    body = file.br;
    etag.insert(etag.size() - 1, "-br");
    response.set_header("Content-Encoding", "br");
  } else if (!file.gzip.empty() && accepts_encoding(accepted, "gzip")) {
    body = file.gzip;
    etag.insert(etag.size() - 1, "-gz");
    response.set_header("Content-Encoding", "gzip");
  }
  response.set_header("ETag", etag);
  if (etag_list_matches(request.header("If-None-Match"), etag, true)) {
    response.status = 304;
    return response;
  }
  if (request.method == "HEAD") {
    response.content_length = body.size();
  } else {
    response.body = std::string(body);
  }
  return response;
}

}  // namespace coffer::api
