"""The S3 chunk store against a real S3-compatible server on loopback (tests/s3/s3-server.js):
what a client sees when the object store is down, refuses our credentials or returns damaged
bytes, and moving chunks between stores with `coffer storage migrate`. These run whatever
COFFER_TEST_STORAGE says; each test has an S3 server of its own where it stops or damages it."""

import hashlib
import os
import shutil
import tempfile
import threading
import time

import pytest
import requests

from conftest import S3_CREDENTIALS, Client, S3Server, Server, add_user, error_code

MiB = 1024 * 1024


@pytest.fixture
def s3():
    s = S3Server(tempfile.mkdtemp(prefix="coffer-s3-")).start()
    yield s
    s.stop()
    shutil.rmtree(s.directory, ignore_errors=True)


def start_server(data_dir, s3, env=None, user="sam"):
    server = Server(data_dir, s3=s3, env=env)
    add_user(server, user, user + "-password-1")
    server.start()
    return server, Client(server, user, user + "-password-1")


def start_local_server(data_dir, user):
    """A server on local disk, whatever COFFER_TEST_STORAGE says."""
    server = Server(data_dir)
    server.s3 = None
    for name in ["COFFER_STORAGE_URL", *S3_CREDENTIALS]:
        server.env.pop(name, None)
    add_user(server, user, user + "-password-1")
    server.start()
    return server, Client(server, user, user + "-password-1")


def absent(client, name):
    return client.get("/api/v1/nodes", params={"path": "/" + name}).status_code == 404


def test_chunks_are_objects_under_the_prefix(data_dir, s3):
    server, client = start_server(data_dir, s3)
    try:
        data = os.urandom(3 * MiB)
        r = client.upload("big.bin", data)
        assert r.status_code == 201, r.text
        objects = s3.object_files(server.s3_prefix)
        assert len(objects) >= 2
        assert not os.path.exists(os.path.join(data_dir, "chunks"))
        assert client.get(f"/api/v1/files/{r.json()['id']}/content").content == data
        part = client.get(f"/api/v1/files/{r.json()['id']}/content", headers={"Range": "bytes=1048000-2500000"})
        assert part.status_code == 206 and part.content == data[1048000:2500001]
        assert client.get("/health/ready").json()["checks"]["chunk_store"] == "ok"
    finally:
        server.stop()


def test_store_down_during_upload_is_503_and_nothing_is_committed(data_dir, s3):
    server, client = start_server(data_dir, s3)
    try:
        stopped = threading.Event()

        def slow_body():
            for i in range(24):
                if i == 6:
                    s3.stop()  # the object store goes away in the middle of the upload
                    stopped.set()
                yield os.urandom(MiB // 2)

        r = client.upload("doomed.bin", slow_body())
        assert stopped.is_set()
        assert r.status_code == 503, r.text
        assert error_code(r) == "UNAVAILABLE"
        assert "S3RVER" not in r.text and "Signature" not in r.text
        assert absent(client, "doomed.bin")
        # Small uploads fail the same way while it is down, and readiness says so.
        r = client.upload("small.bin", b"x" * 1000)
        assert r.status_code == 503 and error_code(r) == "UNAVAILABLE"
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["chunk_store"] != "ok"

        s3.start()  # back on the same port
        data = os.urandom(2 * MiB)
        r = client.upload("after.bin", data)
        assert r.status_code == 201, r.text
        assert client.get(f"/api/v1/files/{r.json()['id']}/content").content == data
        assert absent(client, "doomed.bin") and absent(client, "small.bin")
        assert client.get("/health/ready").status_code == 200
    finally:
        server.stop()
    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr


def test_wrong_secret_is_refused_clearly(data_dir, s3):
    server, client = start_server(data_dir, s3, env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
    try:
        r = client.upload("x.bin", os.urandom(10_000))
        assert r.status_code == 503
        assert error_code(r) == "UNAVAILABLE"
        # The upload's GC lease (a PUT of a marker) is refused first, before any chunk.
        message = r.json()["error"]["message"]
        assert "credentials" in message and "SignatureDoesNotMatch" in message
        assert "not-the-secret" not in r.text
        assert absent(client, "x.bin")
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert "credentials" in ready.json()["checks"]["chunk_store"]
    finally:
        server.stop()
    assert "not-the-secret" not in server.log()


@pytest.mark.parametrize("kind", ["random", "compressible"])
def test_damaged_object_is_a_corruption_error_not_wrong_bytes(data_dir, s3, kind):
    server, client = start_server(data_dir, s3)
    try:
        data = os.urandom(200_000) if kind == "random" else b"coffer stores chunks " * 10_000
        r = client.upload("x.bin", data)
        assert r.status_code == 201
        (path,) = s3.object_files(server.s3_prefix).values()
        with open(path, "r+b") as f:
            where = os.path.getsize(path) - 20  # inside the payload, past the 16-byte header
            f.seek(where)
            byte = f.read(1)
            f.seek(where)
            f.write(bytes([byte[0] ^ 0x01]))
        fid = r.json()["id"]
        for headers in ({}, {"Range": "bytes=0-99"}):
            r = client.get(f"/api/v1/files/{fid}/content", headers=headers)
            assert r.status_code == 500, (headers, r.status_code)
            assert error_code(r) == "CORRUPTION"
    finally:
        server.stop()
    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 1 and "PROBLEM" in fsck.stdout


def test_storage_migrate_file_to_s3_and_back(data_dir, s3):
    # Files uploaded to local disk...
    local, client = start_local_server(data_dir, "mia")
    files = {f"f{i}.bin": os.urandom(size) for i, size in enumerate([10, 300_000, 2_500_000])}
    files["text.txt"] = b"compressible text " * 50_000
    for name, data in files.items():
        assert client.upload(name, data).status_code == 201
    local.stop()

    # ...move to S3, resumably and verified...
    s3_url = s3.storage_url("migrated")
    out = local.cli("storage", "migrate", "--to", s3_url, check=False)
    assert out.returncode == 2 and "AWS_ACCESS_KEY_ID" in out.stderr  # no credentials: clear
    local.env.update(S3_CREDENTIALS)
    out = local.cli("storage", "migrate", "--to", s3_url, "--verify", check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    stored = len(s3.object_files("migrated"))
    assert stored >= 5
    assert f"{stored} copied" in out.stdout and f"{stored} verified" in out.stdout
    again = local.cli("storage", "migrate", "--to", s3_url, check=False)
    assert again.returncode == 0 and "0 copied" in again.stdout and f"{stored} already" in again.stdout

    # ...serve from S3 with the local chunks gone...
    shutil.rmtree(os.path.join(data_dir, "chunks"))
    remote = Server(data_dir, env=dict(S3_CREDENTIALS, COFFER_STORAGE_URL=s3_url))
    remote.start()
    client = Client(remote, "mia", "mia-password-1")
    for name, data in files.items():
        fid = client.get("/api/v1/nodes", params={"path": "/" + name}).json()["id"]
        assert hashlib.sha256(client.get(f"/api/v1/files/{fid}/content").content).digest() == \
            hashlib.sha256(data).digest(), name
    remote.stop()
    assert remote.cli("fsck").returncode == 0

    # ...and back to a local directory, verified.
    back = os.path.join(data_dir, "back")
    out = remote.cli("storage", "migrate", "--to", "file://" + back, "--verify", check=False)
    assert out.returncode == 0 and f"{stored} copied" in out.stdout, out.stdout + out.stderr
    out = remote.cli("storage", "migrate", "--from", "file://" + back, "--to", s3_url, "--verify", check=False)
    assert out.returncode == 0 and "0 copied" in out.stdout and f"{stored} verified" in out.stdout


def test_storage_migrate_refuses_to_copy_a_corrupt_chunk(data_dir, s3):
    server, client = start_local_server(data_dir, "ned")
    assert client.upload("a.bin", os.urandom(100_000)).status_code == 201
    assert client.upload("b.bin", os.urandom(100_000)).status_code == 201
    server.stop()
    victim = sorted(server.chunk_files())[0]
    with open(victim, "r+b") as f:
        f.seek(50)
        f.write(b"\x00\x01\x02")
    server.env.update(S3_CREDENTIALS)
    out = server.cli("storage", "migrate", "--to", s3.storage_url("m"), check=False)
    assert out.returncode == 1
    assert "FAILED chunk " + os.path.basename(victim) in out.stdout and "CORRUPTION" in out.stdout
    assert "1 copied" in out.stdout and "1 failed" in out.stdout
    assert os.path.basename(victim) not in s3.object_files("m")


def test_storage_settings_from_the_config_file(data_dir, s3):
    config = os.path.join(data_dir, "coffer.toml")
    with open(config, "w") as f:
        f.write(f'storage_url = "{s3.storage_url("from-toml")}"\n'
                's3_access_key_id = "S3RVER"\ns3_secret_access_key = "S3RVER"\n')
    server, client = start_local_server(data_dir, "tom")  # no storage in the environment
    server.stop()
    server.extra_args = ["--config", config]
    server.start()
    client = Client(server, "tom", "tom-password-1")
    try:
        assert client.upload("x.bin", os.urandom(50_000)).status_code == 201
        assert len(s3.object_files("from-toml")) == 1
        # The environment's credentials take precedence over the file's.
        out = server.cli("--config", config, "fsck", check=False)
        assert out.returncode == 0, out.stdout + out.stderr
        server.env["AWS_ACCESS_KEY_ID"] = "S3RVER"
        server.env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        out = server.cli("--config", config, "fsck", check=False)
        assert out.returncode == 1 and "credentials" in out.stderr, out.stdout + out.stderr
        assert "wrong" not in out.stderr.replace("wrong credentials", "")
    finally:
        server.stop()


def test_bad_storage_urls_are_clear_errors(data_dir):
    server = Server(data_dir)
    for url, words in [("ftp://x", "file:// or s3://"), ("file://relative", "absolute path"),
                       ("s3://Bad_Bucket/p", "bucket name"), ("s3://bucket/p?endpont=x", "unknown parameter")]:
        out = server.cli("--storage-url", url, "fsck", check=False)
        assert out.returncode == 2 and words in out.stderr, (url, out.stderr)
