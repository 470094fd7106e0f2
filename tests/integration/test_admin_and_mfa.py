"""Second factor, administration, registration and the authorization matrix, through the real
server. TOTP codes are computed here from the enrolment secret (RFC 6238), as an app would."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
import requests

import images
from conftest import Server, add_user, error_code

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True

LOGIN = "/api/v1/auth/login"


def totp(secret_b32, at=None, step_offset=0):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int(at if at is not None else time.time()) // 30 + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def login(server, username, password, **extra):
    return requests.post(server.url + LOGIN,
                         json={"username": username, "password": password, "token_delivery": "body", **extra})


def session(server, username, password):
    r = login(server, username, password)
    assert r.status_code == 200, r.text
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + r.json()["access_token"]
    s.base = server.url
    return s


def call(s, method, path, **kw):
    return s.request(method, s.base + path, **kw)


@pytest.fixture
def admin_server(data_dir):
    s = Server(data_dir)
    add_user(s, "root", "root-password-1", admin=True)
    add_user(s, "alice", "alice-password-1")
    add_user(s, "bob", "bob-password-12")
    add_user(s, "oscar", "oscar-password-1")
    s.start()
    root = session(s, "root", "root-password-1")
    oscar_id = next(u["id"] for u in call(root, "GET", "/api/v1/admin/users").json()["items"]
                    if u["username"] == "oscar")
    assert call(root, "PATCH", f"/api/v1/admin/users/{oscar_id}", json={"role": "operator"}).status_code == 200
    yield s
    s.stop()


def enrol(server, s):
    r = call(s, "POST", "/api/v1/auth/mfa/totp")
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    assert r.json()["otpauth_uri"].startswith("otpauth://totp/Coffer:")
    assert f"secret={secret}" in r.json()["otpauth_uri"]
    r = call(s, "POST", "/api/v1/auth/mfa/totp/confirm", json={"code": totp(secret)})
    assert r.status_code == 200, r.text
    codes = r.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def test_totp_enrolment_login_and_recovery_codes(server):
    alice = session(server, "alice", "alice-password-1")
    r = call(alice, "POST", "/api/v1/auth/mfa/totp/confirm", json={"code": "123456"})
    assert r.status_code == 409 and error_code(r) == "CONFLICT"
    r = call(alice, "POST", "/api/v1/auth/mfa/totp")
    secret = r.json()["secret"]
    wrong = f"{(int(totp(secret)) + 1) % 1000000:06d}"
    r = call(alice, "POST", "/api/v1/auth/mfa/totp/confirm", json={"code": wrong})
    assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"
    r = call(alice, "POST", "/api/v1/auth/mfa/totp/confirm", json={"code": totp(secret)})
    codes = r.json()["recovery_codes"]
    assert call(alice, "GET", "/api/v1/auth/me").json()["mfa_enabled"] is True
    assert call(alice, "POST", "/api/v1/auth/mfa/totp").status_code == 409

    r = login(server, "alice", "alice-password-1")
    assert r.status_code == 401 and error_code(r) == "MFA_REQUIRED"
    r = login(server, "alice", "alice-password-1", totp_code="000000" if totp(secret) != "000000" else "111111")
    assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"
    # A code accepted at confirmation cannot be replayed in the same time step; the next works.
    now = time.time()
    r = login(server, "alice", "alice-password-1", totp_code=totp(secret, now + 30))
    assert r.status_code == 200, r.text
    r = login(server, "alice", "alice-password-1", totp_code=totp(secret, now + 30))
    assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"

    r = login(server, "alice", "alice-password-1", recovery_code=codes[0].upper())
    assert r.status_code == 200
    r = login(server, "alice", "alice-password-1", recovery_code=codes[0])
    assert r.status_code == 401  # single use
    # The wrong password with a valid code still fails like any wrong password.
    r = login(server, "alice", "wrong-password", recovery_code=codes[1])
    assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"

    r = call(alice, "DELETE", "/api/v1/auth/mfa/totp", json={"password": "alice-password-1"})
    assert r.status_code == 400
    r = call(alice, "DELETE", "/api/v1/auth/mfa/totp", json={"password": "nope", "recovery_code": codes[2]})
    assert r.status_code == 401
    r = call(alice, "DELETE", "/api/v1/auth/mfa/totp", json={"password": "alice-password-1", "recovery_code": codes[3]})
    assert r.status_code == 204
    assert login(server, "alice", "alice-password-1").status_code == 200
    events = call(alice, "GET", "/api/v1/audit").json()["items"]
    assert {"auth.mfa_enable", "auth.mfa_disable"} <= {e["action"] for e in events}


def test_admins_manage_users_and_disabling_ends_access_at_once(admin_server):
    s = admin_server
    root = session(s, "root", "root-password-1")
    alice_session = session(s, "alice", "alice-password-1")
    alice_id = call(alice_session, "GET", "/api/v1/auth/me").json()["id"]
    token = call(alice_session, "POST", "/api/v1/auth/tokens", json={"name": "t", "scopes": "files:read"}).json()["token"]

    page = call(root, "GET", "/api/v1/admin/users", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"] == page["next"]  # its older name
    rest = call(root, "GET", "/api/v1/admin/users", params={"cursor": page["next_cursor"]}).json()["items"]
    assert call(root, "GET", "/api/v1/admin/users", params={"after": page["next"]}).json()["items"] == rest
    assert {u["username"] for u in page["items"] + rest} == {"root", "alice", "bob", "oscar"}
    assert all("password_hash" not in u for u in rest)
    assert [u["username"] for u in call(root, "GET", "/api/v1/admin/users", params={"role": "operator"}).json()["items"]] == ["oscar"]
    assert [u["username"] for u in call(root, "GET", "/api/v1/admin/users", params={"q": "al"}).json()["items"]] == ["alice"]

    r = call(root, "PATCH", f"/api/v1/admin/users/{alice_id}", json={"status": "disabled"})
    assert r.status_code == 200 and r.json()["status"] == "disabled"
    assert call(alice_session, "GET", "/api/v1/folders/root").status_code == 401
    assert requests.get(s.url + "/api/v1/folders/root", headers={"Authorization": "Bearer " + token}).status_code == 401
    r = login(s, "alice", "alice-password-1")
    assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"
    assert call(root, "PATCH", f"/api/v1/admin/users/{alice_id}", json={"status": "active"}).status_code == 200
    assert login(s, "alice", "alice-password-1").status_code == 200
    assert requests.get(s.url + "/api/v1/folders/root", headers={"Authorization": "Bearer " + token}).status_code == 200

    r = call(root, "PATCH", f"/api/v1/admin/users/{alice_id}", json={"quota_bytes": 10 ** 9})
    assert r.json()["quota_bytes"] == 10 ** 9
    r = call(root, "PATCH", f"/api/v1/admin/users/{alice_id}", json={"quota_bytes": None})
    assert r.json()["quota_bytes"] is None
    for bad in ({"role": "king"}, {"status": "sleeping"}, {"quota_bytes": -1}, {"password_hash": "x"}, {"quota_bytes": "1"}):
        r = call(root, "PATCH", f"/api/v1/admin/users/{alice_id}", json=bad)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", bad
    me = call(root, "GET", "/api/v1/auth/me").json()["id"]
    r = call(root, "PATCH", f"/api/v1/admin/users/{me}", json={"role": "user"})
    assert r.status_code == 409 and error_code(r) == "CONFLICT"
    assert call(root, "DELETE", f"/api/v1/admin/users/{me}").status_code == 409
    assert call(root, "GET", "/api/v1/admin/users/999999").status_code == 404

    r = call(root, "POST", "/api/v1/admin/users", json={"username": "dave"})
    assert r.status_code == 201 and len(r.json()["password"]) >= 16
    assert login(s, "dave", r.json()["password"]).status_code == 200
    r = call(root, "POST", "/api/v1/admin/users", json={"username": "erin", "password": "short"})
    assert r.status_code == 400 and error_code(r) == "WEAK_PASSWORD"
    r = call(root, "POST", "/api/v1/admin/users", json={"username": "dave", "password": "long-enough-pass"})
    assert r.status_code == 409 and error_code(r) == "ALREADY_EXISTS"

    # Password reset link: single use, ends every session, sets the new password.
    r = call(root, "POST", f"/api/v1/admin/users/{alice_id}/password-reset")
    assert r.status_code == 201
    reset = r.json()["token"]
    alice_session = session(s, "alice", "alice-password-1")
    alice_token = call(alice_session, "POST", "/api/v1/auth/tokens", json={"name": "t", "scopes": "files:read"}).json()["token"]
    r = requests.post(s.url + "/api/v1/auth/password-reset", json={"token": reset, "new_password": "short"})
    assert r.status_code == 400 and error_code(r) == "WEAK_PASSWORD"
    r = requests.post(s.url + "/api/v1/auth/password-reset", json={"token": reset, "new_password": "a brand new passphrase"})
    assert r.status_code == 204
    assert call(alice_session, "GET", "/api/v1/auth/me").status_code == 401
    # A reset is for a lost or stolen password: it ends the API tokens too (issue 17, finding 15).
    r = requests.get(s.url + "/api/v1/auth/me", headers={"Authorization": "Bearer " + alice_token})
    assert r.status_code == 401
    r = requests.post(s.url + "/api/v1/auth/password-reset", json={"token": reset, "new_password": "another passphrase"})
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    assert login(s, "alice", "a brand new passphrase").status_code == 200

    assert call(root, "DELETE", f"/api/v1/admin/users/{alice_id}").status_code == 204
    assert call(root, "GET", f"/api/v1/admin/users/{alice_id}").json()["status"] == "deleted"
    assert login(s, "alice", "a brand new passphrase").status_code == 401

    actions = {e["action"] for e in call(root, "GET", "/api/v1/audit", params={"limit": 1000}).json()["items"]}
    assert {"admin.user_update", "admin.user_create", "admin.password_reset", "auth.password_reset"} <= actions


def test_groups(admin_server):
    root = session(admin_server, "root", "root-password-1")
    users = {u["username"]: u["id"] for u in call(root, "GET", "/api/v1/admin/users").json()["items"]}
    r = call(root, "POST", "/api/v1/admin/groups", json={"name": "Finance"})
    assert r.status_code == 201
    gid = r.json()["id"]
    assert call(root, "POST", "/api/v1/admin/groups", json={"name": "Finance"}).status_code == 409
    assert call(root, "POST", "/api/v1/admin/groups", json={"name": ""}).status_code == 400
    for name in ("alice", "bob", "bob"):
        assert call(root, "PUT", f"/api/v1/admin/groups/{gid}/members/{users[name]}").status_code == 204
    assert call(root, "PUT", f"/api/v1/admin/groups/{gid}/members/999999").status_code == 404
    assert call(root, "GET", f"/api/v1/admin/groups/{gid}").json()["member_ids"] == sorted([users["alice"], users["bob"]])
    assert call(root, "DELETE", f"/api/v1/admin/groups/{gid}/members/{users['bob']}").status_code == 204
    assert call(root, "DELETE", f"/api/v1/admin/groups/{gid}/members/{users['bob']}").status_code == 404
    assert [g["name"] for g in call(root, "GET", "/api/v1/admin/groups").json()["items"]] == ["Finance"]
    assert call(root, "DELETE", f"/api/v1/admin/groups/{gid}").status_code == 204
    assert call(root, "GET", f"/api/v1/admin/groups/{gid}").status_code == 404


def test_registration_modes_and_invites(admin_server):
    s = admin_server
    root = session(s, "root", "root-password-1")
    url = s.url + "/api/v1/auth/register"
    r = requests.post(url, json={"username": "newbie", "password": "newbie-password-1"})
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"  # closed by default
    assert call(root, "GET", "/api/v1/admin/settings").json() == {"registration_mode": "closed", "require_mfa_for_admins": False}

    assert call(root, "PATCH", "/api/v1/admin/settings", json={"registration_mode": "invite"}).status_code == 200
    r = requests.post(url, json={"username": "newbie", "password": "newbie-password-1"})
    assert r.status_code == 403
    invite = call(root, "POST", "/api/v1/admin/invites", json={"expires_in": 3600}).json()["invite"]
    r = requests.post(url, json={"username": "newbie", "password": "short", "invite": invite})
    assert r.status_code == 400 and error_code(r) == "WEAK_PASSWORD"
    r = requests.post(url, json={"username": "alice", "password": "newbie-password-1", "invite": invite})
    assert r.status_code == 409  # a failed registration gives the invite back
    r = requests.post(url, json={"username": "newbie", "password": "newbie-password-1", "invite": invite})
    assert r.status_code == 201 and r.json()["role"] == "user"
    r = requests.post(url, json={"username": "newbie2", "password": "newbie-password-1", "invite": invite})
    assert r.status_code == 403  # single use
    short = call(root, "POST", "/api/v1/admin/invites", json={"expires_in": 1}).json()["invite"]
    time.sleep(1.2)
    assert requests.post(url, json={"username": "late", "password": "late-password-1", "invite": short}).status_code == 403

    assert call(root, "PATCH", "/api/v1/admin/settings", json={"registration_mode": "open"}).status_code == 200
    assert requests.post(url, json={"username": "walkin", "password": "walkin-password-1"}).status_code == 201
    assert login(s, "walkin", "walkin-password-1").status_code == 200
    for bad in ({"registration_mode": "sometimes"}, {"require_mfa_for_admins": "yes"}, {"color": "red"}):
        assert call(root, "PATCH", "/api/v1/admin/settings", json=bad).status_code == 400


def test_admins_can_be_required_to_use_a_second_factor(admin_server):
    s = admin_server
    root = session(s, "root", "root-password-1")
    assert call(root, "PATCH", "/api/v1/admin/settings", json={"require_mfa_for_admins": True}).status_code == 200
    r = call(root, "GET", "/api/v1/admin/users")
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    assert call(root, "GET", "/api/v1/folders/root").status_code == 200  # files still work
    secret, _ = enrol(s, root)
    assert call(root, "GET", "/api/v1/admin/users").status_code == 200
    r = login(s, "root", "root-password-1")
    assert error_code(r) == "MFA_REQUIRED"


# The authorization matrix: every authenticated route of the OpenAPI document, called as
# anonymous, the owner A, another user B, an operator and an admin, against A's resources
# where the route has one, each with the exact status it must get. Routes that act on the
# caller's own account run for every caller on their own account.
ANON, A, B, OPERATOR, ADMIN = "anon", "alice", "bob", "oscar", "root"
EVERYONE = (ANON, B, OPERATOR, ADMIN, A)  # the owner last: some calls change A's resources


# Requests of the tus protocol (test_tus.py): its headers, for a body named by these keys.
TUS_REQUESTS = {
    "tus-create": {"headers": {"Tus-Resumable": "1.0.0", "Upload-Length": "1",
                               "Upload-Metadata": "filename eC5iaW4="}},
    "tus-patch": {"headers": {"Tus-Resumable": "1.0.0", "Upload-Offset": "0",
                              "Content-Type": "application/offset+octet-stream"}, "data": b"x"},
    "tus": {"headers": {"Tus-Resumable": "1.0.0"}},
    # A client behind a reverse proxy: not a local scrape of /metrics.
    "via-proxy": {"headers": {"X-Forwarded-For": "203.0.113.9"}},
}


def others(status_for_owner, status_for_others=404):
    return {ANON: 401, B: status_for_others, OPERATOR: status_for_others, ADMIN: status_for_others,
            A: status_for_owner}


def everyone(status):
    return {ANON: 401, B: status, OPERATOR: status, ADMIN: status, A: status}


def admin_only(status):
    return {ANON: 401, A: 403, B: 403, OPERATOR: 403, ADMIN: status}


def test_authorization_matrix(admin_server):
    s = admin_server
    password = {A: "alice-password-1", B: "bob-password-12", OPERATOR: "oscar-password-1", ADMIN: "root-password-1"}
    sessions = {name: session(s, name, pw) for name, pw in password.items()}
    anon = requests.Session()
    anon.base = s.url
    sessions[ANON] = anon
    a = sessions[A]
    ids = {"alice": call(a, "GET", "/api/v1/auth/me").json()["id"]}
    ids["root_folder"] = call(a, "GET", "/api/v1/folders/root").json()["id"]
    for name in ("doc", "ren", "gone", "trashed"):
        r = call(a, "PUT", f"/api/v1/folders/{ids['root_folder']}/files/{name}.txt", data=b"content of A")
        ids[name] = r.json()["id"]
    call(a, "PUT", f"/api/v1/folders/{ids['root_folder']}/files/doc.txt", data=b"second version")
    ids["doc_v1"] = call(a, "GET", f"/api/v1/files/{ids['doc']}/versions").json()["items"][1]["id"]
    call(a, "DELETE", f"/api/v1/nodes/{ids['trashed']}")
    for name in ("upload", "upload_gone"):
        r = call(a, "POST", "/api/v1/uploads", **TUS_REQUESTS["tus-create"])
        ids[name] = r.headers["Location"].rsplit("/", 1)[1]
    ids["a_session"] = login(s, A, "alice-password-1").json()["session_id"]  # a second device
    ids["a_token"] = call(a, "POST", "/api/v1/auth/tokens", json={"name": "t", "scopes": "files:read"}).json()["id"]
    ids["a_s3_key"] = call(a, "POST", "/api/v1/auth/s3-keys", json={"name": "k"}).json()["id"]
    admin = sessions[ADMIN]
    ids["victim"] = call(admin, "POST", "/api/v1/admin/users", json={"username": "victim"}).json()["id"]
    ids["group"] = call(admin, "POST", "/api/v1/admin/groups", json={"name": "g"}).json()["id"]
    ids["a_share"] = call(a, "POST", f"/api/v1/nodes/{ids['doc']}/shares", json={"group_id": ids["group"]}).json()["id"]
    ids["a_link"], ids["a_link2"] = (call(a, "POST", f"/api/v1/nodes/{ids['doc']}/links", json={}).json()["id"]
                                     for _ in range(2))
    call(a, "PUT", f"/api/v1/folders/{ids['root_folder']}/files/pic.png", data=images.png(4, 4))
    ids["job"] = call(admin, "GET", "/api/v1/system/jobs").json()["items"][0]["id"]
    # Retention and legal hold: a folder and a file of A's that nothing else in the matrix touches.
    ids["retained"] = call(a, "POST", "/api/v1/folders", json={"parent_id": ids["root_folder"], "name": "retained"}).json()["id"]
    ids["held"] = call(a, "PUT", f"/api/v1/folders/{ids['root_folder']}/files/held.txt", data=b"held").json()["id"]
    f = dict(ids)

    cases = [
        ("GET", "/api/v1/auth/me", None, everyone(200)),
        ("GET", "/api/v1/folders/root", None, everyone(200)),
        ("POST", "/api/v1/folders", {"parent_id": f["root_folder"], "name": "new-{who}"}, others(201)),
        ("GET", "/api/v1/folders/{root_folder}/children", None, others(200)),
        ("PUT", "/api/v1/folders/{root_folder}/files/{{name}}", b"x", others(201)),
        ("POST", "/api/v1/folders/{root_folder}/files", "multipart", others(201)),
        ("GET", "/api/v1/files/{doc}", None, others(200)),
        ("GET", "/api/v1/files/{doc}/content", None, others(200)),
        ("GET", "/api/v1/zip?ids={doc}", None, others(200)),
        ("POST", "/api/v1/batch", {"operations": [{"op": "tag", "id": f["doc"], "add": ["b"]}]}, everyone(200)),
        ("GET", "/api/v1/nodes?path=/doc.txt", None, others(200)),
        ("POST", "/api/v1/files/{doc}/download-url", {}, others(201)),
        ("GET", "/api/v1/files/{doc}/versions", None, others(200)),
        ("GET", "/api/v1/files/{doc}/versions/{doc_v1}/content", None, others(200)),
        ("POST", "/api/v1/files/{doc}/versions/{doc_v1}/restore", None, others(200)),
        ("DELETE", "/api/v1/files/{doc}/versions/{doc_v1}", None, others(204)),
        ("GET", "/api/v1/nodes/{doc}", None, others(200)),
        ("PATCH", "/api/v1/nodes/{ren}", {"name": "renamed-{who}.txt"}, others(200)),
        ("POST", "/api/v1/nodes/{doc}/copy", {"parent_id": f["root_folder"], "name": "copy-{who}.txt"}, others(201)),
        ("DELETE", "/api/v1/nodes/{gone}", None, others(204)),
        ("POST", "/api/v1/nodes/{doc}/shares", {"group_id": f["group"]}, others(201)),
        ("GET", "/api/v1/nodes/{doc}/shares", None, others(200)),
        ("DELETE", "/api/v1/shares/{a_share}", None, others(204)),
        ("GET", "/api/v1/shared-with-me", None, everyone(200)),
        ("POST", "/api/v1/nodes/{doc}/links", {}, others(201)),
        ("GET", "/api/v1/links", None, everyone(200)),
        ("PATCH", "/api/v1/links/{a_link}", {"disabled": True}, others(200)),
        ("DELETE", "/api/v1/links/{a_link2}", None, others(204)),
        ("POST", "/api/v1/uploads", "tus-create", everyone(201)),
        ("PATCH", "/api/v1/uploads/{upload}", "tus-patch", others(204)),
        ("DELETE", "/api/v1/uploads/{upload_gone}", "tus", others(204)),
        ("GET", "/api/v1/trash", None, everyone(200)),
        ("GET", "/api/v1/usage", None, everyone(200)),
        ("GET", "/ocs/v1.php/cloud/capabilities", None, everyone(200)),
        ("GET", "/ocs/v2.php/cloud/capabilities", None, everyone(200)),
        ("GET", "/ocs/v1.php/cloud/user", None, everyone(200)),
        ("GET", "/ocs/v2.php/cloud/user", None, everyone(200)),
        ("GET", "/api/v1/usage/history", None, everyone(200)),
        ("GET", "/api/v1/activity", None, everyone(200)),
        ("GET", "/api/v1/changes", None, everyone(200)),
        ("GET", "/metrics", "via-proxy", {ANON: 401, A: 403, B: 403, OPERATOR: 200, ADMIN: 200}),
        ("GET", "/api/v1/nodes/{doc}/activity", None, others(200)),
        ("GET", "/api/v1/search?q=content", None, everyone(200)),
        ("POST", "/api/v1/trash/{gone}/restore", None, others(200)),
        ("DELETE", "/api/v1/trash/{trashed}", None, others(204)),
        ("POST", "/api/v1/trash/restore", {}, everyone(200)),
        ("DELETE", "/api/v1/trash", None, everyone(200)),
        ("GET", "/api/v1/auth/sessions", None, everyone(200)),
        ("DELETE", "/api/v1/auth/sessions/{a_session}", None, others(204)),
        ("POST", "/api/v1/auth/password", {"current_password": "wrong-password", "new_password": "whatever it is"}, everyone(401)),
        ("GET", "/api/v1/auth/tokens", None, everyone(200)),
        ("POST", "/api/v1/auth/tokens", {"name": "n", "scopes": "files:read"}, everyone(201)),
        ("DELETE", "/api/v1/auth/tokens/{a_token}", None, others(204)),
        ("GET", "/api/v1/auth/s3-keys", None, everyone(200)),
        ("POST", "/api/v1/auth/s3-keys", {"name": "n"}, everyone(201)),
        ("DELETE", "/api/v1/auth/s3-keys/{a_s3_key}", None, others(204)),
        ("GET", "/api/v1/audit", None, everyone(200)),
        ("POST", "/api/v1/auth/mfa/totp", None, everyone(200)),
        ("POST", "/api/v1/auth/mfa/totp/confirm", {"code": "abcdef"}, everyone(401)),
        ("DELETE", "/api/v1/auth/mfa/totp", {"password": "x", "code": "123456"}, everyone(409)),
        ("GET", "/api/v1/admin/users", None, admin_only(200)),
        ("POST", "/api/v1/admin/users", {"username": "made-by-{who}"}, admin_only(201)),
        ("GET", "/api/v1/admin/users/{alice}", None, admin_only(200)),
        ("PATCH", "/api/v1/admin/users/{alice}", {"quota_bytes": 5}, admin_only(200)),
        ("POST", "/api/v1/admin/users/{alice}/password-reset", None, admin_only(201)),
        ("DELETE", "/api/v1/admin/users/{victim}", None, admin_only(204)),
        ("GET", "/api/v1/admin/settings", None, admin_only(200)),
        ("PATCH", "/api/v1/admin/settings", {"registration_mode": "closed"}, admin_only(200)),
        ("POST", "/api/v1/admin/invites", {}, admin_only(201)),
        # Old tokens stay valid after a rotation, so the matrix goes on with them.
        ("POST", "/api/v1/admin/token-keys/rotate", None, admin_only(200)),
        ("GET", "/api/v1/admin/retention", None, admin_only(200)),
        ("PUT", "/api/v1/admin/retention/{retained}", {"days": 1}, admin_only(200)),
        # An active rule is never removed (compliance): refused once authorized.
        ("DELETE", "/api/v1/admin/retention/{retained}", None, admin_only(409)),
        ("GET", "/api/v1/admin/legal-holds", None, admin_only(200)),
        ("PUT", "/api/v1/admin/legal-holds/{held}", {"reason": "case of {who}"}, admin_only(200)),
        ("DELETE", "/api/v1/admin/legal-holds/{held}", None, admin_only(204)),
        ("GET", "/api/v1/admin/groups", None, admin_only(200)),
        ("POST", "/api/v1/admin/groups", {"name": "by-{who}"}, admin_only(201)),
        ("GET", "/api/v1/admin/groups/{group}", None, admin_only(200)),
        ("PUT", "/api/v1/admin/groups/{group}/members/{alice}", None, admin_only(204)),
        ("DELETE", "/api/v1/admin/groups/{group}/members/{alice}", None, admin_only(204)),
        ("DELETE", "/api/v1/admin/groups/{group}", None, admin_only(204)),
        ("GET", "/api/v1/admin/audit/export", None, admin_only(200)),
        # Sessions here; an API token also needs the admin scope on these routes (finding 11,
        # test_api_token_without_the_admin_scope_cannot_use_system_or_admin_routes).
        ("GET", "/api/v1/system/stats", None, {ANON: 401, A: 403, B: 403, OPERATOR: 200, ADMIN: 200}),
        ("GET", "/api/v1/system/stats/history", None, {ANON: 401, A: 403, B: 403, OPERATOR: 200, ADMIN: 200}),
        ("GET", "/api/v1/system/jobs", None, {ANON: 401, A: 403, B: 403, OPERATOR: 200, ADMIN: 200}),
        ("GET", "/api/v1/system/damaged-chunks", None, {ANON: 401, A: 403, B: 403, OPERATOR: 200, ADMIN: 200}),
        ("GET", "/api/v1/system/scrub", None, {ANON: 401, A: 403, B: 403, OPERATOR: 200, ADMIN: 200}),
        ("POST", "/api/v1/system/scrub", None, {ANON: 401, A: 403, B: 403, OPERATOR: 202, ADMIN: 202}),
        ("GET", "/api/v1/system/jobs/{job}", None, {ANON: 401, A: 403, B: 403, OPERATOR: 200, ADMIN: 200}),
        # A valid image's job is never dead: retrying it is a conflict, once authorized.
        ("POST", "/api/v1/system/jobs/{job}/retry", None, {ANON: 401, A: 403, B: 403, OPERATOR: 409, ADMIN: 409}),
        # A text file has no thumbnail (the owner learns that; others learn nothing).
        ("GET", "/api/v1/files/{doc}/thumbnail", None, others(404)),
        # Nextcloud's preview endpoints: the same, by id and by path.
        ("GET", "/index.php/core/preview?fileId={doc}&x=64&y=64", None, others(404)),
        ("GET", "/index.php/core/preview.png?file=/doc.txt&x=64&y=64", None, others(404)),
        # Last: these end the caller's sessions.
        ("POST", "/api/v1/auth/logout-all", None, everyone(200)),
        ("POST", "/api/v1/auth/logout", None, everyone(204)),
    ]

    for method, template, body, expected in cases:
        path = template.format(**f)
        for who in EVERYONE:
            if who == ANON or method != "POST" or template not in ("/api/v1/auth/logout", "/api/v1/auth/logout-all"):
                client = sessions[who]
            else:
                client = session(s, who, password[who])  # a session of its own to end
            kw = {}
            if isinstance(body, str) and body in TUS_REQUESTS:
                kw.update(TUS_REQUESTS[body])
            elif body == "multipart":
                kw["files"] = {"file": (f"up-{who}.bin", b"data")}
            elif isinstance(body, bytes):
                path = template.format(**f).replace("{name}", f"put-{who}.bin")
                kw["data"] = body
            elif body is not None:
                kw["json"] = {k: v.format(who=who) if isinstance(v, str) else v for k, v in body.items()}
            r = call(client, method, path, **kw)
            assert r.status_code == expected[who], (method, template, who, r.status_code, r.text)

    # Every authenticated route of the API is in the matrix.
    doc = requests.get(s.url + "/api/v1/openapi.json").json()
    routed = {(m.upper(), p) for p, item in doc["paths"].items() for m, op in item.items()
              if m in ("get", "post", "put", "patch", "delete") and op.get("security") != []}
    covered = {(m, t.split("?")[0].replace("{{name}}", "{name}")) for m, t, _, _ in cases}
    normalize = lambda p: __import__("re").sub(r"\{[a-z_0-9]+\}", "{}", p)
    assert {(m, normalize(p)) for m, p in routed} == {(m, normalize(p)) for m, p in covered}


def test_admin_without_second_factor_cannot_mint_an_admin_token_when_mfa_is_required(admin_server):
    """Issue 17, finding 8: the session had no admin scope, but create_api_token checked the
    role, so it minted an admin-scoped token that administered the server."""
    s = admin_server
    root = session(s, "root", "root-password-1")
    old = call(root, "POST", "/api/v1/auth/tokens", json={"name": "before", "scopes": "admin"})
    assert old.status_code == 201, old.text
    assert call(root, "PATCH", "/api/v1/admin/settings", json={"require_mfa_for_admins": True}).status_code == 200
    r = call(root, "POST", "/api/v1/auth/tokens", json={"name": "t", "scopes": "admin files:read"})
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN", r.text
    # A token made before the requirement stops administering too, until a factor is enrolled.
    r = requests.get(s.url + "/api/v1/admin/users", headers={"Authorization": "Bearer " + old.json()["token"]})
    assert r.status_code == 403
    enrol(s, root)
    r = call(root, "POST", "/api/v1/auth/tokens", json={"name": "t", "scopes": "admin files:read"})
    assert r.status_code == 201, r.text


def test_api_token_without_the_admin_scope_cannot_use_system_or_admin_routes(admin_server):
    """Issue 17, finding 11: /api/v1/system/* checked only the role, so an administrator's or
    an operator's API token limited to files:read read every user's usage and retried jobs.
    Now an API token needs the admin scope there, as on /api/v1/admin/*; sessions of
    administrators and operators keep working."""
    s = admin_server
    root = session(s, "root", "root-password-1")
    oscar = session(s, "oscar", "oscar-password-1")
    alice = session(s, "alice", "alice-password-1")
    folder = call(alice, "GET", "/api/v1/folders/root").json()["id"]
    assert call(alice, "PUT", f"/api/v1/folders/{folder}/files/pic.png", data=images.png(4, 4)).status_code == 201
    job = call(root, "GET", "/api/v1/system/jobs").json()["items"][0]["id"]
    system = [("GET", "/api/v1/system/stats", 200), ("GET", "/api/v1/system/stats/history", 200),
              ("GET", "/api/v1/system/jobs", 200), ("GET", f"/api/v1/system/jobs/{job}", 200),
              ("GET", "/api/v1/system/damaged-chunks", 200), ("GET", "/api/v1/system/scrub", 200),
              # A valid image's job is never dead: retrying it is a conflict, once authorized.
              ("POST", f"/api/v1/system/jobs/{job}/retry", 409)]
    admin = [("GET", "/api/v1/admin/users", 200), ("GET", "/api/v1/admin/settings", 200),
             ("GET", "/api/v1/admin/groups", 200)]

    def token(client, scopes):
        r = call(client, "POST", "/api/v1/auth/tokens", json={"name": scopes, "scopes": scopes})
        assert r.status_code == 201, r.text
        t = requests.Session()
        t.headers["Authorization"] = "Bearer " + r.json()["token"]
        t.base = s.url
        return t

    def basic(client, username, scopes):
        r = call(client, "POST", "/api/v1/auth/tokens", json={"name": "basic " + scopes, "scopes": scopes})
        t = requests.Session()
        t.auth = (username, r.json()["token"])
        t.base = s.url
        return t

    refused = {"root files:read": token(root, "files:read"),
               "root files:read files:write": token(root, "files:read files:write"),
               "root files:read (Basic)": basic(root, "root", "files:read"),
               "oscar files:read files:write": token(oscar, "files:read files:write")}
    for name, client in refused.items():
        for method, path, _ in system + admin:
            r = call(client, method, path)
            assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (name, method, path, r.text)
        # The files the token is for still work.
        assert call(client, "GET", "/api/v1/auth/me").status_code == 200

    allowed = {"root admin": (token(root, "admin"), system + admin),
               "root session": (root, system + admin),
               "oscar session": (oscar, system)}
    for name, (client, routes) in allowed.items():
        for method, path, status in routes:
            r = call(client, method, path)
            assert r.status_code == status, (name, method, path, r.text)
    for method, path, _ in admin:
        assert call(oscar, method, path).status_code == 403
