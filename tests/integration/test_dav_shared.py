"""Shares over WebDAV: /dav/Shared lists what users and groups share with the caller, and
everything below it is the owner's tree under the share's permission (docs/webdav.md,
"Shares"). Runs in every configuration (SQLite or PostgreSQL, local disk or S3)."""

import xml.etree.ElementTree as ET

from conftest import Client, add_user, error_code
from dav_helpers import (D, api_token, assert_litmus_passes, assert_rclone_round_trip, dav_session,
                         hrefs, multistatus, propfind, rclone_env)

LOCKINFO = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
            '<D:locktype><D:write/></D:locktype><D:owner>tester</D:owner></D:lockinfo>')
PROPPATCH = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:coffer:test">'
             '<D:set><D:prop><Z:colour>blue</Z:colour></D:prop></D:set></D:propertyupdate>')


def share(owner, node_id, permission, **recipient):
    r = owner.post(f"/api/v1/nodes/{node_id}/shares", json={"permission": permission, **recipient})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def path_node(client, path):
    return client.get("/api/v1/nodes", params={"path": path})


def test_shared_lists_user_and_group_shares_with_distinct_names(server, alice, bob):
    add_user(server, "root", "root-password-1", admin=True)
    add_user(server, "carol", "carol-password-1")
    root = Client(server, "root", "root-password-1")
    carol = Client(server, "carol", "carol-password-1")
    gid = root.post("/api/v1/admin/groups", json={"name": "Team"}).json()["id"]
    assert root.put(f"/api/v1/admin/groups/{gid}/members/{bob.get('/api/v1/auth/me').json()['id']}").status_code == 204

    # Alice's Photos lives in a folder whose name must never reach Bob.
    work = alice.mkdir("Work-Secret-Name")
    photos = alice.mkdir("Photos", parent=work)
    alice.upload("a.txt", b"alice photo", folder=photos)
    notes = alice.upload("notes.txt", b"just notes", folder=work).json()["id"]
    carols = carol.mkdir("Photos")
    carol.upload("c.txt", b"carol photo", folder=carols)

    b = dav_session(bob, api_token(bob))
    assert hrefs(propfind(b, server.url + "/dav/Shared/")) == ["/dav/Shared/"]

    share(alice, photos, "read", username="bob")
    share(carol, carols, "write", group_id=gid)  # younger: it gets the " (2)"
    share(alice, notes, "read", username="bob")

    # The caller's root lists the collection; it lists one entry per share.
    root_listing = multistatus(propfind(b, server.url + "/dav/"))
    entry = {e.findtext(D + "href"): e for e in root_listing.findall(D + "response")}["/dav/Shared/"]
    assert entry.find(f".//{D}resourcetype/{D}collection") is not None
    listing = propfind(b, server.url + "/dav/Shared/")
    assert hrefs(listing) == ["/dav/Shared/", "/dav/Shared/Photos/", "/dav/Shared/Photos%20%282%29/",
                              "/dav/Shared/notes.txt"]
    names = [e.text for e in multistatus(listing).iter(D + "displayname")]
    assert names == ["Shared", "Photos", "Photos (2)", "notes.txt"]

    assert b.get(server.url + "/dav/Shared/Photos/a.txt").content == b"alice photo"
    assert b.get(server.url + "/dav/Shared/Photos%20%282%29/c.txt").content == b"carol photo"
    assert b.get(server.url + "/dav/Shared/notes.txt").content == b"just notes"
    assert b.get(server.url + "/dav/Shared/").text == "Photos/\nPhotos (2)/\nnotes.txt\n"

    # Every href, lock root included, is Bob's path; the owner's folders above never appear.
    for url in ("/dav/", "/dav/Shared/", "/dav/Shared/Photos/", "/dav/Shared/Photos%20%282%29/",
                "/dav/Shared/notes.txt"):
        r = propfind(b, server.url + url)
        assert all(h.startswith("/dav/") for h in hrefs(r)), url
        assert b"Work-Secret-Name" not in r.content, url

    # Carol's group share is writable, Alice's is not.
    assert b.put(server.url + "/dav/Shared/Photos%20%282%29/new.txt", data=b"from bob").status_code == 201
    names = {n["name"] for n in carol.get(f"/api/v1/folders/{carols}/children").json()["items"]}
    assert names == {"c.txt", "new.txt"}
    assert b.put(server.url + "/dav/Shared/Photos/new.txt", data=b"x").status_code == 403


def test_read_share_and_the_collection_itself_refuse_writes(server, alice, bob):
    docs = alice.mkdir("Docs")
    alice.upload("a.txt", b"read me", folder=docs)
    share(alice, docs, "read", username="bob")
    b = dav_session(bob, api_token(bob))
    u = server.url + "/dav/Shared/"

    assert b.get(u + "Docs/a.txt").content == b"read me"
    assert b.head(u + "Docs/a.txt").status_code == 200
    assert hrefs(propfind(b, u + "Docs/")) == ["/dav/Shared/Docs/", "/dav/Shared/Docs/a.txt"]
    refused = [
        b.put(u + "Docs/new.txt", data=b"x"),
        b.put(u + "Docs/a.txt", data=b"x"),
        b.request("MKCOL", u + "Docs/sub"),
        b.delete(u + "Docs/a.txt"),
        b.request("MOVE", u + "Docs/a.txt", headers={"Destination": u + "Docs/b.txt"}),
        b.request("COPY", u + "Docs/a.txt", headers={"Destination": u + "Docs/c.txt"}),
        b.request("PROPPATCH", u + "Docs/a.txt", data=PROPPATCH),
        # A read-only recipient cannot lock either: the lock would block the owner's writes.
        b.request("LOCK", u + "Docs/a.txt", data=LOCKINFO),
        b.request("LOCK", u + "Docs/unmapped.txt", data=LOCKINFO),
    ]
    for r in refused:
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (r.request.method, r.request.url)
    assert hrefs(propfind(b, u + "Docs/")) == ["/dav/Shared/Docs/", "/dav/Shared/Docs/a.txt"]
    assert b.get(u + "Docs/a.txt").content == b"read me"

    # /dav/Shared itself is read-only, and nothing new can appear in it.
    for r in (b.put(u + "x.txt", data=b"x"), b.request("MKCOL", u), b.request("MKCOL", u + "new"),
              b.delete(u), b.request("MOVE", u, headers={"Destination": "/dav/elsewhere/"}),
              b.request("COPY", u, headers={"Destination": "/dav/elsewhere/"}),
              b.request("PROPPATCH", u, data=PROPPATCH), b.request("LOCK", u, data=LOCKINFO),
              b.request("LOCK", u + "new.txt", data=LOCKINFO)):
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (r.request.method, r.request.url)
    assert b.put(server.url + "/dav/mine.txt", data=b"mine").status_code == 201
    r = b.request("COPY", server.url + "/dav/mine.txt", headers={"Destination": u + "mine.txt"})
    assert r.status_code == 403
    assert hrefs(propfind(b, u)) == ["/dav/Shared/", "/dav/Shared/Docs/"]


def test_write_share_changes_the_owners_tree(server, alice, bob):
    team = alice.mkdir("Team")
    alice.upload("old.txt", b"old", folder=team)
    share_id = share(alice, team, "write", username="bob")
    b = dav_session(bob, api_token(bob))
    u = server.url + "/dav/Shared/Team/"

    r = b.put(u + "new.txt", data=b"written by bob")
    assert r.status_code == 201 and r.headers["Location"] == "/dav/Shared/Team/new.txt"
    assert b.put(u + "old.txt", data=b"old, edited").status_code == 204
    assert b.request("MKCOL", u + "sub").status_code == 201
    assert b.request("MOVE", u + "new.txt", headers={"Destination": u + "sub/moved.txt"}).status_code == 201
    assert b.request("COPY", u + "sub/", headers={"Destination": u + "copy/"}).status_code == 201
    assert b.delete(u + "copy/").status_code == 204
    r = b.request("PROPPATCH", u + "sub/moved.txt", data=PROPPATCH)
    assert multistatus(r).findtext(f".//{D}status") == "HTTP/1.1 200 OK"

    # Alice sees it all in her own tree, through REST and her own /dav/.
    moved = path_node(alice, "/Team/sub/moved.txt")
    assert moved.status_code == 200
    assert alice.get(f"/api/v1/files/{moved.json()['id']}/content").content == b"written by bob"
    old = path_node(alice, "/Team/old.txt").json()
    assert alice.get(f"/api/v1/files/{old['id']}/content").content == b"old, edited"
    assert path_node(alice, "/Team/copy").status_code == 404
    assert path_node(alice, "/Team/new.txt").status_code == 404
    a = dav_session(alice, api_token(alice))
    body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><Z:colour xmlns:Z="urn:coffer:test"/>'
            '</D:prop></D:propfind>')
    assert multistatus(propfind(a, server.url + "/dav/Team/sub/moved.txt", "0", body)).findtext(
        ".//{urn:coffer:test}colour") == "blue"

    # Quota properties under /dav/Shared are the owner's.
    body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/></D:prop>'
            '</D:propfind>')
    used = multistatus(propfind(b, u, "0", body)).findtext(f".//{D}quota-used-bytes")
    assert used == str(alice.get("/api/v1/usage").json()["used"])
    assert used != multistatus(propfind(b, server.url + "/dav/", "0", body)).findtext(f".//{D}quota-used-bytes")

    # The shared folder itself stays Alice's to delete, move or rename.
    for r in (b.delete(u), b.request("MOVE", u, headers={"Destination": "/dav/Shared/Renamed/"}),
              b.request("MOVE", u, headers={"Destination": "/dav/Mine/"})):
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    assert path_node(alice, "/Team").status_code == 200

    # Between Bob's own files and Alice's: refused as over REST, and nothing is overwritten.
    assert b.put(server.url + "/dav/own.txt", data=b"bob's own").status_code == 201
    for method, source, destination in (("MOVE", u + "sub/moved.txt", "/dav/own.txt"),
                                        ("COPY", u + "sub/moved.txt", "/dav/own.txt"),
                                        ("COPY", server.url + "/dav/own.txt", "/dav/Shared/Team/old.txt"),
                                        ("MOVE", server.url + "/dav/own.txt", "/dav/Shared/Team/fresh.txt")):
        r = b.request(method, source, headers={"Destination": destination, "Overwrite": "T"})
        assert r.status_code == 409 and error_code(r) == "CONFLICT", (method, source, destination)
    assert b.get(server.url + "/dav/own.txt").content == b"bob's own"
    assert b.get(u + "old.txt").content == b"old, edited"

    # Revoking takes effect on the next request.
    assert alice.delete(f"/api/v1/shares/{share_id}").status_code == 204
    for r in (b.get(u + "old.txt"), propfind(b, u), propfind(b, u + "sub/"), b.put(u + "x.txt", data=b"x"),
              b.request("MKCOL", u + "new"), b.delete(u + "old.txt"), b.request("LOCK", u + "old.txt", data=LOCKINFO)):
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", (r.request.method, r.request.url)
    assert path_node(alice, "/Team/old.txt").status_code == 200
    assert hrefs(propfind(b, server.url + "/dav/Shared/")) == ["/dav/Shared/"]


def test_a_real_root_folder_named_shared_stays_reachable_over_rest(server, alice, bob):
    mine = bob.mkdir("Shared")
    bob.upload("kept.txt", b"still mine", folder=mine)
    team = alice.mkdir("Team")
    share(alice, team, "write", username="bob")
    b = dav_session(bob, api_token(bob))
    # WebDAV shows the virtual collection only, once; REST still reaches Bob's folder.
    assert hrefs(propfind(b, server.url + "/dav/")) == ["/dav/", "/dav/Shared/"]
    assert hrefs(propfind(b, server.url + "/dav/Shared/")) == ["/dav/Shared/", "/dav/Shared/Team/"]
    assert b.get(server.url + "/dav/Shared/kept.txt").status_code == 404
    kept = path_node(bob, "/Shared/kept.txt").json()
    assert bob.get(f"/api/v1/files/{kept['id']}/content").content == b"still mine"

    # Alice has no such folder; she cannot make one over WebDAV (REST can).
    a = dav_session(alice, api_token(alice))
    assert a.request("MKCOL", server.url + "/dav/Shared").status_code == 403
    assert a.request("MKCOL", server.url + "/dav/Shared/").status_code == 403
    assert a.put(server.url + "/dav/Shared", data=b"x").status_code == 403
    assert a.put(server.url + "/dav/x.txt", data=b"x").status_code == 201
    assert a.request("MOVE", server.url + "/dav/x.txt", headers={"Destination": "/dav/Shared"}).status_code == 403
    assert path_node(alice, "/Shared").status_code == 404


def test_locks_bind_the_owner_and_the_recipient_alike(server, alice, bob):
    team = alice.mkdir("Deep-Owner-Folder")
    box = alice.mkdir("Box", parent=team)
    alice.upload("doc.txt", b"v1", folder=box)
    share(alice, box, "write", username="bob")
    a = dav_session(alice, api_token(alice))
    b = dav_session(bob, api_token(bob))
    mine = server.url + "/dav/Deep-Owner-Folder/Box/doc.txt"
    theirs = server.url + "/dav/Shared/Box/doc.txt"

    # Bob's lock stops Alice's writes through her own path, and shows there with her path.
    r = b.request("LOCK", theirs, data=LOCKINFO, headers={"Depth": "0"})
    assert r.status_code == 200, r.text
    token = r.headers["Lock-Token"].strip("<>")
    assert ET.fromstring(r.content).findtext(f".//{D}lockroot/{D}href") == "/dav/Shared/Box/doc.txt"
    r = a.put(mine, data=b"v2")
    assert r.status_code == 423 and b"/dav/Deep-Owner-Folder/Box/doc.txt" in r.content
    assert a.delete(mine).status_code == 423
    root = multistatus(propfind(a, mine, "0"))
    assert root.findtext(f".//{D}activelock/{D}locktoken/{D}href") == token
    assert root.findtext(f".//{D}activelock/{D}lockroot/{D}href") == "/dav/Deep-Owner-Folder/Box/doc.txt"
    assert b.put(theirs, data=b"v2", headers={"If": f"(<{token}>)"}).status_code == 204
    assert b.request("UNLOCK", theirs, headers={"Lock-Token": f"<{token}>"}).status_code == 204
    assert a.put(mine, data=b"v3").status_code == 204

    # Alice's depth-infinity lock above the shared folder stops Bob; he sees it rooted at the
    # shared folder, never at her folders above it.
    r = a.request("LOCK", server.url + "/dav/Deep-Owner-Folder/", data=LOCKINFO, headers={"Depth": "infinity"})
    assert r.status_code == 200, r.text
    owner_token = r.headers["Lock-Token"].strip("<>")
    r = b.put(theirs, data=b"v4")
    assert r.status_code == 423 and b"<D:href>/dav/Shared/Box</D:href>" in r.content, r.text
    assert b"Deep-Owner-Folder" not in r.content
    r = propfind(b, server.url + "/dav/Shared/Box/", "1")
    assert b"Deep-Owner-Folder" not in r.content
    roots = {e.findtext(D + "href") for e in multistatus(r).iter(D + "lockroot")}
    assert roots == {"/dav/Shared/Box"}
    assert a.request("UNLOCK", server.url + "/dav/Deep-Owner-Folder/",
                     headers={"Lock-Token": f"<{owner_token}>"}).status_code == 204
    assert b.put(theirs, data=b"v4").status_code == 204
    assert a.get(mine).content == b"v4"


def test_read_only_recipient_cannot_unlock_the_owners_lock(server, alice, bob):
    """Issue 17, finding 13: a read-only recipient could UNLOCK a lock the owner holds."""
    box = alice.mkdir("ReadBox")
    alice.upload("doc.txt", b"v1", folder=box)
    share(alice, box, "read", username="bob")
    a = dav_session(alice, api_token(alice))
    b = dav_session(bob, api_token(bob))
    r = a.request("LOCK", server.url + "/dav/ReadBox/doc.txt", data=LOCKINFO, headers={"Depth": "0"})
    assert r.status_code == 200, r.text
    token = r.headers["Lock-Token"].strip("<>")
    r = b.request("UNLOCK", server.url + "/dav/Shared/ReadBox/doc.txt", headers={"Lock-Token": f"<{token}>"})
    assert r.status_code == 403, r.text
    # The lock still holds: Alice's write without the token is refused, with it accepted.
    assert a.put(server.url + "/dav/ReadBox/doc.txt", data=b"v2").status_code == 423
    assert a.put(server.url + "/dav/ReadBox/doc.txt", data=b"v2", headers={"If": f"(<{token}>)"}).status_code == 204


def writable_share_for_bob(alice, name):
    folder = alice.mkdir(name)
    share(alice, folder, "write", username="bob")
    return folder


def test_litmus_passes_inside_a_writable_shared_folder(server, alice, bob, tmp_path):
    writable_share_for_bob(alice, "Litmus Box")
    assert_litmus_passes(server.url + "/dav/Shared/Litmus%20Box/", "bob", api_token(bob), tmp_path,
                         ("basic", "copymove", "props", "locks"))
    # What litmus left behind is Alice's (it cleans up after itself: the folder is there, empty).
    assert path_node(alice, "/Litmus Box").status_code == 200


def test_rclone_copies_into_a_writable_shared_folder(server, alice, bob, tmp_path):
    writable_share_for_bob(alice, "Inbox")
    env = rclone_env(tmp_path, server.url + "/dav/", "bob", api_token(bob))
    assert_rclone_round_trip(env, tmp_path, "coffer:Shared/Inbox/backup")
    node = path_node(alice, "/Inbox/backup/docs/readme.txt")
    assert node.status_code == 200 and node.json()["size"] == len("hello from rclone\n")
    assert path_node(bob, "/backup").status_code == 404
