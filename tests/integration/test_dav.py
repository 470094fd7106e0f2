"""WebDAV at /dav/: the litmus compliance suite and rclone against the real server, then the
behaviour Coffer adds (API tokens and scopes, versions, the trash, quotas, safe XML, isolation
between users). Runs in every configuration (SQLite or PostgreSQL, local disk or S3)."""

import concurrent.futures
import hashlib
import os
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, unquote

import pytest
import requests

from conftest import Client, Server, add_user, error_code, wait_processed
from dav_helpers import (D, api_token, assert_litmus_passes, assert_rclone_round_trip, dav_session,
                         hrefs, multistatus, propfind, rclone_env)

LITMUS_SUITES = ("basic", "copymove", "props", "locks", "http")


def test_litmus_passes_every_suite(server, alice, tmp_path):
    assert_litmus_passes(server.url + "/dav/", "alice", api_token(alice), tmp_path, LITMUS_SUITES)


def test_rclone_copies_a_tree_up_and_down(server, alice, tmp_path):
    env = rclone_env(tmp_path, server.url + "/dav/", "alice", api_token(alice))
    assert_rclone_round_trip(env, tmp_path, "coffer:backup")

    # What rclone wrote is the same tree the REST API sees.
    node = alice.get("/api/v1/nodes", params={"path": "/backup/docs/readme.txt"})
    assert node.status_code == 200 and node.json()["size"] == len("hello from rclone\n")


def test_authentication(server, alice):
    r = requests.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"})
    assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED"
    assert r.headers["WWW-Authenticate"].startswith('Basic realm="coffer"')
    # The account password is not enough by default (it would bypass a second factor).
    r = requests.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"},
                         auth=("alice", "alice-password-1"))
    assert r.status_code == 401
    # API tokens over Basic, and bearer tokens (API or access tokens), are.
    token = api_token(alice)
    assert propfind(dav_session(alice, token), server.url + "/dav/", "0").status_code == 207
    assert requests.request("PROPFIND", server.url + "/dav/", headers={
        "Depth": "0", "Authorization": "Bearer " + alice.token}).status_code == 207
    # Another user's name with alice's token is refused.
    assert propfind(requests.Session(), server.url + "/dav/", "0").status_code == 401
    r = requests.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"}, auth=("bob", token))
    assert r.status_code == 401


def test_password_login_when_the_server_allows_it(data_dir):
    s = Server(data_dir, extra_args=["--dav-password-login", "true"])
    add_user(s, "carol", "carol-password-1")
    s.start()
    try:
        ok = requests.request("PROPFIND", s.url + "/dav/", headers={"Depth": "0"}, auth=("carol", "carol-password-1"))
        assert ok.status_code == 207
        bad = requests.request("PROPFIND", s.url + "/dav/", headers={"Depth": "0"}, auth=("carol", "wrong-password-1"))
        assert bad.status_code == 401 and "Basic" in bad.headers["WWW-Authenticate"]
        # Only /dav/ takes passwords; the REST API still wants tokens.
        assert requests.get(s.url + "/api/v1/folders/root", auth=("carol", "carol-password-1")).status_code == 401
    finally:
        s.stop()


def test_read_only_token_reads_but_cannot_write(server, alice):
    s = dav_session(alice, api_token(alice, "files:read"))
    assert s.request("OPTIONS", server.url + "/dav/").status_code == 200
    assert propfind(s, server.url + "/dav/").status_code == 207
    r = s.put(server.url + "/dav/x.txt", data=b"x")
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    assert s.request("MKCOL", server.url + "/dav/d").status_code == 403


def test_options_and_properties(server, alice):
    s = dav_session(alice, api_token(alice))
    r = s.request("OPTIONS", server.url + "/dav/")
    assert r.status_code == 200 and r.headers["DAV"] == "1, 2"
    assert "PROPFIND" in r.headers["Allow"] and "LOCK" in r.headers["Allow"]
    assert s.request("MKCOL", server.url + "/dav/Reports").status_code == 201
    r = s.put(server.url + "/dav/Reports/q1.txt", data=b"first quarter")
    assert r.status_code == 201 and r.headers["ETag"]

    root = multistatus(propfind(s, server.url + "/dav/Reports/"))
    responses = {e.findtext(D + "href"): e for e in root.findall(D + "response")}
    assert set(responses) == {"/dav/Reports/", "/dav/Reports/q1.txt"}
    folder = responses["/dav/Reports/"].find(f"{D}propstat/{D}prop")
    assert folder.find(f"{D}resourcetype/{D}collection") is not None
    f = responses["/dav/Reports/q1.txt"].find(f"{D}propstat/{D}prop")
    assert f.findtext(D + "getcontentlength") == "13"
    assert f.findtext(D + "getcontenttype").startswith("text/plain")
    assert f.findtext(D + "getetag") == r.headers["ETag"]
    assert f.findtext(D + "displayname") == "q1.txt"
    assert f.findtext(D + "getlastmodified").endswith("GMT")
    assert f.findtext(D + "creationdate")
    assert f.find(f"{D}supportedlock/{D}lockentry") is not None

    # Quotas (RFC 4331) on request; unlimited users have no available-bytes.
    body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/>'
            '<D:quota-available-bytes/></D:prop></D:propfind>')
    root = multistatus(propfind(s, server.url + "/dav/", "0", body))
    assert root.findtext(f"{D}response/{D}propstat/{D}prop/{D}quota-used-bytes") == "13"

    # Depth infinity is refused unless the server allows it.
    r = propfind(s, server.url + "/dav/", "infinity")
    assert r.status_code == 403 and b"propfind-finite-depth" in r.content
    r = s.request("PROPFIND", server.url + "/dav/")  # no Depth means infinity
    assert r.status_code == 403


def test_a_property_in_the_xml_namespace_keeps_propfind_well_formed(server, alice):
    """Issue 17, finding 14: a property named in the reserved xml: namespace was written with a
    declaration of that prefix, which XML forbids, so the answer did not parse."""
    s = dav_session(alice, api_token(alice))
    s.put(server.url + "/dav/x.txt", data=b"x")
    patch = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
             '<xml:lang>en</xml:lang></D:prop></D:set></D:propertyupdate>')
    s.request("PROPPATCH", server.url + "/dav/x.txt", data=patch)
    for body in (None, '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><xml:lang/></D:prop></D:propfind>',
                 '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>'):
        r = propfind(s, server.url + "/dav/x.txt", "0", body)
        multistatus(r)  # parses


def proppatch_statuses(session, url, props, remove=False):
    """PROPPATCH `props` ({local name: text}) in a test namespace; the status of each, by name."""
    body = "".join(f"<Z:{name}>{text}</Z:{name}>" for name, text in props.items())
    verb = "remove" if remove else "set"
    patch = (f'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:coffer:test">'
             f'<D:{verb}><D:prop>{body}</D:prop></D:{verb}></D:propertyupdate>')
    r = session.request("PROPPATCH", url, data=patch.encode())
    assert r.status_code == 207, r.text
    out = {}
    for stat in multistatus(r).iter(D + "propstat"):
        for prop in stat.find(D + "prop"):
            out[prop.tag.split("}")[1]] = stat.findtext(D + "status").split(" ")[1]
    return out


def test_dead_properties_were_unbounded_and_outside_the_quota(data_dir):
    """Issue 17, finding 5: PROPPATCH stored any number of dead properties of up to 64 KiB each,
    outside the quota (a 1 MB-quota user stored 19 MB). Now a resource holds at most 100
    properties and 256 KiB of them, and their bytes count towards the owner's quota: past either,
    every property set is 507 and nothing is stored; removing always works."""
    s = Server(data_dir, extra_args=["--default-quota", "1000000"])
    add_user(s, "alice", "alice-password-1")
    s.start()
    try:
        from conftest import Client
        alice = Client(s, "alice", "alice-password-1")
        dav = dav_session(alice, api_token(alice))
        url = s.url + "/dav/"
        dav.put(url + "a.txt", data=b"a")
        big = "x" * 60_000
        assert proppatch_statuses(dav, url + "a.txt", {"p0": big}) == {"p0": "200"}
        # 60 KB more each: the fifth would take the resource past 256 KiB.
        assert proppatch_statuses(dav, url + "a.txt", {f"p{i}": big for i in range(1, 4)}) == {
            "p1": "200", "p2": "200", "p3": "200"}
        assert proppatch_statuses(dav, url + "a.txt", {"p4": big, "small": "y"}) == {"p4": "507", "small": "507"}
        assert proppatch_statuses(dav, url + "a.txt", {f"n{i}": "z" for i in range(97)})["n0"] == "507"
        assert proppatch_statuses(dav, url + "a.txt", {f"n{i}": "z" for i in range(96)})["n0"] == "200"
        names = {e.tag.split("}")[1] for e in multistatus(propfind(dav, url + "a.txt", "0")).iter()
                 if e.tag.startswith("{urn:coffer:test}")}
        assert len(names) == 100 and "p4" not in names and "small" not in names
        # Across resources: the owner's quota (1 MB) holds the 240 KB above and three more
        # resources' worth, not a fourth.
        stored = []
        for i in range(6):
            dav.put(url + f"f{i}.txt", data=b"f")
            statuses = proppatch_statuses(dav, url + f"f{i}.txt", {f"q{j}": big for j in range(4)})
            if set(statuses.values()) == {"200"}:
                stored.append(i)
            else:
                assert set(statuses.values()) == {"507"}, statuses
        assert stored == [0, 1, 2]
        # Removing works past the bounds, and makes room again.
        assert proppatch_statuses(dav, url + "f0.txt", {f"q{j}": "" for j in range(4)}, remove=True) == {
            f"q{j}": "200" for j in range(4)}
        assert set(proppatch_statuses(dav, url + "f3.txt", {f"q{j}": big for j in range(4)}).values()) == {"200"}
        # Usage as the quota counts it leaves no room for a file the size of what is left over.
        r = alice.upload("fill.bin", b"0" * 100_000)
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED", r.text
    finally:
        s.stop()


def test_usage_left_out_the_dead_property_bytes_the_quota_counts(server, alice):
    """GET /api/v1/usage said `used` without the dead properties' bytes, which the quota counts
    since finding 5: a user near the quota saw room that uploads did not have."""
    dav = dav_session(alice, api_token(alice))
    url = server.url + "/dav/"
    dav.put(url + "a.txt", data=b"abc")
    before = alice.get("/api/v1/usage").json()
    assert proppatch_statuses(dav, url + "a.txt", {"p0": "x" * 10_000}) == {"p0": "200"}
    after = alice.get("/api/v1/usage").json()
    assert after["breakdown"]["properties"] >= 10_000
    assert after["used"] - before["used"] == after["breakdown"]["properties"] - before["breakdown"].get("properties", 0)
    assert after["used"] == sum(after["breakdown"].values())


def test_dead_properties_persist_in_the_database(server, alice):
    s = dav_session(alice, api_token(alice))
    s.put(server.url + "/dav/a.txt", data=b"a")
    patch = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:coffer:test">'
             '<D:set><D:prop><Z:colour>blue &amp; green</Z:colour></D:prop></D:set></D:propertyupdate>')
    r = s.request("PROPPATCH", server.url + "/dav/a.txt", data=patch)
    assert multistatus(r).findtext(f"{D}response/{D}propstat/{D}status") == "HTTP/1.1 200 OK"
    # Protected properties cannot be set, and then nothing in the request is applied.
    both = patch.replace("</D:prop></D:set>", "<D:getetag>x</D:getetag></D:prop></D:set>").replace("blue", "red")
    statuses = [e.findtext(D + "status") for e in multistatus(s.request("PROPPATCH", server.url + "/dav/a.txt", data=both)).iter(D + "propstat")]
    assert sorted(statuses) == ["HTTP/1.1 403 Forbidden", "HTTP/1.1 424 Failed Dependency"]

    server.stop()
    server.start()
    body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><Z:colour xmlns:Z="urn:coffer:test"/>'
            '<Z:missing xmlns:Z="urn:coffer:test"/></D:prop></D:propfind>')
    root = multistatus(propfind(s, server.url + "/dav/a.txt", "0", body))
    assert root.findtext(f".//{{urn:coffer:test}}colour") == "blue & green"
    assert root.find(f".//{{urn:coffer:test}}missing") is not None  # in a 404 propstat

    # Properties follow a MOVE and are copied by COPY.
    assert s.request("MOVE", server.url + "/dav/a.txt", headers={"Destination": server.url + "/dav/b.txt"}).status_code == 201
    assert s.request("COPY", server.url + "/dav/b.txt", headers={"Destination": "/dav/c.txt"}).status_code == 201
    for name in ("b.txt", "c.txt"):
        root = multistatus(propfind(s, server.url + "/dav/" + name, "0", body))
        assert root.findtext(f".//{{urn:coffer:test}}colour") == "blue & green"


def test_malformed_and_hostile_xml_is_a_400(server, alice):
    s = dav_session(alice, api_token(alice))
    laughs = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
              '<D:propfind xmlns:D="DAV:"><D:prop><x>&b;</x></D:prop></D:propfind>')
    for body in ("<D:propfind xmlns:D='DAV:'><D:prop>", "not xml at all", laughs,
                 '<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>'):
        r = propfind(s, server.url + "/dav/", "0", body)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", body
    r = s.request("PROPPATCH", server.url + "/dav/", data="<" * 10)
    assert r.status_code == 400
    r = s.request("LOCK", server.url + "/dav/x", data="<D:lockinfo xmlns:D='DAV:'/>")
    assert r.status_code == 400
    r = propfind(s, server.url + "/dav/", "0", "<a>" + "x" * (2 << 20) + "</a>")
    assert r.status_code == 413


def test_put_makes_versions_and_delete_goes_to_the_trash(server, alice):
    s = dav_session(alice, api_token(alice))
    url = server.url + "/dav/notes.txt"
    assert s.put(url, data=b"one").status_code == 201
    assert s.put(url, data=b"two").status_code == 204
    node = alice.get("/api/v1/nodes", params={"path": "/notes.txt"}).json()
    assert len(alice.get(f"/api/v1/files/{node['id']}/versions").json()["items"]) == 2
    r = s.get(url)
    # WebDAV entity tags are the first 128 bits of the content SHA-256 (docs/webdav.md).
    assert r.content == b"two" and r.headers["ETag"] == '"' + node["sha256"][:32] + '"'
    assert s.get(url, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    r = s.get(url, headers={"Range": "bytes=1-"})
    assert r.status_code == 206 and r.content == b"wo"
    assert s.head(url).headers["Content-Length"] == "3"
    assert s.delete(url).status_code == 204
    assert s.get(url).status_code == 404
    trash = alice.get("/api/v1/trash").json()["items"]
    assert [t["name"] for t in trash] == ["notes.txt"]


def test_quota_is_enforced_over_dav(data_dir):
    s = Server(data_dir, extra_args=["--default-quota", "1000"])
    add_user(s, "dora", "dora-password-12")
    s.start()
    try:
        from conftest import Client
        dora = Client(s, "dora", "dora-password-12")
        d = dav_session(dora, api_token(dora))
        assert d.put(s.url + "/dav/small", data=b"x" * 600).status_code == 201
        r = d.put(s.url + "/dav/large", data=b"x" * 600)
        assert r.status_code == 507 and error_code(r) == "QUOTA_EXCEEDED"
        body = '<D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/></D:prop></D:propfind>'
        root = multistatus(propfind(d, s.url + "/dav/", "0", body))
        assert root.findtext(f".//{D}quota-available-bytes") == "400"
    finally:
        s.stop()


def shared_lockinfo(owner):
    return ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope>'
            f'<D:locktype><D:write/></D:locktype><D:owner>{owner}</D:owner></D:lockinfo>')


def test_locks_are_bounded_in_owner_size_timeout_and_number(server, alice):
    """Issue 17, finding 4: locks were unbounded (1 MiB owners, 7-day timeouts, any number), so
    memory grew by 90 MB and one lock-discovery PROPFIND answered 92 MB."""
    s = dav_session(alice, api_token(alice))
    url = server.url + "/dav/busy.txt"
    s.put(url, data=b"x")
    r = s.request("LOCK", url, data=shared_lockinfo("o" * 5000), headers={"Depth": "0"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", r.text
    r = s.request("LOCK", url, data=shared_lockinfo("me"), headers={"Depth": "0", "Timeout": "Second-604800"})
    assert r.status_code == 200
    assert r.headers.get("Timeout") == "Second-86400" or "Second-86400" in r.text
    # At most 1,000 live locks in one user's tree: shared locks on one file reach it fast.
    for _ in range(999):
        r = s.request("LOCK", url, data=shared_lockinfo("me"), headers={"Depth": "0"})
        assert r.status_code == 200
    r = s.request("LOCK", url, data=shared_lockinfo("me"), headers={"Depth": "0"})
    assert r.status_code == 429 and error_code(r) == "TOO_MANY_REQUESTS", r.text
    token = r.headers.get("Lock-Token")
    assert token is None
    # Released locks make room again.
    first = s.request("PROPFIND", url, headers={"Depth": "0"}, data=(
        '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>'))
    one = ET.fromstring(first.content).findtext(f".//{D}locktoken/{D}href")
    assert s.request("UNLOCK", url, headers={"Lock-Token": f"<{one}>"}).status_code == 204
    assert s.request("LOCK", url, data=shared_lockinfo("me"), headers={"Depth": "0"}).status_code == 200


def test_locks_are_enforced_on_writes(server, alice):
    s = dav_session(alice, api_token(alice))
    url = server.url + "/dav/locked.txt"
    s.put(url, data=b"v1")
    lockinfo = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
                '<D:locktype><D:write/></D:locktype><D:owner>tester</D:owner></D:lockinfo>')
    r = s.request("LOCK", url, data=lockinfo, headers={"Timeout": "Second-120", "Depth": "0"})
    assert r.status_code == 200, r.text
    token = r.headers["Lock-Token"].strip("<>")
    assert token.startswith("opaquelocktoken:")
    r = s.put(url, data=b"v2")
    assert r.status_code == 423 and b"lock-token-submitted" in r.content
    assert s.delete(url).status_code == 423
    assert s.request("MOVE", url, headers={"Destination": "/dav/elsewhere.txt"}).status_code == 423
    assert s.put(url, data=b"v2", headers={"If": f"(<{token}>)"}).status_code == 204
    assert s.put(url, data=b"v3", headers={"If": f"(<{token}> [\"wrong\"])"}).status_code == 412
    # The same lock seen through PROPFIND, then released.
    root = multistatus(propfind(s, url, "0"))
    assert root.findtext(f".//{D}activelock/{D}locktoken/{D}href") == token
    assert s.request("UNLOCK", url, headers={"Lock-Token": f"<{token}>"}).status_code == 204
    assert s.put(url, data=b"v3").status_code == 204

    # Locking an unmapped URL creates an empty resource.
    r = s.request("LOCK", server.url + "/dav/new.txt", data=lockinfo)
    assert r.status_code == 201
    assert s.get(server.url + "/dav/new.txt").content == b""


def test_users_see_only_their_own_tree(server, alice, bob):
    a = dav_session(alice, api_token(alice))
    b = dav_session(bob, api_token(bob))
    assert a.put(server.url + "/dav/private.txt", data=b"alice only").status_code == 201
    assert b.get(server.url + "/dav/private.txt").status_code == 404
    # Bob's root: nothing of his own yet, and the (empty) collection of what is shared with him.
    assert hrefs(propfind(b, server.url + "/dav/")) == ["/dav/", "/dav/Shared/"]
    # A destination is a path in the caller's own tree, whatever it looks like.
    r = b.request("COPY", server.url + "/dav/private.txt", headers={"Destination": "/dav/mine.txt"})
    assert r.status_code == 404
    assert a.request("MOVE", server.url + "/dav/private.txt",
                     headers={"Destination": "http://elsewhere.example/other/x"}).status_code == 403
    assert a.get(server.url + "/dav/private.txt").content == b"alice only"


def test_copy_and_move_semantics(server, alice):
    s = dav_session(alice, api_token(alice))
    u = server.url + "/dav/"
    assert s.request("MKCOL", u + "src").status_code == 201
    assert s.put(u + "src/f%20one.txt", data=b"1").status_code == 201
    assert s.request("MKCOL", u + "src/sub").status_code == 201
    # Depth 0 copies the collection without its members.
    assert s.request("COPY", u + "src/", headers={"Destination": u + "shallow/", "Depth": "0"}).status_code == 201
    assert hrefs(propfind(s, u + "shallow/")) == ["/dav/shallow/"]
    assert s.request("COPY", u + "src/", headers={"Destination": u + "deep/"}).status_code == 201
    assert s.get(u + "deep/f%20one.txt").content == b"1"
    # Overwrite: F refuses an existing destination; T replaces it (204).
    r = s.request("COPY", u + "src/", headers={"Destination": u + "deep/", "Overwrite": "F"})
    assert r.status_code == 412
    assert s.request("MOVE", u + "src/", headers={"Destination": u + "deep/", "Overwrite": "T"}).status_code == 204
    assert s.get(u + "src/f%20one.txt").status_code == 404
    assert s.request("MOVE", u + "deep/", headers={"Destination": u + "deep/sub/x/"}).status_code in (403, 409)
    assert s.request("COPY", u + "deep/", headers={"Destination": u + "missing/parent/"}).status_code == 409
    assert s.request("COPY", u + "deep/", headers={}).status_code == 400


def test_infinite_depth_when_the_server_allows_it(data_dir):
    s = Server(data_dir, extra_args=["--dav-infinite-depth", "true"])
    add_user(s, "erin", "erin-password-12")
    s.start()
    try:
        from conftest import Client
        erin = Client(s, "erin", "erin-password-12")
        d = dav_session(erin, api_token(erin))
        assert d.request("MKCOL", s.url + "/dav/a").status_code == 201
        assert d.request("MKCOL", s.url + "/dav/a/b").status_code == 201
        assert d.put(s.url + "/dav/a/b/c.txt", data=b"deep").status_code == 201
        assert hrefs(propfind(d, s.url + "/dav/", "infinity")) == [
            "/dav/", "/dav/a/", "/dav/Shared/", "/dav/a/b/", "/dav/a/b/c.txt"]
    finally:
        s.stop()


def test_listings_show_documents_of_every_status(server, alice):
    s = dav_session(alice, api_token(alice))
    alice.upload("kept.txt", b"kept")
    old = alice.upload("old.txt", b"old").json()["id"]
    wait_processed(alice, old)  # only an active document can be archived
    assert alice.patch(f"/api/v1/nodes/{old}", json={"status": "archived"}).status_code == 200
    # The REST listing hides archived documents unless asked; a desktop client sees them all.
    rest = [n["name"] for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]]
    assert "old.txt" not in rest and "kept.txt" in rest
    listed = hrefs(propfind(s, server.url + "/dav/"))
    assert "/dav/old.txt" in listed and "/dav/kept.txt" in listed
    assert s.get(server.url + "/dav/old.txt").content == b"old"


def test_the_server_root_answers_windows_webdav_probe(server):
    # Windows' redirector sends OPTIONS / (without credentials) before it opens /dav/.
    r = requests.options(server.url + "/")
    assert r.status_code == 200, r.text
    assert r.headers["DAV"] == "1, 2" and r.headers["MS-Author-Via"] == "DAV"
    # Other methods on the root are not WebDAV: the web UI or a 404 as before.
    assert requests.request("PROPFIND", server.url + "/").status_code == 404


def test_propfind_depth_1_on_a_big_folder_is_streamed_and_complete(server, alice):
    """A big folder's PROPFIND answer goes out as it is built (chunked, no Content-Length) and
    still holds exactly one well-formed response per member, escaped as names require."""
    token = api_token(alice)
    s = dav_session(alice, token)
    base = server.url + "/dav/big/"
    assert s.request("MKCOL", base).status_code == 201
    odd = ["a&b <c>.txt", "100% done.txt", "spaces and ünïcödé ☃.txt", "it's \"quoted\".txt",
           "x%2Fy.txt", "~tilde+plus=equals;semi.txt"]
    # More than two listing pages (1,000 rows each), a few entries with properties and a lock.
    names = odd + [f"f{i:05d}.txt" for i in range(2500 - len(odd) - 2)]
    local = threading.local()

    def put(name):
        if not hasattr(local, "s"):
            local.s = dav_session(alice, token)
        # On PostgreSQL, concurrent commits into one folder can keep conflicting (503, "the
        # database is busy"); a client retries those.
        for attempt in range(10):
            r = local.s.put(base + quote(name, safe=""), data=f"content of {name}\n".encode())
            if r.status_code != 503:
                break
            time.sleep(0.05 * (attempt + 1))
        assert r.status_code == 201, r.text

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(put, names))
    for folder in ("sub folder", "z&z"):
        assert s.request("MKCOL", base + quote(folder, safe="")).status_code == 201
    patch = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:coffer:test">'
             '<D:set><D:prop><Z:colour>red &amp; blue</Z:colour></D:prop></D:set></D:propertyupdate>')
    for name in ("a&b <c>.txt", "f01500.txt", "f02400.txt"):
        assert s.request("PROPPATCH", base + quote(name, safe=""), data=patch).status_code == 207
    lock = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
            '<D:locktype><D:write/></D:locktype></D:lockinfo>')
    r = s.request("LOCK", base + "f02000.txt", headers={"Depth": "0"}, data=lock)
    assert r.status_code == 200, r.text
    lock_token = r.headers["Lock-Token"].strip("<>")

    r = s.request("PROPFIND", base, headers={"Depth": "1"}, stream=True)
    assert r.status_code == 207
    assert r.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in r.headers
    root = ET.fromstring(r.raw.read(decode_content=True))
    responses = root.findall(D + "response")
    assert len(responses) == 2501
    seen = {}
    for e in responses:
        href = e.findtext(D + "href")
        assert href.startswith("/dav/big/")
        seen[unquote(href[len("/dav/big/"):])] = e
    assert sorted(seen) == sorted([""] + names + ["sub folder/", "z&z/"])
    for name in names:
        e = seen[name]
        content = f"content of {name}\n".encode()
        assert e.findtext(f".//{D}displayname") == name
        assert e.findtext(f".//{D}getcontentlength") == str(len(content))
        assert e.findtext(f".//{D}getetag") == '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        assert e.find(f".//{D}resourcetype/{D}collection") is None
        colour = e.findtext(".//{urn:coffer:test}colour")
        assert colour == ("red & blue" if name in ("a&b <c>.txt", "f01500.txt", "f02400.txt") else None)
        tokens = [t.text for t in e.iterfind(f".//{D}lockdiscovery/{D}activelock/{D}locktoken/{D}href")]
        assert tokens == ([lock_token] if name == "f02000.txt" else [])
    assert seen["sub folder/"].find(f".//{D}resourcetype/{D}collection") is not None
    # Percent-encoding in hrefs: every byte outside the unreserved set is escaped.
    assert seen["a&b <c>.txt"].findtext(D + "href") == "/dav/big/a%26b%20%3Cc%3E.txt"
    assert seen["100% done.txt"].findtext(D + "href") == "/dav/big/100%25%20done.txt"

    # Errors before the answer starts keep their status.
    assert s.request("PROPFIND", base + "missing/", headers={"Depth": "1"}).status_code == 404
    r = s.request("PROPFIND", base, headers={"Depth": "1"}, data="<not xml")
    assert r.status_code == 400


def test_webdav_deletions_are_in_the_audit_log_with_the_credential(server, alice):
    # DELETE of a file and of a collection, and MOVE onto an existing file (which deletes it
    # first), each audited as over REST, naming the API token that did it.
    tokens = alice.post("/api/v1/auth/tokens", json={"name": "sync", "scopes": "files:read files:write"})
    assert tokens.status_code == 201, tokens.text
    token = tokens.json()
    dav = dav_session(alice, token["token"])
    base = server.url + "/dav/"
    for name in ("a.txt", "b.txt", "c.txt"):
        assert dav.put(base + name, data=name.encode()).status_code == 201
    assert dav.request("MKCOL", base + "folder").status_code == 201
    ids = {n["name"]: n["id"] for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]}

    assert dav.delete(base + "a.txt").status_code == 204
    assert dav.delete(base + "folder").status_code == 204
    r = dav.request("MOVE", base + "b.txt", headers={"Destination": base + "c.txt", "Overwrite": "T"})
    assert r.status_code == 204, r.text

    events = alice.get("/api/v1/audit", params={"action": "files.delete"}).json()["items"]
    assert sorted(e["target"] for e in events) == sorted(
        f"node:{ids[name]}" for name in ("a.txt", "folder", "c.txt"))
    assert all(f"api token {token['id']}" in e["detail"] for e in events), events


def test_an_overwriting_copy_or_move_that_failed_left_the_destination_in_the_trash(data_dir):
    """MOVE and COPY with Overwrite: T replace the destination in the same transaction as the
    move or copy (issue 15, the two-step overwrite): one that fails changes nothing. Before, the
    destination went to the trash first and stayed there when the move or copy then failed."""
    server = Server(data_dir, extra_args=["--default-quota", "100000"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        alice = Client(server, "alice", "alice-password-1")
        s = dav_session(alice, api_token(alice))
        base = server.url + "/dav/"
        assert s.put(base + "big.bin", data=os.urandom(60_000)).status_code == 201
        assert s.put(base + "keep.txt", data=b"keep me").status_code == 201
        # The copy does not fit the quota.
        r = s.request("COPY", base + "big.bin", headers={"Destination": base + "keep.txt", "Overwrite": "T"})
        assert r.status_code == 507, r.text
        assert s.get(base + "keep.txt").content == b"keep me"
        # A move onto the folder that holds the source.
        assert s.request("MKCOL", base + "folder").status_code == 201
        assert s.put(base + "folder/inner.txt", data=b"inner").status_code == 201
        r = s.request("MOVE", base + "folder/inner.txt", headers={"Destination": base + "folder", "Overwrite": "T"})
        assert r.status_code == 409, r.text
        assert s.get(base + "folder/inner.txt").content == b"inner"
        assert alice.get("/api/v1/trash").json()["items"] == []
    finally:
        server.stop()


def test_concurrent_overwriting_moves_onto_one_name_failed_or_lost_files(server, alice):
    """Eight clients MOVE their own file onto one name with Overwrite: T at once: each move
    replaces whatever stands there when it commits, so every one succeeds and every replaced
    file is in the trash. Before, a client deleted a destination another had already deleted
    or replaced (404, 409)."""
    token = api_token(alice)
    s = dav_session(alice, token)
    base = server.url + "/dav/"
    for round_ in range(3):
        contents = [f"original {round_}".encode()] + [f"source {i} round {round_}".encode() * (i + 2) for i in range(8)]
        assert s.put(base + "target.txt", data=contents[0]).status_code == 201
        for i in range(8):
            assert s.put(base + f"source-{i}.txt", data=contents[i + 1]).status_code == 201
        barrier = threading.Barrier(8)

        def move(i):
            session = dav_session(alice, token)
            barrier.wait()
            return session.request("MOVE", base + f"source-{i}.txt",
                                   headers={"Destination": base + "target.txt", "Overwrite": "T"}).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(move, range(8)))
        assert codes == [204] * 8, codes
        winner = s.get(base + "target.txt").content
        assert winner in contents[1:]
        # Every other file is in the trash, none lost.
        trash = alice.get("/api/v1/trash").json()["items"]
        assert sorted(t["size"] for t in trash) == sorted(len(c) for c in contents if c != winner), trash
        assert {t["name"] for t in trash} == {"target.txt"}
        assert alice.delete("/api/v1/trash").status_code == 200
        assert s.delete(base + "target.txt").status_code == 204
        assert alice.delete("/api/v1/trash").status_code == 200


def test_two_conditional_puts_with_one_etag_both_replaced_the_file(server, alice):
    """If-Match on a WebDAV PUT holds at the commit, not only when the request began: of two
    clients writing over the same version at once, one wins and the other gets 412 (issue 15,
    the two-step overwrite)."""
    s = dav_session(alice, api_token(alice))
    url = server.url + "/dav/contended.txt"
    assert s.put(url, data=b"base").status_code == 201
    for round_ in range(5):
        etag = s.head(url).headers["ETag"]
        barrier = threading.Barrier(2)
        results = []

        def write(i):
            barrier.wait()
            results.append(s.put(url, data=f"writer {i} round {round_}".encode(),
                                 headers={"If-Match": etag}).status_code)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [204, 412], results
    # And If-None-Match: * creates only, once.
    new = server.url + "/dav/created-once.txt"
    codes = sorted(s.put(new, data=b"x", headers={"If-None-Match": "*"}).status_code for _ in range(2))
    assert codes == [201, 412]
