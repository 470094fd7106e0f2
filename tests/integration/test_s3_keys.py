"""S3 access keys through the REST API (docs/s3.md, "Access keys"): made, listed and revoked
by their user from a session; the secret shown once and never listed; another user's key
invisible; names, scopes and the limit of 50 checked; creation and revocation audited. The S3
listener that accepts the keys has tests of its own."""

import re

import requests

from conftest import Client, error_code

KEYS = "/api/v1/auth/s3-keys"


def test_keys_are_created_listed_and_revoked_with_the_secret_shown_once(server, alice):
    r = alice.post(KEYS, json={"name": "restic on nas", "scopes": ["files:read"]})
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == {"id", "name", "scopes", "access_key_id", "secret_access_key", "created"}
    assert created["name"] == "restic on nas" and created["scopes"] == "files:read"
    assert re.fullmatch(r"CK[A-Z0-9]{18}", created["access_key_id"]), created["access_key_id"]
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", created["secret_access_key"])

    # Without scopes: read and write. Every key is different.
    default = alice.post(KEYS, json={"name": "rclone"}).json()
    assert default["scopes"] == "files:read files:write"
    assert default["access_key_id"] != created["access_key_id"]
    assert default["secret_access_key"] != created["secret_access_key"]

    r = alice.get(KEYS)
    assert r.status_code == 200
    items = r.json()["items"]
    assert [k["access_key_id"] for k in items] == [created["access_key_id"], default["access_key_id"]]
    assert set(items[0]) == {"id", "name", "scopes", "access_key_id", "created", "last_used"}
    assert items[0]["last_used"] is None
    for secret in (created["secret_access_key"], default["secret_access_key"]):
        assert secret not in r.text

    assert alice.delete(f"{KEYS}/{created['id']}").status_code == 204
    assert [k["id"] for k in alice.get(KEYS).json()["items"]] == [default["id"]]
    r = alice.delete(f"{KEYS}/{created['id']}")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    for bad in ("nope", "0", "99999999"):
        assert alice.delete(f"{KEYS}/{bad}").status_code == 404


def test_another_users_keys_are_neither_listed_nor_revocable(server, alice):
    mine = alice.post(KEYS, json={"name": "mine"}).json()
    bob = Client(server, "bob", "bob-password-12")
    assert bob.get(KEYS).json()["items"] == []
    r = bob.delete(f"{KEYS}/{mine['id']}")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    assert [k["id"] for k in alice.get(KEYS).json()["items"]] == [mine["id"]]


def test_names_and_scopes_are_checked(server, alice):
    for bad in ({}, {"name": ""}, {"name": "x" * 101}, {"name": 5}, {"name": "x", "scopes": ["files:delete"]},
                {"name": "x", "scopes": "files:read sudo"}, {"name": "x", "scopes": 3}, {"name": "x", "scopes": [1]}):
        r = alice.post(KEYS, json=bad)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", (bad, r.text)
    r = alice.post(KEYS, data="not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "INVALID_JSON"
    # The admin scope is for administrators.
    r = alice.post(KEYS, json={"name": "x", "scopes": "admin"})
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    # 100 characters, not bytes.
    assert alice.post(KEYS, json={"name": "é" * 100}).status_code == 201
    assert alice.post(KEYS, json={"name": "x" * 100, "scopes": "files:write"}).json()["scopes"] == "files:write"
    assert alice.post(KEYS, json={"name": "x", "scopes": []}).json()["scopes"] == "files:read files:write"


def test_api_tokens_cannot_manage_keys(server, alice):
    token = alice.post("/api/v1/auth/tokens", json={"name": "t", "scopes": "files:read files:write"}).json()["token"]
    mine = alice.post(KEYS, json={"name": "mine"}).json()
    headers = {"Authorization": "Bearer " + token}
    for method, path, body in (("POST", KEYS, {"name": "n"}), ("GET", KEYS, None),
                               ("DELETE", f"{KEYS}/{mine['id']}", None)):
        r = requests.request(method, server.url + path, json=body, headers=headers)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (method, path, r.text)
    assert requests.get(server.url + KEYS).status_code == 401


def test_at_most_fifty_active_keys(server, alice):
    ids = []
    for i in range(50):
        r = alice.post(KEYS, json={"name": f"k{i}"})
        assert r.status_code == 201, (i, r.text)
        ids.append(r.json()["id"])
    r = alice.post(KEYS, json={"name": "one too many"})
    assert r.status_code == 409 and error_code(r) == "LIMIT_EXCEEDED", r.text
    # Another user has a limit of their own; a revoked key frees a place.
    bob = Client(server, "bob", "bob-password-12")
    assert bob.post(KEYS, json={"name": "b"}).status_code == 201
    assert alice.delete(f"{KEYS}/{ids[0]}").status_code == 204
    assert alice.post(KEYS, json={"name": "again"}).status_code == 201
    assert len(alice.get(KEYS).json()["items"]) == 50


def test_creating_and_revoking_are_audited_without_the_secret(server, alice):
    created = alice.post(KEYS, json={"name": "audited", "scopes": "files:read"}).json()
    assert alice.delete(f"{KEYS}/{created['id']}").status_code == 204
    target = f"s3_key:{created['id']}"
    made = alice.get("/api/v1/audit", params={"action": "auth.s3_key_create"}).json()["items"]
    gone = alice.get("/api/v1/audit", params={"action": "auth.s3_key_revoke"}).json()["items"]
    assert [(e["target"], e["outcome"]) for e in made] == [(target, "success")]
    assert [(e["target"], e["outcome"]) for e in gone] == [(target, "success")]
    assert created["access_key_id"] in made[0]["detail"] and "files:read" in made[0]["detail"]
    assert created["secret_access_key"] not in str(made + gone)


def test_a_password_change_revokes_keys_unless_api_tokens_are_kept(server, alice):
    alice.post(KEYS, json={"name": "old"})
    r = alice.post("/api/v1/auth/password", json={"current_password": "alice-password-1",
                                                 "new_password": "a second passphrase"})
    assert r.status_code == 204
    assert alice.get(KEYS).json()["items"] == []
    kept = alice.post(KEYS, json={"name": "kept"}).json()
    r = alice.post("/api/v1/auth/password", json={"current_password": "a second passphrase",
                                                 "new_password": "a third passphrase", "keep_api_tokens": True})
    assert r.status_code == 204
    assert [k["id"] for k in alice.get(KEYS).json()["items"]] == [kept["id"]]
