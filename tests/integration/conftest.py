"""Black-box test harness: starts the real `coffer` binary on a free port with a fresh data
directory and talks HTTP to it. Set COFFER_BIN to the binary (the Makefile does).

COFFER_TEST_DATABASE=postgres runs the same tests with PostgreSQL metadata: one throw-away
cluster for the session (postgres_cluster.py) and a fresh database per data directory, which
the server reaches through a role with row rights only and migrates through the owner role.

COFFER_TEST_STORAGE selects the chunk store every Server uses: `file` (the default, chunks in
the data directory) or `s3` (one S3-compatible server for the session, tests/s3/s3-server.js,
and a fresh key prefix for each Server).

No secret may reach a server log: the secrets the tests send and receive are recorded, and every
server's log is scanned for them and for token-shaped strings before its data directory is
removed and at the end of the session, which fails if any is found."""

import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse

import pytest
import requests

import postgres_cluster

# Secrets the tests send or receive, so that the session can check that no server log contains
# one (product rule: never a secret in a log line). Every request made through `requests`
# passes through the recorder below; add_user and the database URLs add theirs directly.
_secrets = set()
SECRET_FIELDS = {"password", "current_password", "new_password", "access_token", "refresh_token",
                 "token", "secret", "otpauth_uri", "recovery_code", "recovery_codes", "invite",
                 "secret_access_key"}
# The header in front of each encoded chunk in a packed volume (docs/storage-format.md).
VOLUME_RECORD_HEADER = 48
MIN_SECRET_LENGTH = 8  # shorter values (TOTP codes, "wrong") would match ordinary log text
# Token shapes that never belong in a log, whoever minted them: refresh, API, password-reset
# and invite tokens, and JWTs (a JSON header starts "eyJ").
SECRET_PATTERN = re.compile(r"\bcf[rtpi]_[A-Za-z0-9_-]{8,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")


def remember_secret(value):
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
        _secrets.add(value)


def _remember_fields(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS:
                for secret in item if isinstance(item, list) else [item]:
                    remember_secret(secret)
            _remember_fields(item)
    elif isinstance(value, list):
        for item in value:
            _remember_fields(item)


_unrecorded_request = requests.Session.request


def _recording_request(self, method, url, *args, **kw):
    _remember_fields(kw.get("json"))
    data = kw.get("data")
    if isinstance(data, (str, bytes)) and len(data) < 65536:
        try:
            _remember_fields(json.loads(data))
        except ValueError:
            pass
    if isinstance(kw.get("auth"), tuple):
        remember_secret(kw["auth"][1])
    response = _unrecorded_request(self, method, url, *args, **kw)
    for cookie in response.cookies:
        remember_secret(cookie.value)
    if not kw.get("stream") and "json" in response.headers.get("Content-Type", ""):
        try:
            _remember_fields(response.json())
        except ValueError:
            pass
    return response


requests.Session.request = _recording_request

_leaks = []  # "log:line: what", one per secret found in a server log
# A server built with sanitizers (make sanitize) reports on its stderr, which is its log: any
# report fails the session like a secret does.
SANITIZER_REPORT = re.compile(r"==\d+==ERROR: \w+Sanitizer|: runtime error: ")
_sanitizer_reports = []  # "log:line: report line"
_scanned = set()  # (log path, size) already scanned


def scan_logs(paths):
    """Records every known secret or token-shaped string found in the files at `paths`."""
    for path in paths:
        try:
            with open(path, errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        if (path, len(text)) in _scanned:
            continue
        _scanned.add((path, len(text)))
        found = {m.group(0) for m in SECRET_PATTERN.finditer(text)}
        found |= {secret for secret in _secrets if secret in text}
        for secret in sorted(found):
            line = text[:text.index(secret)].count("\n") + 1
            leak = f"{path}:{line}: {secret[:6]}… ({len(secret)} characters)"
            if leak not in _leaks:
                _leaks.append(leak)
        for m in SANITIZER_REPORT.finditer(text):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            report = f"{path}:{text[:start].count(chr(10)) + 1}: {text[start:end if end >= 0 else None]}"
            if report not in _sanitizer_reports:
                _sanitizer_reports.append(report)


COFFER_BIN = os.environ.get("COFFER_BIN", os.path.join(os.path.dirname(__file__), "../../build/coffer"))
DATABASE = os.environ.get("COFFER_TEST_DATABASE", "sqlite")
if DATABASE not in ("sqlite", "postgres"):
    raise RuntimeError(f"COFFER_TEST_DATABASE must be sqlite or postgres, not {DATABASE!r}")
ON_POSTGRES = DATABASE == "postgres"

_cluster = None  # the session's PostgreSQL cluster, started on first use
_databases = {}  # data directory -> (app_url, owner_url)


def postgres():
    """The session's cluster, started on first use (and removed by the session fixture)."""
    global _cluster
    if _cluster is None:
        if not postgres_cluster.available():
            raise RuntimeError("COFFER_TEST_DATABASE=postgres needs the postgresql package "
                               f"(binaries in {postgres_cluster.PG_BIN}) and a postgres user")
        _cluster = postgres_cluster.PostgresCluster().start()
    return _cluster


def database_urls(data_dir):
    """(database_url, migration_database_url) of the installation in data_dir: a fresh
    PostgreSQL database the first time a directory is seen, or ("", "") on SQLite."""
    if not ON_POSTGRES:
        return "", ""
    if data_dir not in _databases:
        app_url, owner_url, _ = postgres().create_database()
        _databases[data_dir] = (app_url, owner_url)
        for url in (app_url, owner_url):
            remember_secret(urllib.parse.urlsplit(url).password)
    return _databases[data_dir]


def database_args(data_dir):
    app_url, owner_url = database_urls(data_dir)
    return ["--database-url", app_url, "--migration-database-url", owner_url] if app_url else []


_servers = []  # every Server started in this session, stopped at its end if a test did not


@pytest.fixture(scope="session", autouse=True)
def session_cleanup():
    """Stops what the session started, and fails it if any server log holds a secret or a
    sanitizer's report."""
    global _cluster
    yield
    try:
        for s in _servers:
            s.stop()
        scan_logs([s.log_path for s in _servers])
        if _leaks:
            pytest.fail("secrets in server logs (first 20):\n" + "\n".join(_leaks[:20]),
                        pytrace=False)
        if _sanitizer_reports:
            pytest.fail("sanitizer reports in server logs (first 20):\n" +
                        "\n".join(_sanitizer_reports[:20]), pytrace=False)
    finally:
        if _cluster is not None:
            _cluster.destroy()
            _cluster = None


STORAGE = os.environ.get("COFFER_TEST_STORAGE", "file")
assert STORAGE in ("file", "s3"), f"COFFER_TEST_STORAGE must be file or s3, not {STORAGE}"
S3_SERVER_JS = os.path.join(os.path.dirname(__file__), "../s3/s3-server.js")
S3_BUCKET = "coffer-test"
# The test server's account (s3rver's built-in key pair).
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}
_prefixes = itertools.count()


def stop_process(proc, timeout=10):
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """The S3-compatible test server (s3rver on loopback) over one directory; restartable on
    the same port, so tests can take the object store down and bring it back."""

    def __init__(self, directory):
        self.directory = directory
        self.port = 0
        self.proc = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def storage_url(self, prefix):
        return f"s3://{S3_BUCKET}/{prefix}?endpoint={self.endpoint}&region=us-east-1&addressing=path"

    def start(self):
        if not os.path.isdir(os.path.join(os.path.dirname(S3_SERVER_JS), "node_modules")):
            pytest.skip("tests/s3/node_modules is missing: run `npm ci --prefix tests/s3` (make does)")
        self.proc = subprocess.Popen(
            ["node", "--openssl-legacy-provider", S3_SERVER_JS, "--directory", self.directory, "--port", str(self.port),
             "--bucket", S3_BUCKET],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            self.proc.kill()
            raise RuntimeError("s3 test server did not start: " + line + self.proc.stderr.read())
        self.port = int(line.split()[1])
        return self

    def stop(self):
        stop_process(self.proc)

    def object_files(self, prefix):
        """The files that hold the chunk objects under `prefix`, by chunk id."""
        found = {}
        root = os.path.join(self.directory, S3_BUCKET, prefix, "chunks")
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.endswith("._S3rver_object") and len(f) == 64 + len("._S3rver_object"):
                    found[f[:64]] = os.path.join(dirpath, f)
        return found


_session_s3 = None


def session_s3():
    """The session's S3 test server, started on first use."""
    global _session_s3
    if _session_s3 is None:
        _session_s3 = S3Server(tempfile.mkdtemp(prefix="coffer-s3-")).start()
    return _session_s3


def pytest_collection_modifyitems(config, items):
    """The suite runs on three engine pairs (Makefile); each pass runs what differs on it. The
    SQLite + S3 pass is there for the chunk store, so modules that never store or read file
    content as their subject declare STORAGE_NEUTRAL = True and are left out of it: they still
    run on SQLite + local disk and on PostgreSQL + S3, where the metadata engine differs.
    pytest reports them as deselected."""
    if DATABASE != "sqlite" or STORAGE != "s3":
        return
    keep, neutral = [], []
    for item in items:
        (neutral if getattr(item.module, "STORAGE_NEUTRAL", False) else keep).append(item)
    if neutral:
        config.hook.pytest_deselected(items=neutral)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus):
    if _session_s3 is not None:
        _session_s3.stop()
        shutil.rmtree(_session_s3.directory, ignore_errors=True)


class Server:
    """One coffer process over one data directory; restartable (crash tests). On S3 storage
    its chunks live under a key prefix of its own (`s3_prefix`) on `s3` (the session's test
    server unless one is given)."""

    def __init__(self, data_dir, extra_args=(), env=None, s3=None, database_of=None):
        self.data_dir = data_dir
        # On PostgreSQL: the installation whose database this server uses (several nodes of a
        # cluster share one); by default its own.
        self.database_of = database_of or data_dir
        self.extra_args = list(extra_args)
        self.env = dict(os.environ)
        self.s3 = None
        if STORAGE == "s3" or s3 is not None:
            self.s3 = s3 or session_s3()
            self.s3_prefix = f"t{os.getpid()}-{next(_prefixes)}"
            self.env.update(S3_CREDENTIALS)
            self.env["COFFER_STORAGE_URL"] = self.s3.storage_url(self.s3_prefix)
        self.env.update(env or {})
        self.port = None
        self.proc = None
        self.log_path = os.path.join(data_dir, "server.log")

    def chunk_files(self):
        """The files that hold this server's chunks, on disk or in the S3 test server."""
        if self.s3 is not None:
            return list(self.s3.object_files(self.s3_prefix).values())
        found = []
        for root, _, files in os.walk(os.path.join(self.data_dir, "chunks")):
            if os.path.basename(root) != "tmp":
                found += [os.path.join(root, f) for f in files if len(f) == 64]
        return found

    def stored_chunks(self):
        """Where each of this server's chunks is: {chunk id: (path, offset, length)} of the
        encoded chunk's bytes, in a file of its own, in a packed volume (read from the volume
        index, docs/storage-format.md) or in the S3 test server."""
        if self.s3 is not None:
            return {cid: (path, 0, os.path.getsize(path))
                    for cid, path in self.s3.object_files(self.s3_prefix).items()}
        found = {path.rsplit("/", 1)[1]: (path, 0, os.path.getsize(path)) for path in self.chunk_files()}
        volumes = os.path.join(self.data_dir, "chunks", "volumes")
        index = os.path.join(volumes, "index.db")
        if os.path.exists(index):
            db = sqlite3.connect(index)
            try:
                for cid, volume, offset, length in db.execute(
                        "SELECT id, volume, record_offset, length FROM chunks"):
                    found[cid] = (os.path.join(volumes, f"{volume:08d}.vol"), offset + VOLUME_RECORD_HEADER, length)
            finally:
                db.close()
        return found

    def damage_chunk(self, chunk_id, at=-1):
        """Flips every bit of one byte of a stored chunk: `at` counts from the start of the
        encoded chunk (negative: from its end)."""
        path, offset, length = self.stored_chunks()[chunk_id]
        position = offset + (at if at >= 0 else length + at)
        with open(path, "r+b") as f:
            f.seek(position)
            byte = f.read(1)
            f.seek(position)
            f.write(bytes([byte[0] ^ 0xFF]))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args, stdin=None, check=True):
        return subprocess.run([COFFER_BIN, *args, "--data", self.data_dir, *database_args(self.database_of)],
                              input=stdin, env=self.env, capture_output=True, text=True, timeout=60,
                              check=check)

    def start(self, wrapper=()):
        self.port = free_port()
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [*wrapper, COFFER_BIN, "serve", "--data", self.data_dir, "--listen", f"127.0.0.1:{self.port}",
             *database_args(self.database_of), *self.extra_args],
            stdout=log, stderr=log, env=self.env)
        _servers.append(self)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coffer exited with {self.proc.returncode}: {self.log()}")
            try:
                if requests.get(self.url + "/health/live", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.02)
        raise RuntimeError("coffer did not start: " + self.log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()[-4000:]
        except OSError:
            return ""


class Client:
    """A logged-in user: requests.Session with the bearer token and helpers."""

    def __init__(self, server, username, password):
        self.server = server
        self.username = username
        self.http = requests.Session()
        r = self.http.post(server.url + "/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]
        self.http.headers["Authorization"] = "Bearer " + self.token
        self.root = self.get("/api/v1/folders/root").json()["id"]

    def url(self, path):
        return self.server.url + path

    def get(self, path, **kw):
        return self.http.get(self.url(path), **kw)

    def post(self, path, **kw):
        return self.http.post(self.url(path), **kw)

    def put(self, path, **kw):
        return self.http.put(self.url(path), **kw)

    def patch(self, path, **kw):
        return self.http.patch(self.url(path), **kw)

    def delete(self, path, **kw):
        return self.http.delete(self.url(path), **kw)

    def upload(self, name, data, folder=None, **kw):
        from urllib.parse import quote
        return self.put(f"/api/v1/folders/{folder or self.root}/files/{quote(name, safe='')}", data=data, **kw)

    def mkdir(self, name, parent=None):
        r = self.post("/api/v1/folders", json={"parent_id": parent or self.root, "name": name})
        assert r.status_code == 201, r.text
        return r.json()["id"]


def post_without_a_body(client, path, headers=None):
    """POST as `client` with no Content-Length and no Transfer-Encoding at all, as some clients
    send an action without options (requests always adds Content-Length: 0).
    Returns (status, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", client.server.port, timeout=30)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Authorization", "Bearer " + client.token)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def add_user(server, name, password, admin=False):
    remember_secret(password)
    args = ["user", "add", name, "--password-stdin"] + (["--admin"] if admin else [])
    server.cli(*args, stdin=password + "\n")


@pytest.fixture
def data_dir(monkeypatch):
    """A fresh installation: its data directory and, on PostgreSQL, its database, which
    commands run directly (not through Server) find in COFFER_DATABASE_URL."""
    d = tempfile.mkdtemp(prefix="coffer-test-")
    app_url, owner_url = database_urls(d)
    if app_url:
        monkeypatch.setenv("COFFER_DATABASE_URL", app_url)
        monkeypatch.setenv("COFFER_MIGRATION_DATABASE_URL", owner_url)
    yield d
    # The directory and its logs go now: check them first (stopped or not, a server's log
    # holds everything it wrote so far).
    scan_logs(sorted({s.log_path for s in _servers if s.data_dir == d}))
    _databases.pop(d, None)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def server(data_dir):
    s = Server(data_dir)
    add_user(s, "alice", "alice-password-1")
    add_user(s, "bob", "bob-password-12")
    s.start()
    yield s
    s.stop()


@pytest.fixture
def alice(server):
    return Client(server, "alice", "alice-password-1")


@pytest.fixture
def bob(server):
    return Client(server, "bob", "bob-password-12")


def wait_processed(client, node_id, seconds=120):
    """Waits until the background jobs of a node's newest version (thumbnails, text for
    search) have finished: its status leaves `pending`. Returns the node."""
    deadline = time.monotonic() + seconds
    while True:
        r = client.get(f"/api/v1/nodes/{node_id}")
        assert r.status_code == 200, r.text
        if r.json()["status"] != "pending":
            return r.json()
        assert time.monotonic() < deadline, f"node {node_id} stayed pending"
        time.sleep(0.05)


def error_code(response):
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "request_id"}, body
    return body["error"]["code"]
