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
