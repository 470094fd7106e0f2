"""POST /api/v1/batch: many operations, one result each, through the real server."""

from conftest import error_code


def test_batch_runs_each_operation_and_reports_each_result(server, alice, bob):
    dest = alice.mkdir("dest")
    a = alice.upload("a.txt", b"a").json()["id"]
    b = alice.upload("b.txt", b"b").json()["id"]
    c = alice.upload("c.txt", b"c").json()["id"]
    d = alice.upload("d.txt", b"d").json()["id"]
    alice.upload("b.txt", b"taken", folder=dest)
    bobs = bob.upload("bob.txt", b"x").json()["id"]
    ops = [
        {"op": "move", "id": a, "parent_id": dest},
        {"op": "move", "id": b, "parent_id": dest},           # the name is taken there
        {"op": "copy", "id": c, "parent_id": dest, "name": "c-copy.txt"},
        {"op": "delete", "id": d},
        {"op": "tag", "id": c, "add": ["red", "blue"]},
        {"op": "tag", "id": c, "remove": ["red"]},
        {"op": "delete", "id": bobs},                         # someone else's
        {"op": "explode", "id": a},
        "not an object",
    ]
    r = alice.post("/api/v1/batch", json={"operations": ops})
    assert r.status_code == 200, r.text
    body = r.json()
    results = body["results"]
    assert [x["index"] for x in results] == list(range(len(ops)))
    assert [x["ok"] for x in results] == [True, False, True, True, True, True, False, False, False]
    assert body["succeeded"] == 5 and body["failed"] == 4
    assert results[0]["node"]["parent_id"] == dest
    assert results[1]["error"]["code"] == "NAME_CONFLICT" and results[1]["status"] == 409
    assert results[2]["node"]["name"] == "c-copy.txt"
    assert "node" not in results[3]
    assert results[6]["error"]["code"] == "NOT_FOUND" and results[6]["status"] == 404
    assert results[7]["error"]["code"] == "INVALID_ARGUMENT"
    assert alice.get(f"/api/v1/nodes/{c}").json()["tags"] == ["blue"]
    assert bob.get(f"/api/v1/nodes/{bobs}").status_code == 200
    # The deletion went to the trash and is audited like any other; a batch restore undoes it.
    r = alice.post("/api/v1/batch", json={"operations": [{"op": "restore", "id": d}]})
    assert r.json()["results"][0]["ok"] is True
    assert alice.get(f"/api/v1/files/{d}/content").content == b"d"
    events = [e for e in alice.get("/api/v1/audit").json()["items"] if e["action"] == "files.delete"]
    assert any(e["target"] == f"node:{d}" for e in events)

    for bad in ({}, {"operations": []}, {"operations": "x"},
                {"operations": [{"op": "delete", "id": 1}] * 1001}):
        r = alice.post("/api/v1/batch", json=bad)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"
