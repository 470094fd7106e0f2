"""Verified reads: a chunk whose stored bytes no longer hash to its id is never served as a
complete download. Before the response headers the client gets a 500 CORRUPTION error; after
them (a damaged later chunk) the connection is cut, so the client sees a short body. Every
damaged chunk met is counted (/metrics), logged and listed for operators
(GET /api/v1/system/damaged-chunks); `coffer fsck` reports it too."""

import hashlib
import os
import re
import socket
from urllib.parse import urlparse

import pytest
import requests

from conftest import Client, Server, add_user, error_code
from dav_helpers import api_token, dav_session

CHUNK_HEADER = 16  # ChunkCodec::kHeaderSize: the encoded chunk's payload starts after it


def stored_chunks(server):
    """Where each stored chunk's raw payload lies: chunk id (hex) -> (file, offset), in a file
    of its own, a packed volume or the S3 test server (conftest's Server.stored_chunks)."""
    return {chunk: (path, offset + CHUNK_HEADER)
            for chunk, (path, offset, _) in server.stored_chunks().items()}


def flip_bit(server, chunk, at):
    """Flips one bit of the byte at `at` in the stored payload of `chunk`."""
    path, base = stored_chunks(server)[chunk]
    with open(path, "r+b") as f:
        f.seek(base + at)
        byte = f.read(1)
        f.seek(base + at)
        f.write(bytes([byte[0] ^ 0x10]))


def chunks_of(server, data):
    """The ids of the stored chunks that make up `data`, in order (random data: each chunk's
    first bytes occur once in it)."""
    located = []
    for chunk, (path, base) in stored_chunks(server).items():
        with open(path, "rb") as f:
            f.seek(base)
            head = f.read(64)
        at = data.find(head)
        if at >= 0:
            located.append((at, chunk))
    return [chunk for _, chunk in sorted(located)]


def damaged_total(server):
    text = requests.get(server.url + "/metrics").text
    m = re.search(r"^coffer_chunks_damaged_total (\d+)$", text, re.M)
    assert m, "no coffer_chunks_damaged_total in /metrics"
    return int(m.group(1))


@pytest.fixture
def admin(server):
    add_user(server, "root", "root-password-1", admin=True)
    return Client(server, "root", "root-password-1")


def upload_damaged(client, name="damaged.bin", size=100_000, at=None):
    """Uploads `size` incompressible bytes (one chunk below 256 KiB, stored raw: its id is the
    file's SHA-256) and flips a bit of the stored chunk at `at` (default: its last byte)."""
    data = os.urandom(size)
    r = client.upload(name, data)
    assert r.status_code == 201, r.text
    chunk = hashlib.sha256(data).hexdigest()
    flip_bit(client.server, chunk, size - 1 if at is None else at)
    return r.json(), data, chunk


def assert_corruption(r):
    assert r.status_code == 500, (r.status_code, r.headers, len(r.content))
    assert r.headers["Content-Type"] == "application/json"
    assert error_code(r) == "CORRUPTION"


def test_flipped_bit_in_raw_chunk_is_not_served(server, alice):
    meta, data, chunk = upload_damaged(alice)
    assert_corruption(alice.get(f"/api/v1/files/{meta['id']}/content"))
    # HEAD reads no content: it still answers from the catalog.
    head = alice.http.head(alice.url(f"/api/v1/files/{meta['id']}/content"))
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(data))


def test_range_request_away_from_the_flipped_bit_is_not_served(server, alice):
    # The damage is in the last byte; the range is the first 100 bytes of the same chunk.
    meta, _, _ = upload_damaged(alice)
    assert_corruption(alice.get(f"/api/v1/files/{meta['id']}/content", headers={"Range": "bytes=0-99"}))


def test_flipped_bit_is_not_served_by_any_download_path(server, alice):
    meta, data, chunk = upload_damaged(alice, name="everywhere.bin")
    fid = meta["id"]
    # WebDAV GET.
    dav = dav_session(alice, api_token(alice))
    assert_corruption(dav.get(server.url + "/dav/everywhere.bin"))
    assert_corruption(dav.get(server.url + "/dav/everywhere.bin", headers={"Range": "bytes=10-20"}))
    # A version's content.
    version = alice.get(f"/api/v1/files/{fid}/versions").json()["items"][0]["id"]
    assert_corruption(alice.get(f"/api/v1/files/{fid}/versions/{version}/content"))
    # A signed download URL.
    link = alice.post(f"/api/v1/files/{fid}/download-url").json()
    assert_corruption(requests.get(server.url + link["url"]))
    # A public share link.
    token = alice.post(f"/api/v1/nodes/{fid}/links", json={}).json()["token"]
    assert_corruption(requests.get(server.url + f"/s/{token}/content"))


def read_all(url, headers):
    """GETs `url` on a raw socket and returns (status line, Content-Length, body bytes
    received before the server closed the connection)."""
    u = urlparse(url)
    with socket.create_connection((u.hostname, u.port), timeout=30) as s:
        lines = [f"GET {u.path} HTTP/1.1", f"Host: {u.netloc}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        received = b""
        while b"\r\n\r\n" not in received:
            piece = s.recv(65536)
            assert piece, "connection closed before the response head"
            received += piece
        head, body = received.split(b"\r\n\r\n", 1)
        while True:
            try:
                piece = s.recv(1 << 20)
            except ConnectionResetError:
                break
            if not piece:
                break
            body += piece
    head_lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in head_lines[1:])
    return head_lines[0], int(fields["Content-Length"]), body


def test_damaged_later_chunk_cuts_the_download_short(server, alice, admin):
    # Chunks are 256 KiB .. 4 MiB: 12 MiB of random bytes make several.
    data = os.urandom(12 << 20)
    meta = alice.upload("big.bin", data).json()
    chunks = chunks_of(server, data)
    assert len(chunks) >= 2, chunks
    last = chunks[-1]
    flip_bit(server, last, 1000)
    before = damaged_total(server)

    status, length, body = read_all(alice.url(f"/api/v1/files/{meta['id']}/content"),
                                    {"Authorization": "Bearer " + alice.token})
    assert " 200 " in status and length == len(data)
    assert len(body) < len(data), "the whole length was sent although a chunk is damaged"
    assert data.startswith(body[:len(body)])
    # Through an HTTP client library: an error, or a body shorter than the file; never all of it.
    try:
        received = len(alice.get(f"/api/v1/files/{meta['id']}/content").content)
    except requests.exceptions.RequestException:
        received = None
    assert received is None or received < len(data)

    assert damaged_total(server) >= before + 1
    listed = admin.get("/api/v1/system/damaged-chunks").json()["items"]
    assert last in [item["chunk"] for item in listed]


def test_damaged_chunk_is_counted_logged_and_listed_for_operators(server, alice, bob, admin):
    before = damaged_total(server)
    meta, _, chunk = upload_damaged(alice, at=5)
    for _ in range(2):
        assert_corruption(alice.get(f"/api/v1/files/{meta['id']}/content"))
    assert damaged_total(server) == before + 2

    r = admin.get("/api/v1/system/damaged-chunks")
    assert r.status_code == 200, r.text
    items = [item for item in r.json()["items"] if item["chunk"] == chunk]
    assert len(items) == 1
    item = items[0]
    assert item["count"] == 2 and item["first_seen"].endswith("Z") and item["last_seen"].endswith("Z")
    assert item["file_id"] == meta["id"] and item["version_id"] > 0
    # Only operators and administrators see it.
    r = bob.get("/api/v1/system/damaged-chunks")
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    assert requests.get(server.url + "/api/v1/system/damaged-chunks").status_code == 401

    # One warning line per damaged read, naming the chunk and the file.
    warnings = [line for line in server.log().splitlines() if chunk in line and '"level":"warn' in line]
    assert warnings and f'"file_id":{meta["id"]}' in warnings[-1]


def test_fsck_reports_the_chunk_that_reads_refuse(data_dir):
    server = Server(data_dir)
    add_user(server, "dave", "dave-password-1")
    server.start()
    client = Client(server, "dave", "dave-password-1")
    meta, _, chunk = upload_damaged(client)
    assert_corruption(client.get(f"/api/v1/files/{meta['id']}/content"))
    server.stop()
    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 1
    assert "PROBLEM" in fsck.stdout and chunk in fsck.stdout


def test_intact_files_still_download_whole(server, alice):
    for size in (1, 4096, 300_000, 5 << 20):
        data = os.urandom(size)
        meta = alice.upload(f"ok-{size}.bin", data).json()
        r = alice.get(f"/api/v1/files/{meta['id']}/content")
        assert r.status_code == 200 and r.content == data
        r = alice.get(f"/api/v1/files/{meta['id']}/content", headers={"Range": f"bytes={size // 2}-"})
        assert r.status_code == 206 and r.content == data[size // 2:]
