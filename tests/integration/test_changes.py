"""The change feed (GET /api/v1/changes): every change to what a user can see, in order, from a
cursor; long polls that wait for the next change without holding a server thread; what share
recipients see. Through the real server, in every configuration."""

import threading
import time

import requests

from conftest import error_code


def start(client):
    r = client.get("/api/v1/changes")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"] == [] and body["has_more"] is False
    return body["cursor"]


def changes(client, cursor, **params):
    r = client.get("/api/v1/changes", params={"cursor": cursor, **params})
    assert r.status_code == 200, r.text
    return r.json()


def summary(items):
    return [(c["type"], c["action"], c["name"]) for c in items]


def test_every_change_is_reported_once_in_order_with_a_new_cursor(server, alice):
    cursor = start(alice)
    folder = alice.mkdir("Project")
    other = alice.mkdir("Other")
    fid = alice.upload("plan.txt", b"v1", folder=folder).json()["id"]
    assert alice.upload("plan.txt", b"v2", folder=folder).status_code in (200, 201)
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"name": "plan-2.txt"}).status_code == 200
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"parent_id": other}).status_code == 200
    assert alice.delete(f"/api/v1/nodes/{fid}").status_code == 204
    assert alice.post(f"/api/v1/trash/{fid}/restore").status_code == 200
    assert alice.post(f"/api/v1/nodes/{folder}/links", json={}).status_code == 201

    feed = changes(alice, cursor)
    assert summary(feed["items"]) == [
        ("created", "created", "Project"), ("created", "created", "Other"),
        ("created", "uploaded", "plan.txt"), ("updated", "new_version", "plan.txt"),
        ("moved", "renamed", "plan-2.txt"), ("moved", "moved", "plan-2.txt"),
        ("deleted", "deleted", "plan-2.txt"), ("created", "restored", "plan-2.txt"),
        ("shared", "link_created", "Project")]
    assert feed["has_more"] is False
    ids = [c["id"] for c in feed["items"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    moved = feed["items"][5]
    assert moved["node_id"] == fid and moved["parent_id"] == other
    assert moved["detail"]["from_parent_id"] == folder and moved["actor"]["username"] == "alice"
    # Nothing new: nothing again, and the cursor stays usable.
    again = changes(alice, feed["cursor"])
    assert again["items"] == [] and again["has_more"] is False
    alice.upload("late.txt", b"x")
    assert summary(changes(alice, again["cursor"])["items"]) == [("created", "uploaded", "late.txt")]
    # A cursor from the start reads the same history again.
    assert summary(changes(alice, cursor)["items"])[:3] == summary(feed["items"])[:3]


def test_changes_through_webdav_are_in_the_feed(server, alice):
    cursor = start(alice)
    auth = ("alice", alice.post("/api/v1/auth/tokens", json={"name": "dav", "scopes": "files:read files:write"}).json()["token"])
    base = server.url + "/remote.php/dav/files/alice"
    assert requests.request("MKCOL", base + "/Synced", auth=auth).status_code == 201
    assert requests.put(base + "/Synced/a.txt", data=b"a", auth=auth).status_code == 201
    assert requests.delete(base + "/Synced/a.txt", auth=auth).status_code == 204
    assert summary(changes(alice, cursor)["items"]) == [
        ("created", "created", "Synced"), ("created", "uploaded", "a.txt"), ("deleted", "deleted", "a.txt")]


def test_pages_follow_each_other_without_gaps(server, alice):
    cursor = start(alice)
    for i in range(7):
        alice.upload(f"f{i}.txt", b"x")
    names, pages = [], 0
    while True:
        page = changes(alice, cursor, limit=3)
        names += [c["name"] for c in page["items"]]
        cursor = page["cursor"]
        pages += 1
        if not page["has_more"]:
            break
    assert names == [f"f{i}.txt" for i in range(7)] and pages == 3


def test_a_recipient_sees_the_share_and_what_changes_inside_it_only(server, alice, bob):
    project = alice.mkdir("Project")
    private = alice.mkdir("Private")
    alice.upload("before.txt", b"x", folder=project)
    cursor = start(bob)
    alice_cursor = start(alice)
    share = alice.post(f"/api/v1/nodes/{project}/shares", json={"username": "bob", "permission": "write"})
    assert share.status_code == 201
    alice.upload("inside.txt", b"x", folder=project)
    alice.upload("secret.txt", b"x", folder=private)
    bob.upload("mine.txt", b"x")
    bob.upload("by-bob.txt", b"x", folder=project)
    moved = alice.upload("leaving.txt", b"x", folder=project).json()["id"]
    assert alice.patch(f"/api/v1/nodes/{moved}", json={"parent_id": private}).status_code == 200
    feed = changes(bob, cursor)
    assert summary(feed["items"]) == [
        ("shared", "shared", "Project"), ("created", "uploaded", "inside.txt"),
        ("created", "uploaded", "mine.txt"), ("created", "uploaded", "by-bob.txt"),
        ("created", "uploaded", "leaving.txt"), ("moved", "moved", "leaving.txt")]
    # The move out of the share names no folder of Alice's that Bob cannot read.
    left = feed["items"][-1]
    assert left["parent_id"] is None and left["detail"]["from_parent_id"] == project
    assert "to_parent_id" not in left["detail"] and "new_name" not in left["detail"]
    assert feed["items"][0]["node_id"] == project
    # Revoked: Bob is told, and sees nothing of the folder afterwards.
    assert alice.delete(f"/api/v1/shares/{share.json()['id']}").status_code == 204
    alice.upload("after.txt", b"x", folder=project)
    assert summary(changes(bob, feed["cursor"])["items"]) == [("unshared", "unshared", "Project")]
    # Alice's feed has her own share and revocation once each, and no notice meant for Bob.
    sharing = [c for c in changes(alice, alice_cursor)["items"] if c["type"] in ("shared", "unshared")]
    assert summary(sharing) == [("shared", "shared", "Project"), ("unshared", "unshared", "Project")]
    assert [c["parent_id"] for c in sharing] == [alice.root, alice.root]


def test_bad_cursors_and_parameters_are_refused(server, alice):
    for bad in ("abc", "12", "1.x", "-1.5", "1.2.3", ""):
        r = alice.get("/api/v1/changes", params={"cursor": bad})
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", (bad, r.text)
    for params in ({"limit": 0}, {"limit": 1001}, {"wait": -1}, {"wait": 61}):
        r = alice.get("/api/v1/changes", params={"cursor": start(alice), **params})
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", params
    # Older than the activity kept (--activity-retention-days, 90): list again, start anew.
    r = alice.get("/api/v1/changes", params={"cursor": "1.1000"})
    assert r.status_code == 410 and error_code(r) == "EXPIRED"
    assert requests.get(server.url + "/api/v1/changes").status_code == 401


def poll(client, cursor, wait, out):
    began = time.monotonic()
    r = client.http.get(client.url("/api/v1/changes"), params={"cursor": cursor, "wait": wait}, timeout=120)
    out.append((r, time.monotonic() - began))


def poll_in_background(client, cursor, wait):
    """A long poll on a thread of its own: (the thread, where its (response, seconds) lands)."""
    out = []
    t = threading.Thread(target=poll, args=(client, cursor, wait, out))
    t.start()
    return t, out


def test_a_long_poll_answers_as_soon_as_something_changes(server, alice):
    cursor = start(alice)
    t, out = poll_in_background(alice, cursor, 60)
    time.sleep(1)
    assert t.is_alive()  # nothing changed yet: still waiting
    alice.upload("news.txt", b"x")
    t.join(70)
    r, seconds = out[0]
    assert r.status_code == 200 and summary(r.json()["items"]) == [("created", "uploaded", "news.txt")]
    assert seconds < 50  # woken by the change, not by the end of the wait
    # With nothing to say, the answer comes empty when the wait is over.
    out.clear()
    poll(alice, r.json()["cursor"], 1, out)
    r, seconds = out[0]
    assert r.status_code == 200 and r.json()["items"] == [] and seconds >= 0.9


def test_a_long_poll_is_not_woken_by_what_the_user_cannot_see(server, alice, bob):
    cursor = start(bob)
    t, out = poll_in_background(bob, cursor, 3)
    time.sleep(0.5)
    alice.upload("not-for-bob.txt", b"x")
    t.join(30)
    r, seconds = out[0]
    assert r.status_code == 200 and r.json()["items"] == [] and seconds >= 2.5


def test_waiting_long_polls_hold_no_thread(server, alice):
    """More long polls (80) than the server has worker threads (by default 16 on 2 cores, 64
    with PostgreSQL or S3): other requests are still answered while they wait, and every poll
    is answered by one change."""
    cursor = start(alice)
    out = []
    threads = [threading.Thread(target=poll, args=(alice, cursor, 60, out)) for _ in range(80)]
    for t in threads:
        t.start()
    time.sleep(2)
    began = time.monotonic()
    r = alice.get("/api/v1/folders/root")
    assert r.status_code == 200 and time.monotonic() - began < 20
    assert not out  # every poll still waiting
    alice.upload("wake.txt", b"x")
    for t in threads:
        t.join(70)
    assert len(out) == 80
    assert all(r.status_code == 200 and summary(r.json()["items"]) == [("created", "uploaded", "wake.txt")]
               for r, _ in out)


def test_a_waiting_long_poll_is_answered_when_the_server_stops(server, alice):
    cursor = start(alice)
    t, out = poll_in_background(alice, cursor, 60)
    time.sleep(1)
    began = time.monotonic()
    server.stop()
    t.join(70)
    r, _ = out[0]
    assert r.status_code == 200 and r.json()["items"] == []
    assert time.monotonic() - began < 30
