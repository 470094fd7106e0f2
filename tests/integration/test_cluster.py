"""Many stateless nodes: two `coffer serve` processes over one PostgreSQL database and one S3
bucket with the same secret key file, and nginx in front (deploy/nginx/coffer.conf). Runs in
the PostgreSQL + S3 pass of `make test` only: the other passes have no shared database.

Not covered: "a job runs exactly once" — there is no job queue yet."""

import hashlib
import os
import re
import tempfile
import threading
import time

import pytest
import requests

import conftest
from cluster import Nginx, endpoint
from conftest import Client, Server, add_user, error_code, session_s3

pytestmark = pytest.mark.skipif(
    not conftest.ON_POSTGRES or conftest.STORAGE != "s3",
    reason="the cluster runs on PostgreSQL + S3 (COFFER_TEST_DATABASE=postgres COFFER_TEST_STORAGE=s3)")

MiB = 1024 * 1024


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Cluster:
    def __init__(self, data_dir):
        self.s3 = session_s3()
        self.key = os.path.join(data_dir, "cluster.key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.key, 0o600)
        prefix = f"cluster{os.getpid()}-{next(conftest._prefixes)}"
        env = {"COFFER_STORAGE_URL": self.s3.storage_url(prefix), "COFFER_SECRET_KEY_FILE": self.key}
        self.dirs = [data_dir, tempfile.mkdtemp(prefix="coffer-node-b-")]
        self.nodes = []
        for d in self.dirs:
            node = Server(d, extra_args=["--gc-interval", "0"], env=env, s3=self.s3, database_of=data_dir)
            node.s3_prefix = prefix
            self.nodes.append(node)
        add_user(self.a, "alice", "alice-password-1")
        for node in self.nodes:
            node.start()
        self.nginx = Nginx([f"127.0.0.1:{n.port}" for n in self.nodes]).start()

    @property
    def a(self):
        return self.nodes[0]

    @property
    def b(self):
        return self.nodes[1]

    def stop(self):
        self.nginx.stop()
        for node in self.nodes:
            node.stop()
        import shutil
        shutil.rmtree(self.dirs[1], ignore_errors=True)


@pytest.fixture
def cluster(data_dir):
    c = Cluster(data_dir)
    yield c
    c.stop()


def full_log(server):
    with open(server.log_path) as f:
        return f.read()


def slow_body(pieces, delay):
    for piece in pieces:
        yield piece
        time.sleep(delay)


def test_a_file_uploaded_on_one_node_downloads_identical_on_the_other(cluster):
    on_a = Client(cluster.a, "alice", "alice-password-1")
    on_b = Client(cluster.b, "alice", "alice-password-1")
    data = os.urandom(5 * MiB + 123)
    meta = on_a.upload("big.bin", data).json()
    got = on_b.get(f"/api/v1/files/{meta['id']}/content")
    assert got.status_code == 200 and sha(got.content) == sha(data)
    assert got.headers["ETag"] == meta["etag"]
    part = on_b.get(f"/api/v1/files/{meta['id']}/content", headers={"Range": "bytes=4000000-4000099"})
    assert part.status_code == 206 and part.content == data[4000000:4000100]
    # A signed URL minted by A is served by B, without a session.
    link = on_a.post(f"/api/v1/files/{meta['id']}/download-url").json()
    assert sha(requests.get(cluster.b.url + link["url"]).content) == sha(data)


def test_tokens_issued_by_one_node_work_on_the_other(cluster):
    r = requests.post(cluster.a.url + "/api/v1/auth/login",
                      json={"username": "alice", "password": "alice-password-1", "token_delivery": "body"})
    assert r.status_code == 200, r.text
    tokens = r.json()
    me = requests.get(cluster.b.url + "/api/v1/auth/me", headers={"Authorization": "Bearer " + tokens["access_token"]})
    assert me.status_code == 200 and me.json()["username"] == "alice"
    # Refresh on B; the new access token works on A; the next refresh on A; the first token,
    # spent on B, is a replay on either node.
    r = requests.post(cluster.b.url + "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    fresh = r.json()
    me = requests.get(cluster.a.url + "/api/v1/auth/me", headers={"Authorization": "Bearer " + fresh["access_token"]})
    assert me.status_code == 200
    r = requests.post(cluster.a.url + "/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert r.status_code == 200, r.text
    reused = requests.post(cluster.b.url + "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401 and error_code(reused) == "UNAUTHENTICATED"


def test_a_key_rotated_on_one_node_signs_tokens_the_other_accepts_at_once(cluster):
    """Both nodes derive the same keys from the shared master key and read the generations
    from the database: B accepts a token of the key A began a moment ago (it reloads on the
    unknown generation), and both publish the same key set."""
    add_user(cluster.a, "root", "root-password-1", admin=True)
    root = Client(cluster.a, "root", "root-password-1")
    before = requests.post(cluster.a.url + "/api/v1/auth/login",
                           json={"username": "alice", "password": "alice-password-1"}).json()
    # B signs with the current key once, so that it holds the generations list.
    on_b = requests.post(cluster.b.url + "/api/v1/auth/login",
                         json={"username": "alice", "password": "alice-password-1"}).json()
    assert requests.get(cluster.a.url + "/api/v1/auth/me",
                        headers={"Authorization": "Bearer " + on_b["access_token"]}).status_code == 200
    r = root.post("/api/v1/admin/token-keys/rotate")
    assert r.status_code == 200, r.text
    after = requests.post(cluster.a.url + "/api/v1/auth/login",
                          json={"username": "alice", "password": "alice-password-1"}).json()
    for token in (before["access_token"], after["access_token"]):
        me = requests.get(cluster.b.url + "/api/v1/auth/me", headers={"Authorization": "Bearer " + token})
        assert me.status_code == 200, me.text
    keys = [sorted(k["kid"] for k in requests.get(n.url + "/.well-known/jwks.json").json()["keys"])
            for n in cluster.nodes]
    assert keys[0] == keys[1] and r.json()["kid"] in keys[0] and len(keys[0]) == 2


def test_through_nginx_uploads_and_downloads_work_whichever_node_answers(cluster):
    lb = Client(endpoint(cluster.nginx.url), "alice", "alice-password-1")
    folder = lb.mkdir("through-nginx")
    stored = {}
    for i in range(16):
        data = os.urandom(64 * 1024 * (i + 1))
        r = lb.upload(f"f{i}.bin", data, folder=folder)
        assert r.status_code == 201, r.text
        stored[r.json()["id"]] = data
        for file_id, expected in stored.items():
            got = lb.get(f"/api/v1/files/{file_id}/content")
            assert got.status_code == 200 and sha(got.content) == sha(expected)
    listing = lb.get(f"/api/v1/folders/{folder}/children").json()["items"]
    assert sorted(n["name"] for n in listing) == sorted(f"f{i}.bin" for i in range(16))
    # Round robin: both nodes took uploads.
    upload_route = '"route":"/api/v1/folders/{id}/files/{name}"'
    assert all(full_log(node).count(upload_route) > 0 for node in cluster.nodes)
    # Signed URLs through the balancer; the signature is in neither node's log nor nginx's.
    file_id = next(iter(stored))
    url = lb.post(f"/api/v1/files/{file_id}/download-url").json()["url"]
    signature = url.rsplit(".", 1)[1]
    for _ in range(4):
        assert requests.get(cluster.nginx.url + url).status_code == 200
    with open(cluster.nginx.access_log) as f:
        nginx_log = f.read()
    assert "/api/v1/download/{token}" in nginx_log
    for text in (nginx_log, full_log(cluster.a), full_log(cluster.b)):
        assert signature not in text


def test_gc_on_one_node_never_deletes_chunks_an_upload_on_another_is_writing(cluster):
    on_a = Client(cluster.a, "alice", "alice-password-1")
    on_b = Client(cluster.b, "alice", "alice-password-1")
    # Garbage the collector must find: chunks of a deleted file.
    doomed = on_a.upload("doomed.bin", os.urandom(2 * MiB)).json()
    assert on_a.delete(f"/api/v1/nodes/{doomed['id']}").status_code == 204
    assert on_a.delete(f"/api/v1/trash/{doomed['id']}").status_code == 204  # purge: real garbage

    pieces = [os.urandom(512 * 1024) for _ in range(14)]  # ~7 MiB over ~5 s: chunks land early
    data = b"".join(pieces)
    result = {}

    def upload():
        result["response"] = on_b.upload("slow.bin", slow_body(pieces, 0.35))

    t = threading.Thread(target=upload)
    t.start()
    time.sleep(1.5)
    # Grace 0 and B's first chunks already stored: without leases these would be deleted.
    deferred = cluster.a.cli("gc", "--grace", "0", "--wait", "1")
    assert "deferred" in deferred.stdout, deferred.stdout + deferred.stderr
    assert t.is_alive(), "the upload should still be running"
    # With a longer wait the sweep runs once B's upload has committed.
    swept = cluster.a.cli("gc", "--grace", "0", "--wait", "60")
    t.join()
    assert result["response"].status_code == 201, result["response"].text
    removed = int(re.search(r"(\d+) removed", swept.stdout).group(1))
    assert removed > 0 and "deferred" not in swept.stdout, swept.stdout
    meta = result["response"].json()
    for client in (on_a, on_b):
        got = client.get(f"/api/v1/files/{meta['id']}/content")
        assert got.status_code == 200 and sha(got.content) == sha(data)
    fsck = cluster.a.cli("fsck", check=False)
    assert fsck.returncode == 0, fsck.stdout


def test_a_node_killed_mid_upload_loses_no_acknowledged_data(cluster):
    on_b = Client(cluster.b, "alice", "alice-password-1")
    acknowledged = {}
    for i in range(8):
        data = os.urandom(300 * 1024 + i)
        r = on_b.upload(f"ack{i}.bin", data)
        assert r.status_code == 201
        acknowledged[r.json()["id"]] = data
    pieces = [os.urandom(256 * 1024) for _ in range(40)]
    outcome = {}

    def upload():
        try:
            outcome["response"] = on_b.upload("cut.bin", slow_body(pieces, 0.1))
        except requests.RequestException as e:
            outcome["error"] = e

    t = threading.Thread(target=upload)
    t.start()
    time.sleep(1.0)
    cluster.b.kill9()
    t.join(timeout=30)
    assert "error" in outcome or outcome["response"].status_code >= 500
    on_a = Client(cluster.a, "alice", "alice-password-1")
    for file_id, data in acknowledged.items():
        got = on_a.get(f"/api/v1/files/{file_id}/content")
        assert got.status_code == 200 and sha(got.content) == sha(data)
    names = [n["name"] for n in on_a.get(f"/api/v1/folders/{on_a.root}/children").json()["items"]]
    assert "cut.bin" not in names
    # nginx steers around the dead node: every request succeeds.
    lb = Client(endpoint(cluster.nginx.url), "alice", "alice-password-1")
    for file_id, data in acknowledged.items():
        got = lb.get(f"/api/v1/files/{file_id}/content")
        assert got.status_code == 200 and sha(got.content) == sha(data)
    assert lb.upload("after.bin", b"still here").status_code == 201
    fsck = cluster.a.cli("fsck", check=False)
    assert fsck.returncode == 0, fsck.stdout


def test_a_resumable_upload_started_on_one_node_continues_on_the_other(cluster):
    on_a = Client(cluster.a, "alice", "alice-password-1")
    on_b = Client(cluster.b, "alice", "alice-password-1")
    data = os.urandom(6 * MiB + 5)
    tus = {"Tus-Resumable": "1.0.0"}
    stream = {**tus, "Content-Type": "application/offset+octet-stream"}
    r = on_a.post("/api/v1/uploads", headers={**tus, "Upload-Length": str(len(data)),
                                              "Upload-Metadata": "filename cmVzdW1lZC5iaW4="})
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    r = on_a.http.patch(on_a.url(location), data=data[:4 * MiB], headers={**stream, "Upload-Offset": "0"})
    assert r.status_code == 204
    # B knows the offset A reported, and takes the rest.
    assert on_b.http.head(on_b.url(location), headers=tus).headers["Upload-Offset"] == str(4 * MiB)
    r = on_b.http.patch(on_b.url(location), data=data[4 * MiB:],
                        headers={**stream, "Upload-Offset": str(4 * MiB)})
    assert r.status_code == 204, r.text
    got = on_a.get(f"/api/v1/files/{r.headers['Coffer-File-Id']}/content")
    assert sha(got.content) == sha(data)


def test_a_long_poll_on_one_node_sees_a_change_made_on_the_other(cluster):
    """The change feed across nodes: B's change wakes nobody on A, but A's waiting poll looks
    again every 2 s (docs/insights.md, "Change feed") and answers it well before its wait ends."""
    on_a = Client(cluster.a, "alice", "alice-password-1")
    on_b = Client(cluster.b, "alice", "alice-password-1")
    cursor = on_a.get("/api/v1/changes").json()["cursor"]
    out = []

    def poll():
        began = time.monotonic()
        r = on_a.get("/api/v1/changes", params={"cursor": cursor, "wait": 60}, timeout=120)
        out.append((r, time.monotonic() - began))

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(1)
    assert on_b.upload("from-b.txt", b"made on B").status_code == 201
    t.join(90)
    r, seconds = out[0]
    assert r.status_code == 200, r.text
    assert [(c["type"], c["name"]) for c in r.json()["items"]] == [("created", "from-b.txt")]
    assert seconds < 50


def test_audit_entries_written_on_both_nodes_at_once_form_one_verified_chain(cluster):
    """Appends are linear across nodes (one advisory lock), and both nodes seal with the audit
    key derived from the shared secret key file (docs/archive.md)."""
    errors = []

    def make_tokens(node, n):
        try:
            client = Client(node, "alice", "alice-password-1")
            for i in range(n):
                r = client.post("/api/v1/auth/tokens", json={"name": f"t{i}", "scopes": ["files:read"]})
                assert r.status_code == 201, r.text
        except Exception as e:  # reported below, from the main thread
            errors.append(e)

    threads = [threading.Thread(target=make_tokens, args=(node, 10)) for node in cluster.nodes for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    cluster.a.stop()
    cluster.b.stop()
    r = cluster.a.cli("audit", "verify", check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    count = int(re.search(r"entries: (\d+) chained", r.stdout).group(1))
    assert count >= 66  # 6 sign-ins and 60 tokens
    assert "intact" in r.stdout
