"""Signed download URLs: minted by an authenticated user, served to anyone holding them, bound
to one file version, refused when altered or expired; never written to the access log."""

import hashlib
import json
import os
import subprocess
import time

import requests

from conftest import COFFER_BIN, Server, add_user, error_code, post_without_a_body


def mint(client, file_id, **body):
    r = client.post(f"/api/v1/files/{file_id}/download-url", json=body or None)
    assert r.status_code == 201, r.text
    return r.json()


def test_signed_url_serves_without_a_session_with_range_and_etag(alice):
    data = os.urandom(300_000)
    meta = alice.upload("report.pdf", data).json()
    link = mint(alice, meta["id"])
    assert link["url"].startswith("/api/v1/download/") and link["expires_at"].endswith("Z")
    assert link["version_id"] > 0
    url = alice.server.url + link["url"]
    r = requests.get(url)
    assert r.status_code == 200 and r.content == data
    assert r.headers["ETag"] == meta["etag"]
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"].startswith("private, max-age=")
    part = requests.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert requests.get(url, headers={"If-None-Match": meta["etag"]}).status_code == 304
    head = requests.head(url)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(data))


def test_minting_without_a_body_uses_the_defaults_not_400(alice):
    meta = alice.upload("report.pdf", b"report").json()
    status, body = post_without_a_body(alice, f"/api/v1/files/{meta['id']}/download-url")
    assert status == 201, body
    link = json.loads(body)
    assert link["version_id"] == meta["version_id"]
    r = requests.get(alice.server.url + link["url"])
    assert r.status_code == 200 and r.content == b"report"
    assert r.headers["Content-Disposition"].startswith("attachment")


def test_signed_url_is_bound_to_the_version_it_was_made_for(alice):
    first = alice.upload("doc.txt", b"first version").json()
    old = mint(alice, first["id"])
    second = alice.upload("doc.txt", b"second version, longer").json()
    assert second["id"] == first["id"]
    new = mint(alice, first["id"])
    assert requests.get(alice.server.url + old["url"]).content == b"first version"
    assert requests.get(alice.server.url + new["url"]).content == b"second version, longer"
    # Deleting the file ends every link to it.
    assert alice.delete(f"/api/v1/nodes/{first['id']}").status_code == 204
    gone = requests.get(alice.server.url + old["url"])
    assert gone.status_code == 404 and error_code(gone) == "NOT_FOUND"


def test_altered_malformed_and_expired_urls_are_refused(alice):
    meta = alice.upload("a.bin", b"x" * 100).json()
    url = alice.server.url + mint(alice, meta["id"], expires_in=1)["url"]
    token = url.rsplit("/", 1)[1]
    file_id, version, expires, disposition, signer, sig = token.split(".")
    for forged in (
        f"{file_id}.{version}.{int(expires) + 3600}.{disposition}.{signer}.{sig}",  # longer life
        f"{int(file_id) + 1}.{version}.{expires}.{disposition}.{signer}.{sig}",  # another file
        f"{file_id}.{version}.{expires}.i.{signer}.{sig}",  # another disposition
        f"{file_id}.{version}.{expires}.{disposition}.{int(signer) + 1}.{sig}",  # another signer
        f"{file_id}.{version}.{expires}.{disposition}.{sig}",  # no signer
        f"{file_id}.{version}.{expires}.{disposition}.{signer}.{sig[:-2]}AA",
        "garbage",
        "1.2.3.a." + "A" * 43,
    ):
        r = requests.get(alice.server.url + "/api/v1/download/" + forged)
        assert r.status_code == 403 and error_code(r) == "SIGNATURE_INVALID", forged
    time.sleep(2.1)
    r = requests.get(url)
    assert r.status_code == 410 and error_code(r) == "EXPIRED"


def test_signed_url_minted_through_a_share_stops_working_when_the_share_is_revoked(alice, bob):
    """Issue 17, finding 10: the token was the only authority, so a URL a recipient minted
    kept serving the file for up to seven days after the share that let them read it was
    revoked. Now its redemption asks whether the signer may still read the file."""
    folder = alice.mkdir("Team")
    in_folder = alice.upload("plan.txt", b"the plan", folder=folder).json()
    direct = alice.upload("direct.txt", b"shared directly").json()
    shares = [alice.post(f"/api/v1/nodes/{node}/shares", json={"username": "bob"})
              for node in (folder, direct["id"])]
    assert [r.status_code for r in shares] == [201, 201], [r.text for r in shares]
    bobs = {mint(bob, in_folder["id"])["url"]: b"the plan", mint(bob, direct["id"])["url"]: b"shared directly"}
    alices = mint(alice, in_folder["id"])["url"]
    for url, data in bobs.items():
        r = requests.get(alice.server.url + url)
        assert r.status_code == 200 and r.content == data

    for share in shares:
        assert alice.delete(f"/api/v1/shares/{share.json()['id']}").status_code == 204
    for url in bobs:
        r = requests.get(alice.server.url + url)
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", r.text
        assert requests.head(alice.server.url + url).status_code == 404
    # The owner's URL does not depend on any share.
    assert requests.get(alice.server.url + alices).content == b"the plan"
    # Shared again, the recipient's URLs work again: the check is of access now.
    assert alice.post(f"/api/v1/nodes/{folder}/shares", json={"username": "bob"}).status_code == 201
    assert requests.get(alice.server.url + next(iter(bobs))).content == b"the plan"


def test_minting_checks_ownership_arguments_and_scope(alice, bob):
    meta = alice.upload("private.txt", b"mine").json()
    r = bob.post(f"/api/v1/files/{meta['id']}/download-url")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    folder = alice.mkdir("f")
    assert error_code(alice.post(f"/api/v1/files/{folder}/download-url")) == "NOT_FOUND"
    for body in ({"expires_in": 0}, {"expires_in": 7 * 86400 + 1}, {"expires_in": "60"},
                 {"disposition": "evil"}):
        r = alice.post(f"/api/v1/files/{meta['id']}/download-url", json=body)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", body
    assert requests.post(alice.server.url + f"/api/v1/files/{meta['id']}/download-url").status_code == 401
    # A read-only API token may mint links: they grant no more than reading.
    r = alice.post("/api/v1/auth/tokens", json={"name": "ro", "scopes": ["files:read"]})
    assert r.status_code == 201, r.text
    ro = requests.post(alice.server.url + f"/api/v1/files/{meta['id']}/download-url",
                       headers={"Authorization": "Bearer " + r.json()["token"]})
    assert ro.status_code == 201, ro.text


def test_inline_disposition_only_for_safe_types(alice):
    txt = alice.upload("note.txt", b"hello").json()
    html = alice.upload("page.html", b"<script>alert(1)</script>").json()
    r = requests.get(alice.server.url + mint(alice, txt["id"], disposition="inline")["url"])
    assert r.headers["Content-Disposition"].startswith("inline")
    r = requests.get(alice.server.url + mint(alice, html["id"], disposition="inline")["url"])
    assert r.headers["Content-Disposition"].startswith("attachment")


def test_the_signature_never_reaches_the_log(alice):
    meta = alice.upload("secret.bin", b"s" * 10).json()
    url = mint(alice, meta["id"])["url"]
    sig = url.rsplit(".", 1)[1]
    assert requests.get(alice.server.url + url).status_code == 200
    assert requests.get(alice.server.url + url + "x").status_code == 403
    log = alice.server.log()
    assert "/api/v1/download/{token}" in log
    assert sig not in log


def test_links_survive_a_restart_and_die_with_a_new_key(data_dir):
    key = os.path.join(data_dir, "cluster.key")
    with open(key, "wb") as f:
        f.write(os.urandom(32))
    s = Server(data_dir, extra_args=["--secret-key-file", key])
    add_user(s, "alice", "alice-password-1")
    s.start()
    try:
        from conftest import Client
        alice = Client(s, "alice", "alice-password-1")
        meta = alice.upload("k.bin", b"keyed").json()
        url = mint(alice, meta["id"])["url"]
        s.stop()
        s.start()
        assert requests.get(s.url + url).content == b"keyed"
        with open(key, "wb") as f:
            f.write(os.urandom(32))
        s.stop()
        s.start()
        assert error_code(requests.get(s.url + url)) == "SIGNATURE_INVALID"
    finally:
        s.stop()


def test_a_named_secret_key_file_must_exist_and_hold_32_bytes(data_dir):
    missing = os.path.join(data_dir, "nope.key")
    r = subprocess.run([COFFER_BIN, "user", "list", "--data", data_dir, "--secret-key-file", missing],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "does not exist" in r.stderr
    assert not os.path.exists(missing)
    short = os.path.join(data_dir, "short.key")
    with open(short, "wb") as f:
        f.write(b"x" * 31)
    r = subprocess.run([COFFER_BIN, "user", "list", "--data", data_dir, "--secret-key-file", short],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "not 32 bytes" in r.stderr
    assert "xxxx" not in r.stderr
