"""Nextcloud's preview endpoints, which its mobile and desktop clients ask for thumbnails
(/index.php/core/preview?fileId=… and /index.php/core/preview.png?file=…), and nc:has-preview
in PROPFIND (docs/clients.md, "Previews")."""

import re
import shutil
import tempfile

import pytest
import requests

import images
from conftest import error_code, wait_processed
from dav_helpers import api_token, dav_session, propfind
from test_sync_clients import props_of

NC = "{http://nextcloud.org/ns}"
PREVIEW = "/index.php/core/preview"


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="coffer-previews-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def put(s, server, user, name, data):
    r = s.put(f"{server.url}/remote.php/dav/files/{user}/{name}", data=data)
    assert r.status_code == 201, r.text
    return r.headers["OC-FileId"]


def dimensions(data, tmp):
    """(width, height) of an image, as vipsheader reads it."""
    summary = images.vips_header(data, tmp)
    width, height = re.search(r"(\d+)x(\d+)", summary).groups()
    return int(width), int(height)


def test_a_photo_preview_is_an_image_within_the_box_asked_for(server, alice, tmp):
    s = dav_session(alice, api_token(alice))
    photo = images.vips_convert(images.png(800, 600), ".jpg", tmp)
    oc_id = put(s, server, "alice", "photo.jpg", photo)
    file_id = int(oc_id.removesuffix("occoffer"))
    put(s, server, "alice", "notes.txt", b"no preview for text\n")
    wait_processed(alice, file_id)

    # Android's request: within 64x64, aspect kept.
    r = s.get(server.url + PREVIEW, params={"fileId": file_id, "x": 64, "y": 64, "a": 1,
                                            "mode": "fill", "forceIcon": 0})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert dimensions(r.content, tmp) == (64, 48)
    # a=0, Nextcloud's default: the box exactly, cut from the centre; 32x32 when not given.
    r = s.get(server.url + PREVIEW, params={"fileId": oc_id})
    assert r.status_code == 200 and dimensions(r.content, tmp) == (32, 32)
    # mode=cover (NextcloudKit's): covers the box, aspect kept.
    r = s.get(server.url + PREVIEW, params={"fileId": file_id, "x": 96, "y": 96, "a": 1,
                                            "mode": "cover"})
    assert dimensions(r.content, tmp) == (128, 96)
    # Never enlarged past the source.
    r = s.get(server.url + PREVIEW, params={"fileId": file_id, "x": 2000, "y": 2000, "a": 1})
    assert dimensions(r.content, tmp) == (800, 600)
    # By path, as the desktop client's activity list asks.
    r = s.get(server.url + PREVIEW + ".png", params={"file": "/photo.jpg", "x": 100, "y": 100,
                                                     "a": 1})
    assert r.status_code == 200 and dimensions(r.content, tmp) == (100, 75)

    # Caching: revalidated by a strong ETag, kept for good when the URL names the version.
    r = s.get(server.url + PREVIEW, params={"fileId": file_id, "x": 64, "y": 64, "a": 1})
    assert r.headers["Cache-Control"] == "private, no-cache"
    again = s.get(server.url + PREVIEW, params={"fileId": file_id, "x": 64, "y": 64, "a": 1},
                  headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    etag = s.head(f"{server.url}/remote.php/dav/files/alice/photo.jpg").headers["ETag"]
    r = s.get(server.url + PREVIEW, params={"fileId": file_id, "x": 64, "y": 64, "a": 1,
                                            "c": etag.strip('"')})
    assert "immutable" in r.headers["Cache-Control"]

    # nc:has-preview says so exactly for the file that has one.
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns">'
            '<d:prop><nc:has-preview/></d:prop></d:propfind>')
    listing = props_of(propfind(s, server.url + "/remote.php/dav/files/alice/", body=body))
    previews = {href.rsplit("/", 1)[-1]: props[NC + "has-preview"].text
                for href, props in listing.items() if not href.endswith("/")}
    assert previews == {"photo.jpg": "true", "notes.txt": "false"}
    one = props_of(propfind(s, server.url + "/remote.php/dav/files/alice/photo.jpg", depth="0",
                            body=body))
    assert [p[NC + "has-preview"].text for p in one.values()] == ["true"]


def test_no_preview_of_text_of_another_users_file_or_without_credentials(server, alice, bob):
    s = dav_session(alice, api_token(alice))
    text_id = put(s, server, "alice", "notes.txt", b"plain text\n")
    wait_processed(alice, int(text_id.removesuffix("occoffer")))
    photo_id = put(s, server, "alice", "tiny.png", images.png(40, 20))
    wait_processed(alice, int(photo_id.removesuffix("occoffer")))
    assert s.get(server.url + PREVIEW, params={"fileId": photo_id, "x": 16, "y": 16}).status_code == 200

    # A text file has no preview: 404, as Nextcloud answers, and nothing to cache.
    r = s.get(server.url + PREVIEW, params={"fileId": text_id, "x": 64, "y": 64})
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    assert r.headers["Cache-Control"] == "no-store"
    assert s.get(server.url + PREVIEW + ".png", params={"file": "/notes.txt"}).status_code == 404
    # Another user's file is as missing as one that never existed.
    b = dav_session(bob, api_token(bob))
    assert b.get(server.url + PREVIEW, params={"fileId": photo_id}).status_code == 404
    assert b.get(server.url + PREVIEW, params={"fileId": 999999}).status_code == 404
    assert b.get(server.url + PREVIEW + ".png", params={"file": "/tiny.png"}).status_code == 404
    # No credentials: 401 with the Basic challenge the clients answer.
    r = requests.get(server.url + PREVIEW, params={"fileId": photo_id})
    assert r.status_code == 401 and "Basic" in r.headers["WWW-Authenticate"]
    # Malformed requests.
    assert s.get(server.url + PREVIEW, params={"fileId": photo_id, "x": 0}).status_code == 400
    assert s.get(server.url + PREVIEW, params={"fileId": "abc"}).status_code == 400
    assert s.get(server.url + PREVIEW).status_code == 400


def test_owncloud_asks_for_a_preview_as_the_files_webdav_url_with_preview_1(server, alice, bob, tmp):
    """ownCloud's clients ask WebDAV itself: GET {file}?preview=1&x=&y=&a=&c=. The same
    preview as Nextcloud's endpoint; without preview=1 the GET is the file; a folder, a text
    file and another user's file have none."""
    s = dav_session(alice, api_token(alice))
    photo = images.vips_convert(images.png(800, 600), ".jpg", tmp)
    file_id = int(put(s, server, "alice", "photo.jpg", photo).removesuffix("occoffer"))
    put(s, server, "alice", "notes.txt", b"no preview for text\n")
    wait_processed(alice, file_id)
    url = server.url + "/remote.php/webdav/photo.jpg"
    r = s.get(url, params={"preview": 1, "x": 64, "y": 64, "a": 1})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/jpeg"
    assert dimensions(r.content, tmp) == (64, 48)
    same = s.get(server.url + PREVIEW, params={"fileId": file_id, "x": 64, "y": 64, "a": 1})
    assert same.content == r.content and same.headers["ETag"] == r.headers["ETag"]
    # The file itself without preview=1 (and with preview=0).
    assert s.get(url).content == photo
    assert s.get(url, params={"preview": 0}).content == photo

    assert s.get(server.url + "/remote.php/webdav/notes.txt", params={"preview": 1}).status_code == 404
    b = dav_session(bob, api_token(bob))
    assert b.get(server.url + "/remote.php/dav/files/alice/photo.jpg",
                 params={"preview": 1}).status_code == 404
