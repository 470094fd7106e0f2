"""Resumable uploads (tus 1.0 at /api/v1/uploads) through the real server: the core protocol
and the creation, creation-with-upload, creation-defer-length, termination, checksum and
expiration extensions, every error case, garbage collection leaving partial uploads alone,
expiry cleaning them up, a resume on a restarted server, and the real tus-js-client in Node
killed in the middle of a 200 MiB upload and resumed from the offset the server reports."""

import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import time
from email.utils import parsedate_to_datetime

import pytest
import requests

from conftest import Client, Server, add_user, error_code

TUS = {"Tus-Resumable": "1.0.0"}
STREAM = "application/offset+octet-stream"
NODE_CLIENT = os.path.join(os.path.dirname(__file__), "..", "tus", "upload.js")


def b64(value):
    return base64.b64encode(str(value).encode()).decode()


def metadata(**pairs):
    return ",".join(f"{k} {b64(v)}" for k, v in pairs.items())


def create(client, length=None, name="f.bin", parent=None, data=None, headers=None):
    h = dict(TUS)
    if length is not None:
        h["Upload-Length"] = str(length)
    pairs = {"filename": name}
    if parent is not None:
        pairs["parent_id"] = parent
    h["Upload-Metadata"] = metadata(**pairs)
    if data is not None:
        h["Content-Type"] = STREAM
    h.update(headers or {})
    return client.post("/api/v1/uploads", headers=h, data=data)


def patch(client, location, offset, data, headers=None):
    h = {**TUS, "Content-Type": STREAM, "Upload-Offset": str(offset)}
    h.update(headers or {})
    return client.http.patch(client.url(location), headers=h, data=data)


def head(client, location):
    return client.http.head(client.url(location), headers=TUS)


def checksum(data):
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


def content(client, file_id):
    r = client.get(f"/api/v1/files/{file_id}/content")
    assert r.status_code == 200, r.text
    return r.content


def wait_for_log(server, pattern, after=0, timeout=60):
    """The first JSON log line at or past byte `after` of the server's log that matches
    `pattern` (a predicate on the parsed line), waiting for the server to write it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(server.log_path) as f:
            f.seek(after)
            for line in f:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if pattern(event):
                    return event
        time.sleep(0.05)
    raise AssertionError("no such log line: " + server.log())


def log_size(server):
    return os.path.getsize(server.log_path)


def test_options_advertise_the_protocol_without_a_token(server):
    r = requests.options(server.url + "/api/v1/uploads")
    assert r.status_code == 204
    assert r.headers["Tus-Resumable"] == "1.0.0"
    assert r.headers["Tus-Version"] == "1.0.0"
    extensions = set(r.headers["Tus-Extension"].split(","))
    assert {"creation", "creation-with-upload", "termination", "checksum", "expiration",
            "creation-defer-length"} <= extensions
    assert int(r.headers["Tus-Max-Size"]) == 1 << 40
    assert r.headers["Tus-Checksum-Algorithm"] == "sha256"


def test_create_patch_head_and_the_file_appears_in_the_target_folder(alice):
    folder = alice.mkdir("inbox")
    data = os.urandom(300_000)
    r = create(alice, len(data), name="report.bin", parent=folder)
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    assert re.fullmatch(r"/api/v1/uploads/[A-Za-z0-9_-]{40,}", location)
    assert r.headers["Tus-Resumable"] == "1.0.0" and r.headers["Upload-Offset"] == "0"
    expires = parsedate_to_datetime(r.headers["Upload-Expires"]).timestamp()
    assert 23 * 3600 < expires - time.time() <= 24 * 3600 + 60

    h = head(alice, location)
    assert h.status_code == 200
    assert h.headers["Upload-Offset"] == "0" and h.headers["Upload-Length"] == str(len(data))
    assert h.headers["Cache-Control"] == "no-store" and h.headers["Tus-Resumable"] == "1.0.0"
    assert h.headers["Upload-Metadata"] == metadata(filename="report.bin", parent_id=folder)
    assert "Coffer-File-Id" not in h.headers

    r = patch(alice, location, 0, data[:100_000])
    assert r.status_code == 204, r.text
    assert r.headers["Upload-Offset"] == "100000" and "Coffer-File-Id" not in r.headers
    assert head(alice, location).headers["Upload-Offset"] == "100000"
    # Nothing is visible before the last byte.
    assert alice.get(f"/api/v1/folders/{folder}/children").json()["items"] == []

    r = patch(alice, location, 100_000, data[100_000:])
    assert r.status_code == 204, r.text
    assert r.headers["Upload-Offset"] == str(len(data))
    file_id = int(r.headers["Coffer-File-Id"])
    node = alice.get(f"/api/v1/files/{file_id}").json()
    assert node["name"] == "report.bin" and node["parent_id"] == folder and node["size"] == len(data)
    assert node["sha256"] == hashlib.sha256(data).hexdigest()
    assert content(alice, file_id) == data
    h = head(alice, location)
    assert h.headers["Upload-Offset"] == str(len(data)) and h.headers["Coffer-File-Id"] == str(file_id)
    # A completed upload takes no more bytes.
    r = patch(alice, location, 0, b"more")
    assert r.status_code == 409 and error_code(r) == "OFFSET_MISMATCH"


def test_creation_with_upload_and_the_root_folder_by_default(alice):
    data = b"all at once " * 1000
    r = create(alice, len(data), name="whole.txt", data=data)
    assert r.status_code == 201, r.text
    assert r.headers["Upload-Offset"] == str(len(data))
    file_id = int(r.headers["Coffer-File-Id"])
    assert alice.get(f"/api/v1/files/{file_id}").json()["parent_id"] == alice.root
    assert content(alice, file_id) == data

    # A first part only: the rest follows by PATCH.
    r = create(alice, 10, name="part.txt", data=b"01234")
    assert r.status_code == 201 and r.headers["Upload-Offset"] == "5"
    r = patch(alice, r.headers["Location"], 5, b"56789")
    assert r.status_code == 204
    assert content(alice, int(r.headers["Coffer-File-Id"])) == b"0123456789"

    # An empty upload is a file at once.
    r = create(alice, 0, name="empty.txt")
    assert r.status_code == 201 and r.headers["Upload-Offset"] == "0"
    assert content(alice, int(r.headers["Coffer-File-Id"])) == b""


def test_checksums_accept_matching_parts_and_refuse_others_with_460(alice):
    location = create(alice, 8).headers["Location"]
    r = patch(alice, location, 0, b"abcd", {"Upload-Checksum": checksum(b"abcd")})
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "4"
    r = patch(alice, location, 4, b"efgh", {"Upload-Checksum": checksum(b"EFGH")})
    assert r.status_code == 460 and error_code(r) == "CHECKSUM_MISMATCH"
    assert r.headers["Tus-Resumable"] == "1.0.0"
    assert head(alice, location).headers["Upload-Offset"] == "4"  # nothing appended
    for bad in ("md5 " + base64.b64encode(hashlib.md5(b"efgh").digest()).decode(), "sha256 !!!",
                "sha256 " + base64.b64encode(b"short").decode(), "sha256"):
        r = patch(alice, location, 4, b"efgh", {"Upload-Checksum": bad})
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", bad
    assert head(alice, location).headers["Upload-Offset"] == "4"
    r = patch(alice, location, 4, b"efgh", {"Upload-Checksum": checksum(b"efgh")})
    assert r.status_code == 204
    assert content(alice, int(r.headers["Coffer-File-Id"])) == b"abcdefgh"


def test_protocol_errors(alice, bob, server):
    location = create(alice, 10).headers["Location"]
    patch(alice, location, 0, b"12345")

    # Tus-Resumable missing or of another version: 412 naming the supported one.
    for headers in ({}, {"Tus-Resumable": "0.2.2"}):
        r = alice.post("/api/v1/uploads", headers={**headers, "Upload-Length": "5",
                                                   "Upload-Metadata": metadata(filename="x")})
        assert r.status_code == 412 and error_code(r) == "PRECONDITION_FAILED"
        assert r.headers["Tus-Version"] == "1.0.0"
        r = alice.http.patch(alice.url(location), data=b"6",
                             headers={**headers, "Content-Type": STREAM, "Upload-Offset": "5"})
        assert r.status_code == 412 and r.headers["Tus-Version"] == "1.0.0"
        r = alice.http.head(alice.url(location), headers=headers)
        assert r.status_code == 412
        assert alice.delete(location, headers=headers).status_code == 412

    # The offset must be the upload's.
    for offset in (0, 4, 6, 10):
        r = patch(alice, location, offset, b"6")
        assert r.status_code == 409 and error_code(r) == "OFFSET_MISMATCH", offset
    for offset in ("", "-1", "+5", "5x", "5 6", "0x5", "99999999999999999999999"):
        r = patch(alice, location, 0, b"6", {"Upload-Offset": offset})
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", offset
    r = patch(alice, location, 5, b"6", {"Content-Type": "application/octet-stream"})
    assert r.status_code == 415 and error_code(r) == "UNSUPPORTED_MEDIA_TYPE"
    r = patch(alice, location, 5, b"6789012")  # past Upload-Length
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    r = patch(alice, location, 5, iter([b"678", b"9012"]))  # the same without Content-Length
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    r = patch(alice, location, 5, b"6", {"Upload-Length": "11"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    assert head(alice, location).headers["Upload-Offset"] == "5"

    # Creation.
    def bad_create(status, code, **kw):
        r = create(alice, **kw)
        assert r.status_code == status and error_code(r) == code, (kw, r.text)
        assert r.headers["Tus-Resumable"] == "1.0.0"

    bad_create(400, "INVALID_ARGUMENT")  # neither Upload-Length nor Upload-Defer-Length
    bad_create(400, "INVALID_ARGUMENT", length=5, headers={"Upload-Defer-Length": "1"})
    bad_create(400, "INVALID_ARGUMENT", headers={"Upload-Defer-Length": "2"})
    bad_create(400, "INVALID_ARGUMENT", headers={"Upload-Length": "-5"})
    bad_create(400, "INVALID_ARGUMENT", length=5, headers={"Upload-Metadata": "filename not*base64"})
    bad_create(400, "INVALID_ARGUMENT", length=5, headers={"Upload-Metadata": f"size {b64(5)}"})
    bad_create(400, "INVALID_ARGUMENT", length=5,
               headers={"Upload-Metadata": f"filename {b64('a')},filename {b64('b')}"})
    bad_create(400, "INVALID_ARGUMENT", length=5, parent="folder")
    bad_create(400, "INVALID_NAME", length=5, name="a/b")
    bad_create(400, "INVALID_NAME", length=5, name="..")
    bad_create(404, "NOT_FOUND", length=5, parent=999999)
    bad_create(404, "NOT_FOUND", length=5, parent=bob.root)  # another user's folder
    file_id = alice.upload("plain.txt", b"x").json()["id"]
    bad_create(409, "CONFLICT", length=5, parent=file_id)
    bad_create(413, "PAYLOAD_TOO_LARGE", length=(1 << 40) + 1)
    bad_create(415, "UNSUPPORTED_MEDIA_TYPE", length=5, data=b"12345",
               headers={"Content-Type": "text/plain"})

    # Unknown and other users' uploads do not exist; anonymous callers are refused.
    for who, path in ((bob, location), (alice, "/api/v1/uploads/nonexistent")):
        assert head(who, path).status_code == 404
        r = patch(who, path, 5, b"6")
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
        r = who.delete(path, headers=TUS)
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    anonymous = requests.patch(server.url + location, data=b"6",
                               headers={**TUS, "Content-Type": STREAM, "Upload-Offset": "5"})
    assert anonymous.status_code == 401
    assert requests.post(server.url + "/api/v1/uploads", headers=TUS).status_code == 401
    assert head(alice, location).headers["Upload-Offset"] == "5"


def test_termination(alice):
    location = create(alice, 10).headers["Location"]
    assert patch(alice, location, 0, b"12345").status_code == 204
    r = alice.delete(location, headers=TUS)
    assert r.status_code == 204 and r.headers["Tus-Resumable"] == "1.0.0"
    assert head(alice, location).status_code == 404
    assert patch(alice, location, 5, b"67890").status_code == 404
    assert alice.delete(location, headers=TUS).status_code == 404
    assert alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"] == []


def test_deferred_length(alice):
    r = create(alice, headers={"Upload-Defer-Length": "1"})
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    h = head(alice, location)
    assert h.headers["Upload-Defer-Length"] == "1" and "Upload-Length" not in h.headers
    assert patch(alice, location, 0, b"hello ").status_code == 204
    r = patch(alice, location, 6, b"world", {"Upload-Length": "11"})
    assert r.status_code == 204, r.text
    assert content(alice, int(r.headers["Coffer-File-Id"])) == b"hello world"


def test_an_upload_to_an_existing_name_makes_a_new_version(alice):
    first = alice.upload("doc.txt", b"version one").json()["id"]
    r = create(alice, 11, name="doc.txt", data=b"version two")
    assert int(r.headers["Coffer-File-Id"]) == first
    versions = alice.get(f"/api/v1/files/{first}/versions").json()["items"]
    assert len(versions) == 2
    assert content(alice, first) == b"version two"


def test_quota_refuses_early_and_as_bytes_arrive(data_dir):
    server = Server(data_dir)
    add_user(server, "root", "root-password-1", admin=True)
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        root = Client(server, "root", "root-password-1")
        alice = Client(server, "alice", "alice-password-1")
        me = alice.get("/api/v1/auth/me").json()["id"]
        assert root.patch(f"/api/v1/admin/users/{me}", json={"quota_bytes": 1000}).status_code == 200
        r = create(alice, 1001)
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED"
        location = create(alice, 800, name="big.bin").headers["Location"]
        assert patch(alice, location, 0, b"a" * 400).status_code == 204
        # Meanwhile another upload takes the room: the next part is refused, and nothing is
        # visible.
        assert alice.upload("other.bin", b"o" * 500).status_code == 201
        r = patch(alice, location, 400, b"b" * 400)
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED"
        assert head(alice, location).headers["Upload-Offset"] == "400"
        names = {n["name"] for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]}
        assert names == {"other.bin"}
        assert alice.get("/api/v1/usage").json()["used"] == 500
        # Once there is room, the upload continues; a commit that fails (a folder took the
        # name) leaves it complete, and an empty PATCH at the end commits it.
        other = alice.get("/api/v1/nodes", params={"path": "/other.bin"}).json()["id"]
        alice.delete(f"/api/v1/nodes/{other}")
        alice.delete("/api/v1/trash")
        folder = alice.mkdir("big.bin")
        r = patch(alice, location, 400, b"b" * 400)
        assert r.status_code == 409, r.text
        assert head(alice, location).headers["Upload-Offset"] == "800"
        alice.delete(f"/api/v1/nodes/{folder}")
        r = patch(alice, location, 800, b"")
        assert r.status_code == 204, r.text
        assert content(alice, int(r.headers["Coffer-File-Id"])) == b"a" * 400 + b"b" * 400
    finally:
        server.stop()


def test_uploads_in_progress_count_against_the_quota(data_dir):
    """Issue 17, finding 2: the bytes of incomplete uploads ignored the quota (a user with a
    1 MB quota stored 18 MB in uploads that never completed). They take room as they arrive:
    creations and appends past the room left are refused like a plain upload that does not
    fit (507 QUOTA_EXCEEDED)."""
    server = Server(data_dir, extra_args=["--default-quota", "1000000"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        a = create(alice, name="a.bin", headers={"Upload-Defer-Length": "1"}).headers["Location"]
        assert patch(alice, a, 0, b"a" * 600_000).status_code == 204
        # Refused before the body is read when its length says it cannot fit.
        r = patch(alice, a, 600_000, b"a" * 500_000)
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED", r.text
        assert head(alice, a).headers["Upload-Offset"] == "600000"
        # Without a length, as soon as it passes the room left.
        r = patch(alice, a, 600_000, iter([b"a" * 300_000, b"a" * 300_000]))
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED", r.text
        assert int(head(alice, a).headers["Upload-Offset"]) <= 1_000_000

        # A new upload sees the room the first one holds.
        held = int(head(alice, a).headers["Upload-Offset"])
        r = create(alice, 1_000_000 - held + 1, name="b.bin")
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED", r.text
        r = create(alice, name="c.bin", headers={"Upload-Defer-Length": "1"})
        c = r.headers["Location"]
        r = patch(alice, c, 0, b"c" * (1_000_000 - held + 1))
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED", r.text
        # The same attack as in the finding: many uploads, none completed, hold no more than
        # the quota.
        for i in range(18):
            r = create(alice, name=f"x{i}.bin", headers={"Upload-Defer-Length": "1"},
                       data=b"x" * 1_000_000)
            assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED", r.text
        assert alice.get("/api/v1/usage").json()["used"] == 0

        # Terminating the first upload gives its room back.
        assert alice.delete(a, headers=TUS).status_code == 204
        assert patch(alice, c, 0, b"c" * 900_000).status_code == 204
        r = patch(alice, c, 900_000, b"", {"Upload-Length": "900000"})
        assert r.status_code == 204 and "Coffer-File-Id" in r.headers, r.text
        assert alice.get("/api/v1/usage").json()["used"] == 900_000
        # Committed bytes count once: the finished upload no longer holds room of its own.
        r = create(alice, 100_000, name="d.bin", data=b"d" * 100_000)
        assert r.status_code == 201 and "Coffer-File-Id" in r.headers, r.text
    finally:
        server.stop()


def test_deferred_length_uploads_obey_the_max_upload_size(data_dir):
    """Issue 17, finding 2: an upload with a deferred length took any number of bytes past the
    upload policy's size limit (--max-upload-size), which only the commit checked. The limit
    is Tus-Max-Size's when smaller, and creations and appends past it get 413 FILE_TOO_LARGE,
    as a plain upload does."""
    server = Server(data_dir, extra_args=["--max-upload-size", "100000"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        r = requests.options(server.url + "/api/v1/uploads")
        assert int(r.headers["Tus-Max-Size"]) == 100_000
        r = create(alice, 100_001)
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE", r.text
        location = create(alice, headers={"Upload-Defer-Length": "1"}).headers["Location"]
        assert patch(alice, location, 0, b"a" * 60_000).status_code == 204
        r = patch(alice, location, 60_000, b"a" * 40_001)
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE", r.text
        r = patch(alice, location, 60_000, iter([b"a" * 30_000, b"a" * 30_000]))
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE", r.text
        offset = int(head(alice, location).headers["Upload-Offset"])
        assert offset <= 100_000
        r = patch(alice, location, offset, b"", {"Upload-Length": "100001"})
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE", r.text
        r = patch(alice, location, offset, b"b" * (100_000 - offset), {"Upload-Length": "100000"})
        assert r.status_code == 204 and "Coffer-File-Id" in r.headers, r.text
    finally:
        server.stop()


def test_deferred_length_uploads_past_tus_max_size_get_413(data_dir):
    """Issue 17, finding 2: past Tus-Max-Size, an upload of deferred length got 400 (and one of
    declared length 413). Both are 413 PAYLOAD_TOO_LARGE now."""
    server = Server(data_dir, extra_args=["--upload-max-size", "50000"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        location = create(alice, headers={"Upload-Defer-Length": "1"}).headers["Location"]
        r = patch(alice, location, 0, b"a" * 50_001)
        assert r.status_code == 413 and error_code(r) == "PAYLOAD_TOO_LARGE", r.text
        r = patch(alice, location, 0, b"", {"Upload-Length": "50001"})
        assert r.status_code == 413 and error_code(r) == "PAYLOAD_TOO_LARGE", r.text
        r = patch(alice, location, 0, b"a" * 50_000, {"Upload-Length": "50000"})
        assert r.status_code == 204 and "Coffer-File-Id" in r.headers, r.text
    finally:
        server.stop()


def test_patches_no_longer_keep_an_upload_alive_forever(data_dir):
    """Issue 17, finding 2: every PATCH moved an upload's expiry --upload-expiry further, so a
    byte now and then kept an incomplete upload (and its storage) forever. Appends still keep
    an active upload from idling out, but it expires at the latest 7 times --upload-expiry
    after its creation (7 days by default)."""
    server = Server(data_dir, extra_args=["--upload-expiry", "2"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        started = time.time()
        r = create(alice, headers={"Upload-Defer-Length": "1"})
        assert r.status_code == 201, r.text
        location = r.headers["Location"]
        offset = 0
        while True:
            r = patch(alice, location, offset, b"x")
            if r.status_code == 404:
                break
            assert r.status_code == 204, r.text
            offset += 1
            expires = parsedate_to_datetime(r.headers["Upload-Expires"]).timestamp()
            assert expires <= started + 14 + 1, "an append moved the expiry past the lifetime"
            assert time.time() - started < 20, "the upload outlived its lifetime"
            time.sleep(0.5)
        # It lived past its idle expiry while appends came, then expired at its lifetime.
        assert 6 < time.time() - started < 17
        assert head(alice, location).status_code == 404
    finally:
        server.stop()


def test_garbage_collection_leaves_partial_uploads_alone(data_dir):
    server = Server(data_dir, extra_args=["--gc-interval", "1", "--gc-grace", "0"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        data = os.urandom(3 * 1024 * 1024)
        location = create(alice, len(data)).headers["Location"]
        assert patch(alice, location, 0, data[:2 * 1024 * 1024]).status_code == 204
        # A full collection that saw the upload's chunks runs before the rest arrives.
        mark = log_size(server)
        wait_for_log(server, lambda e: e.get("msg") == "gc" and e["chunks_seen"] > 0, after=mark)
        mark = log_size(server)
        wait_for_log(server, lambda e: e.get("msg") == "gc", after=mark)
        r = patch(alice, location, 2 * 1024 * 1024, data[2 * 1024 * 1024:])
        assert r.status_code == 204, r.text
        assert content(alice, int(r.headers["Coffer-File-Id"])) == data
        assert server.cli("fsck").returncode == 0
    finally:
        server.stop()


def test_incomplete_uploads_expire_and_their_chunks_are_collected(data_dir):
    server = Server(data_dir, extra_args=["--upload-expiry", "4", "--gc-interval", "1", "--gc-grace", "0"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        r = create(alice, 2_000_000)
        location = r.headers["Location"]
        expires = parsedate_to_datetime(r.headers["Upload-Expires"]).timestamp()
        assert expires - time.time() <= 5
        assert patch(alice, location, 0, os.urandom(1_000_000)).status_code == 204
        assert server.chunk_files()
        expired = wait_for_log(server, lambda e: e.get("msg") == "upload expiry")
        assert expired["expired"] == 1
        assert head(alice, location).status_code == 404
        assert patch(alice, location, 1_000_000, b"late").status_code == 404
        mark = log_size(server)
        wait_for_log(server, lambda e: e.get("msg") == "gc", after=mark)
        assert server.chunk_files() == []
    finally:
        server.stop()


def test_resume_on_a_restarted_server(data_dir):
    server = Server(data_dir)
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        data = os.urandom(5 * 1024 * 1024 + 123)
        location = create(alice, len(data), name="resumed.bin").headers["Location"]
        assert patch(alice, location, 0, data[:3 * 1024 * 1024]).status_code == 204
        # Acknowledged bytes survive a crash: the offset comes back from the database.
        server.kill9()
        server.start()
        alice = Client(server, "alice", "alice-password-1")
        h = head(alice, location)
        assert h.status_code == 200 and h.headers["Upload-Offset"] == str(3 * 1024 * 1024)
        r = patch(alice, location, 3 * 1024 * 1024, data[3 * 1024 * 1024:])
        assert r.status_code == 204, r.text
        assert hashlib.sha256(content(alice, int(r.headers["Coffer-File-Id"]))).digest() == \
            hashlib.sha256(data).digest()
    finally:
        server.stop()


def node_client(server, client, path, name, parent=None, url=None, chunk_size=None):
    env = dict(os.environ, TUS_TOKEN=client.token)
    if chunk_size:
        env["TUS_CHUNK_SIZE"] = str(chunk_size)
    args = ["node", NODE_CLIENT, server.url + "/api/v1/uploads", path, name,
            str(parent) if parent else "", *([url] if url else [])]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def events_of(proc):
    for line in proc.stdout:
        yield json.loads(line)


def finished(proc, timeout=600):
    out, err = proc.communicate(timeout=timeout)
    events = [json.loads(line) for line in out.splitlines()]
    assert proc.returncode == 0 and events and events[-1]["event"] == "success", (out, err)
    return events[-1]


def write_random_file(path, size):
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            block = os.urandom(min(left, 8 * 1024 * 1024))
            digest.update(block)
            f.write(block)
            left -= len(block)
    return digest.hexdigest()


def downloaded_sha256(client, file_id):
    digest = hashlib.sha256()
    with client.get(f"/api/v1/files/{file_id}/content", stream=True) as r:
        assert r.status_code == 200
        for block in r.iter_content(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def test_tus_js_client_uploads_in_chunks_into_a_folder(alice, server, data_dir):
    folder = alice.mkdir("from-node")
    path = os.path.join(data_dir, "small.bin")
    expected = write_random_file(path, 3 * 1024 * 1024 + 77)
    done = finished(node_client(server, alice, path, "small.bin", parent=folder, chunk_size=1024 * 1024))
    node = alice.get(f"/api/v1/files/{done['file_id']}").json()
    assert node["name"] == "small.bin" and node["parent_id"] == folder
    assert node["sha256"] == expected == downloaded_sha256(alice, done["file_id"])


def test_tus_js_client_killed_mid_upload_resumes_from_the_servers_offset(alice, server, data_dir):
    size = 200 * 1024 * 1024
    path = os.path.join(data_dir, "big.bin")
    expected = write_random_file(path, size)
    mark = log_size(server)
    proc = node_client(server, alice, path, "big.bin")
    url = None
    for event in events_of(proc):
        if event["event"] == "url":
            url = event["url"]
        if event["event"] == "sent" and event["bytes"] >= 96 * 1024 * 1024:
            break
        assert event["event"] != "success", "the upload finished before it could be interrupted"
    assert url
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    # The server notices the broken request and keeps what it received (the PATCH's log line
    # is written after that).
    wait_for_log(server, lambda e: e.get("msg") == "request" and e.get("method") == "PATCH"
                 and e.get("route") == "/api/v1/uploads/{id}", after=mark)
    location = url[len(server.url):]
    offset = int(head(alice, location).headers["Upload-Offset"])
    assert 0 < offset < size

    done = finished(node_client(server, alice, path, "big.bin", url=url))
    assert done["first_offset"] == offset  # resumed, not started over
    node = alice.get(f"/api/v1/files/{done['file_id']}").json()
    assert node["name"] == "big.bin" and node["size"] == size and node["sha256"] == expected
    assert downloaded_sha256(alice, done["file_id"]) == expected


def test_cors_lets_a_listed_origin_speak_tus(data_dir):
    origin = "https://app.example"
    server = Server(data_dir, extra_args=["--cors-origin", origin])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        r = requests.options(server.url + "/api/v1/uploads/x", headers={
            "Origin": origin, "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "tus-resumable,upload-offset,upload-checksum,content-type"})
        assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == origin
        allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"tus-resumable", "upload-length", "upload-defer-length", "upload-offset",
                "upload-metadata", "upload-checksum"} <= allowed
        r = create(alice, 3, headers={"Origin": origin})
        assert r.status_code == 201 and r.headers["Access-Control-Allow-Origin"] == origin
        exposed = {h.strip().lower() for h in r.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"location", "tus-resumable", "tus-version", "tus-max-size", "tus-extension",
                "upload-offset", "upload-length", "upload-expires", "upload-metadata",
                "coffer-file-id"} <= exposed
    finally:
        server.stop()
