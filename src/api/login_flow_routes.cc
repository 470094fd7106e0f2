// Nextcloud Login Flow v2 (service::LoginFlows): how the Nextcloud desktop client signs in.
// The client POSTs /index.php/login/v2 and opens the login URL in the browser; there the user
// signs in on a page of its own (no script, strict CSP) and grants access; meanwhile the client
// polls /index.php/login/v2/poll with its poll token until it receives an app password.

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "dav/xml_writer.h"
#include "service/login_flows.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr size_t kMaxFormBytes = 16 * 1024;
constexpr std::string_view kFlowPrefix = "/index.php/login/v2/flow/";
// The page runs no script and may post its form only to this server.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

// The address the client reached this server at, for the URLs it is given: the Host it sent,
// over https when a proxy in front says so. Whatever a client claims only comes back to it.
Result<std::string> base_url(const Request& request) {
  std::string_view host = request.header("Host");
  if (host.empty() || host.size() > 255 ||
      host.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
          std::string_view::npos) {
    return Status(Errc::kInvalidArgument, "the Host header is missing or malformed");
  }
  const bool https = request.header("X-Forwarded-Proto") == "https";
  return std::string(https ? "https://" : "http://") + std::string(host);
}

// A form body (application/x-www-form-urlencoded) of at most kMaxFormBytes, as name -> value.
Result<std::map<std::string, std::string>> read_form(Request& request) {
  auto text = read_small_body(request, kMaxFormBytes, "forms are limited to 16 KiB");
  COFFER_RETURN_IF_ERROR(text);
  std::map<std::string, std::string> out;
  auto params = boost::urls::parse_query(*text);
  if (!params) return Status(Errc::kInvalidArgument, "the form body is malformed");
  boost::urls::encoding_opts plus_is_space;
  plus_is_space.space_as_plus = true;
  for (const auto& param : *params) {
    out.try_emplace(param.key.decode(plus_is_space), param.value.decode(plus_is_space));
  }
  return out;
}

std::string escaped(std::string_view text) {
  std::string out;
  dav::append_xml_escaped(out, text);
  return out;
}

Response page(int status, std::string_view title, std::string_view body_html) {
  Response response;
  response.status = status;
  response.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      escaped(title) +
      " · Coffer</title><style>"
      "body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}"
      "label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:"
      "border-box}button{margin-top:1.2rem;padding:.6rem 1.2rem}.error{color:#b00020}"
      "</style></head><body><main><h1>" +
      escaped(title) + "</h1>" + std::string(body_html) + "</main></body></html>";
  response.set_header("Content-Type", "text/html; charset=utf-8");
  response.set_header("Content-Security-Policy", std::string(kPagePolicy));
  response.set_header("Cache-Control", "no-store");
  return response;
}

// Why the sign-in form is shown again: the field the error is about is marked invalid and
// described by it, and the cursor starts where typing resumes. The password is never sent
// back, so after a refusal it is asked again.
enum class Retry { kFirstVisit, kThrottled, kCredentials, kSecondFactor };

Response sign_in_page(int status, std::string_view client, Retry retry, std::string_view error,
                      std::string_view username) {
  constexpr std::string_view kDescribed = " aria-describedby=\"error\"";
  constexpr std::string_view kInvalid = " aria-invalid=\"true\"";
  const bool first_visit = retry == Retry::kFirstVisit;
  const bool asks_again = retry == Retry::kCredentials || retry == Retry::kSecondFactor;
  std::string html = "<p><strong>" + escaped(client) +
                     "</strong> asks for access to your files. Sign in to grant it: it will be "
                     "able to read and change all your files until you revoke its token in "
                     "your account settings.</p>";
  if (!error.empty()) {
    html += "<p id=\"error\" class=\"error\" role=\"alert\">" + escaped(error) + "</p>";
  }
  html +=
      "<form method=\"post\"><label for=\"user\">Username</label>"
      "<input id=\"user\" name=\"user\" autocomplete=\"username\" autocapitalize=\"none\" "
      "spellcheck=\"false\" required";
  if (first_visit) html += " autofocus";
  html += " value=\"" + escaped(username) +
          "\"><label for=\"password\">Password</label><input id=\"password\" name=\"password\" "
          "type=\"password\" autocomplete=\"current-password\" required";
  if (asks_again) {
    html += " autofocus";
    html += kDescribed;
  }
  if (retry == Retry::kCredentials) html += kInvalid;
  // Recovery codes have letters: no numeric keypad.
  html +=
      "><label for=\"code\">Two-factor code or recovery code (if your account has a second "
      "factor)</label><input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" "
      "autocapitalize=\"none\" spellcheck=\"false\"";
  if (retry == Retry::kSecondFactor) {
    html += " required";
    html += kInvalid;
    html += kDescribed;
  }
  html += "><button type=\"submit\">Grant access</button></form>";
  return page(status, "Connect a sync client", html);
}

Response flow_gone_page() {
  return page(404, "Sign-in request not found",
              "<p>This sign-in request is unknown, has expired or was already used. Start the "
              "sign-in again from your sync client.</p>");
}

// POST /index.php/login/v2
Response start_flow(ApiContext& ctx, Request& request) {
  auto base = base_url(request);
  if (!base.is_ok()) return fail(request, base.status());
  service::LoginFlows flows(ctx.catalog, ctx.auth);
  auto started = flows.start(request.header("User-Agent"));
  if (!started.is_ok()) return fail(request, started.status());
  return json_response(
      200, json::object{{"poll", json::object{{"token", started->poll_token},
                                              {"endpoint", *base + "/index.php/login/v2/poll"}}},
                        {"login", *base + std::string(kFlowPrefix) + started->login_token}});
}

// POST /index.php/login/v2/poll (form: token=…)
Response poll_flow(ApiContext& ctx, Request& request) {
  auto base = base_url(request);
  if (!base.is_ok()) return fail(request, base.status());
  auto form = read_form(request);
  if (!form.is_ok()) return fail(request, form.status());
  service::LoginFlows flows(ctx.catalog, ctx.auth);
  auto collected = flows.collect((*form)["token"], origin_of(request));
  if (!collected.is_ok()) return fail(request, collected.status());
  return json_response(200, json::object{{"server", *base},
                                         {"loginName", collected->username},
                                         {"appPassword", collected->app_password}});
}

// GET /index.php/login/v2/flow/{token}
Response flow_page(ApiContext& ctx, Request& request) {
  service::LoginFlows flows(ctx.catalog, ctx.auth);
  auto client = flows.pending_client(request.path_param("token"));
  if (!client.is_ok()) {
    if (client.status().code() == Errc::kNotFound) return flow_gone_page();
    return fail(request, client.status());
  }
  return sign_in_page(200, *client, Retry::kFirstVisit, "", "");
}

// POST /index.php/login/v2/flow/{token} (form: user, password, code)
Response grant_flow(ApiContext& ctx, Request& request) {
  // A page of another site must not post here (the browser says where a form came from).
  if (request.header("Sec-Fetch-Site") == "cross-site") {
    return fail(request, Status(Errc::kForbidden, "cross-site form submissions are refused"));
  }
  const std::string_view token = request.path_param("token");
  service::LoginFlows flows(ctx.catalog, ctx.auth);
  auto client = flows.pending_client(token);
  if (!client.is_ok()) {
    if (client.status().code() == Errc::kNotFound) return flow_gone_page();
    return fail(request, client.status());
  }
  auto form = read_form(request);
  if (!form.is_ok()) return fail(request, form.status());
  const std::string& user = (*form)["user"];
  service::SecondFactor factor;
  if (const std::string& code = (*form)["code"]; !code.empty()) {
    // Six digits are a TOTP code, also as authenticator apps show it ("123 456"); anything
    // else is taken for a recovery code.
    std::string digits = code;
    std::erase(digits, ' ');
    const bool totp =
        digits.size() == 6 && digits.find_first_not_of("0123456789") == std::string::npos;
    if (totp) {
      factor.totp_code = std::move(digits);
    } else {
      factor.recovery_code = code;
    }
  }
  auto granted = flows.grant(token, user, (*form)["password"], factor, origin_of(request));
  if (granted.is_ok()) {
    return page(200, "Access granted",
                "<p>" + escaped(*client) +
                    " is connected to your account. You can close this window and return to "
                    "it.</p>");
  }
  const Errc code = granted.status().code();
  if (code == Errc::kNotFound) return flow_gone_page();
  if (code == Errc::kMfaRequired) {
    return sign_in_page(401, *client, Retry::kSecondFactor,
                        "Your account has a second factor: enter your password again, with the "
                        "code from your authenticator app or a recovery code.",
                        user);
  }
  if (code == Errc::kInvalidCredentials) {
    return sign_in_page(401, *client, Retry::kCredentials,
                        "Wrong username, password or code. Enter your password again.", user);
  }
  if (code == Errc::kTooManyRequests) {
    return sign_in_page(429, *client, Retry::kThrottled,
                        "Too many failed sign-ins: wait a while and try again.", user);
  }
  return fail(request, granted.status());
}

}  // namespace

void add_login_flow_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/index.php/login/v2", access::kSyncClientOpen, bind_route(ctx, start_flow));
  router.add("POST", "/index.php/login/v2/poll", access::kSyncClientOpen,
             bind_route(ctx, poll_flow));
  router.add("GET", "/index.php/login/v2/flow/{token}", access::kSyncClientOpen,
             bind_route(ctx, flow_page));
  router.add("POST", "/index.php/login/v2/flow/{token}", access::kSyncClientOpen,
             bind_route(ctx, grant_flow));
}

}  // namespace coffer::api
