"""File versions through the real server: every overwrite keeps the previous version, which can
be listed, downloaded, restored and deleted; versions share chunks."""

import hashlib
import os

from conftest import error_code


def test_versions_list_download_restore_delete(server, alice, bob):
    first = alice.upload("notes.txt", b"first draft").json()
    second = alice.upload("notes.txt", b"second draft, longer").json()
    assert first["id"] == second["id"]
    fid = first["id"]
    versions = alice.get(f"/api/v1/files/{fid}/versions").json()["items"]
    assert [v["size"] for v in versions] == [20, 11] and [v["current"] for v in versions] == [True, False]
    old = versions[1]
    assert old["sha256"] == hashlib.sha256(b"first draft").hexdigest()

    r = alice.get(f"/api/v1/files/{fid}/versions/{old['id']}/content")
    assert r.status_code == 200 and r.content == b"first draft"
    assert r.headers["ETag"] == f'"{old["sha256"]}"'
    r = alice.get(f"/api/v1/files/{fid}/versions/{old['id']}/content", headers={"Range": "bytes=6-"})
    assert r.status_code == 206 and r.content == b"draft"
    assert alice.get(f"/api/v1/files/{fid}/content").content == b"second draft, longer"

    # Nobody else sees them; unknown version ids are 404.
    assert bob.get(f"/api/v1/files/{fid}/versions").status_code == 404
    assert bob.get(f"/api/v1/files/{fid}/versions/{old['id']}/content").status_code == 404
    assert alice.get(f"/api/v1/files/{fid}/versions/999999/content").status_code == 404
    folder = alice.mkdir("dir")
    assert alice.get(f"/api/v1/files/{folder}/versions").status_code == 404

    r = alice.post(f"/api/v1/files/{fid}/versions/{old['id']}/restore")
    assert r.status_code == 200 and r.json()["size"] == 11
    assert alice.get(f"/api/v1/files/{fid}/content").content == b"first draft"
    versions = alice.get(f"/api/v1/files/{fid}/versions").json()["items"]
    assert len(versions) == 3 and versions[0]["current"] and versions[0]["sha256"] == old["sha256"]

    current = versions[0]["id"]
    r = alice.delete(f"/api/v1/files/{fid}/versions/{current}")
    assert r.status_code == 409 and error_code(r) == "CONFLICT"
    assert alice.delete(f"/api/v1/files/{fid}/versions/{old['id']}").status_code == 204
    assert alice.get(f"/api/v1/files/{fid}/versions/{old['id']}/content").status_code == 404
    assert len(alice.get(f"/api/v1/files/{fid}/versions").json()["items"]) == 2
    assert bob.delete(f"/api/v1/files/{fid}/versions/{versions[1]['id']}").status_code == 404


def test_versions_share_chunks(server, alice):
    """Two versions of a 50 MiB file that differ in a few bytes cost about one chunk more."""
    data = bytearray(os.urandom(50 * 1024 * 1024))
    alice.upload("big.bin", bytes(data))
    before = sum(os.path.getsize(f) for f in server.chunk_files())
    data[25 * 1024 * 1024:25 * 1024 * 1024 + 8] = b"CHANGED!"
    alice.upload("big.bin", bytes(data))
    added = sum(os.path.getsize(f) for f in server.chunk_files()) - before
    assert 0 < added <= 2 * 4 * 1024 * 1024 + 64, added  # at most the chunks around the edit
    fid = alice.get("/api/v1/nodes", params={"path": "/big.bin"}).json()["id"]
    versions = alice.get(f"/api/v1/files/{fid}/versions").json()["items"]
    assert len(versions) == 2 and versions[0]["sha256"] == hashlib.sha256(bytes(data)).hexdigest()
