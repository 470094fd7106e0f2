"""API rate limits (token buckets per user and per client address, 429 with Retry-After) and
CORS (off unless origins are configured; preflight answered before routing)."""

import http.client
import time

import pytest
import requests

from conftest import Client, Server, add_user, error_code

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True

# Small buckets so that a burst runs out at once and one token returns within a second.
LOW_USER_LIMIT = ["--user-rate-limit", "2", "--user-rate-burst", "5"]
LOW_ADDRESS_LIMIT = ["--ip-rate-limit", "2", "--ip-rate-burst", "5"]


def limited_server(data_dir, extra_args):
    s = Server(data_dir, extra_args=extra_args)
    add_user(s, "alice", "alice-password-1")
    add_user(s, "bob", "bob-password-12")
    return s.start()


def get_from(server, path, source_address, headers=None):
    """GET through a connection from another loopback address (another client address)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10,
                                      source_address=(source_address, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def assert_limited(response):
    assert response.status_code == 429, response.text
    assert error_code(response) == "TOO_MANY_REQUESTS"
    assert int(response.headers["Retry-After"]) >= 1
    return int(response.headers["Retry-After"])


def test_a_user_beyond_the_burst_gets_429_until_tokens_return(data_dir):
    server = limited_server(data_dir, LOW_USER_LIMIT)
    try:
        alice = Client(server, "alice", "alice-password-1")
        bob = Client(server, "bob", "bob-password-12")
        statuses = [alice.get("/api/v1/folders/root") for _ in range(10)]
        assert statuses[0].status_code == 200
        limited = [r for r in statuses if r.status_code != 200]
        assert limited, "ten requests against a bucket of five all passed"
        retry_after = assert_limited(limited[0])
        # Another user, and the unauthenticated health and metrics endpoints, are unaffected.
        assert bob.get("/api/v1/folders/root").status_code == 200
        for _ in range(10):
            assert requests.get(server.url + "/health/live").status_code == 200
        assert requests.get(server.url + "/metrics").status_code == 200
        time.sleep(retry_after)
        assert alice.get("/api/v1/folders/root").status_code == 200
    finally:
        server.stop()


def test_an_address_beyond_the_burst_gets_429_other_addresses_and_users_do_not(data_dir):
    server = limited_server(data_dir, LOW_ADDRESS_LIMIT)
    try:
        alice = Client(server, "alice", "alice-password-1")  # its sign-in spends one token
        anonymous = [requests.get(server.url + "/api/v1/folders/root") for _ in range(10)]
        assert anonymous[0].status_code == 401
        limited = [r for r in anonymous if r.status_code != 401]
        assert limited, "ten anonymous requests against a bucket of five all passed"
        retry_after = assert_limited(limited[0])
        # A forged credential is charged to the address too.
        forged = requests.get(server.url + "/api/v1/folders/root",
                              headers={"Authorization": "Bearer cft_not-a-real-token-at-all"})
        assert forged.status_code == 429
        # A signed-in user from the same address spends from its own bucket.
        assert alice.get("/api/v1/folders/root").status_code == 200
        # Another address has a bucket of its own; health checks never spend tokens.
        assert get_from(server, "/api/v1/folders/root", "127.0.0.2") == 401
        assert requests.get(server.url + "/health/ready").status_code == 200
        time.sleep(retry_after)
        assert requests.get(server.url + "/api/v1/folders/root").status_code == 401
    finally:
        server.stop()


def test_without_configured_origins_there_are_no_cors_headers(server):
    preflight = requests.options(server.url + "/api/v1/folders/root", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 405
    plain = requests.get(server.url + "/health/live", headers={"Origin": "https://app.example"})
    for r in (preflight, plain):
        assert not [h for h in r.headers if h.lower().startswith("access-control-")], r.headers
        assert "Origin" not in r.headers.get("Vary", "")


ORIGIN = "https://app.example"


def cors_server(data_dir, *origins):
    s = Server(data_dir, extra_args=[arg for o in origins for arg in ("--cors-origin", o)])
    add_user(s, "alice", "alice-password-1")
    return s.start()


def preflight(server, origin, method="PUT"):
    return requests.options(server.url + "/api/v1/folders/1/files/a.txt", headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, x-csrf-token"})


def test_a_configured_origin_gets_preflight_and_response_headers(data_dir):
    server = cors_server(data_dir, ORIGIN, "http://localhost:5173")
    try:
        r = preflight(server, ORIGIN)
        assert r.status_code == 204
        assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
        methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
        assert {"GET", "PUT", "POST", "DELETE", "PATCH"} <= methods
        allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type", "x-csrf-token"} <= allowed
        assert int(r.headers["Access-Control-Max-Age"]) > 0
        assert "Origin" in r.headers["Vary"]
        assert preflight(server, "http://localhost:5173").headers[
            "Access-Control-Allow-Origin"] == "http://localhost:5173"

        # Exact match only: another origin, a suffix or another scheme gets nothing.
        for other in ("https://evil.example", "https://app.example.evil.example", "http://app.example"):
            r = preflight(server, other)
            assert r.status_code != 204
            assert "Access-Control-Allow-Origin" not in r.headers

        alice = Client(server, "alice", "alice-password-1")
        r = alice.get("/api/v1/folders/root", headers={"Origin": ORIGIN})
        assert r.status_code == 200
        assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "X-Request-Id" in r.headers["Access-Control-Expose-Headers"]
        assert "Origin" in r.headers["Vary"]
        # Errors carry the headers too, so the page can read them.
        r = requests.get(server.url + "/api/v1/folders/root", headers={"Origin": ORIGIN})
        assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == ORIGIN
        r = alice.get("/api/v1/folders/root", headers={"Origin": "https://evil.example"})
        assert r.status_code == 200
        assert "Access-Control-Allow-Origin" not in r.headers
        assert "Origin" in r.headers["Vary"]
    finally:
        server.stop()


def test_any_origin_never_allows_credentials(data_dir):
    server = cors_server(data_dir, "*")
    try:
        r = preflight(server, "https://anywhere.example", "GET")
        assert r.status_code == 204
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in r.headers
        r = requests.get(server.url + "/health/live", headers={"Origin": "https://anywhere.example"})
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in r.headers
    finally:
        server.stop()


@pytest.mark.parametrize("origin", ["https://app.example/", "https://app.example/path", "app.example",
                                    "ftp://app.example", "https://user@app.example"])
def test_a_malformed_origin_is_refused_at_start(data_dir, origin):
    r = Server(data_dir).cli("serve", "--listen", "127.0.0.1:0", "--cors-origin", origin, check=False)
    assert r.returncode == 2 and "CORS origin" in r.stderr


def test_limits_and_origins_from_the_configuration_file(data_dir):
    config = f"{data_dir}/coffer.toml"
    with open(config, "w") as f:
        f.write('[serve]\ncors_origins = ["https://app.example"]\n'
                'user_rate_limit = 0.5\nuser_rate_burst = 2\nip_rate_limit = 1000\nip_rate_burst = 1000\n')
    server = Server(data_dir, extra_args=["--config", config])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        assert preflight(server, ORIGIN).headers["Access-Control-Allow-Origin"] == ORIGIN
        alice = Client(server, "alice", "alice-password-1")  # one of the two tokens
        statuses = [alice.get("/api/v1/folders/root").status_code for _ in range(3)]
        assert statuses[0] == 200 and 429 in statuses
    finally:
        server.stop()
    with open(config, "w") as f:
        f.write('[serve]\ncors_origins = "https://app.example"\n')
    r = Server(data_dir).cli("serve", "--config", config, check=False)
    assert r.returncode == 2 and "cors_origins" in r.stderr
