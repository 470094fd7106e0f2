"""PostgreSQL metadata: a server that holds row rights only, the database going away and
coming back, and several coffer processes writing to one database (the multi-node promise).
The rest of the suite also runs on PostgreSQL; these tests are about what only it has."""

import os
import shutil
import subprocess
import tempfile
import threading

import pytest
import requests

import conftest
import postgres_cluster
from conftest import COFFER_BIN, Client, Server, add_user, error_code

pytestmark = pytest.mark.skipif(not conftest.ON_POSTGRES,
                                reason="PostgreSQL only (COFFER_TEST_DATABASE=postgres)")


def coffer(*args, stdin=None, env=None):
    """The binary with an environment free of the fixture's database variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COFFER_")}
    return subprocess.run([COFFER_BIN, *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=dict(clean, **(env or {})))


@pytest.fixture
def fresh_database():
    """(app_url, owner_url, name, data_dir) of a database nobody has migrated yet."""
    cluster = conftest.postgres()
    app_url, owner_url, name = cluster.create_database()
    d = tempfile.mkdtemp(prefix="coffer-test-")
    yield app_url, owner_url, name, d
    shutil.rmtree(d, ignore_errors=True)


def test_the_app_role_really_has_no_ddl_rights(fresh_database):
    app_url, owner_url, name, data_dir = fresh_database
    cluster = conftest.postgres()
    with pytest.raises(RuntimeError, match="permission denied"):
        cluster.psql("CREATE TABLE intruder (a int)", database=name, user=postgres_cluster.APP)
    with pytest.raises(RuntimeError, match="permission denied"):
        cluster.psql("CREATE TEMPORARY TABLE intruder (a int)", database=name, user=postgres_cluster.APP)


def test_a_dml_only_server_refuses_a_schema_it_cannot_migrate_and_names_the_fix(fresh_database):
    app_url, owner_url, name, data_dir = fresh_database
    password = app_url.split(":")[2].split("@")[0]
    r = coffer("serve", "--data", data_dir, "--listen", "127.0.0.1:0", "--database-url", app_url)
    assert r.returncode != 0
    assert "coffer migrate" in r.stderr, r.stderr
    assert "version 0" in r.stderr and "permission denied" in r.stderr, r.stderr
    assert password not in r.stderr + r.stdout

    # Migrated once by the owner role, the same DML-only server starts and works.
    r = coffer("migrate", "--data", data_dir, "--database-url", app_url,
               env={"COFFER_MIGRATION_DATABASE_URL": owner_url})
    assert r.returncode == 0, r.stderr
    r = coffer("user", "add", "dana", "--password-stdin", "--data", data_dir,
               stdin="dana-password-1\n", env={"COFFER_DATABASE_URL": app_url})
    assert r.returncode == 0, r.stderr
    server = Server(data_dir, extra_args=["--database-url", app_url])
    conftest._databases[data_dir] = ("", "")  # only the flag above: no migration URL at all
    try:
        server.start()
        dana = Client(server, "dana", "dana-password-1")
        assert dana.upload("a.txt", b"hello").status_code == 201
        assert dana.mkdir("docs")
    finally:
        server.stop()
        conftest._databases.pop(data_dir, None)
    assert password not in server.log()
    tables = conftest.postgres().psql(
        "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'",
        database=name)
    assert tables == postgres_cluster.OWNER


def test_database_urls_never_show_their_password(data_dir):
    cluster = conftest.postgres()
    wrong = f"postgres://{postgres_cluster.APP}:not-the-Password-42@127.0.0.1:{cluster.port}/postgres"
    r = coffer("user", "list", "--data", data_dir, "--database-url", wrong)
    assert r.returncode == 1
    assert "UNAVAILABLE" in r.stderr and "password authentication failed" in r.stderr, r.stderr
    assert "not-the-Password-42" not in r.stderr + r.stdout
    assert f"{postgres_cluster.APP}:***@127.0.0.1" in r.stderr
    r = coffer("user", "list", "--data", data_dir, "--database-url",
               "postgres://coffer:also-secret-7@127.0.0.1:1/coffer?nonsense=1")
    assert r.returncode == 2 and "malformed" in r.stderr, r.stderr
    assert "also-secret-7" not in r.stderr
    r = coffer("user", "list", "--data", data_dir,
               "--migration-database-url", "postgres://x:y@127.0.0.1:1/z")
    assert r.returncode == 2 and "needs a database URL" in r.stderr


def test_database_down_is_503_and_the_server_recovers(server, alice):
    cluster = conftest.postgres()
    assert alice.upload("before.txt", b"before").status_code == 201
    assert alice.get("/health/ready").status_code == 200
    # Immediate: the database goes away as in a crash, and no shutdown checkpoint (slow on a
    # busy machine after a whole session of test databases) holds up the restart.
    cluster.stop(mode="immediate")
    try:
        ready = requests.get(server.url + "/health/ready", timeout=30)
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] != "ok" and body["checks"]["chunk_store"] == "ok"
        for attempt in range(3):  # stale pooled connections must not turn into 500s
            listing = alice.get(f"/api/v1/folders/{alice.root}/children", timeout=30)
            assert listing.status_code == 503, listing.text
            assert error_code(listing) == "UNAVAILABLE"
        upload = alice.upload("during.txt", b"during", timeout=30)
        assert upload.status_code == 503 and error_code(upload) == "UNAVAILABLE"
        login = requests.post(server.url + "/api/v1/auth/login",
                              json={"username": "bob", "password": "bob-password-12"}, timeout=30)
        assert login.status_code == 503 and error_code(login) == "UNAVAILABLE"
    finally:
        cluster.resume()
        cluster.wait_ready()
    assert alice.get("/health/ready").status_code == 200
    names = [n["name"] for n in alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"]]
    assert names == ["before.txt"]  # the failed upload left nothing behind
    r = alice.upload("after.txt", b"after")
    assert r.status_code == 201, r.text
    assert alice.get(f"/api/v1/files/{r.json()['id']}/content").content == b"after"
    Client(server, "bob", "bob-password-12")
    assert not any(secret in server.log() for secret in cluster.passwords.values())


@pytest.fixture
def two_nodes(data_dir):
    """Two coffer processes over one PostgreSQL database (chunk stores of their own)."""
    first = Server(data_dir)
    add_user(first, "erin", "erin-password-1")
    second_dir = tempfile.mkdtemp(prefix="coffer-test-")
    conftest._databases[second_dir] = conftest.database_urls(data_dir)
    second = Server(second_dir)
    try:
        yield first.start(), second.start()
    finally:
        first.stop()
        second.stop()
        conftest._databases.pop(second_dir, None)
        shutil.rmtree(second_dir, ignore_errors=True)


def race(n, fn):
    """Runs fn(i) for i in range(n) on n threads released together; returns the results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_nodes_creating_the_same_folder_exactly_one_wins(two_nodes):
    a, b = (Client(node, "erin", "erin-password-1") for node in two_nodes)
    assert a.root == b.root
    for round_ in range(15):
        name = f"same-{round_}"
        clients = [a, b, a, b]
        results = race(4, lambda i: clients[i].post(
            "/api/v1/folders", json={"parent_id": a.root, "name": name}, timeout=60))
        codes = sorted(r.status_code for r in results)
        assert codes == [201, 409, 409, 409], [r.text for r in results]
        assert all(error_code(r) == "NAME_CONFLICT" for r in results if r.status_code == 409)
    names = [n["name"] for n in a.get(f"/api/v1/folders/{a.root}/children",
                                      params={"limit": 100}).json()["items"]]
    assert sorted(names) == sorted(f"same-{i}" for i in range(15))


def test_two_nodes_uploading_the_same_name_make_one_file(two_nodes):
    a, b = (Client(node, "erin", "erin-password-1") for node in two_nodes)
    for round_ in range(10):
        name = f"both-{round_}.bin"
        clients = [a, b, a, b]
        bodies = [os.urandom(1000 + i) for i in range(4)]
        results = race(4, lambda i: clients[i].upload(name, bodies[i], timeout=60))
        assert [r.status_code for r in results] == [201] * 4, [r.text for r in results]
        assert len({r.json()["id"] for r in results}) == 1  # versions of one file
    listing = a.get(f"/api/v1/folders/{a.root}/children", params={"limit": 100}).json()["items"]
    assert sorted(n["name"] for n in listing) == sorted(f"both-{i}.bin" for i in range(10))


def test_many_concurrent_writers_on_two_nodes_lose_nothing(two_nodes):
    a, b = (Client(node, "erin", "erin-password-1") for node in two_nodes)
    folder = a.mkdir("busy")
    clients = [a, b] * 4

    def writer(i):
        outcomes = []
        for j in range(10):
            r = clients[i].post("/api/v1/folders", json={"parent_id": folder, "name": f"w{i}-{j}"},
                                timeout=60)
            outcomes.append(r.status_code)
        return outcomes

    results = race(len(clients), writer)
    assert all(code == 201 for outcomes in results for code in outcomes), results
    listing = b.get(f"/api/v1/folders/{folder}/children", params={"limit": 1000}).json()["items"]
    assert len(listing) == 80
