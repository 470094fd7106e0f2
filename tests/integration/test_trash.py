"""The trash through the real server: deletion moves a subtree to the trash, which lists,
restores (recreating missing parents, resolving name conflicts), purges, empties, and undoes a
mass deletion by time window and API token; mass deletions are flagged in the audit log."""

import time

import requests

from conftest import Client, Server, add_user, error_code, post_without_a_body


def names(client, folder):
    return sorted(n["name"] for n in client.get(f"/api/v1/folders/{folder}/children").json()["items"])


def test_delete_restore_purge(server, alice, bob):
    docs = alice.mkdir("docs")
    f = alice.upload("a.txt", b"alpha", folder=docs).json()["id"]
    assert alice.delete(f"/api/v1/nodes/{docs}").status_code == 204
    assert names(alice, alice.root) == []
    assert alice.get(f"/api/v1/files/{f}/content").status_code == 404  # gone with its folder
    items = alice.get("/api/v1/trash").json()["items"]
    assert [(i["id"], i["name"], i["parent_exists"]) for i in items] == [(docs, "docs", True)]
    assert bob.get("/api/v1/trash").json()["items"] == []
    assert bob.post(f"/api/v1/trash/{docs}/restore").status_code == 404

    r = alice.post(f"/api/v1/trash/{docs}/restore")
    assert r.status_code == 200 and r.json()["id"] == docs
    assert alice.get(f"/api/v1/files/{f}/content").content == b"alpha"
    assert alice.get("/api/v1/trash").json()["items"] == []

    # A name taken since: 409, then restore under another name.
    assert alice.delete(f"/api/v1/nodes/{f}").status_code == 204
    alice.upload("a.txt", b"new alpha", folder=docs)
    r = alice.post(f"/api/v1/trash/{f}/restore")
    assert r.status_code == 409 and error_code(r) == "NAME_CONFLICT"
    r = alice.post(f"/api/v1/trash/{f}/restore", json={"name": "a (old).txt"})
    assert r.status_code == 200 and r.json()["name"] == "a (old).txt"
    assert names(alice, docs) == ["a (old).txt", "a.txt"]
    r = alice.post(f"/api/v1/trash/{f}/restore", json={"name": "bad/name"})
    assert r.status_code == 400 and error_code(r) == "INVALID_NAME"

    assert alice.delete(f"/api/v1/nodes/{f}").status_code == 204
    assert bob.delete(f"/api/v1/trash/{f}").status_code == 404
    assert alice.delete(f"/api/v1/trash/{f}").status_code == 204
    assert alice.delete(f"/api/v1/trash/{f}").status_code == 404
    assert alice.post(f"/api/v1/trash/{f}/restore").status_code == 404


def test_restore_recreates_missing_parents(server, alice):
    a = alice.mkdir("a")
    b = alice.mkdir("b", parent=a)
    f = alice.upload("deep.txt", b"deep", folder=b).json()["id"]
    assert alice.delete(f"/api/v1/nodes/{f}").status_code == 204
    assert alice.delete(f"/api/v1/nodes/{a}").status_code == 204
    item = next(i for i in alice.get("/api/v1/trash").json()["items"] if i["id"] == f)
    assert item["parent_exists"] is False
    r = alice.post(f"/api/v1/trash/{f}/restore")
    assert r.status_code == 200
    node = alice.get("/api/v1/nodes", params={"path": "/a/b/deep.txt"}).json()
    assert node["id"] == f
    assert alice.get(f"/api/v1/files/{f}/content").content == b"deep"


def test_trash_listing_reports_the_declared_mime_not_another_column(server, alice):
    uploaded = alice.upload("notes.md", b"# Notes\n", headers={"Content-Type": "text/markdown"}).json()
    assert uploaded["declared_mime"] == "text/markdown"
    assert alice.delete(f"/api/v1/nodes/{uploaded['id']}").status_code == 204
    [item] = alice.get("/api/v1/trash").json()["items"]
    assert item["id"] == uploaded["id"]
    assert item["declared_mime"] == "text/markdown"
    assert (item["mime"], item["size"], item["sha256"]) == (uploaded["mime"], uploaded["size"], uploaded["sha256"])


def test_action_posts_without_a_body_mean_no_options_not_400(server, alice):
    ids = []
    for name in ("a.txt", "b.txt", "c.txt"):
        ids.append(alice.upload(name, b"x").json()["id"])
        assert alice.delete(f"/api/v1/nodes/{ids[-1]}").status_code == 204
    # No Content-Length at all, with or without a Content-Type.
    status, body = post_without_a_body(alice, f"/api/v1/trash/{ids[0]}/restore")
    assert status == 200, body
    status, body = post_without_a_body(alice, f"/api/v1/trash/{ids[1]}/restore",
                                       {"Content-Type": "application/json"})
    assert status == 200, body
    # Content-Length: 0 with a form type, as `curl -X POST -d ''` sends: still no options
    # (for the window, everything in the trash).
    r = alice.post("/api/v1/trash/restore", data=b"",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert [n["id"] for n in r.json()["restored"]] == [ids[2]]
    assert names(alice, alice.root) == ["a.txt", "b.txt", "c.txt"]
    # A body that is there is still checked.
    r = alice.post("/api/v1/trash/restore", data=b"deleted_after=0",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and error_code(r) == "UNSUPPORTED_MEDIA_TYPE"


def test_empty_trash(server, alice):
    for i in range(3):
        fid = alice.upload(f"f{i}.txt", b"x").json()["id"]
        alice.delete(f"/api/v1/nodes/{fid}")
    r = alice.delete("/api/v1/trash")
    assert r.status_code == 200 and r.json()["purged"] == 3
    assert alice.get("/api/v1/trash").json()["items"] == []


def test_undo_a_mass_deletion_by_one_token(data_dir):
    server = Server(data_dir, extra_args=["--mass-delete-threshold", "3"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        keep = alice.upload("mine.txt", b"deleted by me").json()["id"]
        created = alice.post("/api/v1/auth/tokens", json={"name": "sync", "scopes": "files:read files:write"}).json()
        script = requests.Session()
        script.headers["Authorization"] = "Bearer " + created["token"]
        start = time.time()
        ids = [alice.upload(f"doc{i}.txt", f"document {i}".encode()).json()["id"] for i in range(6)]
        alice.delete(f"/api/v1/nodes/{keep}")  # a deletion of Alice's own, not the script's
        for i in ids:
            assert script.delete(f"{server.url}/api/v1/nodes/{i}").status_code == 204
        assert names(alice, alice.root) == []

        flagged = alice.get("/api/v1/audit", params={"action": "files.mass_delete"}).json()["items"]
        assert len(flagged) == 1 and flagged[0]["outcome"] == "flagged"
        assert flagged[0]["target"] == f"token:{created['id']}"

        r = alice.post("/api/v1/trash/restore", json={"deleted_after": int(start) - 1, "token_id": created["id"]})
        assert r.status_code == 200, r.text
        assert sorted(n["id"] for n in r.json()["restored"]) == sorted(ids) and r.json()["failed"] == []
        assert names(alice, alice.root) == [f"doc{i}.txt" for i in range(6)]
        assert [i["id"] for i in alice.get("/api/v1/trash").json()["items"]] == [keep]

        r = alice.post("/api/v1/trash/restore", json={"deleted_after": "2026-01-01T00:00:00Z",
                                                      "deleted_before": "2025-01-01T00:00:00Z"})
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
        r = alice.post("/api/v1/trash/restore", json={"deleted_after": "yesterday"})
        assert r.status_code == 400
    finally:
        server.stop()
