"""Accounts through the real server: sessions and refresh rotation, cookies and CSRF, sign-out,
password changes, personal API tokens and scopes, sign-in throttling, the audit log, and no
secret in the server's log."""

import time

import requests
from requests.adapters import HTTPAdapter

from conftest import Server, add_user, error_code

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True

LOGIN = "/api/v1/auth/login"


def login(server, username, password, delivery="body", **kw):
    return requests.post(server.url + LOGIN,
                         json={"username": username, "password": password, "token_delivery": delivery}, **kw)


def bearer(token):
    return {"Authorization": "Bearer " + token}


def get_me(server, token):
    return requests.get(server.url + "/api/v1/auth/me", headers=bearer(token))


def refresh_body(server, refresh_token, **kw):
    return requests.post(server.url + "/api/v1/auth/refresh", json={"refresh_token": refresh_token}, **kw)


class _FromAddress(HTTPAdapter):
    def __init__(self, source):
        self._source = source
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self._source, 0)
        super().init_poolmanager(*args, **kw)


def client_at(address):
    """A requests session whose connections come from another loopback address (all of
    127.0.0.0/8 is this machine's): another client, as the server sees it."""
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    return session


def audit(server, token, **params):
    r = requests.get(server.url + "/api/v1/audit", headers=bearer(token), params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_refresh_rotates_and_reuse_revokes_the_family(server):
    first = login(server, "alice", "alice-password-1")
    assert first.status_code == 200, first.text
    tokens = first.json()
    assert tokens["refresh_token"].startswith("cfr_") and tokens["refresh_expires_in"] > 86400
    assert "csrf_token" not in tokens and "Set-Cookie" not in first.headers

    second = refresh_body(server, tokens["refresh_token"])
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert rotated["session_id"] == tokens["session_id"]
    assert get_me(server, rotated["access_token"]).status_code == 200

    # The client uses its new token; then the spent one comes back (stolen and replayed): the
    # whole session ends.
    third = refresh_body(server, rotated["refresh_token"])
    assert third.status_code == 200, third.text
    latest = third.json()
    replay = refresh_body(server, tokens["refresh_token"])
    assert replay.status_code == 401 and error_code(replay) == "UNAUTHENTICATED"
    assert refresh_body(server, latest["refresh_token"]).status_code == 401
    assert get_me(server, latest["access_token"]).status_code == 401
    assert get_me(server, tokens["access_token"]).status_code == 401

    fresh = login(server, "alice", "alice-password-1").json()
    events = audit(server, fresh["access_token"], action="auth.refresh_reuse")
    assert len(events) == 1 and events[0]["target"] == f"session:{tokens['session_id']}"
    assert events[0]["outcome"] == "denied"


def test_a_lost_refresh_response_may_be_retried_once(server):
    tokens = login(server, "alice", "alice-password-1").json()
    # The response to this refresh never reaches the client (a dropped connection).
    lost = refresh_body(server, tokens["refresh_token"])
    assert lost.status_code == 200, lost.text
    # So it presents the token it has once more, moments later, and is not signed out.
    retried = refresh_body(server, tokens["refresh_token"])
    assert retried.status_code == 200, retried.text
    current = retried.json()
    assert current["session_id"] == tokens["session_id"]
    assert current["refresh_token"] not in (tokens["refresh_token"], lost.json()["refresh_token"])
    nxt = refresh_body(server, current["refresh_token"])
    assert nxt.status_code == 200 and get_me(server, nxt.json()["access_token"]).status_code == 200
    # Once the chain has moved on, the old token is a replay again: the session ends.
    assert refresh_body(server, tokens["refresh_token"]).status_code == 401
    assert get_me(server, nxt.json()["access_token"]).status_code == 401


def test_a_stolen_refresh_token_replayed_from_elsewhere_within_the_grace_forked_the_session(server):
    """Issue 17, finding 16: the grace for a lost refresh response let anyone holding the spent
    token take a live branch of the session. Only the client that spent it may recover it."""
    tokens = login(server, "alice", "alice-password-1").json()
    rotated = refresh_body(server, tokens["refresh_token"])
    assert rotated.status_code == 200
    thief = client_at("127.0.0.2")
    stolen = thief.post(server.url + "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert stolen.status_code == 401 and error_code(stolen) == "UNAUTHENTICATED", stolen.text
    # A replay is a reuse: the whole session ends, the owner's live branch included.
    assert refresh_body(server, rotated.json()["refresh_token"]).status_code == 401
    assert get_me(server, rotated.json()["access_token"]).status_code == 401


def test_a_token_recovered_in_the_grace_and_its_superseded_successor_both_lived_on(server):
    """Issue 17, finding 16: after a grace recovery the unused successor was only marked spent,
    so it could take the grace in turn, and two holders could leapfrog each other forever.
    A successor superseded by a recovery is never honoured again: presenting it is a reuse."""
    tokens = login(server, "alice", "alice-password-1").json()
    kept = refresh_body(server, tokens["refresh_token"])  # the owner has this one
    assert kept.status_code == 200
    # The same token again from the same client: taken for a lost response and recovered.
    recovered = refresh_body(server, tokens["refresh_token"])
    assert recovered.status_code == 200
    # Now the successor it superseded comes back: two holders, so the session ends.
    fork = refresh_body(server, kept.json()["refresh_token"])
    assert fork.status_code == 401 and error_code(fork) == "UNAUTHENTICATED", fork.text
    assert refresh_body(server, recovered.json()["refresh_token"]).status_code == 401
    assert get_me(server, recovered.json()["access_token"]).status_code == 401


def test_without_a_grace_any_reuse_ends_the_session(data_dir):
    server = Server(data_dir, extra_args=["--refresh-grace", "0"])
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        tokens = login(server, "alice", "alice-password-1").json()
        assert refresh_body(server, tokens["refresh_token"]).status_code == 200
        assert refresh_body(server, tokens["refresh_token"]).status_code == 401
        assert get_me(server, tokens["access_token"]).status_code == 401
    finally:
        server.stop()


def test_refresh_rejects_garbage(server):
    for body in ({"refresh_token": "cfr_" + "A" * 43}, {"refresh_token": "nonsense"}, {}):
        r = requests.post(server.url + "/api/v1/auth/refresh", json=body)
        assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED", (body, r.text)
    r = requests.post(server.url + "/api/v1/auth/refresh", json={"refresh_token": 5})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"


def test_browser_sessions_use_strict_cookies_and_a_csrf_token(server):
    r = login(server, "alice", "alice-password-1", delivery="cookie")
    assert r.status_code == 200
    body = r.json()
    assert "refresh_token" not in body and body["csrf_token"]
    cookies = r.raw.headers.getlist("Set-Cookie")
    refresh_cookie = next(c for c in cookies if c.startswith("coffer_refresh="))
    csrf_cookie = next(c for c in cookies if c.startswith("coffer_csrf="))
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"):
        assert attribute in refresh_cookie, refresh_cookie
    assert "HttpOnly" not in csrf_cookie and "SameSite=Strict" in csrf_cookie
    refresh_value = refresh_cookie.split(";")[0].split("=", 1)[1]
    csrf_value = csrf_cookie.split(";")[0].split("=", 1)[1]
    assert csrf_value == body["csrf_token"]
    cookie_header = {"Cookie": f"coffer_refresh={refresh_value}; coffer_csrf={csrf_value}"}

    # What a cross-site form post would send: the cookies but not the header.
    forged = requests.post(server.url + "/api/v1/auth/refresh", headers=cookie_header)
    assert forged.status_code == 403 and error_code(forged) == "CSRF_REJECTED"
    # One character changed (a token that already ended in "x" was left unchanged and
    # accepted: the 1-in-64 failure this test had).
    tampered = csrf_value[:-1] + ("y" if csrf_value.endswith("x") else "x")
    wrong = requests.post(server.url + "/api/v1/auth/refresh",
                          headers={**cookie_header, "X-CSRF-Token": tampered})
    assert wrong.status_code == 403 and error_code(wrong) == "CSRF_REJECTED"

    ok = requests.post(server.url + "/api/v1/auth/refresh", headers={**cookie_header, "X-CSRF-Token": csrf_value})
    assert ok.status_code == 200, ok.text
    assert "refresh_token" not in ok.json()
    new_cookie = next(c for c in ok.raw.headers.getlist("Set-Cookie") if c.startswith("coffer_refresh="))
    assert new_cookie.split(";")[0].split("=", 1)[1] not in ("", refresh_value)
    assert get_me(server, ok.json()["access_token"]).status_code == 200


def test_insecure_cookies_only_when_configured(data_dir):
    s = Server(data_dir, extra_args=["--secure-cookies=false"])
    add_user(s, "carol", "carol-password-1")
    s.start()
    try:
        r = login(s, "carol", "carol-password-1", delivery="cookie")
        assert r.status_code == 200
        assert all("Secure" not in c for c in r.raw.headers.getlist("Set-Cookie"))
    finally:
        s.stop()


def test_logout_ends_the_session_at_once(server):
    a = login(server, "alice", "alice-password-1").json()
    b = login(server, "alice", "alice-password-1").json()
    r = requests.post(server.url + "/api/v1/auth/logout", headers=bearer(a["access_token"]))
    assert r.status_code == 204
    assert any(c.startswith("coffer_refresh=;") for c in r.raw.headers.getlist("Set-Cookie"))
    assert get_me(server, a["access_token"]).status_code == 401
    assert refresh_body(server, a["refresh_token"]).status_code == 401
    assert get_me(server, b["access_token"]).status_code == 200


def test_sessions_can_be_listed_and_revoked(server):
    a = login(server, "alice", "alice-password-1", headers={"User-Agent": "laptop"}).json()
    b = login(server, "alice", "alice-password-1", headers={"User-Agent": "phone"}).json()
    bob = login(server, "bob", "bob-password-12").json()
    r = requests.get(server.url + "/api/v1/auth/sessions", headers=bearer(a["access_token"]))
    assert r.status_code == 200
    items = r.json()["items"]
    assert {s["user_agent"] for s in items} == {"laptop", "phone"}
    assert [s["current"] for s in items if s["id"] == a["session_id"]] == [True]
    assert all(s["ip"] == "127.0.0.1" for s in items)

    # Bob cannot see or end Alice's session.
    r = requests.delete(f"{server.url}/api/v1/auth/sessions/{b['session_id']}", headers=bearer(bob["access_token"]))
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    assert get_me(server, b["access_token"]).status_code == 200

    r = requests.delete(f"{server.url}/api/v1/auth/sessions/{b['session_id']}", headers=bearer(a["access_token"]))
    assert r.status_code == 204
    assert get_me(server, b["access_token"]).status_code == 401
    r = requests.delete(f"{server.url}/api/v1/auth/sessions/{b['session_id']}", headers=bearer(a["access_token"]))
    assert r.status_code == 404

    r = requests.post(server.url + "/api/v1/auth/logout-all", headers=bearer(a["access_token"]))
    assert r.status_code == 200 and r.json()["revoked_sessions"] == 1
    assert get_me(server, a["access_token"]).status_code == 401
    assert get_me(server, bob["access_token"]).status_code == 200


def test_password_change(server):
    a = login(server, "alice", "alice-password-1").json()
    other = login(server, "alice", "alice-password-1").json()
    url = server.url + "/api/v1/auth/password"
    h = bearer(a["access_token"])
    r = requests.post(url, headers=h, json={"current_password": "wrong-password", "new_password": "a-fine-new-passphrase"})
    assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"
    for weak in ("short", "password123", "ALICE", "x" * 1025):
        r = requests.post(url, headers=h, json={"current_password": "alice-password-1", "new_password": weak})
        assert r.status_code == 400 and error_code(r) == "WEAK_PASSWORD", weak
    r = requests.post(url, headers=h, json={"current_password": "alice-password-1"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"

    r = requests.post(url, headers=h, json={"current_password": "alice-password-1",
                                            "new_password": "correct horse battery staple"})
    assert r.status_code == 204
    assert get_me(server, a["access_token"]).status_code == 200  # this session stays
    assert get_me(server, other["access_token"]).status_code == 401  # every other one ends
    assert refresh_body(server, other["refresh_token"]).status_code == 401
    assert login(server, "alice", "alice-password-1").status_code == 401
    assert login(server, "alice", "correct horse battery staple").status_code == 200


def test_password_change_revokes_api_tokens_unless_asked_to_keep_them(server, alice):
    """Issue 17, finding 15: a password change left every API token working, so a leaked
    token outlived the change meant to lock its thief out."""
    def token_works(token):
        return requests.get(server.url + "/api/v1/auth/me", headers=bearer(token)).status_code == 200

    make = lambda: alice.post("/api/v1/auth/tokens", json={"name": "t", "scopes": ["files:read"]}).json()["token"]
    old = make()
    r = alice.post("/api/v1/auth/password", json={"current_password": "alice-password-1",
                                                 "new_password": "a second passphrase"})
    assert r.status_code == 204
    assert not token_works(old)
    assert alice.get("/api/v1/auth/tokens").json()["items"] == []
    # Asked to keep them (a sync client's app password), they stay.
    kept = make()
    r = alice.post("/api/v1/auth/password", json={"current_password": "a second passphrase",
                                                 "new_password": "a third passphrase", "keep_api_tokens": True})
    assert r.status_code == 204
    assert token_works(kept)
    r = alice.post("/api/v1/auth/password", json={"current_password": "a third passphrase",
                                                 "new_password": "a fourth passphrase", "keep_api_tokens": "yes"})
    assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT"


def test_password_change_and_second_factor_removal_are_throttled_like_sign_in(server, alice):
    """Issue 17, finding 9: wrong current passwords were never throttled, so a stolen session
    could guess the password (and burn Argon2 CPU) without limit."""
    wrong = {"current_password": "not-the-password", "new_password": "whatever passphrase"}
    # As for sign-in: five free failures, the sixth starts a block.
    statuses = [alice.post("/api/v1/auth/password", json=wrong).status_code for _ in range(7)]
    assert statuses[:6] == [401] * 6 and statuses[6] == 429, statuses
    # While blocked, even the right password waits: the block does not reveal it.
    r = alice.post("/api/v1/auth/password", json={"current_password": "alice-password-1",
                                                 "new_password": "whatever passphrase"})
    assert r.status_code == 429 and "Retry-After" in r.headers
    r = alice.delete("/api/v1/auth/mfa/totp", json={"password": "not-the-password", "code": "123456"})
    assert r.status_code == 429


def test_personal_api_tokens_and_scopes(server, alice):
    r = alice.post("/api/v1/auth/tokens", json={"name": "backup script", "scopes": ["files:read"]})
    assert r.status_code == 201, r.text
    created = r.json()
    secret = created["token"]
    assert secret.startswith("cft_") and created["scopes"] == "files:read" and created["expires"] is None

    reader = requests.Session()
    reader.headers["Authorization"] = "Bearer " + secret
    assert reader.get(server.url + "/api/v1/folders/root").status_code == 200
    me = reader.get(server.url + "/api/v1/auth/me").json()
    assert me["username"] == "alice" and me["scopes"] == "files:read" and me["api_token_id"] == created["id"]
    r = reader.put(f"{server.url}/api/v1/folders/{alice.root}/files/x.txt", data=b"x")
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    # A token cannot manage the account: no new tokens, no password change, no sign-out.
    for method, path, body in (("POST", "/api/v1/auth/tokens", {"name": "n", "scopes": "files:write"}),
                               ("GET", "/api/v1/auth/tokens", None),
                               ("POST", "/api/v1/auth/password", {"current_password": "a", "new_password": "b"}),
                               ("POST", "/api/v1/auth/logout", None)):
        r = reader.request(method, server.url + path, json=body)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (method, path, r.text)

    listed = alice.get("/api/v1/auth/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["backup script"] and "token" not in listed[0]
    assert listed[0]["last_used"] is not None

    writer = alice.post("/api/v1/auth/tokens", json={"name": "sync", "scopes": "files:read files:write"}).json()
    r = requests.put(f"{server.url}/api/v1/folders/{alice.root}/files/y.txt", data=b"y", headers=bearer(writer["token"]))
    assert r.status_code == 201

    for bad in ({"name": "x", "scopes": ["admin"]},):
        r = alice.post("/api/v1/auth/tokens", json=bad)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    for bad in ({"name": "x", "scopes": ["files:delete"]}, {"name": "", "scopes": "files:read"},
                {"name": "x", "scopes": []}, {"name": "x"}, {"name": "x", "scopes": "files:read", "expires_in": 0}):
        r = alice.post("/api/v1/auth/tokens", json=bad)
        assert r.status_code == 400 and error_code(r) == "INVALID_ARGUMENT", bad

    assert alice.delete(f"/api/v1/auth/tokens/{created['id']}").status_code == 204
    r = reader.get(server.url + "/api/v1/folders/root")
    assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED"
    assert alice.delete(f"/api/v1/auth/tokens/{created['id']}").status_code == 404
    forged = requests.get(server.url + "/api/v1/folders/root", headers=bearer("cft_" + "A" * 43))
    assert forged.status_code == 401


def test_api_tokens_expire(server, alice):
    created = alice.post("/api/v1/auth/tokens", json={"name": "short", "scopes": "files:read", "expires_in": 1}).json()
    assert created["expires"] is not None
    assert requests.get(server.url + "/api/v1/folders/root", headers=bearer(created["token"])).status_code == 200
    time.sleep(1.2)
    r = requests.get(server.url + "/api/v1/folders/root", headers=bearer(created["token"]))
    assert r.status_code == 401
    assert alice.get("/api/v1/auth/tokens").json()["items"] == []


def test_failed_sign_ins_are_throttled_the_same_for_unknown_users(server):
    answers = {}
    for name in ("alice", "nobody"):
        for _ in range(6):  # five free failures, the sixth starts a block
            r = login(server, name, "wrong-password")
            assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"
        blocked = login(server, name, "wrong-password")
        assert blocked.status_code == 429 and error_code(blocked) == "TOO_MANY_REQUESTS"
        assert 1 <= int(blocked.headers["Retry-After"]) <= 5
        answers[name] = blocked.json()["error"]["message"]
    assert answers["alice"] == answers["nobody"]

    # Even the right password waits out the block; other accounts are unaffected.
    r = login(server, "alice", "alice-password-1")
    assert r.status_code == 429
    assert login(server, "bob", "bob-password-12").status_code == 200
    time.sleep(int(r.headers["Retry-After"]) + 0.2)
    assert login(server, "alice", "alice-password-1").status_code == 200

    events = audit(server, login(server, "bob", "bob-password-12").json()["access_token"])
    assert all(e["actor_id"] is not None for e in events)  # failures of others are not Bob's


def test_failures_from_one_address_locked_the_user_out_everywhere(server):
    """Issue 17, finding 16: failed sign-ins were counted per username alone, so anybody could
    keep an account locked by guessing at it. They count per username and client address: the
    guesser is slowed down, the owner elsewhere signs in at once."""
    guesser = client_at("127.0.0.2")
    for _ in range(6):
        r = guesser.post(server.url + LOGIN, json={"username": "alice", "password": "wrong-password"})
        assert r.status_code == 401, r.text
    blocked = guesser.post(server.url + LOGIN, json={"username": "alice", "password": "alice-password-1"})
    assert blocked.status_code == 429 and error_code(blocked) == "TOO_MANY_REQUESTS"
    assert login(server, "alice", "alice-password-1").status_code == 200
    # A success here does not lift the guesser's block.
    again = guesser.post(server.url + LOGIN, json={"username": "alice", "password": "alice-password-1"})
    assert again.status_code == 429


def test_audit_log_is_per_user_and_complete_for_admins(server, data_dir):
    add_user(server, "root", "root-password-1", admin=True)
    alice = login(server, "alice", "alice-password-1").json()
    login(server, "alice", "not-her-password")
    requests.post(server.url + "/api/v1/auth/tokens", headers=bearer(alice["access_token"]),
                  json={"name": "t", "scopes": "files:read"})
    bob = login(server, "bob", "bob-password-12").json()
    root = login(server, "root", "root-password-1").json()

    mine = audit(server, alice["access_token"])
    assert {e["action"] for e in mine} >= {"auth.login", "auth.token_create"}
    me = get_me(server, alice["access_token"]).json()["id"]
    assert all(e["actor_id"] == me for e in mine)
    assert all(e["actor_id"] != me for e in audit(server, bob["access_token"]))
    # A user asking for someone else's events still gets only their own.
    assert all(e["actor_id"] == me for e in audit(server, alice["access_token"], actor=1))

    everything = audit(server, root["access_token"])
    failure = [e for e in everything if e["action"] == "auth.login" and e["outcome"] == "failure"]
    assert failure and failure[0]["target"] == "username:alice" and failure[0]["actor_id"] is None
    assert failure[0]["ip"] == "127.0.0.1" and failure[0]["request_id"]
    logins = audit(server, root["access_token"], action="auth.login", limit=2)
    assert len(logins) == 2 and logins[0]["id"] > logins[1]["id"]
    page = requests.get(server.url + "/api/v1/audit", headers=bearer(root["access_token"]),
                        params={"action": "auth.login", "limit": 2}).json()
    assert page["next_cursor"] == str(logins[1]["id"]) == page["next"]  # `next`: its older name
    older = audit(server, root["access_token"], action="auth.login", cursor=page["next_cursor"])
    assert all(e["id"] < logins[1]["id"] for e in older) and older
    assert audit(server, root["access_token"], action="auth.login", before=logins[1]["id"]) == older
    r = requests.get(server.url + "/api/v1/audit", headers=bearer(root["access_token"]), params={"limit": 0})
    assert r.status_code == 400


def test_no_secret_reaches_the_log(server):
    secrets = ["alice-password-1", "wrong-password-xyz"]
    tokens = login(server, "alice", "alice-password-1").json()
    login(server, "alice", "wrong-password-xyz")
    login(server, "wrong-password-xyz", "alice-password-1")  # a password typed as the username
    rotated = refresh_body(server, tokens["refresh_token"]).json()
    api = requests.post(server.url + "/api/v1/auth/tokens", headers=bearer(rotated["access_token"]),
                        json={"name": "t", "scopes": "files:read"}).json()["token"]
    requests.get(server.url + "/api/v1/folders/root", headers=bearer(api))
    requests.post(server.url + "/api/v1/auth/password", headers=bearer(rotated["access_token"]),
                  json={"current_password": "alice-password-1", "new_password": "another fine passphrase"})
    secrets += [tokens["access_token"], tokens["refresh_token"], rotated["refresh_token"], api,
                "another fine passphrase"]
    server.stop()
    with open(server.log_path) as f:
        log = f.read()
    assert '"msg":"request"' in log
    for secret in secrets:
        assert secret not in log


def test_api_tokens_work_as_the_basic_auth_password(server, alice):
    token = alice.post("/api/v1/auth/tokens", json={"name": "dav", "scopes": "files:read"}).json()["token"]
    url = server.url + "/api/v1/folders/root"
    assert requests.get(url, auth=("alice", token)).status_code == 200
    assert requests.get(url, auth=("bob", token)).status_code == 401  # another user's name
    r = requests.get(url, auth=("alice", "alice-password-1"))  # account passwords: no
    assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED"
    assert requests.get(url, headers={"Authorization": "Basic !!notbase64"}).status_code == 401


def test_deletions_are_audited_with_the_credential(server, alice):
    folder = alice.mkdir("old")
    token = alice.post("/api/v1/auth/tokens", json={"name": "sync", "scopes": "files:write files:read"}).json()
    r = requests.delete(f"{server.url}/api/v1/nodes/{folder}", headers={"Authorization": "Bearer " + token["token"]})
    assert r.status_code == 204
    events = alice.get("/api/v1/audit", params={"action": "files.delete"}).json()["items"]
    assert len(events) == 1
    assert events[0]["target"] == f"node:{folder}" and f"api token {token['id']}" in events[0]["detail"]
