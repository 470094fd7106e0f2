"""Content sniffing, upload policies, thumbnails and the background job queue, through the
real server: formats, EXIF orientation and stripping, corrupt and hostile images (the job fails,
the server stays up, the file still downloads), caching headers, operator views and retries,
and jobs that survive a kill -9."""

import os
import shutil
import tempfile
import time

import pytest
import requests

import images
from conftest import Client, Server, add_user, error_code

# Failed attempts are retried at once and a job is dead after two: hostile files settle fast.
FAST_JOBS = ["--job-backoff", "0", "--job-max-attempts", "2"]
POLL_SECONDS = 60  # an upper bound for a queue to settle on a loaded machine, never a measure


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="coffer-media-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def start(data_dir, *args):
    server = Server(data_dir, extra_args=[*FAST_JOBS, *args])
    add_user(server, "alice", "alice-password-1")
    add_user(server, "bob", "bob-password-12")
    add_user(server, "root", "root-password-1", admin=True)
    server.start()
    return server


@pytest.fixture
def media_server(data_dir):
    server = start(data_dir)
    yield server
    server.stop()


def settled_thumbnail(client, file_id, size="small"):
    """The thumbnail response once the file's job has finished one way or the other; 202
    THUMBNAIL_PENDING (with Retry-After) is the only other answer allowed meanwhile."""
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        r = client.get(f"/api/v1/files/{file_id}/thumbnail", params={"size": size})
        if r.status_code != 202:
            return r
        assert error_code(r) == "THUMBNAIL_PENDING" and int(r.headers["Retry-After"]) > 0
        assert time.monotonic() < deadline, "the thumbnail job never finished"
        time.sleep(0.1)


def upload(client, name, data, **kw):
    r = client.upload(name, data, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def node(client, file_id):
    r = client.get(f"/api/v1/nodes/{file_id}")
    assert r.status_code == 200, r.text
    return r.json()


def jobs_of(admin, file_id):
    items = admin.get("/api/v1/system/jobs", params={"limit": 500}).json()["items"]
    return [j for j in items if j["node_id"] == file_id]


def test_type_is_sniffed_and_kept_beside_the_declared_one(media_server):
    alice = Client(media_server, "alice", "alice-password-1")
    f = upload(alice, "notes.txt", images.png(8, 8), headers={"Content-Type": "text/plain"})
    assert f["mime"] == "image/png" and f["declared_mime"] == "text/plain"
    f = upload(alice, "fake.png", b"just some words\n")
    assert f["mime"] == "text/plain" and f["declared_mime"] == "image/png"
    # Markdown is plain text to libmagic: the declared, more specific text type is kept.
    f = upload(alice, "readme.md", b"# Title\n\nSome *text*.\n")
    assert f["mime"] == "text/markdown"
    # HTML dressed as an image is served by what it is: never inline, never as an image.
    f = upload(alice, "cat.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    assert f["mime"] == "text/html"
    r = alice.get(f"/api/v1/files/{f['id']}/content", params={"disposition": "inline"})
    assert r.headers["Content-Type"] == "text/html"
    assert r.headers["Content-Disposition"].startswith("attachment")
    # Multipart parts carry their own declared type.
    r = alice.post(f"/api/v1/folders/{alice.root}/files",
                   files={"file": ("pic.bin", images.gif(4, 4), "application/x-whatever")})
    assert r.status_code == 201
    assert r.json()["files"][0]["mime"] == "image/gif"
    assert r.json()["files"][0]["declared_mime"] == "application/x-whatever"


FORMATS = ["png", "jpeg", "gif", "webp", "tiff", "avif", "heic", "pdf"]


def image_of(fmt, tmp):
    if fmt == "png":
        return images.png(300, 200), "image/png"
    if fmt == "gif":
        return images.gif(30, 20), "image/gif"
    if fmt == "pdf":
        return images.pdf(300, 200), "application/pdf"
    suffix = {"jpeg": ".jpg", "webp": ".webp", "tiff": ".tif", "avif": ".avif", "heic": ".heic"}[fmt]
    try:
        data = images.vips_convert(images.png(300, 200), suffix, tmp)
    except Exception as e:  # noqa: BLE001 - an encoder this libvips lacks
        pytest.skip(f"the vips command cannot write {fmt} here: {e}")
    return data, {"jpeg": "image/jpeg", "webp": "image/webp", "tiff": "image/tiff",
                  "avif": "image/avif", "heic": "image/heic"}[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_thumbnails_of_every_format(media_server, tmp, fmt):
    alice = Client(media_server, "alice", "alice-password-1")
    admin = Client(media_server, "root", "root-password-1")
    data, mime = image_of(fmt, tmp)
    f = upload(alice, f"picture.{fmt}", data)
    assert f["mime"] == mime
    small = settled_thumbnail(alice, f["id"], "small")
    if small.status_code == 404 and fmt in ("avif", "heic"):
        failure = jobs_of(admin, f["id"])
        pytest.skip(f"this libvips cannot decode {fmt}: {failure}")
    assert small.status_code == 200, (small.status_code, small.text, jobs_of(admin, f["id"]))
    assert small.headers["Content-Type"] == "image/webp"
    if fmt == "gif":
        expect_small, expect_large = "30x20", "30x20"  # never enlarged
    else:
        expect_small, expect_large = "256x171", "300x200"
    assert f"{expect_small} " in images.vips_header(small.content, tmp)
    large = settled_thumbnail(alice, f["id"], "large")
    assert large.status_code == 200
    assert f"{expect_large} " in images.vips_header(large.content, tmp)
    n = node(alice, f["id"])
    assert n["media"]["width"] == int(expect_large.split("x")[0])
    assert n["status"] == "active"  # pending only while its job ran


def test_exif_orientation_applied_camera_kept_gps_stripped(media_server, tmp):
    alice = Client(media_server, "alice", "alice-password-1")
    jpeg = images.vips_convert(images.png(400, 200), ".jpg", tmp)
    photo = images.with_exif(jpeg, images.exif_segment(orientation=6, make="TestMaker", model="Cam 1",
                                                      taken="2024:05:01 10:20:30"))
    assert "GPSLatitude" in str(images.vips_header(photo, tmp, all_fields=True))
    f = upload(alice, "photo.jpg", photo)
    for size, expected in (("small", "128x256"), ("large", "200x400")):
        r = settled_thumbnail(alice, f["id"], size)
        assert r.status_code == 200, r.text
        fields = images.vips_header(r.content, tmp, all_fields=True)
        assert (fields["width"], fields["height"]) == tuple(expected.split("x")), "orientation 6 is a quarter turn"
        # Nothing of the camera's EXIF survives; libvips' WebP writer adds a minimal block of its
        # own (resolution, orientation top-left), which says nothing about the photo.
        leaked = [k for k in fields if "gps" in k.lower() or k.split("-")[-1] in
                  ("Make", "Model", "DateTimeOriginal")]
        assert not leaked, fields
        assert fields.get("orientation", "1") == "1"
        assert fields.get("exif-ifd0-Orientation", "1").startswith("1")
    media = node(alice, f["id"])["media"]
    assert media == {"width": 200, "height": 400, "camera_make": "TestMaker", "camera_model": "Cam 1",
                     "taken_at": "2024:05:01 10:20:30"}


def test_thumbnail_caching_headers_and_isolation(media_server):
    alice = Client(media_server, "alice", "alice-password-1")
    bob = Client(media_server, "bob", "bob-password-12")
    f = upload(alice, "a.png", images.png(50, 40))
    r = settled_thumbnail(alice, f["id"])
    assert r.status_code == 200
    etag = r.headers["ETag"]
    assert etag == f'"{f["sha256"]}.small"'
    assert r.headers["Cache-Control"] == "private, no-cache"
    r = alice.get(f"/api/v1/files/{f['id']}/thumbnail", params={"v": f["sha256"]})
    assert r.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    r = alice.get(f"/api/v1/files/{f['id']}/thumbnail", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert alice.get(f"/api/v1/files/{f['id']}/thumbnail", params={"size": "large"}).headers["ETag"] != etag
    r = alice.get(f"/api/v1/files/{f['id']}/thumbnail", params={"size": "huge"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    r = bob.get(f"/api/v1/files/{f['id']}/thumbnail")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    # Identical content under another name (or user) shares the thumbnail.
    g = upload(bob, "same.png", images.png(50, 40))
    r = settled_thumbnail(bob, g["id"])
    assert r.status_code == 200 and r.headers["ETag"] == etag
    # Files no image decoder handles never get one.
    t = upload(alice, "t.txt", b"hello")
    r = alice.get(f"/api/v1/files/{t['id']}/thumbnail")
    assert r.status_code == 404 and error_code(r) == "THUMBNAIL_NOT_AVAILABLE"
    b = upload(alice, "b.bmp", images.bmp(10, 10))
    assert b["mime"] == "image/bmp"
    r = alice.get(f"/api/v1/files/{b['id']}/thumbnail")
    assert r.status_code == 404 and error_code(r) == "THUMBNAIL_NOT_AVAILABLE"


HOSTILE = {
    "truncated": lambda: images.png(300, 200)[:300],
    "corrupt": lambda: images.png(300, 200)[:60] + bytes(range(256)) * 4 + images.png(300, 200)[-40:],
    "garbage-jpeg": lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(4000),
    "bomb": images.bomb_png,
    "lying-header": lambda: images.png(10, 10, declared=(5000, 5000)),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_images_fail_their_job_and_the_file_stays(media_server, kind):
    alice = Client(media_server, "alice", "alice-password-1")
    admin = Client(media_server, "root", "root-password-1")
    data = HOSTILE[kind]()
    f = upload(alice, f"{kind}.png", data)
    r = settled_thumbnail(alice, f["id"])
    assert r.status_code == 404 and error_code(r) == "THUMBNAIL_NOT_AVAILABLE", r.text
    assert requests.get(media_server.url + "/health/live").status_code == 200
    assert alice.get(f"/api/v1/files/{f['id']}/content").content == data
    n = node(alice, f["id"])
    assert n["status"] == "active" and n["media"] is None  # a failed job never hides the file
    [job] = jobs_of(admin, f["id"])
    # Unusable input is dead at its first attempt (no retry can mend it).
    assert job["state"] == "dead" and job["attempts"] == 1 and job["last_error"]
    if kind == "bomb":
        assert "over the limit" in job["last_error"]
    view = admin.get("/api/v1/system/jobs").json()
    assert view["depth"]["thumbnail"]["dead"] >= 1
    assert job["id"] in [j["id"] for j in view["failures"]]


def test_operator_retries_a_dead_job(media_server):
    alice = Client(media_server, "alice", "alice-password-1")
    admin = Client(media_server, "root", "root-password-1")
    f = upload(alice, "broken.png", images.png(300, 200)[:300])
    assert settled_thumbnail(alice, f["id"]).status_code == 404
    [job] = jobs_of(admin, f["id"])
    r = admin.post(f"/api/v1/system/jobs/{job['id']}/retry")
    assert r.status_code == 200 and r.json()["state"] in ("queued", "running", "dead")
    assert r.json()["attempts"] in (0, 1, 2)
    assert settled_thumbnail(alice, f["id"]).status_code == 404
    assert admin.get(f"/api/v1/system/jobs/{job['id']}").json()["state"] == "dead"
    r = admin.post("/api/v1/system/jobs/999999/retry")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    r = admin.get("/api/v1/system/jobs", params={"state": "sleeping"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    r = admin.get("/api/v1/system/jobs", params={"state": "dead"})
    assert [j["state"] for j in r.json()["items"]] == ["dead"]
    assert alice.get("/api/v1/system/jobs").status_code == 403


def test_jobs_survive_kill_9(data_dir):
    """Enqueued with the upload, the server killed before any worker ran, restarted: the job
    completes. A job claimed when the process died is reclaimed once its lease expires (unit
    tests: JobQueueTest.ExpiredLeaseIsReclaimedAndTheOldOwnerLosesIt)."""
    server = start(data_dir, "--job-workers", "0")
    try:
        alice = Client(server, "alice", "alice-password-1")
        f = upload(alice, "later.png", images.png(64, 64))
        r = alice.get(f"/api/v1/files/{f['id']}/thumbnail")
        assert r.status_code == 202 and error_code(r) == "THUMBNAIL_PENDING"
        assert node(alice, f["id"])["status"] == "pending"
        server.kill9()
        server.extra_args = FAST_JOBS
        server.start()
        alice = Client(server, "alice", "alice-password-1")
        assert settled_thumbnail(alice, f["id"]).status_code == 200
        assert node(alice, f["id"])["status"] == "active"
    finally:
        server.stop()


def test_upload_policy_image_host_profile(data_dir):
    server = start(data_dir, "--allow-type", "image/jpeg,image/png,image/webp,image/gif",
                   "--max-upload-size", str(5 * 1024 * 1024), "--max-upload-size-for", "image/gif=2000",
                   "--deny-type", "image/webp")
    try:
        alice = Client(server, "alice", "alice-password-1")

        def nothing_stored():
            children = alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]
            assert [c["name"] for c in children] == ["ok.png"]
            assert alice.get("/api/v1/usage").json()["counts"]["versions"] == 0

        assert upload(alice, "ok.png", images.png(20, 20))["mime"] == "image/png"
        for name, data in (("doc.txt", b"plain text"), ("pic.png", b"%PDF-1.4 disguised"),
                           ("x.webp", images.vips_convert(images.png(4, 4), ".webp", tempfile.gettempdir()))):
            r = alice.upload(name, data)
            assert r.status_code == 415 and error_code(r) == "TYPE_NOT_ALLOWED", r.text
        nothing_stored()
        big = images.png(2, 2) + b"\x00" * (5 * 1024 * 1024)
        r = alice.upload("big.png", big)  # Content-Length: refused before the body is read
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE"
        r = alice.upload("big.png", (big[i:i + 65536] for i in range(0, len(big), 65536)))  # chunked
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE"
        r = alice.upload("anim.gif", images.gif(40, 40) + b"\x00" * 2000)
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE"
        r = alice.post(f"/api/v1/folders/{alice.root}/files", files={"file": ("f.txt", b"text", "image/png")})
        assert r.status_code == 415 and error_code(r) == "TYPE_NOT_ALLOWED"
        nothing_stored()
        assert upload(alice, "small.gif", images.gif(4, 4))["mime"] == "image/gif"
    finally:
        server.stop()


def test_upload_policy_rejects_malformed_configuration(data_dir, tmp):
    server = Server(data_dir)
    for args in (["--allow-type", "images"], ["--deny-type", "image/*/x"],
                 ["--max-upload-size-for", "image/png"], ["--max-upload-size-for", "image/png=-1"]):
        r = server.cli("serve", "--listen", "127.0.0.1:0", *args, check=False)
        assert r.returncode != 0 and ("type" in r.stderr or "limit" in r.stderr), (args, r.stderr)
    config = os.path.join(tmp, "coffer.toml")
    with open(config, "w") as f:
        f.write('[serve]\nallowed_types = ["image/png"]\nmax_upload_size = 100\n'
                'max_upload_size_by_type = ["image/*=50"]\njob_workers = 1\n')
    server = Server(data_dir, extra_args=["--config", config])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        r = alice.upload("a.txt", b"text")
        assert r.status_code == 415 and error_code(r) == "TYPE_NOT_ALLOWED"
        r = alice.upload("a.png", images.png(30, 30))
        assert r.status_code == 413 and error_code(r) == "FILE_TOO_LARGE"
    finally:
        server.stop()
