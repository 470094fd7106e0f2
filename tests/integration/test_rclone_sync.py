"""rclone (Debian's 1.60.1) with its webdav backend in Nextcloud mode (`vendor = nextcloud`)
against /remote.php/dav/files/{user}/, as docs/clients.md tells users to connect it: a tree
copied up with its modification times and bytes intact, and `rclone bisync` between a local
folder and Coffer, with changes on both sides."""

import datetime
import hashlib
import os

from dav_helpers import api_token, rclone, rclone_env
from test_sync_clients import log_mark, make_tree, requests_since, same_tree

SMALL_FILES = 50


def nextcloud_remote(server, client, tmp_path):
    """The environment of an rclone whose remote `coffer:` is the client's files, reached as
    rclone's Nextcloud vendor does, with an API token (obscured) as the app password."""
    url = f"{server.url}/remote.php/dav/files/{client.username}/"
    return rclone_env(tmp_path, url, client.username, api_token(client), vendor="nextcloud")


def ok(env, *args):
    r = rclone(env, *args)
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def files_listing(env, path):
    """Every file below `path`: "path;size;modification time (to the second)" lines."""
    out = ok(env, "lsf", "-R", "--files-only", "--format", "pst", path).stdout
    return sorted(out.splitlines())


def sha1_listing(root):
    """{relative path: SHA-1} of every file below the local folder `root`."""
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = hashlib.sha1(f.read()).hexdigest()
    return out


def hashsum_listing(output):
    """{path: hash} of `rclone hashsum` output ("<hash>  <path>" lines)."""
    return {line[42:]: line[:40] for line in output.splitlines() if line.strip()}


def dated_tree(root):
    """make_tree()'s tree (nested folders, an empty file, a 3 MB file, umlauts and spaces) with
    SMALL_FILES small files and a 12 MiB file, every file dated in the past, each at another
    second, so that a preserved modification time cannot be the upload's."""
    make_tree(root, SMALL_FILES)
    (root / "docs" / "large.bin").write_bytes(os.urandom(12 * 1024 * 1024))
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    for i, path in enumerate(paths):
        os.utime(path, (1_600_000_000 + 7 * i, 1_600_000_000 + 7 * i))
    return paths


def test_rclone_copies_a_tree_up_and_down_with_mtimes_and_identical_bytes(server, alice, tmp_path):
    env = nextcloud_remote(server, alice, tmp_path)
    up = tmp_path / "up"
    up.mkdir()
    paths = dated_tree(up)

    mark = log_mark(server)
    ok(env, "copy", str(up), "coffer:backup")
    # Each file is one PUT carrying its X-OC-Mtime, the 12 MiB one too: rclone 1.60 has no
    # Nextcloud chunked uploads (1.63 added them), so nothing goes to the uploads space.
    methods = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    assert methods.count("PUT") == len(paths) and "MOVE" not in methods, methods

    # Both sides list the same files, sizes and modification times (rclone's precision with
    # Nextcloud: one second).
    local = files_listing(env, str(up))
    assert len(local) == len(paths)
    assert files_listing(env, "coffer:backup") == local
    node = alice.get("/api/v1/nodes", params={"path": "/backup/Ümlaut Ördner/file with space.txt"}).json()
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(up / "Ümlaut Ördner" / "file with space.txt"),
                                            datetime.timezone.utc)
    assert datetime.datetime.fromisoformat(node["modified"].replace("Z", "+00:00")) == mtime

    # The bytes: compared by downloading them, and their SHA-1s computed from what Coffer serves.
    r = ok(env, "check", "--download", str(up), "coffer:backup")
    assert f"{len(paths)} matching files" in r.stderr and "0 differences found" in r.stderr, r.stderr
    served = hashsum_listing(ok(env, "hashsum", "sha1", "--download", "coffer:backup").stdout)
    assert served == sha1_listing(up)

    # Down into an empty folder: the same bytes, the same times.
    down = tmp_path / "down"
    ok(env, "copy", "coffer:backup", str(down))
    assert same_tree(up, down)
    assert files_listing(env, str(down)) == local


def test_rclone_compares_checksums_without_downloading(server, alice, tmp_path):
    env = nextcloud_remote(server, alice, tmp_path)
    up = tmp_path / "up"
    up.mkdir()
    (up / "a.txt").write_text("checksummed\n")
    ok(env, "copy", str(up), "coffer:sums")
    r = ok(env, "check", str(up), "coffer:sums")
    assert "hashes could not be checked" not in r.stderr, r.stderr
    served = hashsum_listing(ok(env, "hashsum", "sha1", "coffer:sums").stdout)
    assert served == sha1_listing(up)


def test_rclone_bisync_between_a_local_folder_and_coffer(server, alice, tmp_path):
    env = nextcloud_remote(server, alice, tmp_path)
    workdir = str(tmp_path / "bisync-state")

    def bisync(*extra):
        return ok(env, "bisync", str(local), "coffer:sync", "--workdir", workdir, "-v", *extra)

    local = tmp_path / "local"
    (local / "a b" / "Ördner").mkdir(parents=True)
    (local / "a b" / "Ördner" / "deep.txt").write_text("deep down\n")
    (local / "empty.txt").write_bytes(b"")
    for name in ["keep", "edit-here", "edit-there", "delete-here", "delete-there"]:
        (local / f"{name}.txt").write_text(f"{name}: first\n")
        os.utime(local / f"{name}.txt", (1_600_000_000, 1_600_000_000))
    ok(env, "mkdir", "coffer:sync")
    r = bisync("--resync")
    assert "Bisync successful" in r.stderr
    assert files_listing(env, "coffer:sync") == files_listing(env, str(local))

    # Here: a new file, an edit, a deletion.
    (local / "new-here.txt").write_text("made here\n")
    (local / "edit-here.txt").write_text("edit-here: edited here\n")
    (local / "delete-here.txt").unlink()
    # There (another device, over the REST API): the same three.
    sync = alice.get("/api/v1/nodes", params={"path": "/sync"}).json()["id"]
    assert alice.upload("new-there.txt", b"made there\n", folder=sync).status_code == 201
    assert alice.upload("edit-there.txt", b"edit-there: edited there\n", folder=sync).status_code in (200, 201)
    gone = alice.get("/api/v1/nodes", params={"path": "/sync/delete-there.txt"}).json()["id"]
    assert alice.delete(f"/api/v1/nodes/{gone}").status_code == 204

    mark = log_mark(server)
    r = bisync()
    assert "Path1:    3 changes:    1 new,    1 newer,    0 older,    1 deleted" in r.stderr, r.stderr
    assert "Path2:    3 changes:    1 new,    1 newer,    0 older,    1 deleted" in r.stderr, r.stderr
    methods = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    assert methods.count("PUT") == 2 and methods.count("DELETE") == 1, methods

    # Both sides hold the same files, times and bytes.
    listing = files_listing(env, str(local))
    assert listing == files_listing(env, "coffer:sync")
    names = sorted(line.split(";")[0] for line in listing)
    assert names == sorted(["a b/Ördner/deep.txt", "empty.txt", "keep.txt", "edit-here.txt",
                            "edit-there.txt", "new-here.txt", "new-there.txt"])
    assert (local / "edit-there.txt").read_text() == "edit-there: edited there\n"
    assert (local / "new-there.txt").read_text() == "made there\n"
    r = ok(env, "check", "--download", str(local), "coffer:sync")
    assert "0 differences found" in r.stderr, r.stderr
    # The local deletion went to Coffer's trash (with the one made there), restorable; the
    # local edit left the earlier content as a version.
    trash = {n["name"]: n for n in alice.get("/api/v1/trash").json()["items"]}
    assert sorted(trash) == ["delete-here.txt", "delete-there.txt"]
    assert alice.post(f"/api/v1/trash/{trash['delete-here.txt']['id']}/restore").status_code == 200
    restored = alice.get("/api/v1/nodes", params={"path": "/sync/delete-here.txt"}).json()
    assert alice.get(f"/api/v1/files/{restored['id']}/content").content == b"delete-here: first\n"
    edited = alice.get("/api/v1/nodes", params={"path": "/sync/edit-here.txt"}).json()["id"]
    versions = alice.get(f"/api/v1/files/{edited}/versions").json()["items"]
    assert len(versions) == 2

    # The restored file comes back here on the next run; then a run with nothing to do
    # changes nothing on either side.
    bisync()
    assert (local / "delete-here.txt").read_text() == "delete-here: first\n"
    mark = log_mark(server)
    r = bisync()
    assert "No changes found" in r.stderr, r.stderr
    methods = [m for m, route in requests_since(server, mark) if route == "/dav/*"]
    assert set(methods) == {"PROPFIND"}, methods
    assert files_listing(env, str(local)) == files_listing(env, "coffer:sync")
