"""The tamper-evident audit trail (docs/archive.md): after real audited actions, `coffer audit
verify` proves the chain and its seals; an intruder with write access to the database who edits,
deletes or rewrites entries, or forges a seal, is named at the first broken entry. Runs on every
engine of the suite: the intruder uses sqlite3 or psql directly."""

import hashlib
import json
import os
import re
import sqlite3
import struct
import urllib.parse

import pytest
import requests

import conftest
from conftest import Client, Server, add_user

GENESIS = "0" * 64


def sql(server, statement):
    """Runs one statement on the server's metadata database, as an intruder would; returns the
    rows as lists of strings."""
    if conftest.ON_POSTGRES:
        app_url, _ = conftest.database_urls(server.database_of)
        name = urllib.parse.urlsplit(app_url).path.lstrip("/")
        out = conftest.postgres().psql(statement, database=name)
        return [line.split("|") for line in out.splitlines() if line]
    db = sqlite3.connect(os.path.join(server.data_dir, "meta.db"))
    try:
        rows = db.execute(statement).fetchall()
        db.commit()
        return [["" if v is None else str(v) for v in row] for row in rows]
    finally:
        db.close()


def ids(server):
    return [int(row[0]) for row in sql(server, "SELECT id FROM audit_events ORDER BY id")]


def verify(server, *args):
    return server.cli("audit", "verify", *args, check=False)


def export(server):
    r = server.cli("audit", "export")
    return [json.loads(line) for line in r.stdout.splitlines()]


def entry_hash(prev_hash, e):
    """The entry hash as docs/schema.md (migration 16) defines it, computed independently of coffer."""
    out = b"coffer-audit-v1\0" + bytes.fromhex(prev_hash)
    out += struct.pack(">qqq", e["id"], e["at_us"], e["actor_id"] or 0)
    for field in ("action", "target", "outcome", "ip", "user_agent", "request_id", "detail"):
        data = e[field].encode()
        out += struct.pack(">Q", len(data)) + data
    return hashlib.sha256(out).hexdigest()


@pytest.fixture
def audited(data_dir):
    """A stopped server after sign-ins (good and bad), uploads, deletions and admin actions."""
    server = Server(data_dir)
    add_user(server, "root", "root-password-12", admin=True)
    add_user(server, "alice", "alice-password-1")
    server.start()
    try:
        bad = requests.post(server.url + "/api/v1/auth/login",
                            json={"username": "alice", "password": "wrong-password-1"})
        assert bad.status_code == 401
        alice = Client(server, "alice", "alice-password-1")
        for i in range(3):
            r = alice.upload(f"f{i}.txt", b"x" * (i + 1))
            assert r.status_code == 201, r.text
            assert alice.delete(f"/api/v1/nodes/{r.json()['id']}").status_code == 204
        r = alice.post("/api/v1/auth/tokens", json={"name": "t", "scopes": ["files:read"]})
        assert r.status_code == 201, r.text
        root = Client(server, "root", "root-password-12")
        r = root.post("/api/v1/admin/users", json={"username": "carol", "password": "carol-password-1"})
        assert r.status_code == 201, r.text
        assert root.patch(f"/api/v1/admin/users/{r.json()['id']}",
                          json={"status": "disabled"}).status_code == 200
        assert alice.post("/api/v1/auth/logout").status_code in (200, 204)
    finally:
        server.stop()
    assert len(ids(server)) >= 8
    return server


def test_an_untouched_trail_verifies_and_exports_every_entry(audited):
    r = verify(audited)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "intact" in r.stdout
    count = len(ids(audited))
    assert f"entries: {count} chained" in r.stdout
    # Stopping the server sealed the head: every entry is covered.
    assert f"covering entries up to #{ids(audited)[-1]}" in r.stdout
    lines = export(audited)
    assert len(lines) == count
    assert [e["id"] for e in lines] == ids(audited)
    assert {"auth.login", "auth.logout"} <= {e["action"] for e in lines}
    # The documented encoding, recomputed here, gives every stored hash.
    prev = GENESIS
    for e in lines:
        assert e["prev_hash"] == prev
        assert e["entry_hash"] == entry_hash(prev, e)
        prev = e["entry_hash"]


def test_an_edited_entry_is_named(audited):
    middle = ids(audited)[len(ids(audited)) // 2]
    sql(audited, f"UPDATE audit_events SET detail = 'nothing to see' WHERE id = {middle}")
    r = verify(audited)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"BROKEN at entry #{middle}:" in r.stdout


def test_a_deleted_entry_names_the_next_one(audited):
    all_ids = ids(audited)
    middle = all_ids[len(all_ids) // 2]
    sql(audited, f"DELETE FROM audit_events WHERE id = {middle}")
    r = verify(audited)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"BROKEN at entry #{all_ids[all_ids.index(middle) + 1]}:" in r.stdout


def test_a_rewritten_chain_is_caught_by_the_seal(audited):
    """An intruder who knows the format recomputes every hash after the entry they edit: only
    the signed seal, which they cannot make, shows it."""
    lines = export(audited)
    target = len(lines) // 2
    lines[target]["detail"] = "rewritten"
    prev = lines[target - 1]["entry_hash"]
    for e in lines[target:]:
        e["prev_hash"] = prev
        e["entry_hash"] = prev = entry_hash(prev, e)
        sql(audited, f"UPDATE audit_events SET detail = '{e['detail']}', prev_hash = '{e['prev_hash']}', "
                     f"entry_hash = '{e['entry_hash']}' WHERE id = {e['id']}")
    r = verify(audited)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "BROKEN at entry #" in r.stdout and "seal" in r.stdout


def test_a_forged_seal_is_detected(audited):
    seal_id, signature = sql(audited, "SELECT id, signature FROM audit_seals ORDER BY id DESC LIMIT 1")[0]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:]
    sql(audited, f"UPDATE audit_seals SET signature = '{forged}' WHERE id = {seal_id}")
    r = verify(audited)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "forged" in r.stdout


def test_truncating_the_sealed_log_is_detected(audited):
    last = ids(audited)[-1]
    sql(audited, f"DELETE FROM audit_events WHERE id = {last}")
    r = verify(audited)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "deleted from its end" in r.stdout


def test_seals_are_checked_against_a_public_key_kept_elsewhere(audited):
    r = verify(audited)
    key = re.search(r"audit key: ([0-9a-f]{64})", r.stdout).group(1)
    assert verify(audited, "--public-key", key.upper()).returncode == 0
    other = verify(audited, "--public-key", "ab" * 32)
    assert other.returncode == 1 and "forged" in other.stdout
    bad = verify(audited, "--public-key", "not-a-key")
    assert bad.returncode == 2 and "64 hex digits" in bad.stderr


def test_new_entries_after_a_verified_trail_extend_it(audited):
    audited.start()
    try:
        Client(audited, "alice", "alice-password-1")
    finally:
        audited.stop()
    r = verify(audited)
    assert r.returncode == 0, r.stdout + r.stderr


def test_administrators_export_the_trail_over_http(audited):
    audited.start()
    try:
        root = Client(audited, "root", "root-password-12")
        alice = Client(audited, "alice", "alice-password-1")
        assert alice.get("/api/v1/admin/audit/export").status_code == 403
        r = root.get("/api/v1/admin/audit/export")
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "application/jsonl"
        lines = [json.loads(line) for line in r.text.splitlines()]
    finally:
        audited.stop()
    # The same entries as the command's export (which now also has the sign-ins above).
    assert [e["id"] for e in lines] == [e["id"] for e in export(audited)][:len(lines)]
    assert len(lines) >= 10 and all(e["entry_hash"] for e in lines)
    prev = GENESIS
    for e in lines:
        assert e["prev_hash"] == prev and e["entry_hash"] == entry_hash(prev, e)
        prev = e["entry_hash"]
