"""Shares with users and groups, and public share links, through the real server."""

import requests

from conftest import Client, add_user, error_code


def user_id(client):
    return client.get("/api/v1/auth/me").json()["id"]


def test_user_share_read_then_write_then_revoked_at_once(server, alice, bob):
    folder = alice.mkdir("Project")
    sub = alice.mkdir("drafts", parent=folder)
    doc = alice.upload("plan.txt", b"v1", folder=sub).json()["id"]
    private = alice.upload("private.txt", b"secret").json()["id"]
    bob_id = user_id(bob)

    # Before any share Bob sees nothing, exactly as for ids that do not exist.
    assert bob.get(f"/api/v1/nodes/{doc}").status_code == 404
    assert bob.get("/api/v1/shared-with-me").json()["items"] == []

    r = alice.post(f"/api/v1/nodes/{folder}/shares", json={"user_id": bob_id, "permission": "read"})
    assert r.status_code == 201, r.text
    share = r.json()
    assert share["permission"] == "read" and share["username"] == "bob"
    mine = bob.get("/api/v1/shared-with-me").json()["items"]
    assert [(i["id"], i["permission"], i["owner"]["username"]) for i in mine] == [(folder, "read", "alice")]

    # Read: browse, stat, download, versions; below the shared folder only.
    names = [n["name"] for n in bob.get(f"/api/v1/folders/{folder}/children").json()["items"]]
    assert names == ["drafts"]
    assert bob.get(f"/api/v1/files/{doc}/content").content == b"v1"
    assert bob.get(f"/api/v1/files/{doc}/versions").status_code == 200
    assert bob.get(f"/api/v1/nodes/{private}").status_code == 404
    assert bob.get(f"/api/v1/folders/{alice.root}/children").status_code == 404
    # ... but no writes.
    for r in (bob.upload("new.txt", b"x", folder=sub), bob.delete(f"/api/v1/nodes/{doc}"),
              bob.patch(f"/api/v1/nodes/{doc}", json={"name": "mine.txt"}),
              bob.patch(f"/api/v1/nodes/{doc}", json={"tags": ["x"]}),
              bob.post("/api/v1/folders", json={"parent_id": sub, "name": "n"})):
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", r.text
    # Only the owner sees and manages a node's shares and links.
    assert bob.get(f"/api/v1/nodes/{folder}/shares").status_code == 403
    assert bob.post(f"/api/v1/nodes/{folder}/links", json={}).status_code == 403

    # Sharing again changes the permission.
    r = alice.post(f"/api/v1/nodes/{folder}/shares", json={"username": "bob", "permission": "write"})
    assert r.status_code == 201 and r.json()["id"] == share["id"]
    r = bob.upload("plan.txt", b"v2 by bob", folder=sub)
    assert r.status_code in (200, 201), r.text
    assert alice.get(f"/api/v1/files/{doc}/content").content == b"v2 by bob"
    new = bob.upload("notes.txt", b"bob's", folder=sub).json()["id"]
    assert bob.patch(f"/api/v1/nodes/{new}", json={"name": "notes-1.txt", "tags": ["bob"]}).status_code == 200
    # What Bob adds is Alice's: her quota, her trash.
    assert alice.get(f"/api/v1/nodes/{new}").json()["name"] == "notes-1.txt"
    assert bob.delete(f"/api/v1/nodes/{new}").status_code == 204
    assert new in [i["id"] for i in alice.get("/api/v1/trash").json()["items"]]
    # The shared folder itself stays the owner's to rename, move or delete.
    for r in (bob.delete(f"/api/v1/nodes/{folder}"), bob.patch(f"/api/v1/nodes/{folder}", json={"name": "x"})):
        assert r.status_code == 403, r.text
    # Moving out of the share into Bob's own tree is refused, and so is moving into the share.
    mine_folder = bob.mkdir("mine")
    r = bob.patch(f"/api/v1/nodes/{doc}", json={"parent_id": mine_folder})
    assert r.status_code == 409 and error_code(r) == "CONFLICT"
    own = bob.upload("own.txt", b"b").json()["id"]
    assert bob.patch(f"/api/v1/nodes/{own}", json={"parent_id": sub}).status_code == 409
    # Alice's listing of her shares; Bob cannot revoke someone else's share of another user.
    assert [s["user_id"] for s in alice.get(f"/api/v1/nodes/{folder}/shares").json()["items"]] == [bob_id]

    # Revoking takes effect at once.
    assert alice.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    assert bob.get(f"/api/v1/files/{doc}/content").status_code == 404
    assert bob.get("/api/v1/shared-with-me").json()["items"] == []
    assert alice.delete(f"/api/v1/shares/{share['id']}").status_code == 404


def test_group_share_and_bad_requests(server, alice, bob):
    add_user(server, "root", "root-password-1", admin=True)
    add_user(server, "carol", "carol-password-1")
    root = Client(server, "root", "root-password-1")
    carol = Client(server, "carol", "carol-password-1")
    gid = root.post("/api/v1/admin/groups", json={"name": "Team"}).json()["id"]
    assert root.put(f"/api/v1/admin/groups/{gid}/members/{user_id(bob)}").status_code == 204

    folder = alice.mkdir("Team files")
    f = alice.upload("a.txt", b"team", folder=folder).json()["id"]
    r = alice.post(f"/api/v1/nodes/{folder}/shares", json={"group_id": gid, "permission": "write"})
    assert r.status_code == 201 and r.json()["group_name"] == "Team"
    assert bob.get(f"/api/v1/files/{f}/content").content == b"team"
    assert carol.get(f"/api/v1/files/{f}/content").status_code == 404
    # Group membership is read on every request: adding Carol opens it to her at once.
    assert root.put(f"/api/v1/admin/groups/{gid}/members/{user_id(carol)}").status_code == 204
    assert carol.get(f"/api/v1/files/{f}/content").content == b"team"
    # A recipient may leave a share made to them by name, but not a group's.
    share_id = r.json()["id"]
    assert bob.delete(f"/api/v1/shares/{share_id}").status_code == 404

    for body, status in [({"permission": "read"}, 400),
                         ({"user_id": user_id(bob), "group_id": gid}, 400),
                         ({"user_id": user_id(alice)}, 400),
                         ({"user_id": 999999}, 404), ({"group_id": 999999}, 404),
                         ({"username": "nobody"}, 404),
                         ({"user_id": user_id(bob), "permission": "admin"}, 400)]:
        r = alice.post(f"/api/v1/nodes/{folder}/shares", json=body)
        assert r.status_code == status, (body, r.text)
    assert alice.post(f"/api/v1/nodes/{alice.root}/shares", json={"user_id": user_id(bob)}).status_code == 409
    assert bob.post(f"/api/v1/nodes/{folder}/shares", json={"user_id": user_id(carol)}).status_code == 403


def anonymous(server):
    return requests.Session()


def test_file_link_with_password_limit_and_uniform_404(server, alice):
    f = alice.upload("photo.jpg", b"\xff\xd8jpeg-bytes" * 100).json()["id"]
    r = alice.post(f"/api/v1/nodes/{f}/links", json={"password": "link-pass-1", "max_downloads": 2})
    assert r.status_code == 201, r.text
    link = r.json()
    token = link["token"]
    assert link["url"] == "/s/" + token and len(token) >= 43 and link["has_password"] is True
    visitor = anonymous(server)
    base = server.url + "/s/" + token

    r = visitor.get(base)
    assert r.status_code == 401 and error_code(r) == "LINK_PASSWORD_REQUIRED"
    assert visitor.get(base + "/content").status_code == 401
    r = visitor.post(base + "/unlock", json={"password": "wrong"})
    assert r.status_code == 401
    r = visitor.post(base + "/unlock", json={"password": "link-pass-1"})
    assert r.status_code == 200, r.text
    assert "link-pass-1" not in r.text
    access = r.json()["access_token"]
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("coffer_link=" + access) and f"Path=/s/{token}" in cookie and "HttpOnly" in cookie
    # A browser sends the cookie back (Secure: not over this plain-http test connection, so
    # the test sends it by hand); a script sends the token as a header.
    assert requests.get(base, headers={"Cookie": "coffer_link=" + access}).status_code == 200
    visitor.headers["X-Link-Access"] = access
    info = visitor.get(base).json()
    assert info["name"] == "photo.jpg" and info["downloads_left"] == 2
    r = visitor.get(base + "/content", headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.content == b"\xff\xd8jp"
    whole = visitor.get(base + "/content")
    assert whole.status_code == 200 and len(whole.content) == 1200
    assert "attachment" in whole.headers["Content-Disposition"] and "sandbox" in whole.headers["Content-Security-Policy"]
    # Two downloads used: the link is exhausted and answers like an unknown one.
    r = visitor.get(base + "/content")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    assert visitor.get(base).status_code == 404

    listed = alice.get("/api/v1/links", params={"node_id": f}).json()["items"]
    assert [(l["id"], l["downloads"], l["views"] >= 1) for l in listed] == [(link["id"], 2, True)]
    # Raising the limit revives it; changing the password ends access granted by the old one.
    assert alice.patch(f"/api/v1/links/{link['id']}", json={"max_downloads": None}).status_code == 200
    assert visitor.get(base + "/content").status_code == 200
    assert alice.patch(f"/api/v1/links/{link['id']}", json={"password": "link-pass-2"}).status_code == 200
    assert visitor.get(base + "/content").status_code == 401
    # Disabled, expired, deleted and made-up tokens: all the same 404.
    assert alice.patch(f"/api/v1/links/{link['id']}", json={"password": None, "disabled": True}).status_code == 200
    expired = alice.post(f"/api/v1/nodes/{f}/links", json={}).json()
    assert alice.patch(f"/api/v1/links/{expired['id']}", json={"expires_at": "2000-01-01T00:00:00Z"}).status_code == 400
    # A file cannot become a file drop; an unknown link is not found.
    r = alice.patch(f"/api/v1/links/{expired['id']}", json={"file_drop": True})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    assert alice.patch("/api/v1/links/999999", json={"file_drop": True}).status_code == 404
    gone = alice.post(f"/api/v1/nodes/{f}/links", json={}).json()
    assert alice.delete(f"/api/v1/links/{gone['id']}").status_code == 204
    bodies = set()
    for t in (token, gone["token"], "csl_" + "A" * 43, "nonsense"):
        r = visitor.get(server.url + "/s/" + t + "/content")
        assert r.status_code == 404, t
        bodies.add(r.json()["error"]["message"])
    assert len(bodies) == 1
    # A working link still works.
    assert visitor.get(server.url + "/s/" + expired["token"] + "/content").status_code == 200
    for bad in ({"max_downloads": 0}, {"expires_at": "tomorrow"}, {"file_drop": True}, {"password": 5}):
        assert alice.post(f"/api/v1/nodes/{f}/links", json=bad).status_code == 400, bad


def test_range_spellings_that_serve_the_whole_file_count_as_downloads(server, alice):
    """Issue 17, finding 3: a download was counted when the Range header was absent or began
    with "bytes=0-", so other spellings the server honours the same (`bytes= 0-`, `BYTES=0-`,
    `bytes=00-`), ranges it ignores and a stale If-Range got the whole file uncounted. Now the
    bytes the response sends decide: it counts when it sends the file from its first byte."""
    data = bytes(range(256)) * 4
    f = alice.upload("report.bin", data).json()["id"]
    link = alice.post(f"/api/v1/nodes/{f}/links", json={"max_downloads": 100}).json()
    url = server.url + "/s/" + link["token"] + "/content"
    visitor = anonymous(server)

    def downloads():
        listed = alice.get("/api/v1/links", params={"node_id": f}).json()["items"]
        return listed[0]["downloads"]

    etag = visitor.head(url).headers["ETag"]
    whole_file = [
        {}, {"Range": "bytes=0-"}, {"Range": "bytes= 0-"}, {"Range": "BYTES=0-"},
        {"Range": "Bytes=0-"}, {"Range": "bytes=00-"}, {"Range": "bytes=000-99999"},
        {"Range": "bytes=-1024"}, {"Range": "bytes=-99999"},  # suffixes as long as the file
        {"Range": "bytes=0-1,5-"}, {"Range": "bytes=nonsense"}, {"Range": "pages=2-"},  # ignored
        {"Range": "bytes=5-", "If-Range": '"stale"'},  # a stale If-Range: the whole file
        {"Range": "bytes=5-", "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"},
        {"Range": "bytes=0-9"},  # the start of a transfer
    ]
    for n, headers in enumerate(whole_file, start=1):
        r = visitor.get(url, headers=headers)
        assert r.status_code in (200, 206), (headers, r.status_code)
        expected = data[:10] if headers.get("Range") == "bytes=0-9" else data
        assert r.content == expected, headers
        assert downloads() == n, headers

    # What sends no byte, or continues a transfer past its first byte, does not count.
    count = downloads()
    r = visitor.get(url, headers={"Range": "bytes=10-"})
    assert r.status_code == 206 and r.content == data[10:]
    r = visitor.get(url, headers={"Range": "bytes=10-", "If-Range": etag})
    assert r.status_code == 206 and r.content == data[10:]
    assert visitor.head(url).status_code == 200
    assert visitor.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert visitor.get(url, headers={"Range": "bytes=5000-"}).status_code == 416
    assert downloads() == count

    # The finding: a link for one download serves the whole file once, however it is asked.
    one = alice.post(f"/api/v1/nodes/{f}/links", json={"max_downloads": 1}).json()
    one_url = server.url + "/s/" + one["token"] + "/content"
    assert visitor.get(one_url, headers={"Range": "BYTES=0-"}).content == data
    for headers in ({"Range": "bytes= 0-"}, {"Range": "bytes=00-"}, {"Range": "bytes=0-1,5-"},
                    {"Range": "bytes=5-", "If-Range": '"stale"'}, {}):
        r = visitor.get(one_url, headers=headers)
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", headers

    # The same inside a folder link.
    folder = alice.mkdir("Shared")
    inner = alice.upload("inner.bin", data, folder=folder).json()["id"]
    folder_link = alice.post(f"/api/v1/nodes/{folder}/links", json={"max_downloads": 1}).json()
    inner_url = server.url + "/s/" + folder_link["token"] + f"/files/{inner}/content"
    assert visitor.get(inner_url, headers={"Range": "bytes=00-"}).content == data
    assert visitor.get(inner_url, headers={"Range": "BYTES=0-"}).status_code == 404


def test_link_password_guessing_is_throttled(server, alice):
    f = alice.upload("x.txt", b"x").json()["id"]
    token = alice.post(f"/api/v1/nodes/{f}/links", json={"password": "right-one-1"}).json()["token"]
    visitor = anonymous(server)
    codes = [visitor.post(server.url + f"/s/{token}/unlock", json={"password": f"guess-{i}"}).status_code
             for i in range(8)]
    assert codes[0] == 401 and 429 in codes, codes
    # While blocked, even the right password waits.
    r = visitor.post(server.url + f"/s/{token}/unlock", json={"password": "right-one-1"})
    assert r.status_code == 429 and r.headers.get("Retry-After")


def test_folder_link_browsing_and_file_drop(server, alice):
    folder = alice.mkdir("Album")
    sub = alice.mkdir("2026", parent=folder)
    a = alice.upload("a.txt", b"A", folder=folder).json()["id"]
    b = alice.upload("b.txt", b"B", folder=sub).json()["id"]
    outside = alice.upload("outside.txt", b"O").json()["id"]
    token = alice.post(f"/api/v1/nodes/{folder}/links", json={}).json()["token"]
    visitor = anonymous(server)
    base = server.url + "/s/" + token
    top = visitor.get(base + "/children").json()
    assert [i["name"] for i in top["items"]] == ["2026", "a.txt"]
    inner = visitor.get(base + "/children", params={"parent_id": sub}).json()
    assert [i["name"] for i in inner["items"]] == ["b.txt"]
    assert visitor.get(base + f"/files/{b}/content").content == b"B"
    # Nothing outside the shared folder is reachable through it.
    assert visitor.get(base + f"/files/{outside}/content").status_code == 404
    assert visitor.get(base + "/children", params={"parent_id": alice.root}).status_code == 404
    assert visitor.put(base + "/files/new.txt", data=b"n").status_code == 403

    drop = alice.mkdir("Inbox")
    alice.upload("report.pdf", b"existing", folder=drop)
    dtoken = alice.post(f"/api/v1/nodes/{drop}/links", json={"file_drop": True}).json()["token"]
    dbase = server.url + "/s/" + dtoken
    r = visitor.put(dbase + "/files/report.pdf", data=b"from a visitor")
    assert r.status_code == 201 and r.json()["name"] == "report (2).pdf"
    assert visitor.get(dbase).json()["file_drop"] is True
    # A drop never lists or serves what is inside.
    assert visitor.get(dbase + "/children").status_code == 403
    names = {n["name"]: n["id"] for n in alice.get(f"/api/v1/folders/{drop}/children").json()["items"]}
    assert alice.get(f"/api/v1/files/{names['report.pdf']}/content").content == b"existing"
    assert alice.get(f"/api/v1/files/{names['report (2).pdf']}/content").content == b"from a visitor"
    # Deleting the folder ends its links.
    assert alice.delete(f"/api/v1/nodes/{folder}").status_code == 204
    assert visitor.get(base).status_code == 404
    assert a and b


def test_concurrent_drops_of_one_name_overwrote_each_other(server, alice):
    # The free name was chosen before the upload and taken by the commit after it: visitors
    # dropping the same name at once all chose "report (2).pdf", and every commit after the
    # first stored a new version of another visitor's file. Now the commit chooses the name.
    import concurrent.futures
    drop = alice.mkdir("Inbox")
    alice.upload("report.pdf", b"the owner's", folder=drop)
    dbase = server.url + "/s/" + alice.post(f"/api/v1/nodes/{drop}/links",
                                            json={"file_drop": True}).json()["token"]
    bodies = [f"visitor {i} ".encode() * 20000 for i in range(8)]

    def drop_one(body):
        r = requests.put(dbase + "/files/report.pdf", data=body)
        assert r.status_code == 201, r.text
        return r.json()["name"]

    with concurrent.futures.ThreadPoolExecutor(len(bodies)) as pool:
        names = list(pool.map(drop_one, bodies))
    assert sorted(names) == sorted(f"report ({n}).pdf" for n in range(2, 10))
    stored = {n["name"]: n for n in alice.get(f"/api/v1/folders/{drop}/children").json()["items"]}
    assert len(stored) == 9
    for name, body in zip(names, bodies):
        node = stored[name]
        assert alice.get(f"/api/v1/files/{node['id']}/content").content == body
        assert len(alice.get(f"/api/v1/files/{node['id']}/versions").json()["items"]) == 1
    assert alice.get(f"/api/v1/files/{stored['report.pdf']['id']}/content").content == b"the owner's"


def test_link_expires(server, alice):
    import datetime
    import time
    f = alice.upload("soon.txt", b"soon").json()["id"]
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    link = alice.post(f"/api/v1/nodes/{f}/links", json={"expires_at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).json()
    assert link["expires_at"] is not None
    url = server.url + "/s/" + link["token"] + "/content"
    assert requests.get(url).content == b"soon"
    time.sleep(max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 0.2)
    r = requests.get(url)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    # The owner still sees it, and can extend it.
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    r = alice.patch(f"/api/v1/links/{link['id']}", json={"expires_at": later.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert r.status_code == 200
    assert requests.get(url).content == b"soon"
