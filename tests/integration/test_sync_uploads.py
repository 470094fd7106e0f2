"""Chunked uploads (Nextcloud chunking NG) and bulk uploads, the sync clients' two ways to
send files other than a plain PUT (docs/clients.md): the protocol by hand, then the real
nextcloudcmd using both."""

import hashlib
import json
import os
import uuid

from conftest import Client, Server, add_user, error_code
from dav_helpers import D, api_token, dav_session, propfind
from test_sync_clients import (client_folders, log_mark, props_of, remote_names, requests_since,
                               run_client, same_tree)


def uploads_url(server, user="alice", *rest):
    return "/".join([server.url + "/remote.php/dav/uploads", user, *rest])


def test_chunked_upload_assembles_parts_in_order_and_resumes(server, alice):
    s = dav_session(alice, api_token(alice))
    data = os.urandom(250_000)
    up = uploads_url(server, "alice", "4711")
    assert s.request("MKCOL", up, headers={"OC-Total-Length": str(len(data))}).status_code == 201
    assert s.request("MKCOL", up).status_code == 405  # exists
    # NG names parts by their offset, zero-padded; sent out of order, one sent twice.
    offsets = [0, 100_000, 200_000]
    for start in reversed(offsets):
        name = f"{start:016d}"
        assert s.put(f"{up}/{name}", data=data[start:start + 100_000]).status_code == 201
    assert s.put(f"{up}/{0:016d}", data=data[:100_000]).status_code == 201
    # A client resuming lists what arrived, with the sizes.
    listing = props_of(propfind(s, up + "/", depth="1"))
    sizes = {href.rsplit("/", 1)[-1]: props[D + "getcontentlength"].text
             for href, props in listing.items() if not href.endswith("/")}
    assert sizes == {f"{o:016d}": str(min(100_000, len(data) - o)) for o in offsets}
    # Assembled at the destination, with the PUT's answer headers.
    dest = server.url + "/remote.php/dav/files/alice/assembled.bin"
    r = s.request("MOVE", up + "/.file", headers={
        "Destination": dest, "OC-Total-Length": str(len(data)), "X-OC-Mtime": "1500000000",
        "OC-Checksum": "SHA256:" + hashlib.sha256(data).hexdigest()})
    assert r.status_code == 201, r.text
    assert r.headers["OC-FileId"].endswith("occoffer") and r.headers["OC-ETag"]
    assert r.headers["X-OC-MTime"] == "accepted"
    assert s.get(dest).content == data
    # The upload is gone once its file is committed.
    assert propfind(s, up + "/", depth="0").status_code == 404


def test_chunked_upload_with_a_missing_part_commits_nothing(server, alice):
    s = dav_session(alice, api_token(alice))
    up = uploads_url(server, "alice", "gap")
    assert s.request("MKCOL", up).status_code == 201
    assert s.put(up + "/1", data=b"a" * 10).status_code == 201
    assert s.put(up + "/3", data=b"c" * 10).status_code == 201
    dest = server.url + "/remote.php/webdav/gap.txt"
    r = s.request("MOVE", up + "/.file", headers={"Destination": dest, "OC-Total-Length": "30"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", r.text
    assert s.get(dest).status_code == 404
    # v2 numbers parts 1..N: ordered by value, not by name ("10" after "9").
    for i in [2] + list(range(4, 11)):
        assert s.put(f"{up}/{i}", data=bytes([96 + i]) * 10).status_code == 201
    r = s.request("MOVE", up + "/.file", headers={"Destination": dest, "OC-Total-Length": "100"})
    assert r.status_code == 201, r.text
    assert s.get(dest).content == b"".join(bytes([96 + i]) * 10 for i in range(1, 11))


def test_chunked_upload_refusals(server, alice, bob):
    s = dav_session(alice, api_token(alice))
    # Another user's upload space does not exist for alice.
    assert s.request("MKCOL", uploads_url(server, "bob", "x")).status_code == 404
    up = uploads_url(server, "alice", "t1")
    assert s.put(up + "/1", data=b"x").status_code == 404  # no MKCOL yet
    assert s.request("MKCOL", up, headers={"OC-Total-Length": "5"}).status_code == 201
    assert s.put(up + "/.hidden", data=b"x").status_code == 400
    assert s.put(up + "/1", data=b"123456").status_code == 413  # past OC-Total-Length
    assert s.get(up + "/1").status_code == 405  # parts are not served back
    # bob cannot see or touch alice's upload under his own name either.
    b = dav_session(bob, api_token(bob))
    assert b.put(uploads_url(server, "bob", "t1", "1"), data=b"x").status_code == 404
    assert s.delete(up).status_code == 204
    assert s.delete(up).status_code == 404


def server_with_quota(data_dir, quota):
    """A server whose users have `quota` bytes, and a DAV session of its user alice."""
    server = Server(data_dir, extra_args=["--default-quota", str(quota)])
    add_user(server, "alice", "alice-password-1")
    server.start()
    alice = Client(server, "alice", "alice-password-1")
    return server, dav_session(alice, api_token(alice))


def test_chunked_parts_count_against_the_quota(data_dir):
    server, s = server_with_quota(data_dir, 100000)
    up = uploads_url(server, "alice", "big")
    assert s.request("MKCOL", up, headers={"OC-Total-Length": "200000"}).status_code == 507
    assert s.request("MKCOL", up).status_code == 201
    assert s.put(up + "/1", data=b"x" * 60_000).status_code == 201
    r = s.put(up + "/2", data=b"y" * 60_000)
    assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED", r.text
    server.stop()


def bulk_body(files, boundary):
    out = b""
    for path, data, extra in files:
        headers = {"X-File-Path": path, "Content-Length": str(len(data)),
                   "X-File-MD5": hashlib.md5(data).hexdigest(), "X-File-Mtime": "1600000000",
                   "Content-Type": "application/octet-stream", **extra}
        out += b"--" + boundary + b"\r\n"
        out += b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items()) + b"\r\n" + data + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def test_bulk_upload_commits_each_file_and_reports_each(server, alice):
    s = dav_session(alice, api_token(alice))
    assert s.request("MKCOL", server.url + "/dav/bulk-target").status_code == 201
    boundary = uuid.uuid4().hex.encode()
    files = [("/bulk-target/a.txt", b"first", {}),
             ("/bulk-target/Ümlaut b.txt", b"second", {}),
             ("/bulk-target/bad.txt", b"third", {"X-File-MD5": hashlib.md5(b"other").hexdigest()}),
             ("/missing-folder/c.txt", b"fourth", {})]
    r = s.post(server.url + "/remote.php/dav/bulk", data=bulk_body(files, boundary),
               headers={"Content-Type": "multipart/related; boundary=" + boundary.decode()})
    assert r.status_code == 200, r.text
    result = r.json()
    assert set(result) == {f[0] for f in files}
    for ok in ("/bulk-target/a.txt", "/bulk-target/Ümlaut b.txt"):
        assert result[ok]["error"] is False and result[ok]["etag"] and result[ok]["OC-FileID"]
        assert result[ok]["X-OC-MTime"] == "accepted"
    assert s.get(server.url + "/dav/bulk-target/a.txt").content == b"first"
    # A part whose bytes do not match its MD5 is refused alone and stores nothing.
    assert result["/bulk-target/bad.txt"]["error"] is True
    assert s.get(server.url + "/dav/bulk-target/bad.txt").status_code == 404
    assert result["/missing-folder/c.txt"]["error"] is True
    # Not multipart/related: 415; not POST: 405.
    r = s.post(server.url + "/remote.php/dav/bulk", data=b"x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert s.get(server.url + "/remote.php/dav/bulk").status_code == 405


def post_bulk(s, server, files):
    boundary = uuid.uuid4().hex.encode()
    r = s.post(server.url + "/remote.php/dav/bulk", data=bulk_body(files, boundary),
               headers={"Content-Type": "multipart/related; boundary=" + boundary.decode()})
    assert r.status_code == 200, r.text
    return r.json()


def node_id(result):
    return int(result["OC-FileID"].removesuffix("occoffer"))


def test_bulk_upload_commits_its_files_together(server, alice):
    """A POST's files are committed as one group: one commit time for all, each with its own
    version, activity and answer."""
    s = dav_session(alice, api_token(alice))
    assert s.request("MKCOL", server.url + "/dav/many").status_code == 201
    files = [(f"/many/f{i:03d}.bin", os.urandom(4096), {}) for i in range(120)]
    result = post_bulk(s, server, files)
    assert list(result) == [f[0] for f in files]  # one entry per part, in order
    assert all(not v["error"] for v in result.values()), result
    created = set()
    for path, data, _ in files[::17]:
        assert s.get(server.url + "/dav" + path).content == data
        node = alice.get(f"/api/v1/nodes/{node_id(result[path])}").json()
        created.add(node["created"])
        events = alice.get(f"/api/v1/nodes/{node['id']}/activity").json()["items"]
        assert [e["action"] for e in events] == ["uploaded"]
    assert len(created) == 1, created


def test_bulk_upload_keeps_each_files_conditions_and_versions(server, alice):
    s = dav_session(alice, api_token(alice))
    dav = server.url + "/dav/rules"
    assert s.request("MKCOL", dav).status_code == 201
    for name in ("stale.txt", "current.txt"):
        assert s.put(f"{dav}/{name}", data=b"old " + name.encode()).status_code == 201
    etag = s.head(f"{dav}/current.txt").headers["ETag"]
    files = [("/rules/stale.txt", b"lost update", {"If-Match": '"0123456789abcdef0123456789abcdef"'}),
             ("/rules/current.txt", b"update", {"If-Match": etag}),
             ("/rules/twice.txt", b"one", {}),
             ("/rules/fresh.txt", b"fresh", {"If-None-Match": "*"}),
             ("/rules/current.txt-md5.txt", b"x", {"X-File-MD5": hashlib.md5(b"y").hexdigest()}),
             ("/rules/twice.txt", b"two", {})]
    result = post_bulk(s, server, files)
    # If-Match against another version: refused alone, the file is untouched.
    assert result["/rules/stale.txt"]["error"] is True
    assert s.get(f"{dav}/stale.txt").content == b"old stale.txt"
    assert result["/rules/current.txt"]["error"] is False
    assert s.get(f"{dav}/current.txt").content == b"update"
    current = node_id(result["/rules/current.txt"])
    assert len(alice.get(f"/api/v1/files/{current}/versions").json()["items"]) == 2
    assert [e["action"] for e in alice.get(f"/api/v1/nodes/{current}/activity").json()["items"]] \
        == ["new_version", "uploaded"]
    assert result["/rules/fresh.txt"]["error"] is False
    assert result["/rules/current.txt-md5.txt"]["error"] is True
    assert s.get(f"{dav}/current.txt-md5.txt").status_code == 404
    # A path sent twice is two PUTs in a row: the second is a new version of the first.
    assert result["/rules/twice.txt"]["error"] is False
    assert s.get(f"{dav}/twice.txt").content == b"two"
    twice = node_id(result["/rules/twice.txt"])
    assert len(alice.get(f"/api/v1/files/{twice}/versions").json()["items"]) == 2
    # If-None-Match: * on a file that exists now.
    result = post_bulk(s, server, [("/rules/fresh.txt", b"again", {"If-None-Match": "*"})])
    assert result["/rules/fresh.txt"]["error"] is True
    assert s.get(f"{dav}/fresh.txt").content == b"fresh"


def test_bulk_upload_fills_the_quota_file_by_file(data_dir):
    server, s = server_with_quota(data_dir, 10000)
    files = [(f"/q{i}.bin", os.urandom(3000), {}) for i in range(5)]
    result = post_bulk(s, server, files)
    # Committed together, yet each checked against what the ones before it used.
    assert [v["error"] for v in result.values()] == [False, False, False, True, True], result
    assert "quota" in result["/q3.bin"]["message"]
    assert s.get(server.url + "/dav/q2.bin").status_code == 200
    assert s.get(server.url + "/dav/q3.bin").status_code == 404
    server.stop()


def test_bulk_upload_is_offered_only_to_clients_that_handle_empty_files(server, alice):
    s = dav_session(alice, api_token(alice))
    url = server.url + "/ocs/v1.php/cloud/capabilities?format=json"

    def dav_caps(agent):
        r = s.get(url, headers={"User-Agent": agent, "OCS-APIRequest": "true"})
        assert r.status_code == 200, r.text
        return r.json()["ocs"]["data"]["capabilities"]["dav"]

    # Desktop clients before 3.10 fail every bulk POST holding an empty file, forever.
    old = dav_caps("Mozilla/5.0 (Linux) mirall/3.7.3 (nextcloudcmd, debian-6.1 ClientArchitecture: x86_64)")
    assert old == {"chunking": "1.0"}
    new = dav_caps("Mozilla/5.0 (Linux) mirall/3.12.1 (Nextcloud, fedora)")
    assert new == {"chunking": "1.0", "bulkupload": "1.0"}
    assert dav_caps("rclone/v1.60.1")["bulkupload"] == "1.0"


def test_nextcloudcmd_sends_big_files_in_chunks_and_empty_files_plainly(server, alice, tmp_path):
    """The real client (3.7): the 3 MB file in 1 MB parts assembled by one MOVE; the empty
    file and the small ones as PUTs (no bulk upload offered to this version). Chunking needs no
    2,000 files: 200 small ones keep this test short."""
    token = api_token(alice)
    home, up = client_folders(tmp_path, small_files=200)
    mark = log_mark(server)
    os.environ["OWNCLOUD_CHUNK_SIZE"] = "1000000"
    try:
        run_client("nextcloudcmd", server, "alice", token, up, home)
    finally:
        del os.environ["OWNCLOUD_CHUNK_SIZE"]
    methods = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    # Five folders of the tree, and one upload collection for the 3 MB file.
    assert methods.count("MOVE") == 1 and methods.count("MKCOL") == 6, methods
    assert "POST" not in methods
    assert len(remote_names(alice, "/small")) == 200
    down = tmp_path / "down"
    down.mkdir()
    run_client("nextcloudcmd", server, "alice", token, down, home)
    assert same_tree(up, down)
    # Nothing is left of the upload collections once their files are committed.
    s = dav_session(alice, token)
    listing = props_of(propfind(s, uploads_url(server, "alice") + "/", depth="1"))
    assert list(listing) == ["/remote.php/dav/uploads/alice/"], listing
