// What the Nextcloud and ownCloud clients (desktop, mobile, nextcloudcmd, owncloudcmd) ask
// before they sync: /status.php (is this a server of theirs), the OCS capabilities (which
// protocol features to use) and the signed-in user (whose tree /remote.php/dav/files/{user}/
// is). The files themselves are WebDAV, under the mounts of api/dav_paths.h. docs/clients.md
// tells users how to connect each client.

#include <boost/json.hpp>
#include <charconv>
#include <string>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"
#include "dav/xml_writer.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

// The Nextcloud server version the clients are told: they enable protocol features by it, and
// Coffer speaks what this version's clients expect of the ones it advertises in capabilities.
constexpr int kCompatibleMajor = 28;
constexpr std::string_view kCompatibleVersion = "28.0.0.0";
constexpr std::string_view kCompatibleVersionString = "28.0.0";

Response status_php(ApiContext&, Request&) {
  auto response = json_response(200, json::object{{"installed", true},
                                                  {"maintenance", false},
                                                  {"needsDbUpgrade", false},
                                                  {"version", kCompatibleVersion},
                                                  {"versionstring", kCompatibleVersionString},
                                                  {"edition", ""},
                                                  {"productname", "Coffer"},
                                                  {"extendedSupport", false}});
  response.set_header("Cache-Control", "no-store");
  return response;
}

// ---- OCS: an envelope around the data, as XML unless JSON is asked for ---------------------

// OCS v1 answers success with status code 100, v2 with 200.
bool is_ocs_v2(const Request& request) { return request.route.starts_with("/ocs/v2.php/"); }

bool wants_json(const Request& request) {
  if (auto format = query_param(request, "format")) return *format == "json";
  return request.header("Accept").find("application/json") != std::string_view::npos;
}

void append_xml(std::string& out, std::string_view name, const json::value& value) {
  out += '<';
  out += name;
  out += '>';
  if (value.is_object()) {
    for (const auto& [key, member] : value.as_object()) append_xml(out, key, member);
  } else if (value.is_array()) {
    for (const auto& element : value.as_array()) append_xml(out, "element", element);
  } else if (value.is_string()) {
    dav::append_xml_escaped(out, value.as_string());
  } else if (value.is_bool()) {
    out += value.as_bool() ? "1" : "";
  } else if (!value.is_null()) {
    out += json::serialize(value);
  }
  out += "</";
  out += name;
  out += '>';
}

Response ocs_response(const Request& request, json::value data) {
  const bool v2 = is_ocs_v2(request);
  json::object meta{{"status", "ok"},
                    {"statuscode", v2 ? 200 : 100},
                    {"message", "OK"},
                    {"totalitems", ""},
                    {"itemsperpage", ""}};
  Response response;
  if (wants_json(request)) {
    response = json_response(
        200, json::object{{"ocs", json::object{{"meta", std::move(meta)}, {"data", data}}}});
  } else {
    response.status = 200;
    response.body = "<?xml version=\"1.0\"?>\n<ocs>";
    append_xml(response.body, "meta", meta);
    append_xml(response.body, "data", data);
    response.body += "</ocs>\n";
    response.set_header("Content-Type", "text/xml; charset=UTF-8");
  }
  response.set_header("Cache-Control", "no-store");
  return response;
}

// Whether the client handles bulk uploads of empty files: Nextcloud desktop clients before
// 3.10 ("mirall/3.7.3" in their User-Agent) fail every bulk POST that holds an empty file,
// before sending it, and retry it forever (nextcloud/desktop#5871, fixed in the 3.9 series),
// so a folder with one empty file would never sync. They get plain PUTs instead.
bool bulk_upload_safe_for(std::string_view user_agent) {
  const size_t at = user_agent.find("mirall/");
  if (at == std::string_view::npos) return true;
  std::string_view version = user_agent.substr(at + 7);
  int major = 0;
  int minor = 0;
  auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), major);
  if (ec != std::errc()) return false;
  if (end < version.data() + version.size() && *end == '.') {
    std::from_chars(end + 1, version.data() + version.size(), minor);
  }
  return major > 3 || (major == 3 && minor >= 10);
}

Response capabilities(ApiContext&, Request& request) {
  json::object version{
      {"major", kCompatibleMajor},          {"minor", 0},    {"micro", 0},
      {"string", kCompatibleVersionString}, {"edition", ""}, {"extendedSupport", false}};
  json::object caps{
      {"core", json::object{{"pollinterval", 60}, {"webdav-root", "remote.php/webdav"}}},
      // Uploads are verified against the SHA-256 the client sends (OC-Checksum), and every
      // file's SHA-256 is in its PROPFIND answer (oc:checksums).
      {"checksums",
       json::object{{"supportedTypes", json::array{"SHA256"}}, {"preferredUploadType", "SHA256"}}},
      // Chunked uploads (chunking NG, "1.0") at /remote.php/dav/uploads/{user}/ and bulk
      // uploads at /remote.php/dav/bulk (api/dav_uploads.h).
      {"dav", bulk_upload_safe_for(request.header("User-Agent"))
                  ? json::object{{"chunking", "1.0"}, {"bulkupload", "1.0"}}
                  : json::object{{"chunking", "1.0"}}},
      {"files", json::object{{"bigfilechunking", false},
                             {"undelete", true},
                             {"versioning", true},
                             {"comments", false}}},
  };
  return ocs_response(
      request, json::object{{"version", std::move(version)}, {"capabilities", std::move(caps)}});
}

Response current_user(ApiContext& ctx, Request& request) {
  auto user = ctx.catalog.find_user(request.user_id);
  if (!user.is_ok()) return fail(request, user.status());
  json::object quota{{"used", 0}};
  if (auto usage = ctx.catalog.usage(request.user_id); usage.is_ok()) {
    quota["used"] = usage->used();
    if (usage->limit > 0) {
      quota["total"] = usage->limit;
      quota["quota"] = usage->limit;
      quota["free"] = std::max<int64_t>(0, usage->limit - usage->used());
      quota["relative"] =
          static_cast<double>(usage->used()) * 100.0 / static_cast<double>(usage->limit);
    } else {
      quota["quota"] = -3;  // Nextcloud's "unlimited"
    }
  }
  return ocs_response(request, json::object{{"id", user->username},
                                            {"display-name", user->username},
                                            {"displayname", user->username},
                                            {"email", nullptr},
                                            {"enabled", true},
                                            {"quota", std::move(quota)}});
}

}  // namespace

void add_sync_client_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/status.php", access::kOpen, bind_route(ctx, status_php));
  for (std::string_view version : {"v1", "v2"}) {
    const std::string base = "/ocs/" + std::string(version) + ".php/cloud/";
    router.add("GET", base + "capabilities", access::kSyncClientRead,
               bind_route(ctx, capabilities));
    router.add("GET", base + "user", access::kSyncClientRead, bind_route(ctx, current_user));
  }
}

}  // namespace coffer::api
