"""Streamed zip downloads of a selection and of a folder link, checked with Python's zipfile
and unzip."""

import io
import shutil
import subprocess
import tempfile
import zipfile

import pytest
import requests

from conftest import error_code


def test_zip_of_a_selection_streams_a_valid_archive(server, alice, bob):
    folder = alice.mkdir("Trip")
    sub = alice.mkdir("día 1", parent=folder)
    alice.upload("photo-日本.jpg", b"\xff\xd8" + b"p" * 300_000, folder=sub)
    alice.upload("notes.txt", b"hello", folder=folder)
    alice.mkdir("empty", parent=folder)
    loose = alice.upload("loose.txt", b"loose").json()["id"]
    r = alice.get("/api/v1/zip", params={"ids": f"{folder},{loose}"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/zip"
    assert r.headers.get("Transfer-Encoding") == "chunked"
    assert "attachment" in r.headers["Content-Disposition"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert z.testzip() is None
    names = z.namelist()
    assert set(names) == {"Trip/", "Trip/día 1/", "Trip/día 1/photo-日本.jpg", "Trip/empty/",
                          "Trip/notes.txt", "loose.txt"}
    assert z.read("Trip/día 1/photo-日本.jpg") == b"\xff\xd8" + b"p" * 300_000
    assert z.read("Trip/notes.txt") == b"hello"
    if shutil.which("unzip"):
        with tempfile.NamedTemporaryFile(suffix=".zip") as f:
            f.write(r.content)
            f.flush()
            out = subprocess.run(["unzip", "-t", f.name], capture_output=True, text=True)
            assert out.returncode == 0, out.stdout + out.stderr

    # One folder: the archive is named after it. Another user's ids are not found.
    r = alice.get("/api/v1/zip", params={"ids": str(folder)})
    assert 'Trip.zip' in r.headers["Content-Disposition"]
    r = bob.get("/api/v1/zip", params={"ids": str(folder)})
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    for bad in ("", "1,,2", "x", "-3", ",".join(["1"] * 1001)):
        r = alice.get("/api/v1/zip", params={"ids": bad})
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", bad


def test_zip_of_a_folder_link(server, alice):
    folder = alice.mkdir("Public")
    alice.upload("a.txt", b"A", folder=folder)
    token = alice.post(f"/api/v1/nodes/{folder}/links", json={"max_downloads": 1}).json()["token"]
    r = requests.get(server.url + f"/s/{token}/zip")
    assert r.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert z.namelist() == ["Public/", "Public/a.txt"] and z.read("Public/a.txt") == b"A"
    # The archive counted as the one download the link allows.
    assert requests.get(server.url + f"/s/{token}/zip").status_code == 404


@pytest.mark.skipif(__import__("conftest").STORAGE != "file",
                    reason="4 GiB through the S3 test server takes minutes; the archive code "
                           "path is the same on every store")
def test_zip_over_4_gib_of_repeated_content_passes_unzip(server, alice, tmp_path):
    """Zip64 through the real server: 17 copies of a 256 MiB file (copies share chunks, so
    this stores 256 MiB) stream as a 4.25 GiB archive that unzip -t accepts."""
    block = bytes(range(256)) * 4096  # 1 MiB, not compressible to nothing, deterministic
    folder = alice.mkdir("big")

    def body():
        for _ in range(256):
            yield block

    first = alice.put(f"/api/v1/folders/{folder}/files/part-00.bin", data=body())
    assert first.status_code == 201, first.text
    for i in range(1, 17):
        r = alice.post(f"/api/v1/nodes/{first.json()['id']}/copy",
                       json={"parent_id": folder, "name": f"part-{i:02d}.bin"})
        assert r.status_code == 201, r.text
    archive = tmp_path / "big.zip"
    with alice.get("/api/v1/zip", params={"ids": str(folder)}, stream=True) as r:
        assert r.status_code == 200
        with open(archive, "wb") as f:
            for piece in r.iter_content(1 << 20):
                f.write(piece)
    assert archive.stat().st_size > 17 * 256 * 2**20 > 2**32
    out = subprocess.run(["unzip", "-t", str(archive)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "No errors detected" in out.stdout
    listing = subprocess.run(["unzip", "-l", str(archive)], capture_output=True, text=True).stdout
    assert listing.count("part-") == 17 and "268435456" in listing
