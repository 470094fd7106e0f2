"""Compressed answers (issue 22): the server's own JSON and XML — listings, search, the
OpenAPI document, PROPFIND, also streamed — come zstd- or gzip-compressed when the client
accepts it and decompress to exactly the uncompressed answer; small answers and file contents
(whatever their type) never are."""

import gzip
import subprocess

import requests

from dav_helpers import api_token, dav_session

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True


def zstd_decompress(data):
    return subprocess.run(["zstd", "-d", "-c", "-q"], input=data, capture_output=True, check=True).stdout


def raw(client, path, encoding, **kw):
    """The body as sent (not decoded by requests), and the response."""
    r = client.http.get(client.url(path), headers={"Accept-Encoding": encoding}, stream=True, **kw)
    return r.raw.read(decode_content=False), r


def test_listings_come_compressed_as_asked_and_decompress_to_the_same_answer(alice):
    folder = alice.mkdir("many")
    for i in range(60):
        assert alice.upload(f"report-{i:03d}.txt", b"x" * i, folder=folder).status_code == 201
    path = f"/api/v1/folders/{folder}/children?limit=100"
    identity, r = raw(alice, path, "identity")
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert "Accept-Encoding" in r.headers.get("Vary", "")
    gz, r = raw(alice, path, "gzip, deflate")
    assert r.headers["Content-Encoding"] == "gzip" and len(gz) < len(identity) / 3
    assert gzip.decompress(gz) == identity
    zst, r = raw(alice, path, "gzip, zstd")  # zstd preferred when offered
    assert r.headers["Content-Encoding"] == "zstd" and len(zst) < len(identity) / 3
    assert zstd_decompress(zst) == identity
    refused, r = raw(alice, path, "gzip;q=0, zstd;q=0")
    assert "Content-Encoding" not in r.headers and refused == identity
    # Search and the API description too.
    body, r = raw(alice, "/api/v1/search?q=report&limit=50", "gzip")
    assert r.headers["Content-Encoding"] == "gzip" and b"report-0" in gzip.decompress(body)
    body, r = raw(alice, "/api/v1/openapi.json", "zstd")
    assert r.headers["Content-Encoding"] == "zstd" and b'"openapi"' in zstd_decompress(body)


def test_small_answers_and_file_contents_are_never_compressed(alice):
    r = alice.get("/api/v1/auth/me", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    # A JSON file is the user's bytes: its own ETag, ranges, digest; never re-encoded.
    doc = b'{"k": "' + b"v" * 5000 + b'"}'
    node = alice.upload("data.json", doc, headers={"Content-Type": "application/json"}).json()["id"]
    body, r = raw(alice, f"/api/v1/files/{node}/content", "gzip, zstd")
    assert "Content-Encoding" not in r.headers and body == doc
    r = alice.get(f"/api/v1/files/{node}/content", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert r.status_code == 206 and r.content == doc[:10] and "Content-Encoding" not in r.headers


def test_a_streamed_propfind_is_compressed_as_it_streams(server, alice):
    folder = alice.mkdir("dav-many")
    for i in range(300):
        assert alice.upload(f"f{i:04d}.bin", b"", folder=folder).status_code == 201
    s = dav_session(alice, api_token(alice))
    url = server.url + "/dav/dav-many/"
    plain = s.request("PROPFIND", url, headers={"Depth": "1", "Accept-Encoding": "identity"})
    assert plain.status_code == 207
    r = s.request("PROPFIND", url, headers={"Depth": "1", "Accept-Encoding": "gzip"}, stream=True)
    assert r.status_code == 207 and r.headers["Content-Encoding"] == "gzip"
    assert r.headers.get("Transfer-Encoding") == "chunked"
    body = gzip.decompress(r.raw.read(decode_content=False))
    assert body == plain.content and body.count(b"<D:response>") == 301
