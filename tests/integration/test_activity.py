"""File activity (GET /api/v1/nodes/{id}/activity, GET /api/v1/activity) and storage usage over
time (GET /api/v1/system/stats/history, GET /api/v1/usage/history), through the real server."""

import datetime
import json

from conftest import Client, Server, add_user, error_code, wait_processed


def user_id(client):
    return client.get("/api/v1/auth/me").json()["id"]


def activity(client, node_id, **params):
    r = client.get(f"/api/v1/nodes/{node_id}/activity", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def actions(client, node_id):
    """(action, actor username, node id) of every event of a node, oldest first."""
    return [(e["action"], e["actor"]["username"], e["node_id"])
            for e in reversed(activity(client, node_id, limit=200)["items"])]


def test_every_operation_is_recorded_with_its_actor(server, alice, bob):
    folder = alice.mkdir("Project")
    other = alice.mkdir("Other")
    r = alice.upload("plan.txt", b"v1", folder=folder)
    assert r.status_code == 201
    fid = r.json()["id"]
    assert alice.upload("plan.txt", b"v2", folder=folder).status_code in (200, 201)
    # A new version is pending while its background jobs run; status changes wait for them.
    wait_processed(alice, fid)
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"name": "plan-2.txt"}).status_code == 200
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"tags": ["q3", "draft"]}).status_code == 200
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"status": "archived"}).status_code == 200
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"status": "active"}).status_code == 200
    old = alice.get(f"/api/v1/files/{fid}/versions").json()["items"][1]["id"]
    assert alice.post(f"/api/v1/files/{fid}/versions/{old}/restore").status_code == 200
    copy = alice.post(f"/api/v1/nodes/{fid}/copy", json={"parent_id": folder, "name": "copy.txt"})
    assert copy.status_code == 201
    copy_id = copy.json()["id"]
    r = alice.post(f"/api/v1/nodes/{fid}/shares", json={"username": "bob", "permission": "write"})
    assert r.status_code == 201
    share_id = r.json()["id"]
    link_password = "link-password-for-activity"
    r = alice.post(f"/api/v1/nodes/{fid}/links", json={"password": link_password})
    assert r.status_code == 201
    link = r.json()
    assert alice.delete(f"/api/v1/links/{link['id']}").status_code == 204
    # Bob, through his write share of the file, tags it.
    assert bob.patch(f"/api/v1/nodes/{fid}", json={"tags": ["bob"]}).status_code == 200
    assert alice.delete(f"/api/v1/shares/{share_id}").status_code == 204
    assert alice.patch(f"/api/v1/nodes/{fid}", json={"parent_id": other}).status_code == 200
    assert alice.delete(f"/api/v1/nodes/{fid}").status_code == 204
    assert alice.post(f"/api/v1/trash/{fid}/restore").status_code == 200

    assert actions(alice, fid) == [
        ("uploaded", "alice", fid), ("new_version", "alice", fid), ("renamed", "alice", fid),
        ("tagged", "alice", fid), ("status_changed", "alice", fid), ("status_changed", "alice", fid),
        ("version_restored", "alice", fid), ("shared", "alice", fid), ("link_created", "alice", fid),
        ("link_removed", "alice", fid), ("tagged", "bob", fid), ("unshared", "alice", fid), ("moved", "alice", fid),
        ("deleted", "alice", fid), ("restored", "alice", fid)]
    events = {e["action"]: e for e in reversed(activity(alice, fid, limit=200)["items"])
              if e["actor"]["username"] == "alice"}
    assert events["renamed"]["detail"] == {"old_name": "plan.txt", "new_name": "plan-2.txt"}
    assert events["renamed"]["name"] == "plan-2.txt"
    assert sorted(events["tagged"]["detail"]["tags"]) == ["draft", "q3"]
    assert events["shared"]["detail"]["recipient"] == "bob"
    assert events["shared"]["detail"]["permission"] == "write"
    assert events["moved"]["detail"]["from_parent_id"] == folder
    assert events["moved"]["detail"]["to_parent_id"] == other
    assert events["uploaded"]["actor"]["id"] == user_id(alice)
    datetime.datetime.fromisoformat(events["uploaded"]["at"].replace("Z", "+00:00"))
    # Never the link's token or password.
    text = str(activity(alice, fid, limit=200))
    assert link["token"] not in text and link_password not in text
    assert events["link_created"]["detail"]["password"] is True

    # A folder shows its own events and its direct children's, where they happened.
    in_folder = actions(alice, folder)
    assert ("created", "alice", folder) in in_folder
    assert ("uploaded", "alice", fid) in in_folder and ("copied", "alice", copy_id) in in_folder
    assert ("deleted", "alice", fid) not in in_folder  # it was in Other by then
    assert ("deleted", "alice", fid) in actions(alice, other)
    copied = next(e for e in activity(alice, copy_id)["items"] if e["action"] == "copied")
    assert copied["detail"] == {"source_id": fid, "source_name": "plan-2.txt"}


def test_share_recipient_sees_the_shared_tree_only(server, alice, bob):
    shared = alice.mkdir("Shared")
    private = alice.upload("private.txt", b"mine").json()["id"]
    assert alice.post(f"/api/v1/nodes/{shared}/shares", json={"username": "bob", "permission": "write"}).status_code == 201
    r = bob.upload("from-bob.txt", b"bob's", folder=shared)
    assert r.status_code == 201
    bobs = r.json()["id"]
    assert alice.patch(f"/api/v1/nodes/{bobs}", json={"name": "renamed-by-alice.txt"}).status_code == 200

    # Bob's upload is in Alice's tree, recorded with Bob as the actor.
    assert actions(bob, bobs) == [("uploaded", "bob", bobs), ("renamed", "alice", bobs)]
    assert ("uploaded", "bob", bobs) in actions(bob, shared)
    mine = alice.get("/api/v1/activity", params={"limit": 200}).json()["items"]
    assert any(e["action"] == "uploaded" and e["actor"]["username"] == "bob" for e in mine)
    assert any(e["node_id"] == private for e in mine)

    # Nothing of Alice's other nodes: the same 404 as every file route gives.
    for node in (private, alice.root):
        r = bob.get(f"/api/v1/nodes/{node}/activity")
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", r.text
        assert bob.get(f"/api/v1/nodes/{node}").status_code == 404
    # Bob's own feed is his own tree's: of Alice's tree, only the notice that she shared the
    # folder with him (docs/insights.md, "Change feed"), which names no folder of hers.
    theirs = bob.get("/api/v1/activity", params={"limit": 200}).json()["items"]
    assert all(e["node_id"] not in (private, bobs) for e in theirs)
    notices = [e for e in theirs if e["node_id"] == shared]
    assert [(e["action"], e["parent_id"], e["actor"]["username"]) for e in notices] == [("shared", None, "alice")]


def test_share_recipient_sees_only_content_events_inside_the_share_since_it_was_made(server, alice, bob):
    """Issue 17, finding 12: a recipient read the owner's whole activity of a node: whom else
    it was shared with, its links, and names it had outside the share or before it. Now a
    recipient sees only content events, made since the share, with names and ids of what the
    share lets them read (docs/insights.md, "What a recipient sees")."""
    add_user(server, "carol", "carol-password-1")
    team, private, archive = alice.mkdir("Team"), alice.mkdir("Private"), alice.mkdir("Archive")
    # Before the share: a name the recipients never saw.
    plan = alice.upload("layoffs-draft.txt", b"v1", folder=team).json()["id"]
    assert alice.patch(f"/api/v1/nodes/{plan}", json={"name": "plan.txt"}).status_code == 200
    for who in ("bob", "carol"):
        r = alice.post(f"/api/v1/nodes/{team}/shares", json={"username": who, "permission": "write"})
        assert r.status_code == 201, r.text
    carols = r.json()["id"]
    link = alice.post(f"/api/v1/nodes/{team}/links", json={}).json()
    plan_link = alice.post(f"/api/v1/nodes/{plan}/links", json={}).json()
    assert alice.delete(f"/api/v1/links/{plan_link['id']}").status_code == 204
    # After: content events inside the share, and some that come from outside it.
    assert alice.upload("plan.txt", b"v2", folder=team).status_code in (200, 201)
    sub = alice.mkdir("Sub", parent=team)
    assert alice.patch(f"/api/v1/nodes/{plan}", json={"parent_id": sub}).status_code == 200
    salaries = alice.upload("salaries-2025.txt", b"s", folder=private).json()["id"]
    r = alice.patch(f"/api/v1/nodes/{salaries}", json={"parent_id": team, "name": "numbers.txt"})
    assert r.status_code == 200, r.text
    budget = alice.upload("budget-private.txt", b"b", folder=private).json()["id"]
    r = alice.post(f"/api/v1/nodes/{budget}/copy", json={"parent_id": team, "name": "budget.txt"})
    assert r.status_code == 201, r.text
    copy = r.json()["id"]
    bobs = bob.upload("from-bob.txt", b"bob's", folder=team).json()["id"]
    assert alice.patch(f"/api/v1/nodes/{team}", json={"name": "Team 2025"}).status_code == 200
    assert alice.patch(f"/api/v1/nodes/{team}", json={"parent_id": archive}).status_code == 200
    assert alice.delete(f"/api/v1/shares/{carols}").status_code == 204

    outside_ids = {private, archive, alice.root, budget}
    outside_words = ("carol", "layoffs-draft", "salaries-2025", "budget-private", "Private", "Archive",
                     link["token"])
    for node in (team, sub, plan, salaries, copy, bobs):
        items = activity(bob, node, limit=200)["items"]
        text = json.dumps(items)
        for word in outside_words:
            assert word not in text, (node, word, text)
        assert not {"shared", "unshared", "link_created", "link_removed"} & {e["action"] for e in items}, text
        for e in items:
            ids = {e["node_id"], e["parent_id"]} | {e["detail"].get(k) for k in ("from_parent_id", "to_parent_id", "source_id")}
            assert not ids & outside_ids, e

    # What the recipient does see: what happened to the shared files since the share.
    assert actions(bob, team) == [
        ("new_version", "alice", plan), ("created", "alice", sub), ("moved", "alice", salaries),
        ("copied", "alice", copy), ("uploaded", "bob", bobs), ("renamed", "alice", team)]
    renamed = activity(bob, team)["items"][0]
    assert renamed["parent_id"] is None and renamed["detail"] == {"old_name": "Team", "new_name": "Team 2025"}
    assert actions(bob, plan) == [("new_version", "alice", plan), ("moved", "alice", plan)]
    moved = activity(bob, plan)["items"][0]
    assert moved["detail"] == {"from_parent_id": team, "to_parent_id": sub, "old_name": "plan.txt",
                               "new_name": "plan.txt"}
    assert actions(bob, sub) == [("created", "alice", sub), ("moved", "alice", plan)]
    assert actions(bob, salaries) == [("moved", "alice", salaries)]
    moved_in = activity(bob, salaries)["items"][0]
    assert moved_in["parent_id"] == team and moved_in["detail"] == {"to_parent_id": team, "new_name": "numbers.txt"}
    assert [(e["action"], e["detail"]) for e in activity(bob, copy)["items"]] == [("copied", {})]
    # Pages are full however many events are left out.
    seen, cursor = [], None
    while True:
        page = activity(bob, team, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        assert len(page["items"]) == 2
        cursor = page["next_cursor"]
    assert [e["id"] for e in seen] == [e["id"] for e in activity(bob, team, limit=200)["items"]]

    # The owner still sees everything.
    owners = actions(alice, team)
    assert {("shared", "alice", team), ("unshared", "alice", team), ("link_created", "alice", team),
            ("moved", "alice", team)} <= set(owners)
    assert any(e["detail"].get("recipient") == "carol" for e in activity(alice, team, limit=200)["items"])
    assert activity(alice, salaries)["items"][0]["detail"]["old_name"] == "salaries-2025.txt"
    assert actions(alice, plan)[:2] == [("uploaded", "alice", plan), ("renamed", "alice", plan)]


def test_other_users_get_what_file_routes_answer(server, alice, bob):
    fid = alice.upload("a.txt", b"a").json()["id"]
    for path in (f"/api/v1/nodes/{fid}/activity", "/api/v1/nodes/999999/activity"):
        r = bob.get(path)
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", r.text
    r = bob.get("/api/v1/nodes/abc/activity")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    anonymous = alice.http.__class__()
    assert anonymous.get(alice.url(f"/api/v1/nodes/{fid}/activity")).status_code == 401


def test_pagination_by_id(server, alice):
    fid = alice.upload("p.txt", b"0").json()["id"]
    for i in range(6):
        assert alice.patch(f"/api/v1/nodes/{fid}", json={"name": f"p{i}.txt"}).status_code == 200
    everything = activity(alice, fid, limit=200)["items"]
    assert len(everything) == 7
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    seen, cursor = [], None
    while True:
        page = activity(alice, fid, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        assert len(page["items"]) == 3
        cursor = page["next_cursor"]
    assert [e["id"] for e in seen] == [e["id"] for e in everything]
    own = alice.get("/api/v1/activity", params={"limit": 2}).json()
    assert [e["id"] for e in own["items"]] == [e["id"] for e in everything[:2]]
    assert own["next_cursor"] == str(everything[1]["id"])
    # The older names of the same continuation still work: next_before and before.
    assert own["next_before"] == everything[1]["id"]
    older = alice.get("/api/v1/activity", params={"limit": 2, "before": own["next_before"]}).json()
    assert [e["id"] for e in older["items"]] == [e["id"] for e in everything[2:4]]


def test_bad_parameters_are_refused_with_a_code(server, alice):
    fid = alice.upload("b.txt", b"b").json()["id"]
    for params in ({"limit": 0}, {"limit": 201}, {"limit": "x"}, {"before": 0}, {"before": "-1"},
                   {"limit": "1e3"}):
        for path in (f"/api/v1/nodes/{fid}/activity", "/api/v1/activity"):
            r = alice.get(path, params=params)
            assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", (path, params, r.text)
    for params in ({"days": 0}, {"days": 401}, {"days": "week"}, {"days": ""}):
        r = alice.get("/api/v1/usage/history", params=params)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", (params, r.text)


def test_batch_records_one_event_per_item(server, alice):
    ids = [alice.upload(f"f{i}.txt", b"x").json()["id"] for i in range(3)]
    r = alice.post("/api/v1/batch", json={"operations": [{"op": "delete", "id": i} for i in ids]})
    assert r.status_code == 200, r.text
    # The trashed files' own activity is no longer readable by id (404, like the files); the
    # owner's feed has one event per item.
    feed = alice.get("/api/v1/activity", params={"limit": 200}).json()["items"]
    assert sorted((e["node_id"], e["action"]) for e in feed) == sorted(
        [(i, "uploaded") for i in ids] + [(i, "deleted") for i in ids])
    assert alice.get(f"/api/v1/nodes/{ids[0]}/activity").status_code == 404


def test_usage_history_points_and_permissions(data_dir):
    s = Server(data_dir)
    add_user(s, "root", "root-password-1", admin=True)
    add_user(s, "alice", "alice-password-1")
    s.start()
    try:
        alice = Client(s, "alice", "alice-password-1")
        root = Client(s, "root", "root-password-1")
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        # The server sampled at start: today's point exists, with nothing stored yet.
        points = root.get("/api/v1/system/stats/history").json()["points"]
        assert [p["day"] for p in points] == [today], points
        assert points[-1]["logical_bytes"] == 0
        data = b"same bytes " * 5000
        assert alice.upload("a.bin", data).status_code == 201
        assert alice.upload("b.bin", data).status_code == 201

        # A restart samples again and replaces today's point (one row per day).
        s.stop()
        s.start()
        alice = Client(s, "alice", "alice-password-1")
        root = Client(s, "root", "root-password-1")
        r = root.get("/api/v1/system/stats/history", params={"days": 1})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["days"] == 1 and len(body["points"]) == 1
        p = body["points"][0]
        assert p["day"] == today
        assert p["logical_bytes"] == 2 * len(data) and p["files"] == 2
        assert p["unique_bytes"] == len(data)
        assert p["dedup_ratio"] == 2.0
        assert p["physical_bytes"] < p["unique_bytes"] and p["compression_ratio"] > 1
        assert [(u["username"], u["used_bytes"], u["files"]) for u in body["users"]] == [
            ("alice", 2 * len(data), 2), ("root", 0, 0)]
        mine = alice.get("/api/v1/usage/history", params={"days": 400}).json()["points"]
        assert mine == [{"day": today, "used_bytes": 2 * len(data), "files": 2}]
        assert root.get("/api/v1/usage/history").json()["points"][-1]["used_bytes"] == 0

        r = alice.get("/api/v1/system/stats/history")
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
        for days in (0, 401, "x"):
            r = root.get("/api/v1/system/stats/history", params={"days": days})
            assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
    finally:
        s.stop()
