"""Retention and legal hold through the real server (docs/archive.md, "Retention and legal
hold"): what an administrator locks cannot be deleted, overwritten, moved or purged through
REST, batch, WebDAV, tus, the sync clients' uploads or S3, by its owner or by an
administrator; new files may still be added; retention is extended, never shortened;
releasing a hold frees the node again."""

import datetime
import time

import botocore.exceptions
import pytest

from conftest import Client, Server, add_user, error_code
from dav_helpers import api_token, dav_session
from s3_helpers import S3Coffer, boto3_client, make_key
from test_sync_uploads import post_bulk, uploads_url
from test_tus import create, patch


@pytest.fixture
def locked_server(data_dir):
    s = Server(data_dir)
    add_user(s, "alice", "alice-password-1")
    add_user(s, "root", "root-password-1", admin=True)
    s.start()
    yield s
    s.stop()


def clients(server):
    return Client(server, "alice", "alice-password-1"), Client(server, "root", "root-password-1")


def refused(response, code):
    assert response.status_code == 409, (response.status_code, response.text)
    assert error_code(response) == code, response.text


def hold(admin, node, reason="case 2026-17"):
    r = admin.put(f"/api/v1/admin/legal-holds/{node}", json={"reason": reason})
    assert r.status_code == 200, r.text
    return r.json()


def content(client, node):
    return client.get(f"/api/v1/files/{node}/content").content


def test_a_held_file_resists_rest_and_batch_and_is_free_once_released(locked_server):
    alice, root = clients(locked_server)
    docs = alice.mkdir("docs")
    f = alice.upload("contract.pdf", b"v1", folder=docs).json()["id"]
    alice.upload("contract.pdf", b"v2", folder=docs)
    old = alice.get(f"/api/v1/files/{f}/versions").json()["items"][1]["id"]
    body = hold(root, f)
    assert (body["node_id"], body["reason"]) == (f, "case 2026-17")
    assert "name" not in body  # administrators learn no names
    assert [h["node_id"] for h in root.get("/api/v1/admin/legal-holds").json()["items"]] == [f]

    refused(alice.delete(f"/api/v1/nodes/{f}"), "LEGAL_HOLD")
    refused(alice.upload("contract.pdf", b"v3", folder=docs), "LEGAL_HOLD")
    refused(alice.patch(f"/api/v1/nodes/{f}", json={"name": "other.pdf"}), "LEGAL_HOLD")
    refused(alice.patch(f"/api/v1/nodes/{f}", json={"parent_id": alice.root}), "LEGAL_HOLD")
    refused(alice.delete(f"/api/v1/nodes/{docs}"), "LEGAL_HOLD")
    refused(alice.delete(f"/api/v1/files/{f}/versions/{old}"), "LEGAL_HOLD")
    refused(alice.post(f"/api/v1/files/{f}/versions/{old}/restore"), "LEGAL_HOLD")
    r = alice.post("/api/v1/batch", json={"operations": [
        {"op": "delete", "id": f}, {"op": "move", "id": f, "parent_id": alice.root},
        {"op": "delete", "id": docs}, {"op": "copy", "id": f, "parent_id": alice.root}]})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["ok"] for x in results] == [False, False, False, True]
    assert {x["error"]["code"] for x in results[:3]} == {"LEGAL_HOLD"}
    assert {x["status"] for x in results[:3]} == {409}
    # New files beside it are welcome; the held one is intact with both versions.
    assert alice.upload("notes.txt", b"n", folder=docs).status_code == 201
    assert content(alice, f) == b"v2"
    assert len(alice.get(f"/api/v1/files/{f}/versions").json()["items"]) == 2

    # An administrator cannot get round it by deleting the owner, nor delete a held file of
    # their own.
    alice_id = alice.get("/api/v1/auth/me").json()["id"]
    refused(root.delete(f"/api/v1/admin/users/{alice_id}"), "LEGAL_HOLD")
    refused(root.patch(f"/api/v1/admin/users/{alice_id}", json={"status": "deleted"}), "LEGAL_HOLD")
    mine = root.upload("evidence.txt", b"e").json()["id"]
    hold(root, mine)
    refused(root.delete(f"/api/v1/nodes/{mine}"), "LEGAL_HOLD")

    assert root.delete(f"/api/v1/admin/legal-holds/{f}").status_code == 204
    assert root.delete(f"/api/v1/admin/legal-holds/{f}").status_code == 404
    assert alice.delete(f"/api/v1/nodes/{docs}").status_code == 204
    actions = [(e["action"], e["target"]) for e in root.get("/api/v1/audit").json()["items"]]
    assert ("admin.legal_hold_place", f"node:{f}") in actions
    assert ("admin.legal_hold_release", f"node:{f}") in actions


def test_a_hold_keeps_an_item_in_the_trash(locked_server):
    alice, root = clients(locked_server)
    f = alice.upload("a.txt", b"a").json()["id"]
    g = alice.upload("b.txt", b"b").json()["id"]
    for node in (f, g):
        assert alice.delete(f"/api/v1/nodes/{node}").status_code == 204
    hold(root, f)
    refused(alice.delete(f"/api/v1/trash/{f}"), "LEGAL_HOLD")
    r = alice.delete("/api/v1/trash")
    assert r.status_code == 200, r.text
    assert [i["id"] for i in alice.get("/api/v1/trash").json()["items"]] == [f]
    # Restoring is no deletion: the file comes back, still held.
    assert alice.post(f"/api/v1/trash/{f}/restore").status_code == 200
    assert content(alice, f) == b"a"
    refused(alice.delete(f"/api/v1/nodes/{f}"), "LEGAL_HOLD")


def test_retention_locks_a_folder_until_its_date_and_is_never_shortened(locked_server):
    alice, root = clients(locked_server)
    archive = alice.mkdir("archive")
    inner = alice.mkdir("2026", parent=archive)
    f = alice.upload("ledger.csv", b"1,2", folder=inner).json()["id"]
    r = root.put(f"/api/v1/admin/retention/{archive}", json={"days": 30})
    assert r.status_code == 200, r.text
    until = r.json()["retain_until"]
    assert r.json()["active"] is True

    refused(alice.delete(f"/api/v1/nodes/{f}"), "RETENTION_ACTIVE")
    refused(alice.upload("ledger.csv", b"changed", folder=inner), "RETENTION_ACTIVE")
    refused(alice.patch(f"/api/v1/nodes/{f}", json={"parent_id": alice.root}), "RETENTION_ACTIVE")
    refused(alice.patch(f"/api/v1/nodes/{inner}", json={"name": "2025"}), "RETENTION_ACTIVE")
    refused(alice.delete(f"/api/v1/nodes/{archive}"), "RETENTION_ACTIVE")
    # Write once: a new file goes in, and is then locked like the rest.
    g = alice.upload("new.csv", b"3", folder=inner)
    assert g.status_code == 201
    refused(alice.delete(f"/api/v1/nodes/{g.json()['id']}"), "RETENTION_ACTIVE")

    # Compliance: shorter or removed is refused, longer is fine; files only get holds.
    refused(root.put(f"/api/v1/admin/retention/{archive}", json={"days": 1}), "RETENTION_ACTIVE")
    refused(root.delete(f"/api/v1/admin/retention/{archive}"), "RETENTION_ACTIVE")
    assert root.put(f"/api/v1/admin/retention/{archive}", json={"days": 60}).status_code == 200
    refused(root.put(f"/api/v1/admin/retention/{f}", json={"days": 1}), "CONFLICT")
    for bad in ({}, {"days": 0}, {"days": 1, "retain_until": until}, {"retain_until": "soon"},
                {"retain_until": "2001-01-01T00:00:00Z"}):
        r = root.put(f"/api/v1/admin/retention/{archive}", json=bad)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", (bad, r.text)
    assert root.put("/api/v1/admin/retention/999999", json={"days": 1}).status_code == 404
    [rule] = root.get("/api/v1/admin/retention").json()["items"]
    assert rule["node_id"] == archive and rule["retain_until"] > until
    # Not for users.
    assert alice.get("/api/v1/admin/retention").status_code == 403
    assert alice.put(f"/api/v1/admin/legal-holds/{f}", json={"reason": "x"}).status_code == 403


def test_retention_ends_at_its_date(locked_server):
    alice, root = clients(locked_server)
    folder = alice.mkdir("short")
    f = alice.upload("a.txt", b"a", folder=folder).json()["id"]
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    r = root.put(f"/api/v1/admin/retention/{folder}",
                 json={"retain_until": soon.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert r.status_code == 200, r.text
    refused(alice.delete(f"/api/v1/nodes/{f}"), "RETENTION_ACTIVE")
    time.sleep(3.2)
    assert alice.delete(f"/api/v1/nodes/{f}").status_code == 204
    assert root.delete(f"/api/v1/admin/retention/{folder}").status_code == 204


def test_webdav_and_tus_are_refused_too(locked_server):
    alice, root = clients(locked_server)
    docs = alice.mkdir("docs")
    f = alice.upload("held.txt", b"held", folder=docs).json()["id"]
    alice.upload("other.txt", b"other", folder=docs)
    hold(root, f)
    dav = dav_session(alice, api_token(alice))
    base = locked_server.url + "/dav/docs/"
    for r in (dav.delete(base + "held.txt"),
              dav.put(base + "held.txt", data=b"overwritten"),
              dav.request("MOVE", base + "held.txt", headers={"Destination": base + "moved.txt"}),
              dav.request("MOVE", base + "other.txt",
                          headers={"Destination": base + "held.txt", "Overwrite": "T"}),
              dav.request("COPY", base + "other.txt",
                          headers={"Destination": base + "held.txt", "Overwrite": "T"}),
              dav.delete(base)):
        assert r.status_code == 409, (r.request.method, r.status_code, r.text)
        assert b"LEGAL_HOLD" in r.content
    assert dav.put(base + "fresh.txt", data=b"fresh").status_code == 201
    # A held source moving onto an existing name is refused before that name goes to the trash.
    r = dav.request("MOVE", base + "held.txt", headers={"Destination": base + "fresh.txt", "Overwrite": "T"})
    assert r.status_code == 409 and b"LEGAL_HOLD" in r.content, r.text
    assert dav.get(base + "fresh.txt").content == b"fresh"
    assert alice.get("/api/v1/trash").json()["items"] == []

    # tus: an upload finishing over the held name is refused and changes nothing.
    data = b"tus bytes"
    r = create(alice, len(data), name="held.txt", parent=docs)
    if r.status_code == 201:
        r = patch(alice, r.headers["Location"], 0, data)
    refused(r, "LEGAL_HOLD")
    assert content(alice, f) == b"held"
    assert len(alice.get(f"/api/v1/files/{f}/versions").json()["items"]) == 1


def test_sync_clients_chunked_and_bulk_uploads_are_refused_inside_retention(locked_server):
    alice, root = clients(locked_server)
    vault = alice.mkdir("vault")
    f = alice.upload("kept.txt", b"kept", folder=vault).json()["id"]
    assert root.put(f"/api/v1/admin/retention/{vault}", json={"days": 7}).status_code == 200
    s = dav_session(alice, api_token(alice))
    # Bulk: the locked file is refused alone; a new file beside it commits.
    result = post_bulk(s, locked_server, [("/vault/kept.txt", b"changed", {}), ("/vault/new.txt", b"new", {})])
    assert result["/vault/kept.txt"]["error"] is True
    assert result["/vault/new.txt"]["error"] is False
    # Chunked: assembling onto the locked name is refused.
    up = uploads_url(locked_server, "alice", "4712")
    data = b"chunked bytes"
    assert s.request("MKCOL", up, headers={"OC-Total-Length": str(len(data))}).status_code == 201
    assert s.put(f"{up}/{0:016d}", data=data).status_code == 201
    r = s.request("MOVE", up + "/.file", headers={
        "Destination": locked_server.url + "/remote.php/dav/files/alice/vault/kept.txt",
        "OC-Total-Length": str(len(data))})
    assert r.status_code == 409 and b"RETENTION_ACTIVE" in r.content, r.text
    assert content(alice, f) == b"kept"
    assert len(alice.get(f"/api/v1/files/{f}/versions").json()["items"]) == 1


def test_s3_cannot_delete_or_overwrite_a_held_object(data_dir):
    s3 = S3Coffer(data_dir)
    try:
        add_user(s3.server, "root", "root-password-1", admin=True)
        alice = Client(s3.server, "alice", "alice-password-1")
        root = Client(s3.server, "root", "root-password-1")
        client = boto3_client(s3.endpoint, make_key(alice))
        client.create_bucket(Bucket="records")
        client.put_object(Bucket="records", Key="2026/report.txt", Body=b"original")
        node = alice.get("/api/v1/nodes", params={"path": "/records/2026/report.txt"}).json()["id"]
        hold(root, node)
        for call in (lambda: client.delete_object(Bucket="records", Key="2026/report.txt"),
                     lambda: client.put_object(Bucket="records", Key="2026/report.txt", Body=b"x"),
                     lambda: client.copy_object(Bucket="records", Key="2026/report.txt",
                                                CopySource={"Bucket": "records", "Key": "2026/report.txt"},
                                                MetadataDirective="REPLACE", ContentType="text/x")):
            with pytest.raises(botocore.exceptions.ClientError) as e:
                call()
            assert e.value.response["Error"]["Code"] == "AccessDenied", e.value.response
        # A multipart upload finishing on the held key is refused at completion.
        mp = client.create_multipart_upload(Bucket="records", Key="2026/report.txt")
        part = client.upload_part(Bucket="records", Key="2026/report.txt", UploadId=mp["UploadId"],
                                  PartNumber=1, Body=b"multipart")
        with pytest.raises(botocore.exceptions.ClientError) as e:
            client.complete_multipart_upload(
                Bucket="records", Key="2026/report.txt", UploadId=mp["UploadId"],
                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        assert e.value.response["Error"]["Code"] == "AccessDenied", e.value.response
        r = client.delete_objects(Bucket="records", Delete={"Objects": [{"Key": "2026/report.txt"}]})
        assert [x["Code"] for x in r.get("Errors", [])] == ["AccessDenied"], r
        assert client.get_object(Bucket="records", Key="2026/report.txt")["Body"].read() == b"original"
        client.put_object(Bucket="records", Key="2026/other.txt", Body=b"new")  # adding is fine
        assert root.delete(f"/api/v1/admin/legal-holds/{node}").status_code == 204
        client.delete_object(Bucket="records", Key="2026/report.txt")
        assert alice.get("/api/v1/nodes", params={"path": "/records/2026/report.txt"}).status_code == 404
    finally:
        s3.stop()
