"""Quotas and usage through the real server: usage counts live files, older versions and the
trash; uploads that cannot fit are refused early with 507 QUOTA_EXCEEDED; concurrent uploads
near the limit never overshoot; operators see deduplication and compression."""

import concurrent.futures
import os

import requests

from conftest import Client, Server, add_user, error_code


def set_quota(server, admin, user_id, quota):
    r = admin.patch(f"/api/v1/admin/users/{user_id}", json={"quota_bytes": quota})
    assert r.status_code == 200, r.text


def test_usage_breakdown_and_quota(data_dir):
    server = Server(data_dir)
    add_user(server, "root", "root-password-1", admin=True)
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        root = Client(server, "root", "root-password-1")
        alice = Client(server, "alice", "alice-password-1")
        me = alice.get("/api/v1/auth/me").json()["id"]
        usage = alice.get("/api/v1/usage").json()
        assert usage["used"] == 0 and usage["limit"] is None

        alice.upload("a.bin", b"a" * 1000)
        alice.upload("a.bin", b"b" * 600)  # the 1000-byte version is kept
        gone = alice.upload("gone.bin", b"c" * 300).json()["id"]
        alice.delete(f"/api/v1/nodes/{gone}")
        alice.mkdir("folder")
        usage = alice.get("/api/v1/usage").json()
        assert usage["breakdown"] == {"files": 600, "versions": 1000, "trash": 300, "properties": 0}
        assert usage["used"] == 1900
        assert usage["counts"] == {"files": 1, "folders": 1, "versions": 1, "trash_items": 1}

        set_quota(server, root, me, 2000)
        assert alice.get("/api/v1/usage").json()["limit"] == 2000
        r = alice.upload("big.bin", b"x" * 200)  # 1900 + 200 > 2000
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED"
        # Without Content-Length (chunked), the upload stops once it passes the room left.
        r = alice.put(f"/api/v1/folders/{alice.root}/files/stream.bin", data=iter([b"y" * 64] * 10))
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED"
        assert alice.upload("small.bin", b"z" * 100).status_code == 201  # exactly fits
        copy = alice.post(f"/api/v1/nodes/{alice.get('/api/v1/nodes', params={'path': '/a.bin'}).json()['id']}/copy",
                          json={"parent_id": alice.root, "name": "copy.bin"})
        assert copy.status_code == 507
        names = {n["name"] for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]}
        assert names == {"a.bin", "folder", "small.bin"}

        # Emptying the trash makes room.
        assert alice.delete("/api/v1/trash").status_code == 200
        assert alice.upload("after.bin", b"w" * 250).status_code == 201
        assert alice.get("/api/v1/usage").json()["used"] == 1950
    finally:
        server.stop()


def test_concurrent_uploads_near_the_limit_never_overshoot(data_dir):
    server = Server(data_dir, extra_args=["--default-quota", "100000"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        token = alice.token
        url = f"{server.url}/api/v1/folders/{alice.root}/files/"

        def upload(i):
            return requests.put(url + f"f{i}.bin", data=os.urandom(10000),
                                headers={"Authorization": "Bearer " + token}).status_code

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(upload, range(16)))
        assert codes.count(201) == 10 and codes.count(507) == 6, codes
        usage = alice.get("/api/v1/usage").json()
        assert usage["used"] == 100000 and usage["limit"] == 100000
    finally:
        server.stop()


def test_a_burst_of_concurrent_small_uploads_into_one_folder_is_never_refused(data_dir):
    # A sync client's burst: 16 connections of one user PUT small files into one folder at
    # once, under a quota they fit in. Every upload is accepted (none 503 after exhausting
    # conflict retries, as on PostgreSQL when writers of one folder aborted each other), and
    # usage counts each exactly once.
    threads, per_thread, size = 16, 25, 4096
    server = Server(data_dir, extra_args=["--default-quota", str(threads * per_thread * size)])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        url = f"{server.url}/api/v1/folders/{alice.root}/files/"

        def burst(index):
            session = requests.Session()
            session.headers["Authorization"] = "Bearer " + alice.token
            return [session.put(url + f"s{index}-{n}.bin", data=os.urandom(size)).status_code
                    for n in range(per_thread)]

        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            codes = [c for codes in pool.map(burst, range(threads)) for c in codes]
        assert codes == [201] * (threads * per_thread), sorted(set(codes))
        usage = alice.get("/api/v1/usage").json()
        assert usage["used"] == threads * per_thread * size
        assert usage["counts"]["files"] == threads * per_thread
    finally:
        server.stop()


def test_operators_see_dedup_and_compression(data_dir):
    server = Server(data_dir)
    add_user(server, "oscar", "oscar-password-1", admin=True)
    server.start()
    try:
        oscar = Client(server, "oscar", "oscar-password-1")
        same = os.urandom(300000)
        oscar.upload("one.bin", same)
        oscar.upload("two.bin", same)
        oscar.upload("text.txt", b"compressible text " * 20000)
        stats = oscar.get("/api/v1/system/stats").json()
        assert stats["logical_bytes"] == 600000 + 360000
        assert stats["unique_bytes"] == 300000 + 360000
        assert stats["physical_bytes"] < stats["unique_bytes"]
        assert stats["dedup_ratio"] > 1.4 and stats["compression_ratio"] > 1.2
    finally:
        server.stop()
