"""Prometheus labels taken from requests are bounded (security review, issue 17, finding 7):
an unauthenticated client sending made-up methods and paths must not grow /metrics without
bound."""

import random
import re
import socket
import string

import requests

from conftest import Client, Server, add_user, error_code

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True

KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND",
                 "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "other"}


def send(server, method, path):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        while s.recv(65536):
            pass


def request_series(server):
    text = requests.get(server.url + "/metrics", timeout=10).text
    return re.findall(r'^coffer_http_requests_total\{(.*)\} \d+$', text, re.M)


def test_random_methods_and_paths_do_not_grow_the_metrics_series(server):
    rng = random.Random(17)
    for i in range(300):
        method = "".join(rng.choice(string.ascii_uppercase) for _ in range(8))
        path = "/" + "".join(rng.choice(string.ascii_lowercase) for _ in range(12))
        send(server, method, path if i % 2 else "/api/v1/folders/root")
        send(server, method.lower(), "/health/live")
    series = request_series(server)
    methods = {re.search(r'method="([^"]*)"', s).group(1) for s in series}
    assert methods <= KNOWN_METHODS, sorted(methods - KNOWN_METHODS)[:10]
    assert len(series) < 30, len(series)
    routes = {re.search(r'route="([^"]*)"', s).group(1) for s in series}
    assert not any(r.startswith("/") and re.fullmatch(r"/[a-z]{12}", r) for r in routes), routes
    statuses = {re.search(r'status="([^"]*)"', s).group(1) for s in series}
    assert all(re.fullmatch(r"[1-5]\d\d", s) for s in statuses), statuses


def test_metrics_were_public_to_any_client(data_dir):
    """Issue 17 ("/metrics is public"): anybody who reached the server read its request rates,
    routes and storage figures. Now /metrics answers a local scrape (a loopback client without
    forwarding headers) and operators' and administrators' credentials; --metrics-public opens
    it again."""
    s = Server(data_dir)
    add_user(s, "alice", "alice-password-1")
    add_user(s, "root", "root-password-1", admin=True)
    s.start()
    try:
        via_proxy = {"X-Forwarded-For": "203.0.113.9"}
        assert requests.get(s.url + "/metrics").status_code == 200  # Prometheus on this machine
        for forwarded in (via_proxy, {"Forwarded": "for=203.0.113.9"}, {"X-Real-IP": "203.0.113.9"}):
            r = requests.get(s.url + "/metrics", headers=forwarded)
            assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED", forwarded
        alice, root = Client(s, "alice", "alice-password-1"), Client(s, "root", "root-password-1")
        r = alice.get("/metrics", headers=via_proxy)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
        r = root.get("/metrics", headers=via_proxy)
        assert r.status_code == 200 and "coffer_http_requests_total" in r.text
        # An administrator's API token needs the admin scope, as on /api/v1/system/*.
        for scopes, status in (("files:read", 403), ("admin", 200)):
            token = root.post("/api/v1/auth/tokens", json={"name": scopes, "scopes": scopes}).json()["token"]
            r = requests.get(s.url + "/metrics", headers={**via_proxy, "Authorization": "Bearer " + token})
            assert r.status_code == status, (scopes, r.text)
    finally:
        s.stop()
    s = Server(data_dir, extra_args=["--metrics-public", "true"])
    s.start()
    try:
        assert requests.get(s.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    finally:
        s.stop()
