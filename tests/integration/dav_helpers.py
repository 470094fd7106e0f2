"""What WebDAV tests share: API-token sessions, PROPFIND, and the litmus and rclone runs
(test_dav.py against /dav/, test_dav_shared.py inside a folder shared through /dav/Shared)."""

import filecmp
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import requests

from conftest import remember_secret

D = "{DAV:}"


def api_token(client, scopes="files:read files:write"):
    r = client.post("/api/v1/auth/tokens", json={"name": "dav", "scopes": scopes})
    assert r.status_code == 201, r.text
    return r.json()["token"]


def dav_session(client, token):
    s = requests.Session()
    s.auth = (client.username, token)
    return s


def multistatus(response):
    assert response.status_code == 207, response.text
    assert response.headers["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def propfind(s, url, depth="1", body=None):
    return s.request("PROPFIND", url, headers={"Depth": depth}, data=body)


def hrefs(response):
    return [e.text for e in multistatus(response).iter(D + "href")]


def assert_litmus_passes(url, username, token, cwd, suites):
    """Runs the litmus `suites` against the collection `url`; every test must pass."""
    result = subprocess.run(
        ["litmus", url, username, token],
        cwd=cwd, env={**os.environ, "TESTS": " ".join(suites)},
        capture_output=True, text=True, timeout=300)
    out = result.stdout + result.stderr
    summaries = dict(re.findall(r"<- summary for `(\w+)': of \d+ tests run: (\d+ passed, \d+ failed)", out))
    assert set(summaries) == set(suites), out
    for suite, counts in summaries.items():
        assert counts.endswith(" 0 failed"), f"{suite}: {counts}\n{out}"
    assert result.returncode == 0, out


def rclone(env, *args):
    return subprocess.run(["rclone", *args], env=env, capture_output=True, text=True, timeout=300)


def rclone_env(tmp_path, url, username, token, vendor="other"):
    """The environment of an rclone whose remote `coffer:` is the WebDAV collection `url`,
    spoken to as rclone's webdav `vendor` does (test_rclone_sync.py: nextcloud)."""
    obscured = subprocess.run(["rclone", "obscure", "-"], input=token, capture_output=True, text=True,
                              timeout=60, check=True).stdout.strip()
    remember_secret(obscured)
    return {**os.environ, "RCLONE_CONFIG": str(tmp_path / "rclone.conf"),
            "RCLONE_CONFIG_COFFER_TYPE": "webdav", "RCLONE_CONFIG_COFFER_URL": url,
            "RCLONE_CONFIG_COFFER_VENDOR": vendor, "RCLONE_CONFIG_COFFER_USER": username,
            "RCLONE_CONFIG_COFFER_PASS": obscured}


def assert_rclone_round_trip(env, tmp_path, remote):
    """Copies a tree (unicode names, an empty file and folder, a multi-chunk file) to `remote`,
    checks it with `rclone check`, copies it back down and compares."""
    up = tmp_path / "up"
    (up / "docs" / "deep er").mkdir(parents=True)
    (up / "photos").mkdir()
    (up / "empty-dir").mkdir()
    (up / "docs" / "readme.txt").write_text("hello from rclone\n")
    (up / "docs" / "deep er" / "ünïcödé & spaces #1.txt").write_text("unicode names survive\n")
    (up / "photos" / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (up / "empty.txt").write_bytes(b"")
    r = rclone(env, "copy", str(up), remote, "--create-empty-src-dirs")
    assert r.returncode == 0, r.stderr
    r = rclone(env, "check", str(up), remote)
    assert r.returncode == 0, r.stderr
    assert "0 differences found" in r.stderr, r.stderr

    down = tmp_path / "down"
    r = rclone(env, "copy", remote, str(down), "--create-empty-src-dirs")
    assert r.returncode == 0, r.stderr
    comparison = filecmp.dircmp(up, down)
    assert not comparison.left_only and not comparison.right_only
    for sub in ("docs", "photos", "docs/deep er"):
        c = filecmp.dircmp(up / sub, down / sub)
        assert not c.left_only and not c.right_only and not c.diff_files, sub
    assert (down / "photos" / "big.bin").read_bytes() == (up / "photos" / "big.bin").read_bytes()
    assert (down / "empty-dir").is_dir()
