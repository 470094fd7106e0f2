"""kill -9 during concurrent uploads: every acknowledged upload survives byte-identical and
`coffer fsck` is clean after the restart."""

import hashlib
import os
import threading
import time

import requests

from conftest import Client, Server, add_user


def assert_all_present(client, acknowledged):
    """Every acknowledged upload ({name: sha256}) is there, byte-identical."""
    for name, digest in acknowledged.items():
        meta = client.get("/api/v1/nodes", params={"path": "/" + name})
        assert meta.status_code == 200, (name, meta.text)
        body = client.get(f"/api/v1/files/{meta.json()['id']}/content").content
        assert hashlib.sha256(body).hexdigest() == digest, name


def test_kill9_during_concurrent_uploads_loses_no_acknowledged_upload(data_dir):
    server = Server(data_dir)
    add_user(server, "carol", "carol-password-1")
    server.start()
    client = Client(server, "carol", "carol-password-1")
    acknowledged = {}  # name -> sha256 of what got a 201
    lock = threading.Lock()
    stop = threading.Event()

    def uploader(worker):
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + client.token
        i = 0
        while not stop.is_set() and i < 200:
            size = [1, 4096, 300_000, 2_500_000][i % 4]
            data = os.urandom(size)
            name = f"w{worker}-{i}.bin"
            try:
                r = session.put(f"{server.url}/api/v1/folders/{client.root}/files/{name}", data=data, timeout=30)
            except requests.RequestException:
                return  # the server died under us: this upload was never acknowledged
            if r.status_code == 201:
                with lock:
                    acknowledged[name] = hashlib.sha256(data).hexdigest()
            i += 1

    threads = [threading.Thread(target=uploader, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with lock:
            if len(acknowledged) >= 40:
                break
        time.sleep(0.05)
    server.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert len(acknowledged) > 0

    server.start()
    assert_all_present(Client(server, "carol", "carol-password-1"), acknowledged)
    server.stop()
    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert "clean" in fsck.stdout


def test_fsck_reports_a_corrupted_chunk(data_dir):
    server = Server(data_dir)
    add_user(server, "dave", "dave-password-1")
    server.start()
    client = Client(server, "dave", "dave-password-1")
    assert client.upload("x.bin", os.urandom(100_000)).status_code == 201
    server.stop()
    assert server.cli("fsck").returncode == 0
    chunk_files = server.chunk_files()
    assert len(chunk_files) == 1
    with open(chunk_files[0], "r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xFF]))
    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 1
    assert "PROBLEM" in fsck.stdout


def test_fsck_reports_a_damaged_record_in_a_packed_volume(data_dir):
    server = Server(data_dir)
    add_user(server, "dave", "dave-password-1")
    server.start()
    client = Client(server, "dave", "dave-password-1")
    data = os.urandom(4096)
    assert client.upload("small.bin", data).status_code == 201
    server.stop()
    assert server.cli("fsck").returncode == 0
    chunk_id = hashlib.sha256(data).hexdigest()  # a file below 256 KiB is one chunk
    if server.s3 is None:
        path, _, _ = server.stored_chunks()[chunk_id]
        assert path.endswith(".vol")
    server.damage_chunk(chunk_id, at=-100)
    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 1
    assert "PROBLEM" in fsck.stdout and chunk_id in fsck.stdout


def test_gc_removes_only_unreferenced_chunks(data_dir):
    server = Server(data_dir)
    add_user(server, "erin", "erin-password-1")
    server.start()
    client = Client(server, "erin", "erin-password-1")
    keep = os.urandom(200_000)
    client.upload("keep.bin", keep)
    gone = client.upload("gone.bin", os.urandom(200_000)).json()["id"]
    assert client.delete(f"/api/v1/nodes/{gone}").status_code == 204
    # The trash keeps the data: nothing is collectable until the item is purged.
    assert "0 removed" in server.cli("gc", "--grace", "0").stdout
    assert client.delete(f"/api/v1/trash/{gone}").status_code == 204
    server.stop()
    out = server.cli("gc", "--grace", "0").stdout
    assert "1 removed" in out, out
    assert server.cli("fsck").returncode == 0
    server.start()
    try:
        client = Client(server, "erin", "erin-password-1")
        fid = client.get("/api/v1/nodes", params={"path": "/keep.bin"}).json()["id"]
        assert client.get(f"/api/v1/files/{fid}/content").content == keep
    finally:
        server.stop()


def small_upload_burst(server, client, rounds_of, workers=16):
    """16 clients uploading 4 KiB files until `rounds_of` were acknowledged or the server dies;
    returns {name: sha256} of the acknowledged ones."""
    acknowledged = {}
    lock = threading.Lock()
    stop = threading.Event()

    def uploader(worker):
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + client.token
        for i in range(400):
            if stop.is_set():
                return
            data = os.urandom(4096)
            name = f"{rounds_of}-w{worker}-{i}.bin"
            try:
                r = session.put(f"{server.url}/api/v1/folders/{client.root}/files/{name}", data=data, timeout=30)
            except requests.RequestException:
                return  # the server died under us: never acknowledged
            if r.status_code == 201:
                with lock:
                    acknowledged[name] = hashlib.sha256(data).hexdigest()

    threads = [threading.Thread(target=uploader, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    return threads, stop, acknowledged, lock


def test_kill9_inside_group_commits_of_small_uploads_loses_nothing_acknowledged(data_dir):
    """Small files are packed into volumes and committed in groups: killed mid-group, again
    and again, the server comes back with every acknowledged file byte-identical, the torn
    volume tail cut off, and fsck clean."""
    server = Server(data_dir)
    add_user(server, "gina", "gina-password-1")
    all_acknowledged = {}
    for round_number in range(4):
        server.start()
        client = Client(server, "gina", "gina-password-1")
        threads, stop, acknowledged, lock = small_upload_burst(server, client, f"r{round_number}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                if len(acknowledged) >= 100 + 50 * round_number:
                    break
            time.sleep(0.01)
        server.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert len(acknowledged) > 0
        all_acknowledged.update(acknowledged)

    server.start()
    assert_all_present(Client(server, "gina", "gina-password-1"), all_acknowledged)
    server.stop()
    if server.s3 is None:
        volumes = [f for f in os.listdir(os.path.join(data_dir, "chunks", "volumes")) if f.endswith(".vol")]
        assert volumes, "4 KiB uploads are packed into volumes"
        assert len(server.chunk_files()) == 0, "no 4 KiB chunk became a file of its own"
    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert "clean" in fsck.stdout
