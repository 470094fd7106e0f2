"""Access tokens signed with Ed25519 and published as a JSON Web Key Set (issue 19): any
service can verify a token with the keys at /.well-known/jwks.json (PyJWT here, a verifier
that shares no code with the server); a rotation on command begins a new key while tokens of
the old one keep working until they expire; tokens with alg "none", HS256 (also with the
public key as its secret) or a key id the server never made are refused."""

import base64
import hashlib
import hmac
import json

import jwt
import pytest
import requests

from conftest import Client, Server, add_user, error_code

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True


@pytest.fixture
def keyed_server(data_dir):
    s = Server(data_dir)
    add_user(s, "root", "root-password-1", admin=True)
    add_user(s, "alice", "alice-password-1")
    s.start()
    yield s
    s.stop()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def header_of(token):
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def key_set(server):
    r = requests.get(server.url + "/.well-known/jwks.json")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    return {k["kid"]: k for k in r.json()["keys"]}


def verified_claims(server, token):
    """The token's claims as a third party checks them: the key its kid names, from the
    published set, and EdDSA only."""
    keys = key_set(server)
    kid = header_of(token)["kid"]
    assert kid in keys, (kid, list(keys))
    key = jwt.PyJWK(keys[kid]).key
    return jwt.decode(token, key, algorithms=["EdDSA"])


def test_access_tokens_verify_with_the_published_keys(keyed_server):
    alice = Client(keyed_server, "alice", "alice-password-1")
    keys = key_set(keyed_server)
    assert len(keys) == 1
    (jwk,) = keys.values()
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert "d" not in jwk  # never the private part
    assert header_of(alice.token)["alg"] == "EdDSA"
    claims = verified_claims(keyed_server, alice.token)
    me = alice.get("/api/v1/auth/me").json()
    assert claims["sub"] == str(me["id"]) and claims["exp"] > claims["iat"]
    # A changed claim no longer verifies, for the third party as for the server.
    head, body, signature = alice.token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["sub"] = str(me["id"] + 1)
    forged = ".".join([head, b64url(json.dumps(payload).encode()), signature])
    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(keyed_server, forged)
    r = requests.get(keyed_server.url + "/api/v1/auth/me", headers={"Authorization": "Bearer " + forged})
    assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED"


def test_a_rotation_keeps_old_tokens_valid_and_publishes_both_keys(keyed_server):
    alice = Client(keyed_server, "alice", "alice-password-1")
    root = Client(keyed_server, "root", "root-password-1")
    old_kid = header_of(alice.token)["kid"]
    r = alice.post("/api/v1/admin/token-keys/rotate")
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    r = root.post("/api/v1/admin/token-keys/rotate")
    assert r.status_code == 200, r.text
    new_kid = r.json()["kid"]
    assert new_kid != old_kid
    assert set(key_set(keyed_server)) == {old_kid, new_kid}
    # The old token still works, and still verifies with the published set.
    assert alice.get("/api/v1/auth/me").status_code == 200
    verified_claims(keyed_server, alice.token)
    # New sign-ins get the new key.
    again = Client(keyed_server, "alice", "alice-password-1")
    assert header_of(again.token)["kid"] == new_kid
    verified_claims(keyed_server, again.token)
    # The rotation is in the audit log, with the new key's id.
    events = root.get("/api/v1/audit", params={"action": "auth.token_key_rotate"}).json()["items"]
    assert any(e["target"] == "token_key:" + new_kid for e in events), events


def test_tokens_signed_with_none_or_hs256_or_an_unknown_key_are_refused(keyed_server):
    alice = Client(keyed_server, "alice", "alice-password-1")
    head, body, _ = alice.token.split(".")
    kid = header_of(alice.token)["kid"]
    x = base64.urlsafe_b64decode(key_set(keyed_server)[kid]["x"] + "=")

    def signed_hs256(header, secret):
        signing_input = b64url(json.dumps(header).encode()) + "." + body
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + b64url(mac)

    forged = [
        b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + body + ".",
        b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode()) + "." + body + ".",
        # The public key as an HMAC secret: the algorithm confusion attack.
        signed_hs256({"alg": "HS256", "typ": "JWT", "kid": kid}, x),
        signed_hs256({"alg": "HS256", "typ": "JWT"}, b"secret"),
        # A key id of a generation the server never began.
        b64url(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": "99.AAAAAAAA"}).encode())
        + "." + body + "." + alice.token.split(".")[2],
    ]
    for token in forged:
        r = requests.get(keyed_server.url + "/api/v1/auth/me", headers={"Authorization": "Bearer " + token})
        assert r.status_code == 401 and error_code(r) == "UNAUTHENTICATED", (token, r.text)
    assert alice.get("/api/v1/auth/me").status_code == 200


def test_other_well_known_paths_are_json_404s_not_the_web_ui(keyed_server):
    r = requests.get(keyed_server.url + "/.well-known/openid-configuration")
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
