"""The Nextcloud and ownCloud desktop clients (Debian's nextcloudcmd and owncloudcmd) against
the real server, with the server's root as the URL users type, and the protocol pieces they
rely on: /status.php, the OCS capabilities and user, the /remote.php mounts, the oc: and nc:
properties, folder ETags that change when anything below changes, X-OC-Mtime, OC-Checksum."""

import filecmp
import hashlib
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import requests

from conftest import Client, Server, add_user, error_code
from dav_helpers import D, api_token, dav_session, multistatus, propfind

OC = "{http://owncloud.org/ns}"
NC = "{http://nextcloud.org/ns}"
CLIENT_PROPS = """<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
<d:prop><d:resourcetype/><d:getlastmodified/><d:getcontentlength/><d:getetag/>
<oc:id/><oc:fileid/><oc:permissions/><oc:size/><oc:checksums/><oc:data-fingerprint/>
<oc:share-types/><nc:has-preview/><nc:is-encrypted/><oc:owner-display-name/></d:prop>
</d:propfind>"""


def run_client(program, server, user, password, local, home, extra=()):
    """One sync run of `program` (nextcloudcmd or owncloudcmd) of `local` with the server's
    root URL; returns the completed process. HOME is the test's: nothing outside it is read."""
    exclude = home / "exclude.lst"
    if not exclude.exists():
        exclude.write_text("")  # owncloudcmd refuses to run without an exclude list
    args = [program, "--non-interactive", "--exclude", str(exclude), "-u", user, "-p", password,
            *extra, str(local), server.url]
    result = subprocess.run(args, env={**os.environ, "HOME": str(home)}, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def requests_since(server, mark):
    """The (method, route) of each request the server logged after log offset `mark`."""
    with open(server.log_path) as f:
        f.seek(mark)
        lines = f.read().splitlines()
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("msg") == "request":
            out.append((entry["method"], entry["route"]))
    return out


def log_mark(server):
    return os.path.getsize(server.log_path)


# How many small files make_tree() puts in small/ by default (the tree of 2,000).
SMALL_FILES = 2000
# The files of make_tree() outside small/: the empty file, the 3 MB file, two more.
OTHER_FILES = 4


def make_tree(root, small_files=SMALL_FILES):
    """Nested folders, an empty file, a 3 MB file, names with umlauts and spaces, and
    `small_files` small files (2,000 by default): what a documents folder is made of."""
    (root / "docs" / "deep" / "er").mkdir(parents=True)
    (root / "Ümlaut Ördner").mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "docs" / "big.bin").write_bytes(os.urandom(3_000_000))
    (root / "Ümlaut Ördner" / "file with space.txt").write_text("grüße\n")
    (root / "docs" / "deep" / "er" / "deepest.md").write_text("# deep\n")
    (root / "small").mkdir()
    for i in range(small_files):
        (root / "small" / f"note-{i:04d}.txt").write_bytes(os.urandom(64) + str(i).encode())


def client_folders(tmp_path, small_files=SMALL_FILES):
    """A HOME for the client and a folder holding make_tree()'s files: (home, up)."""
    home, up = tmp_path / "home", tmp_path / "up"
    home.mkdir()
    up.mkdir()
    make_tree(up, small_files)
    return home, up


def same_tree(a, b):
    """True when folders `a` and `b` hold the same names and bytes (sync databases aside)."""
    ignore = lambda names: {n for n in names if n.startswith((".sync_", "._sync_", ".owncloudsync", ".csync"))}

    def walk(x, y):
        cmp = filecmp.dircmp(x, y, ignore=list(ignore(os.listdir(x)) | ignore(os.listdir(y))))
        if cmp.left_only or cmp.right_only or cmp.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(x, y, cmp.common_files, shallow=False)
        if mismatch or errors:
            return False
        return all(walk(os.path.join(x, d), os.path.join(y, d)) for d in cmp.common_dirs)

    return walk(str(a), str(b))


def children(client, folder):
    """Every child of the folder `folder` (over REST, page by page)."""
    items, cursor = [], None
    while True:
        r = client.get(f"/api/v1/folders/{folder}/children", params={"limit": 1000, "cursor": cursor})
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items


def remote_names(client, path):
    folder = client.get("/api/v1/folders/root").json()["id"]
    for name in [p for p in path.split("/") if p]:
        folder = next(n["id"] for n in children(client, folder) if n["name"] == name)
    return sorted(n["name"] for n in children(client, folder))


def test_status_capabilities_and_user_answer_as_the_clients_expect(server, alice):
    status = requests.get(server.url + "/status.php")
    assert status.status_code == 200
    body = status.json()
    assert body["installed"] is True and body["maintenance"] is False
    assert body["productname"] == "Coffer"
    assert int(body["version"].split(".")[0]) >= 20  # the clients refuse servers older than that

    token = api_token(alice)
    auth = ("alice", token)
    v2 = requests.get(server.url + "/ocs/v2.php/cloud/capabilities?format=json", auth=auth,
                      headers={"OCS-APIRequest": "true"})
    assert v2.status_code == 200, v2.text
    ocs = v2.json()["ocs"]
    assert ocs["meta"]["statuscode"] == 200
    caps = ocs["data"]["capabilities"]
    assert caps["checksums"]["supportedTypes"] == ["SHA256"]
    assert caps["core"]["webdav-root"] == "remote.php/webdav"
    assert ocs["data"]["version"]["major"] >= 20

    # v1 answers 100 as its OCS status; XML unless JSON is asked for.
    v1 = requests.get(server.url + "/ocs/v1.php/cloud/capabilities", auth=auth)
    assert v1.status_code == 200 and v1.headers["Content-Type"].startswith(("application/xml", "text/xml"))
    xml = ET.fromstring(v1.content)
    assert xml.findtext("meta/statuscode") == "100"
    assert xml.findtext("data/capabilities/checksums/preferredUploadType") == "SHA256"
    by_accept = requests.get(server.url + "/ocs/v1.php/cloud/capabilities", auth=auth,
                             headers={"Accept": "application/json"})
    assert by_accept.json()["ocs"]["meta"]["statuscode"] == 100

    user = requests.get(server.url + "/ocs/v1.php/cloud/user?format=json", auth=auth).json()["ocs"]["data"]
    assert user["id"] == "alice"
    assert user["display-name"]
    assert "quota" in user

    # Without credentials, or with a wrong token, OCS is 401 and says nothing about the user.
    assert requests.get(server.url + "/ocs/v1.php/cloud/user?format=json").status_code == 401
    wrong = requests.get(server.url + "/ocs/v1.php/cloud/user?format=json", auth=("alice", "nope"))
    assert wrong.status_code == 401 and "alice" not in wrong.text


def test_nextcloudcmd_syncs_up_down_changes_deletions_and_conflicts(server, alice, tmp_path):
    token = api_token(alice)
    home, up = client_folders(tmp_path)

    mark = log_mark(server)
    run_client("nextcloudcmd", server, "alice", token, up, home)
    assert remote_names(alice, "/") == sorted(["Ümlaut Ördner", "docs", "empty.txt", "small"])
    assert remote_names(alice, "/small") == sorted(os.listdir(up / "small"))
    # Each file once, as a PUT (the 3 MB file is below the client's chunk size; this client
    # version is offered no bulk uploads).
    methods = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    assert methods.count("PUT") == SMALL_FILES + OTHER_FILES and "POST" not in methods
    big = (up / "docs" / "big.bin").read_bytes()

    # A second computer: an empty folder receives exactly the same tree.
    down = tmp_path / "down"
    down.mkdir()
    run_client("nextcloudcmd", server, "alice", token, down, home)
    assert same_tree(up, down)
    assert (down / "docs" / "big.bin").read_bytes() == big

    # Nothing changed: no transfers. The client recorded the folders it created without an
    # ETag, so it lists them once more; from then on one PROPFIND of the root (whose ETag
    # covers everything below) is the whole sync.
    mark = log_mark(server)
    run_client("nextcloudcmd", server, "alice", token, up, home)
    dav = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    assert set(dav) == {"PROPFIND"}, dav
    mark = log_mark(server)
    run_client("nextcloudcmd", server, "alice", token, up, home)
    dav = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    assert dav == ["PROPFIND"], dav

    # A change made on the server (over REST, deep down) reaches the client.
    s = dav_session(alice, token)
    r = s.put(server.url + "/dav/docs/deep/er/from-the-web.txt", data=b"added on the server\n")
    assert r.status_code == 201
    # A local deletion reaches the server: into the trash, not gone.
    (up / "small" / "note-0007.txt").unlink()
    run_client("nextcloudcmd", server, "alice", token, up, home)
    assert (up / "docs" / "deep" / "er" / "from-the-web.txt").read_bytes() == b"added on the server\n"
    assert "note-0007.txt" not in remote_names(alice, "/small")
    assert len(remote_names(alice, "/small")) == SMALL_FILES - 1
    trash = [n["name"] for n in alice.get("/api/v1/trash").json()["items"]]
    assert trash == ["note-0007.txt"]

    # Both sides change one file: the server's version wins the name, the local edit is kept
    # as a conflicted copy next to it.
    (down / "Ümlaut Ördner" / "file with space.txt").write_text("edited locally\n")
    r = s.put(server.url + "/remote.php/webdav/" + quote("Ümlaut Ördner/file with space.txt"),
              data=b"edited on the server\n")
    assert r.status_code == 204
    run_client("nextcloudcmd", server, "alice", token, down, home)
    names = os.listdir(down / "Ümlaut Ördner")
    assert (down / "Ümlaut Ördner" / "file with space.txt").read_bytes() == b"edited on the server\n"
    conflicts = [n for n in names if "conflicted copy" in n]
    assert len(conflicts) == 1, names
    assert (down / "Ümlaut Ördner" / conflicts[0]).read_text() == "edited locally\n"


def test_owncloudcmd_syncs_through_remote_php_webdav(server, alice, tmp_path):
    token = api_token(alice)
    home, up = client_folders(tmp_path)
    mark = log_mark(server)
    result = run_client("owncloudcmd", server, "alice", token, up, home)
    assert "/remote.php/webdav" in result.stdout + result.stderr
    down = tmp_path / "down"
    down.mkdir()
    run_client("owncloudcmd", server, "alice", token, down, home)
    assert same_tree(up, down)
    methods = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    assert methods.count("PUT") == SMALL_FILES + OTHER_FILES  # each file once
    assert remote_names(alice, "/small") == sorted(os.listdir(up / "small"))


def test_password_sign_in_works_when_enabled_and_is_refused_otherwise(data_dir, tmp_path):
    from conftest import Server
    s = Server(data_dir, extra_args=["--dav-password-login", "true"])
    add_user(s, "alice", "alice-password-1")
    s.start()
    try:
        home = tmp_path / "home"
        home.mkdir()
        local = tmp_path / "local"
        local.mkdir()
        (local / "hello.txt").write_text("hello\n")
        run_client("nextcloudcmd", s, "alice", "alice-password-1", local, home)
        alice = Client(s, "alice", "alice-password-1")
        assert remote_names(alice, "/") == ["hello.txt"]
    finally:
        s.stop()


def test_password_basic_auth_is_refused_by_default(server):
    r = requests.get(server.url + "/ocs/v1.php/cloud/user?format=json", auth=("alice", "alice-password-1"))
    assert r.status_code == 401
    r = requests.request("PROPFIND", server.url + "/remote.php/webdav/", auth=("alice", "alice-password-1"),
                         headers={"Depth": "0"})
    assert r.status_code == 401


def props_of(response):
    """{href: {tag: element}} of a multistatus' 200 propstats."""
    out = {}
    for resp in multistatus(response).iter(D + "response"):
        href = resp.findtext(D + "href")
        found = {}
        for stat in resp.iter(D + "propstat"):
            if "200" in stat.findtext(D + "status"):
                for prop in stat.find(D + "prop"):
                    found[prop.tag] = prop
        out[href] = found
    return out


def etag_of(s, url):
    r = propfind(s, url, depth="0", body=CLIENT_PROPS)
    (props,) = props_of(r).values()
    return props[D + "getetag"].text


def test_folder_etags_change_whenever_anything_below_changes(server, alice):
    s = dav_session(alice, api_token(alice))
    base = server.url + "/remote.php/dav/files/alice/"
    for folder in ["a", "a/b", "a/b/c", "other"]:
        assert s.request("MKCOL", base + folder).status_code == 201
    folders = ["", "a/", "a/b/", "a/b/c/", "other/"]
    before = {f: etag_of(s, base + f) for f in folders}
    assert len(set(before.values())) == len(folders)

    assert s.put(base + "a/b/c/new.txt", data=b"x").status_code == 201
    after_put = {f: etag_of(s, base + f) for f in folders}
    for f in ["", "a/", "a/b/", "a/b/c/"]:
        assert after_put[f] != before[f], f
    assert after_put["other/"] == before["other/"]

    # A move changes both the old and the new ancestors; a delete changes the parent's line.
    r = s.request("MOVE", base + "a/b/c/new.txt", headers={"Destination": base + "other/new.txt"})
    assert r.status_code == 201
    after_move = {f: etag_of(s, base + f) for f in folders}
    for f in folders:
        assert after_move[f] != after_put[f], f
    assert s.delete(base + "other/new.txt").status_code == 204
    after_delete = {f: etag_of(s, base + f) for f in folders}
    assert after_delete["other/"] != after_move["other/"]
    assert after_delete[""] != after_move[""]
    assert after_delete["a/b/c/"] == after_move["a/b/c/"]


def test_propfind_answers_the_client_properties(server, alice):
    s = dav_session(alice, api_token(alice))
    base = server.url + "/remote.php/dav/files/alice/"
    assert s.request("MKCOL", base + "Photos").status_code == 201
    content = b"jpeg bytes, pretend\n"
    assert s.put(base + "Photos/a.jpg", data=content).status_code == 201
    props = props_of(propfind(s, base + "Photos/", body=CLIENT_PROPS))
    folder = props["/remote.php/dav/files/alice/Photos/"]
    file = props["/remote.php/dav/files/alice/Photos/a.jpg"]
    node = next(n for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]
                if n["name"] == "Photos")
    assert folder[OC + "fileid"].text == str(node["id"])
    assert folder[OC + "id"].text.startswith(f"{node['id']:08d}")
    assert folder[OC + "permissions"].text == "RGDNVCK"
    assert file[OC + "permissions"].text == "RGDNVW"
    assert file[OC + "size"].text == str(len(content))
    assert file[OC + "checksums"].findtext(OC + "checksum") == "SHA256:" + hashlib.sha256(content).hexdigest()
    assert file[D + "getetag"].text.strip('"') == hashlib.sha256(content).hexdigest()[:32]
    assert file[NC + "has-preview"].text == "false"
    assert OC + "data-fingerprint" in file and OC + "share-types" in file
    assert file[OC + "owner-display-name"].text


def test_put_honours_oc_mtime_checksum_and_if_match(server, alice):
    s = dav_session(alice, api_token(alice))
    url = server.url + "/remote.php/webdav/dated.txt"
    r = s.put(url, data=b"old", headers={"X-OC-Mtime": "1500000000"})
    assert r.status_code == 201
    assert r.headers["X-OC-MTime"] == "accepted"
    assert r.headers["OC-ETag"] == r.headers["ETag"]
    assert r.headers["OC-FileId"].endswith("occoffer")
    props = props_of(propfind(s, url, depth="0"))[("/remote.php/webdav/dated.txt")]
    assert props[D + "getlastmodified"].text == "Fri, 14 Jul 2017 02:40:00 GMT"

    good = hashlib.sha256(b"new").hexdigest()
    r = s.put(url, data=b"new", headers={"OC-Checksum": "SHA256:" + good, "If-Match": r.headers["ETag"]})
    assert r.status_code == 204, r.text
    # A body that does not match its declared checksum is refused and stores nothing.
    bad = s.put(url, data=b"corrupted in transit", headers={"OC-Checksum": "SHA256:" + good})
    assert bad.status_code == 400 and error_code(bad) == "CHECKSUM_MISMATCH", bad.text
    assert s.get(url).content == b"new"
    malformed = s.put(url, data=b"x", headers={"OC-Checksum": "SHA256:12"})
    assert malformed.status_code == 400
    # Checksums Coffer does not compute are neither verified nor refused.
    assert s.put(url, data=b"newer", headers={"OC-Checksum": "ADLER32:0badf00d"}).status_code == 204
    # A stale If-Match: 412, and the newer content stays.
    stale = s.put(url, data=b"lost update", headers={"If-Match": r.headers["ETag"]})
    assert stale.status_code == 412
    assert s.get(url).content == b"newer"
    assert s.put(url, data=b"x", headers={"X-OC-Mtime": "yesterday"}).status_code == 400


def test_a_declared_sha1_is_verified_recorded_and_listed_with_the_sha256(server, alice):
    """rclone's Nextcloud and ownCloud modes send OC-Checksum: SHA1:... with each upload and
    compare SHA-1s from oc:checksums: the SHA-1 is checked like a SHA-256, kept with the version
    (copies keep it), and listed; a version uploaded without one lists the SHA-256 alone."""
    s = dav_session(alice, api_token(alice))
    url = server.url + "/remote.php/webdav/summed.txt"
    content = b"declared by rclone\n"
    sha1 = hashlib.sha1(content).hexdigest()
    sha256 = hashlib.sha256(content).hexdigest()
    r = s.put(url, data=content, headers={"OC-Checksum": "SHA1:" + sha1.upper()})
    assert r.status_code == 201, r.text

    def checksums(path):
        props = props_of(propfind(s, server.url + path, depth="0", body=CLIENT_PROPS))[path]
        return props[OC + "checksums"].findtext(OC + "checksum")

    assert checksums("/remote.php/webdav/summed.txt") == f"SHA1:{sha1} SHA256:{sha256}"
    copied = s.request("COPY", url, headers={"Destination": server.url + "/remote.php/webdav/copy.txt"})
    assert copied.status_code == 201
    assert checksums("/remote.php/webdav/copy.txt") == f"SHA1:{sha1} SHA256:{sha256}"

    # A body that does not match: refused, nothing stored, the old version stays.
    bad = s.put(url, data=b"corrupted in transit", headers={"OC-Checksum": "SHA1:" + sha1})
    assert bad.status_code == 400 and error_code(bad) == "CHECKSUM_MISMATCH", bad.text
    assert s.get(url).content == content
    malformed = s.put(url, data=b"x", headers={"OC-Checksum": "SHA1:abc"})
    assert malformed.status_code == 400 and error_code(malformed) == "INVALID_ARGUMENT"

    # A new version without a declared SHA-1 lists the SHA-256 alone: never a stale SHA-1.
    assert s.put(url, data=b"plain").status_code == 204
    assert checksums("/remote.php/webdav/summed.txt") == "SHA256:" + hashlib.sha256(b"plain").hexdigest()


def test_another_users_files_mount_is_not_found(server, alice, bob):
    s = dav_session(alice, api_token(alice))
    bob_session = dav_session(bob, api_token(bob))
    assert bob_session.put(server.url + "/dav/secret.txt", data=b"bob's").status_code == 201
    for method in ["PROPFIND", "GET", "PUT", "DELETE", "MKCOL"]:
        r = s.request(method, server.url + "/remote.php/dav/files/bob/secret.txt", data=b"x")
        assert r.status_code == 404, (method, r.status_code)
    assert bob_session.get(server.url + "/dav/secret.txt").content == b"bob's"


def test_the_shared_folders_refusal_named_dav_shared_when_reached_through_remote_php(server, alice):
    # rclone rmdirs over a whole account stops at Shared/; its message must name the folder as
    # the client sees it, not a path of another mount.
    s = dav_session(alice, api_token(alice))
    r = s.request("DELETE", server.url + "/remote.php/dav/files/alice/Shared/")
    assert r.status_code == 403
    assert "/dav/Shared" not in r.text and "Shared" in r.text


def test_shares_appear_under_shared_and_change_the_root_etag(server, alice, bob):
    s = dav_session(alice, api_token(alice))
    base = server.url + "/remote.php/dav/files/alice/"
    root_before = etag_of(s, base)
    folder = bob.mkdir("Team")
    assert bob.upload("plan.txt", b"v1", folder=folder).status_code == 201
    r = bob.post(f"/api/v1/nodes/{folder}/shares", json={"permission": "write", "username": "alice"})
    assert r.status_code == 201, r.text
    root_shared = etag_of(s, base)
    assert root_shared != root_before

    props = props_of(propfind(s, base + "Shared/", body=CLIENT_PROPS))
    shared = props["/remote.php/dav/files/alice/Shared/"]
    assert shared[D + "getetag"].text and shared[OC + "id"].text
    team = props["/remote.php/dav/files/alice/Shared/Team/"]
    assert team[OC + "permissions"].text.startswith("SG")

    # Bob changes a file in the shared folder: Alice's root ETag changes, so her client sees it.
    assert bob.upload("plan.txt", b"v2", folder=folder).status_code in (200, 201)
    assert etag_of(s, base) != root_shared
    assert s.get(base + "Shared/Team/plan.txt").content == b"v2"


def start_login_flow(server):
    r = requests.post(server.url + "/index.php/login/v2",
                      headers={"User-Agent": "Mozilla/5.0 (Linux) mirall/3.7.3 (Nextcloud, test)"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["poll"]["endpoint"] == server.url + "/index.php/login/v2/poll"
    assert body["login"].startswith(server.url + "/index.php/login/v2/flow/")
    return body["login"], body["poll"]["token"]


def poll(server, token):
    return requests.post(server.url + "/index.php/login/v2/poll", data={"token": token})


def test_login_flow_v2_grants_an_app_password_once(server, alice):
    login_url, poll_token = start_login_flow(server)
    assert poll(server, poll_token).status_code == 404  # not granted yet

    page = requests.get(login_url)
    assert page.status_code == 200
    assert "mirall/3.7.3" in page.text and 'name="password"' in page.text
    assert "script-src" not in page.headers["Content-Security-Policy"]
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]

    wrong = requests.post(login_url, data={"user": "alice", "password": "not-it"})
    assert wrong.status_code == 401 and "Wrong username, password or code" in wrong.text
    assert poll(server, poll_token).status_code == 404
    # A form posted from another site's page is refused.
    forged = requests.post(login_url, data={"user": "alice", "password": "alice-password-1"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403

    granted = requests.post(login_url, data={"user": "alice", "password": "alice-password-1"})
    assert granted.status_code == 200 and "Access granted" in granted.text
    r = poll(server, poll_token)
    assert r.status_code == 200, r.text
    collected = r.json()
    assert collected["server"] == server.url and collected["loginName"] == "alice"
    app_password = collected["appPassword"]

    # Collected once; the page is gone; the app password works where the clients use it.
    assert poll(server, poll_token).status_code == 404
    assert requests.get(login_url).status_code == 404
    r = requests.request("PROPFIND", server.url + "/remote.php/dav/files/alice/",
                         auth=("alice", app_password), headers={"Depth": "0"})
    assert r.status_code == 207
    # It is a personal API token named after the client: listed, and revocable.
    tokens = alice.get("/api/v1/auth/tokens").json()["items"]
    mine = [t for t in tokens if "mirall" in t["name"]]
    assert len(mine) == 1 and sorted(mine[0]["scopes"].split()) == ["files:read", "files:write"]
    assert alice.delete(f"/api/v1/auth/tokens/{mine[0]['id']}").status_code == 204
    r = requests.request("PROPFIND", server.url + "/remote.php/dav/files/alice/",
                         auth=("alice", app_password), headers={"Depth": "0"})
    assert r.status_code == 401


def test_login_flow_v2_asks_accounts_with_a_second_factor_for_their_code(server):
    from test_admin_and_mfa import call, enrol, session, totp
    import time
    alice = session(server, "alice", "alice-password-1")
    secret, _ = enrol(server, alice)
    login_url, poll_token = start_login_flow(server)
    r = requests.post(login_url, data={"user": "alice", "password": "alice-password-1"})
    assert r.status_code == 401 and "second factor" in r.text
    assert poll(server, poll_token).status_code == 404
    r = requests.post(login_url, data={"user": "alice", "password": "alice-password-1",
                                       "code": totp(secret, time.time() + 30)})
    assert r.status_code == 200, r.text
    assert poll(server, poll_token).json()["loginName"] == "alice"
    # The password alone over Basic stays refused for this account, even where allowed.
    assert call(alice, "GET", "/api/v1/auth/me").json()["mfa_enabled"] is True


def test_nextcloudcmd_syncs_an_account_with_a_second_factor_through_login_flow_v2_in_chromium(
        data_dir, tmp_path):
    """The issue's "the same with MFA": the password alone is refused even where password
    sign-in is allowed; the browser step of Login Flow v2 runs in Chromium
    (login_flow_browser.mjs, which finds the fields by their labels): the password alone is
    asked again with the code, the password and the code grant access; the app password the
    client collects then syncs a tree up and down."""
    from test_admin_and_mfa import call, enrol, session
    s = Server(data_dir, extra_args=["--dav-password-login", "true"])
    add_user(s, "alice", "alice-password-1")
    add_user(s, "bob", "bob-password-12")
    s.start()
    try:
        alice = session(s, "alice", "alice-password-1")  # signed in before the second factor
        secret, _ = enrol(s, alice)
        # Basic with the password: bob's works on this server, alice's is refused.
        depth0 = {"Depth": "0"}
        r = requests.request("PROPFIND", s.url + "/remote.php/dav/files/bob/",
                             auth=("bob", "bob-password-12"), headers=depth0)
        assert r.status_code == 207, r.text
        r = requests.request("PROPFIND", s.url + "/remote.php/dav/files/alice/",
                             auth=("alice", "alice-password-1"), headers=depth0)
        assert r.status_code == 401 and "second factor" in r.json()["error"]["message"], r.text
        assert r.headers["WWW-Authenticate"].startswith("Basic")
        home, up = client_folders(tmp_path, small_files=20)
        refused = subprocess.run(
            ["nextcloudcmd", "--non-interactive", "-u", "alice", "-p", "alice-password-1",
             str(up), s.url], env={**os.environ, "HOME": str(home)}, capture_output=True,
            text=True, timeout=120)
        assert refused.returncode != 0
        root = call(alice, "GET", "/api/v1/folders/root").json()["id"]
        assert call(alice, "GET", f"/api/v1/folders/{root}/children").json()["items"] == []

        login_url, poll_token = start_login_flow(s)
        browser = subprocess.run(
            ["node", os.path.join(os.path.dirname(__file__), "login_flow_browser.mjs")],
            env={**os.environ, "COFFER_FLOW_URL": login_url, "COFFER_FLOW_USER": "alice",
                 "COFFER_FLOW_PASSWORD": "alice-password-1", "COFFER_FLOW_TOTP_SECRET": secret},
            capture_output=True, text=True, timeout=120)
        result = json.loads(browser.stdout)
        assert browser.returncode == 0, result
        opened, password_only, with_code = result["steps"]
        # The page: a heading, every field and the button named, the cursor in the first field.
        assert opened["status"] == 200 and opened["title"] == "Connect a sync client · Coffer"
        for role in ['heading "Connect a sync client"', 'textbox "Username"', 'textbox "Password"',
                     'textbox "Two-factor code or recovery code (if your account has a second factor)"',
                     'button "Grant access"']:
            assert role in opened["aria"] + password_only["aria"], (role, opened["aria"])
        assert opened["focused"] == "user"
        # The password alone: asked again (never sent back), with the code now required and
        # marked, both described by the alert; the cursor where typing resumes.
        assert password_only["status"] == 401 and "second factor" in password_only["alert"]
        assert password_only["username"]["value"] == "alice"
        assert password_only["password"]["value"] == "" and password_only["focused"] == "password"
        assert password_only["password"]["description"] == password_only["alert"]
        code = password_only["code"]
        assert code["required"] and code["invalid"] == "true" and code["description"] == password_only["alert"]
        # The password and the code (typed "123 456"): granted.
        assert with_code["status"] == 200 and with_code["heading"] == "Access granted"
        assert "mirall/3.7.3" in with_code["text"]
        # The only console message is the refused sign-in's own 401.
        assert all("status of 401" in e for e in result["console_errors"]), result["console_errors"]

        r = poll(s, poll_token)
        assert r.status_code == 200, r.text
        collected = r.json()
        assert collected["server"] == s.url and collected["loginName"] == "alice"
        assert poll(s, poll_token).status_code == 404
        tokens = [t for t in call(alice, "GET", "/api/v1/auth/tokens").json()["items"] if "mirall" in t["name"]]
        assert len(tokens) == 1 and sorted(tokens[0]["scopes"].split()) == ["files:read", "files:write"]

        # The client with the app password: up, then down into an empty folder, identical.
        run_client("nextcloudcmd", s, "alice", collected["appPassword"], up, home)
        down = tmp_path / "down"
        down.mkdir()
        run_client("nextcloudcmd", s, "alice", collected["appPassword"], down, home)
        assert same_tree(up, down)
        assert len(os.listdir(down / "small")) == 20
    finally:
        s.stop()


def test_unknown_login_flows_are_not_found(server):
    r = requests.get(server.url + "/index.php/login/v2/flow/cfl_nope")
    assert r.status_code == 404 and "not found" in r.text
    r = requests.post(server.url + "/index.php/login/v2/flow/cfl_nope",
                      data={"user": "alice", "password": "alice-password-1"})
    assert r.status_code == 404
    assert poll(server, "cfp_nope").status_code == 404
    assert poll(server, "").status_code == 404
