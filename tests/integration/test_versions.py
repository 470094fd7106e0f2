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


def test_concurrent_uploads_to_one_name_all_become_versions(server, alice):
    """Sixteen clients write the same name at once: one file, sixteen versions, none lost."""
    import concurrent.futures

    bodies = [os.urandom(20000 + i) for i in range(16)]
    url = f"{server.url}/api/v1/folders/{alice.root}/files/shared.bin"

    def put(body):
        import requests
        return requests.put(url, data=body, headers={"Authorization": "Bearer " + alice.token})

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(put, bodies))
    assert [r.status_code for r in answers] == [201] * 16
    assert len({r.json()["id"] for r in answers}) == 1
    fid = answers[0].json()["id"]
    versions = alice.get(f"/api/v1/files/{fid}/versions").json()["items"]
    assert sorted(v["sha256"] for v in versions) == sorted(hashlib.sha256(b).hexdigest() for b in bodies)
    current = alice.get(f"/api/v1/files/{fid}/content").content
    assert current in bodies and hashlib.sha256(current).hexdigest() == versions[0]["sha256"]


def test_two_clients_moving_one_node(server, alice):
    """Two moves of the same folder race: both answer consistently and the tree stays a tree."""
    import concurrent.futures

    import requests

    a = alice.mkdir("a")
    b = alice.mkdir("b")
    moving = alice.mkdir("moving")
    alice.upload("inside.txt", b"payload", folder=moving)
    headers = {"Authorization": "Bearer " + alice.token}

    def move(target):
        return requests.patch(f"{server.url}/api/v1/nodes/{moving}", json={"parent_id": target}, headers=headers)

    for _ in range(5):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(move, [a, b]))
        assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
        parent = alice.get(f"/api/v1/nodes/{moving}").json()["parent_id"]
        assert parent in (a, b)
        in_a = [n["id"] for n in alice.get(f"/api/v1/folders/{a}/children").json()["items"]]
        in_b = [n["id"] for n in alice.get(f"/api/v1/folders/{b}/children").json()["items"]]
        assert (moving in in_a) != (moving in in_b)  # in exactly one place
    path = "/a/moving/inside.txt" if parent == a else "/b/moving/inside.txt"
    fid = alice.get("/api/v1/nodes", params={"path": path}).json()["id"]
    assert alice.get(f"/api/v1/files/{fid}/content").content == b"payload"
    # Moving a folder into its own subtree, from two sides at once, never makes a cycle.
    x = alice.mkdir("x")
    y = alice.mkdir("y")

    def move_into(pair):
        node, target = pair
        return requests.patch(f"{server.url}/api/v1/nodes/{node}", json={"parent_id": target}, headers=headers)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(move_into, [(x, y), (y, x)]))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 409], [r.text for r in answers]
    root_names = {n["name"] for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]}
    assert ("x" in root_names) != ("y" in root_names)
