"""Online backup and restore (docs/archive.md, "Backup and restore"): `coffer backup` while 16
clients upload, `coffer restore` into an empty directory, incremental backups that copy only
what changed, and `coffer backup --verify` finding damage. The embedded setup only (SQLite and
chunks on local disk): on the other engines `coffer backup` refuses, which one test checks
everywhere."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import pytest
import requests

from conftest import COFFER_BIN, ON_POSTGRES, STORAGE, Client, Server


embedded_only = pytest.mark.skipif(
    STORAGE == "s3" or ON_POSTGRES,
    reason="coffer backup covers SQLite metadata and chunks on local disk; PostgreSQL and S3 "
    "have their own backups (docs/archive.md), refused in test_backup_refuses_other_setups")


def coffer(*args, check=True):
    r = subprocess.run([COFFER_BIN, *args], capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def counts(output):
    """The copy counts `coffer backup` prints, by line: {"chunk files": (copied files, copied
    bytes, skipped files, skipped bytes), ...}."""
    found = {}
    for label in ("chunk files", "volumes"):
        m = re.search(label + r": copied (\d+) files \((\d+) bytes\), skipped (\d+) files \((\d+) bytes\)", output)
        assert m, output
        found[label] = tuple(int(g) for g in m.groups())
    m = re.search(r"metadata: copied (\d+) files \((\d+) bytes\)", output)
    assert m, output
    found["metadata"] = (int(m.group(1)), int(m.group(2)))
    return found


def backup(server, to):
    return coffer("backup", "--data", server.data_dir, "--to", to).stdout


@pytest.fixture
def backup_dir():
    d = tempfile.mkdtemp(prefix="coffer-backup-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def restored_dir():
    d = tempfile.mkdtemp(prefix="coffer-restored-")
    servers = []
    yield d, servers
    for s in servers:
        s.stop()
    shutil.rmtree(d, ignore_errors=True)


@embedded_only
def test_backup_while_16_clients_upload_then_restore(server, alice, bob, backup_dir, restored_dir):
    # What must come back besides the uploads: versions, a share, a link.
    folder = alice.mkdir("shared")
    doc = alice.upload("doc.bin", b"first version " * 100, folder=folder).json()["id"]
    assert alice.upload("doc.bin", b"second version " * 100, folder=folder).status_code in (200, 201)
    bob_id = bob.get("/api/v1/auth/me").json()["id"]
    assert alice.post(f"/api/v1/nodes/{folder}/shares", json={"user_id": bob_id, "permission": "read"}).status_code == 201
    link = alice.post(f"/api/v1/nodes/{doc}/links", json={}).json()

    acknowledged = {}  # name -> (sha256, when the 201 arrived)
    lock = threading.Lock()
    stop = threading.Event()

    def uploader(worker):
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + alice.token
        i = 0
        while not stop.is_set():
            size = [4096, 1, 4096, 300_000, 4096, 1_500_000][i % 6]
            data = os.urandom(size)
            name = f"w{worker}-{i}.bin"
            r = session.put(f"{server.url}/api/v1/folders/{alice.root}/files/{name}", data=data, timeout=60)
            if r.status_code == 201:
                with lock:
                    acknowledged[name] = (hashlib.sha256(data).hexdigest(), time.monotonic())
            i += 1

    threads = [threading.Thread(target=uploader, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(acknowledged) < 150:
            time.sleep(0.05)
        started = time.monotonic()
        first = backup(server, backup_dir)
        during = len(acknowledged)
        # A second, incremental backup while the uploads go on: the one restored.
        second_started = time.monotonic()
        second = backup(server, backup_dir)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(acknowledged) > during, "uploads went on during the backups"
    print(f"\n{len(acknowledged)} uploads acknowledged; two backups in {elapsed:.2f} s\n{first}\n{second}")
    assert counts(second)["chunk files"][2] > 0  # the first backup's chunk files were not copied again

    coffer("backup", "--verify", "--to", backup_dir)
    target, servers = restored_dir
    target = os.path.join(target, "data")
    r = coffer("restore", "--from", backup_dir, "--data", target)
    assert "all verified" in r.stdout
    fsck = coffer("fsck", "--data", target)
    assert "clean" in fsck.stdout, fsck.stdout

    restored = Server(target).start()
    servers.append(restored)
    alice2 = Client(restored, "alice", "alice-password-1")
    bob2 = Client(restored, "bob", "bob-password-12")
    listing = {}
    cursor = None
    while True:
        page = alice2.get(f"/api/v1/folders/{alice2.root}/children", params={"limit": 1000, **({"cursor": cursor} if cursor else {})}).json()
        listing.update({item["name"]: item["id"] for item in page["items"]})
        cursor = page.get("next_cursor")
        if not cursor:
            break
    checked_before = checked_later = 0
    for name, (digest, at) in acknowledged.items():
        before = at < second_started
        if name not in listing:
            # Acknowledged after the second backup began: it may be too late for it.
            assert not before, f"{name} was acknowledged before the backup and is missing"
            continue
        body = alice2.get(f"/api/v1/files/{listing[name]}/content").content
        assert hashlib.sha256(body).hexdigest() == digest, name
        checked_before += before
        checked_later += not before
    assert checked_before >= 150
    print(f"restored: {checked_before} files acknowledged before the backup and {checked_later} during it, identical")

    versions = alice2.get(f"/api/v1/files/{doc}/versions").json()["items"]
    assert len(versions) == 2
    old = alice2.get(f"/api/v1/files/{doc}/versions/{versions[1]['id']}/content").content
    assert old == b"first version " * 100
    assert [s["id"] for s in bob2.get("/api/v1/shared-with-me").json()["items"]] == [folder]
    assert requests.get(restored.url + "/s/" + link["token"] + "/content").content == b"second version " * 100


@embedded_only
def test_incremental_backup_copies_only_the_changes(server, alice, backup_dir):
    for i in range(30):
        assert alice.upload(f"small-{i}.bin", os.urandom(4096)).status_code == 201
    # Larger than a volume record (64 KiB), smaller than the chunker's least cut (256 KiB):
    # exactly one chunk file each, whatever the random bytes.
    for i in range(2):
        assert alice.upload(f"big-{i}.bin", os.urandom(200_000)).status_code == 201
    full = counts(backup(server, backup_dir))
    assert full["chunk files"][0] == 2 and full["volumes"][1] >= 30 * 4096

    unchanged = counts(backup(server, backup_dir))
    assert unchanged["chunk files"][:2] == (0, 0) and unchanged["chunk files"][2] == 2
    assert unchanged["volumes"][1] == 0

    for i in range(3):
        assert alice.upload(f"new-small-{i}.bin", os.urandom(4096)).status_code == 201
    assert alice.upload("new-big.bin", os.urandom(150_000)).status_code == 201
    changed = counts(backup(server, backup_dir))
    # One new chunk file; the volume's copy grows by the three new records only (each the
    # 4,096 bytes, the chunk header of 16 and the record header of 48).
    assert changed["chunk files"][0] == 1 and changed["chunk files"][2] == 2
    assert changed["volumes"][1] == 3 * (4096 + 16 + 48)
    assert changed["metadata"][0] == 3  # the databases and the key, whole every time
    coffer("backup", "--verify", "--to", backup_dir)


@embedded_only
def test_verify_names_a_flipped_byte(server, alice, backup_dir):
    assert alice.upload("big.bin", os.urandom(400_000)).status_code == 201
    assert alice.upload("small.bin", os.urandom(4096)).status_code == 201
    backup(server, backup_dir)
    with open(os.path.join(backup_dir, "MANIFEST.json")) as f:
        manifest = json.load(f)
    for kind in ("chunk", "volume"):
        entry = next(e for e in manifest["files"] if e["kind"] == kind)
        path = os.path.join(backup_dir, entry["path"])
        with open(path, "r+b") as f:
            f.seek(entry["size"] // 2)
            byte = f.read(1)
            f.seek(entry["size"] // 2)
            f.write(bytes([byte[0] ^ 0x01]))
        r = coffer("backup", "--verify", "--to", backup_dir, check=False)
        assert r.returncode == 1 and entry["path"] in r.stderr, r.stderr
        with open(path, "r+b") as f:
            f.seek(entry["size"] // 2)
            f.write(byte)
    coffer("backup", "--verify", "--to", backup_dir)


@embedded_only
def test_restore_refuses_a_directory_in_use(server, alice, backup_dir):
    backup(server, backup_dir)
    r = coffer("restore", "--from", backup_dir, "--data", server.data_dir, check=False)
    assert r.returncode != 0 and "not empty" in r.stderr, r.stderr
    r = coffer("restore", "--from", server.data_dir, "--data", server.data_dir + "-new", check=False)
    assert r.returncode != 0 and "MANIFEST.json" in r.stderr, r.stderr


def test_backup_refuses_other_setups(tmp_path):
    data = str(tmp_path / "data")
    r = coffer("backup", "--data", data, "--to", str(tmp_path / "b"),
               "--database-url", "postgresql://coffer@127.0.0.1:1/coffer", check=False)
    assert r.returncode != 0 and "pg_dump" in r.stderr and "docs/archive.md" in r.stderr, r.stderr
    r = coffer("backup", "--data", data, "--to", str(tmp_path / "b"),
               "--storage-url", "s3://bucket/prefix?endpoint=http://127.0.0.1:1", check=False)
    assert r.returncode != 0 and "bucket versioning" in r.stderr and "docs/archive.md" in r.stderr, r.stderr
    assert not os.path.exists(tmp_path / "b")
