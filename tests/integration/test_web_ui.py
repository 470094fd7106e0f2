"""The web UI: how coffer serves it (paths, caching, compression, CSP, never shadowing the
server's own prefixes), and the end-to-end browser run (web/e2e/run.mjs, Chromium)."""

import gzip
import os
import re
import shutil
import subprocess

import pytest
import requests

from conftest import DATABASE, STORAGE, Server, add_user

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True

REPO = os.path.join(os.path.dirname(__file__), "../..")


def index(server, **headers):
    return requests.get(server.url + "/", headers=headers)


def asset_paths(html):
    return re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)


def test_index_is_served_at_root_with_a_strict_csp(server):
    r = index(server, **{"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Cache-Control"] == "no-cache"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "sandbox" not in csp
    assert "frame-ancestors 'none'" in csp and "img-src 'self' blob: data:" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    # No inline script or style for the CSP to refuse, and nothing from another origin.
    assert "<script>" not in r.text and "<style" not in r.text and " style=" not in r.text
    assert "http://" not in r.text and "https://" not in r.text
    assert len(asset_paths(r.text)) == 2


def test_client_routes_get_the_app_and_server_prefixes_keep_their_404(server):
    for path in ("/files", "/files/12", "/trash", "/settings", "/admin", "/login", "/reset-password",
                 "/search", "/search?q=report&type=file"):
        r = requests.get(server.url + path)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html"), path
    for path in ("/api/v1/nope", "/api", "/s/abc", "/docs/nope.js", "/health/x", "/assets/nope.js"):
        r = requests.get(server.url + path)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "NOT_FOUND", path
    # WebDAV answers for itself: a challenge, never the app.
    r = requests.get(server.url + "/dav/x")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    # Other methods are not the UI's.
    assert requests.post(server.url + "/files").status_code == 404
    # The API reference keeps its page.
    assert "swagger" in requests.get(server.url + "/docs").text.lower()


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_share_links_give_browsers_the_app_and_scripts_json(server, alice):
    f = alice.upload("shared.txt", b"hello").json()["id"]
    token = alice.post(f"/api/v1/nodes/{f}/links", json={}).json()["token"]
    base = server.url + "/s/" + token
    app = requests.get(server.url + "/").text
    # A navigation, with or without the trailing slash, and for a dead token too: the page
    # itself says the link is not available, so the HTML answer tells nothing about a token.
    for url in (base, base + "/", server.url + "/s/no-such-token"):
        r = requests.get(url, headers={"Accept": BROWSER_ACCEPT})
        assert r.status_code == 200, url
        assert r.headers["Content-Type"].startswith("text/html") and r.text == app, url
        assert "default-src 'self'" in r.headers["Content-Security-Policy"], url
        assert "Accept" in r.headers["Vary"], url
    # Scripts keep the JSON: no Accept, */*, JSON, or a tie.
    for accept in (None, "*/*", "application/json", "application/json, text/html"):
        headers = {"Accept": accept} if accept else {}
        r = requests.get(base, headers=headers)
        assert r.status_code == 200 and r.json()["name"] == "shared.txt", accept
        assert [v.strip() for v in r.headers["Vary"].split(",")] == ["Accept", "Accept-Encoding"], accept
    r = requests.get(server.url + "/s/no-such-token", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    # Only the link's own page: its content and sub-resources never turn into HTML.
    r = requests.get(base + "/content", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.content == b"hello"
    # Views count the four metadata reads above, not the page loads.
    views = alice.get("/api/v1/links", params={"node_id": f}).json()["items"][0]["views"]
    assert views == 4


def test_assets_are_immutable_and_precompressed(server):
    paths = asset_paths(index(server).text)
    assert any(p.endswith(".js") for p in paths) and any(p.endswith(".css") for p in paths)
    for path in paths:
        assert re.search(r"-[A-Z0-9]{8}\.(js|css)$", path), "hashed file name: " + path
        plain = requests.get(server.url + path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200
        assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Content-Encoding" not in plain.headers
        assert plain.headers["Vary"] == "Accept-Encoding"
        gz = requests.get(server.url + path, headers={"Accept-Encoding": "gzip"}, stream=True)
        assert gz.headers["Content-Encoding"] == "gzip"
        gz_bytes = gz.raw.read(decode_content=False)
        assert gzip.decompress(gz_bytes) == plain.content
        br = requests.get(server.url + path, headers={"Accept-Encoding": "gzip, br"}, stream=True)
        assert br.headers["Content-Encoding"] == "br"
        br_bytes = br.raw.read(decode_content=False)
        # Brotli at quality 11 beats gzip -9 on text (Debian's Python has no brotli to decode
        # it; the browser run reads it).
        assert 0 < len(br_bytes) < len(gz_bytes) < len(plain.content)
        # q=0 refuses a coding.
        refused = requests.get(server.url + path, headers={"Accept-Encoding": "br;q=0, gzip"}, stream=True)
        assert refused.headers["Content-Encoding"] == "gzip"
    js = requests.get(server.url + [p for p in paths if p.endswith(".js")][0]).headers
    assert js["Content-Type"].startswith("text/javascript")


def test_index_revalidates_with_an_etag_per_encoding(server):
    first = index(server, **{"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    again = index(server, **{"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # Another encoding is another representation: the gzip validator does not match it.
    other = index(server, **{"Accept-Encoding": "identity", "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag
    head = requests.head(server.url + "/", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(other.content)


E2E_REASON = ("the browser run exercises the UI, which is the same whatever the backends; it runs "
              "once, in the SQLite + local-disk pass")


@pytest.mark.skipif(DATABASE != "sqlite" or STORAGE != "file", reason=E2E_REASON)
def test_browser_end_to_end(data_dir, capsys):
    if not shutil.which("node") or not os.path.exists("/usr/bin/chromium"):
        pytest.fail("node and /usr/bin/chromium are needed (scripts/install-deps installs them)")
    # Access tokens of 10 s (the least allowed): the run outlives several, so the UI's silent
    # refresh is exercised throughout, and one step waits for an expiry on purpose.
    s = Server(data_dir, extra_args=["--token-ttl", "10"])
    add_user(s, "alice", "alice-e2e-password-1")
    add_user(s, "admin", "admin-e2e-password-1", admin=True)
    s.start()
    try:
        env = dict(os.environ, COFFER_E2E_URL=s.url, COFFER_E2E_USER="alice",
                   COFFER_E2E_PASSWORD="alice-e2e-password-1", COFFER_E2E_ADMIN="admin",
                   COFFER_E2E_ADMIN_PASSWORD="admin-e2e-password-1")
        run = subprocess.run(["node", os.path.join(REPO, "web/e2e/run.mjs")], env=env,
                             capture_output=True, text=True, timeout=600)
    finally:
        s.stop()
    with capsys.disabled():
        print("\n" + run.stdout.rstrip())
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"e2e: \d+ passed, 0 failed", run.stdout)
