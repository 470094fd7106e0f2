"""Document status, tags and metadata through the real server, and listing filters on them."""

import doc_fixtures
import images
from conftest import error_code, wait_processed


def test_status_transitions_and_archived_is_read_only(server, alice, bob):
    # A new document is pending while its background jobs (here: text for search) run.
    fid = alice.upload("report.pdf", b"plain report text").json()["id"]
    node = wait_processed(alice, fid)
    assert node["status"] == "active" and node["tags"] == [] and node["metadata"] is None

    r = alice.patch(f"/api/v1/nodes/{fid}", json={"status": "error"})
    assert r.status_code == 409 and error_code(r) == "STATUS_TRANSITION_FORBIDDEN"
    r = alice.patch(f"/api/v1/nodes/{fid}", json={"status": "sleeping"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    assert bob.patch(f"/api/v1/nodes/{fid}", json={"status": "archived"}).status_code == 404

    r = alice.patch(f"/api/v1/nodes/{fid}", json={"status": "archived"})
    assert r.status_code == 200 and r.json()["status"] == "archived"
    # Read-only while archived: no new version, no rename, no delete — but readable.
    for attempt in (alice.upload("report.pdf", b"changed"),
                    alice.patch(f"/api/v1/nodes/{fid}", json={"name": "renamed.pdf"}),
                    alice.delete(f"/api/v1/nodes/{fid}")):
        assert attempt.status_code == 409 and error_code(attempt) == "ARCHIVED", attempt.text
    assert alice.get(f"/api/v1/files/{fid}/content").content == b"plain report text"
    # A refused move while archiving leaves the status as it was.
    other = alice.upload("other.txt", b"x").json()["id"]
    wait_processed(alice, other)
    folder = alice.mkdir("f")
    alice.upload("other.txt", b"y", folder=folder)
    r = alice.patch(f"/api/v1/nodes/{other}", json={"status": "archived", "parent_id": folder})
    assert r.status_code == 409 and error_code(r) == "NAME_CONFLICT"
    assert alice.get(f"/api/v1/nodes/{other}").json()["status"] == "active"

    # Archived nodes are hidden from listings unless asked for.
    listed = [n["id"] for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]]
    assert fid not in listed and other in listed
    archived = alice.get(f"/api/v1/folders/{alice.root}/children", params={"status": "archived"}).json()["items"]
    assert [n["id"] for n in archived] == [fid]

    r = alice.patch(f"/api/v1/nodes/{fid}", json={"status": "active", "name": "final.pdf"})
    assert r.status_code == 200 and r.json()["name"] == "final.pdf" and r.json()["status"] == "active"
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"status": "pending"}).json()["status"] == "pending"
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"status": "error"}).json()["status"] == "error"


def test_tags_and_metadata(server, alice):
    a = alice.upload("a.txt", b"a").json()["id"]
    b = alice.upload("b.txt", b"b").json()["id"]
    r = alice.patch(f"/api/v1/nodes/{a}", json={"tags": ["tax", "2026", "tax"], "metadata": {"client": "ACME", "n": 3}})
    assert r.status_code == 200
    assert r.json()["tags"] == ["2026", "tax"] and r.json()["metadata"] == {"client": "ACME", "n": 3}
    alice.patch(f"/api/v1/nodes/{b}", json={"tags": ["2026"]})
    by_tag = lambda t: sorted(n["id"] for n in alice.get(f"/api/v1/folders/{alice.root}/children", params={"tag": t}).json()["items"])
    assert by_tag("tax") == [a] and by_tag("2026") == sorted([a, b]) and by_tag("none") == []

    assert alice.get(f"/api/v1/files/{a}").json()["tags"] == ["2026", "tax"]
    r = alice.patch(f"/api/v1/nodes/{a}", json={"tags": [], "metadata": None})
    assert r.json()["tags"] == [] and r.json()["metadata"] is None
    for bad in ({"tags": "tax"}, {"tags": [1]}, {"tags": ["a/b"]}, {"tags": ["x" * 65]},
                {"tags": [str(i) for i in range(101)]}, {"metadata": [1, 2]}, {"metadata": "text"}):
        r = alice.patch(f"/api/v1/nodes/{a}", json=bad)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", bad
    r = alice.patch(f"/api/v1/nodes/{a}", json={"metadata": {"blob": "x" * 70000}})
    assert r.status_code == 413
    r = alice.patch(f"/api/v1/nodes/{a}", json={})
    assert r.status_code == 400
    # A purged node takes its tags with it.
    alice.patch(f"/api/v1/nodes/{b}", json={"tags": ["gone"]})
    alice.delete(f"/api/v1/nodes/{b}")
    assert alice.delete(f"/api/v1/trash/{b}").status_code == 204
    assert by_tag("gone") == []


def test_listing_filters_by_mime_size_and_modified_and_sorts_by_created(server, alice):
    folder = alice.mkdir("mixed")
    ids = {}
    # Real content: the type is sniffed from the bytes.
    bodies = [("b.png", images.png(8, 8)), ("a.gif", images.gif(2, 2)),
              ("c.pdf", doc_fixtures.pdf("filters"))]
    for name, body in bodies:
        r = alice.put(f"/api/v1/folders/{folder}/files/{name}", data=body)
        assert r.status_code in (200, 201), r.text
        ids[name] = r.json()
    size = {name: len(body) for name, body in bodies}
    assert len(set(size.values())) == 3
    alice.mkdir("sub", parent=folder)
    url = f"/api/v1/folders/{folder}/children"
    names = lambda **p: [n["name"] for n in alice.get(url, params=p).json()["items"]]

    # Sorted by creation: the order of the uploads, folders first.
    assert names(sort="created") == ["sub", "b.png", "a.gif", "c.pdf"]
    assert names(sort="created", order="desc") == ["sub", "c.pdf", "a.gif", "b.png"]
    # A cursor made for created sorting carries on where the page ended.
    first = alice.get(url, params={"sort": "created", "limit": 2}).json()
    rest = alice.get(url, params={"sort": "created", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [n["name"] for n in first["items"] + rest["items"]] == ["sub", "b.png", "a.gif", "c.pdf"]

    # File-only filters leave folders out.
    assert names(mime="image/") == ["a.gif", "b.png"]
    assert names(mime="application/pdf") == ["c.pdf"]
    assert names(mime="image/%") == [] and names(mime="_mage/") == []
    by_size = sorted(size, key=size.get)
    assert names(size_min=size[by_size[1]]) == sorted(by_size[1:])
    assert names(size_min=size[by_size[0]], size_max=size[by_size[1]]) == sorted(by_size[:2])
    # Modified range: [after, before), in the RFC 3339 form listings show.
    t = ids["a.gif"]["modified"]
    assert "a.gif" in names(modified_after=t) and "a.gif" not in names(modified_before=t)
    assert "b.png" in names(modified_before=t) or ids["b.png"]["modified"] == t
    assert names(modified_after="2000-01-01T00:00:00Z", size_min=0) == ["a.gif", "b.png", "c.pdf"]

    for bad in ({"sort": "colour"}, {"size_min": "-1"}, {"size_max": "x"},
                {"size_min": 10, "size_max": 5}, {"modified_after": "yesterday"}):
        r = alice.get(url, params=bad)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", bad
    # A cursor of another sort order is refused rather than misread.
    r = alice.get(url, params={"sort": "name", "cursor": first["next_cursor"]})
    assert r.status_code == 400
