"""Authentication and per-user isolation through the real server."""

import base64
import json

import requests

from conftest import error_code

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_login_failures_look_the_same(server):
    url = server.url + "/api/v1/auth/login"
    wrong = requests.post(url, json={"username": "alice", "password": "wrong-password"})
    unknown = requests.post(url, json={"username": "nobody", "password": "wrong-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert error_code(wrong) == error_code(unknown) == "INVALID_CREDENTIALS"
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    r = requests.post(url, json={"username": "alice"})
    assert r.status_code == 400
    r = requests.post(url, data=b"nonsense", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "INVALID_JSON"


def test_login_returns_a_bearer_token(server):
    r = requests.post(server.url + "/api/v1/auth/login", json={"username": "alice", "password": "alice-password-1"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["access_token"]


def test_tokens_are_required_and_checked(server, alice):
    url = server.url + "/api/v1/folders/root"
    r = requests.get(url)
    assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    header, claims, signature = alice.token.split(".")
    forged_claims = json.loads(base64.urlsafe_b64decode(claims + "=="))
    forged_claims["sub"] = str(int(forged_claims["sub"]) + 1)
    bad_tokens = [
        "garbage",
        "a.b.c",
        header + "." + b64(forged_claims) + "." + signature,  # changed subject
        b64({"alg": "none", "typ": "JWT"}) + "." + claims + ".",  # alg none
        header + "." + claims + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"),
    ]
    for token in bad_tokens:
        r = requests.get(url, headers={"Authorization": "Bearer " + token})
        assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED", token
    assert requests.get(url, headers={"Authorization": "Bearer " + alice.token}).status_code == 200


def test_public_endpoints(server):
    assert requests.get(server.url + "/health/live").json()["status"] == "ok"
    ready = requests.get(server.url + "/health/ready")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    metrics = requests.get(server.url + "/metrics").text
    assert "coffer_http_requests_total" in metrics and "coffer_http_request_duration_seconds_bucket" in metrics
    assert "coffer_uploads_in_flight" in metrics and "coffer_stored_bytes" in metrics


def test_users_see_only_their_own_data(alice, bob):
    folder = alice.mkdir("private")
    fid = alice.upload("secret.txt", b"alice only", folder=folder).json()["id"]
    assert bob.root != alice.root
    checks = [
        bob.get(f"/api/v1/files/{fid}"),
        bob.get(f"/api/v1/files/{fid}/content"),
        bob.get(f"/api/v1/nodes/{folder}"),
        bob.get(f"/api/v1/folders/{folder}/children"),
        bob.get(f"/api/v1/folders/{alice.root}/children"),
        bob.patch(f"/api/v1/nodes/{fid}", json={"name": "stolen.txt"}),
        bob.patch(f"/api/v1/nodes/{fid}", json={"parent_id": bob.root}),
        bob.post(f"/api/v1/nodes/{fid}/copy", json={"parent_id": bob.root}),
        bob.delete(f"/api/v1/nodes/{fid}"),
        bob.upload("planted.txt", b"x", folder=folder),
        bob.post("/api/v1/folders", json={"parent_id": folder, "name": "planted"}),
    ]
    for r in checks:
        # The same answer as for an id that does not exist: existence is not revealed.
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", (r.request.method, r.request.url, r.text)
    # Bob cannot move his own things into Alice's tree either.
    mine = bob.mkdir("mine")
    r = bob.patch(f"/api/v1/nodes/{mine}", json={"parent_id": folder})
    assert r.status_code == 404
    assert bob.get("/api/v1/nodes", params={"path": "/private"}).status_code == 404
    assert alice.get(f"/api/v1/files/{fid}/content").content == b"alice only"
    names = [n["name"] for n in alice.get(f"/api/v1/folders/{folder}/children").json()["items"]]
    assert names == ["secret.txt"]
