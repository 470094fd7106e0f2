"""Authentication served from memory: with the default settings a sync client's burst is never
refused, and a credential that was just used (so its check is cached) stops working on the very
next request after it is revoked on this node — sign-out, session revoke, refresh-token reuse,
password change, API token revoke, a user disabled or demoted — for bearer access tokens,
bearer API tokens and HTTP Basic on /dav/."""

import threading

import requests

from conftest import Client, Server, add_user
from dav_helpers import api_token, dav_session

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True

ME = "/api/v1/auth/me"


def login(server, username, password):
    r = requests.post(server.url + "/api/v1/auth/login",
                      json={"username": username, "password": password, "token_delivery": "body"})
    assert r.status_code == 200, r.text
    return r.json()


def bearer(token):
    return {"Authorization": "Bearer " + token}


def warm(server, token, times=3):
    """A few requests with the credential: after them its check is cached."""
    for _ in range(times):
        r = requests.get(server.url + ME, headers=bearer(token))
        assert r.status_code == 200, r.text


def run_threads(count, work):
    statuses = []
    lock = threading.Lock()

    def run(index):
        mine = work(index)
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_default_limits_refuse_no_request_of_a_sync_burst(server, alice):
    # One user's sync client: many connections, each sending as fast as it can, REST GETs of
    # a small file and WebDAV PUTs of small files with an API token.
    file_id = alice.upload("small.bin", b"x" * 4096).json()["id"]
    token = api_token(alice)
    gets_per_thread, puts_per_thread, threads = 500, 60, 8

    def work(index):
        rest = requests.Session()
        rest.headers["Authorization"] = "Bearer " + alice.token
        dav = dav_session(alice, token)
        out = []
        for _ in range(gets_per_thread):
            out.append(rest.get(f"{server.url}/api/v1/files/{file_id}/content").status_code)
        for n in range(puts_per_thread):
            out.append(dav.put(f"{server.url}/dav/burst-{index}-{n}.bin", data=b"y" * 4096).status_code)
        return out

    statuses = run_threads(threads, work)
    assert len(statuses) == threads * (gets_per_thread + puts_per_thread)
    refused = [s for s in statuses if s == 429]
    assert not refused, f"{len(refused)} of {len(statuses)} requests refused with 429"
    # Nothing else is refused either (401, 403, 503).
    assert all(200 <= s < 300 for s in statuses), sorted(set(statuses))


def test_a_signed_out_access_token_is_refused_on_the_very_next_request(server):
    tokens = login(server, "alice", "alice-password-1")
    warm(server, tokens["access_token"])
    r = requests.post(server.url + "/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    assert r.status_code == 204
    assert requests.get(server.url + ME, headers=bearer(tokens["access_token"])).status_code == 401


def test_a_revoked_session_is_refused_on_the_very_next_request(server):
    a = login(server, "alice", "alice-password-1")
    b = login(server, "alice", "alice-password-1")
    warm(server, b["access_token"])
    r = requests.delete(f"{server.url}/api/v1/auth/sessions/{b['session_id']}",
                        headers=bearer(a["access_token"]))
    assert r.status_code == 204
    assert requests.get(server.url + ME, headers=bearer(b["access_token"])).status_code == 401
    warm(server, a["access_token"])
    r = requests.post(server.url + "/api/v1/auth/logout-all", headers=bearer(a["access_token"]))
    assert r.status_code == 200
    assert requests.get(server.url + ME, headers=bearer(a["access_token"])).status_code == 401


def test_a_reused_refresh_token_ends_its_session_on_the_very_next_request(server):
    first = login(server, "alice", "alice-password-1")
    refresh = server.url + "/api/v1/auth/refresh"
    second = requests.post(refresh, json={"refresh_token": first["refresh_token"]}).json()
    third = requests.post(refresh, json={"refresh_token": second["refresh_token"]}).json()
    warm(server, third["access_token"])
    warm(server, first["access_token"])
    replay = requests.post(refresh, json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    for token in (first["access_token"], third["access_token"]):
        assert requests.get(server.url + ME, headers=bearer(token)).status_code == 401


def test_a_password_change_ends_other_sessions_on_the_very_next_request(server):
    a = login(server, "alice", "alice-password-1")
    other = login(server, "alice", "alice-password-1")
    warm(server, other["access_token"])
    r = requests.post(server.url + "/api/v1/auth/password", headers=bearer(a["access_token"]),
                      json={"current_password": "alice-password-1",
                            "new_password": "correct horse battery staple"})
    assert r.status_code == 204
    assert requests.get(server.url + ME, headers=bearer(other["access_token"])).status_code == 401
    assert requests.get(server.url + ME, headers=bearer(a["access_token"])).status_code == 200


def test_a_revoked_api_token_is_refused_on_the_very_next_request(server, alice):
    token = api_token(alice)
    warm(server, token)
    dav = dav_session(alice, token)
    for _ in range(3):
        assert dav.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"}).status_code == 207
    token_id = next(t["id"] for t in alice.get("/api/v1/auth/tokens").json()["items"])
    assert alice.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 204
    assert requests.get(server.url + ME, headers=bearer(token)).status_code == 401
    r = dav.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"})
    assert r.status_code == 401


def test_basic_auth_with_another_users_name_is_refused_even_when_cached(server, alice):
    token = api_token(alice)
    dav = dav_session(alice, token)
    assert dav.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"}).status_code == 207
    wrong = requests.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"},
                             auth=("bob", token))
    assert wrong.status_code == 401


def test_a_disabled_or_demoted_user_is_refused_on_the_very_next_request(data_dir):
    server = Server(data_dir)
    add_user(server, "root", "root-password-12", admin=True)
    add_user(server, "alice", "alice-password-1")
    add_user(server, "carol", "carol-password-1", admin=True)
    server.start()
    try:
        root = Client(server, "root", "root-password-12")
        alice = Client(server, "alice", "alice-password-1")
        token = api_token(alice)
        dav = dav_session(alice, token)
        warm(server, alice.token)
        warm(server, token)
        for _ in range(3):
            assert dav.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"}).status_code == 207
        alice_id = alice.get(ME).json()["id"]
        r = root.patch(f"/api/v1/admin/users/{alice_id}", json={"status": "disabled"})
        assert r.status_code == 200, r.text
        assert requests.get(server.url + ME, headers=bearer(alice.token)).status_code == 401
        assert requests.get(server.url + ME, headers=bearer(token)).status_code == 401
        assert dav.request("PROPFIND", server.url + "/dav/", headers={"Depth": "0"}).status_code == 401

        # An admin demoted loses the admin scope at once.
        carol = Client(server, "carol", "carol-password-1")
        for _ in range(3):
            assert carol.get("/api/v1/admin/users").status_code == 200
        carol_id = carol.get(ME).json()["id"]
        r = root.patch(f"/api/v1/admin/users/{carol_id}", json={"role": "user"})
        assert r.status_code == 200, r.text
        assert carol.get("/api/v1/admin/users").status_code == 403
        # And a deleted user is refused at once too.
        assert root.delete(f"/api/v1/admin/users/{carol_id}").status_code in (200, 204)
        assert carol.get(ME).status_code == 401
    finally:
        server.stop()
