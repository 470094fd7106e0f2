"""A throw-away PostgreSQL cluster for the tests: initdb in a temporary directory owned by the
`postgres` user (initdb refuses to run as root), a server on 127.0.0.1 on a free port with its
socket in that directory, fsync on, removed with everything in it at the end.

Two login roles model a production deployment: OWNER creates the schema (it owns every test
database), APP may only read and write rows — it gets SELECT/INSERT/UPDATE/DELETE on the
tables and USAGE on the sequences OWNER creates, through default privileges, and nothing else.
"""

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time

PG_BIN = os.environ.get("COFFER_PG_BIN", "/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"
OWNER = "coffer_owner"
APP = "coffer_app"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    """Whether a cluster can be started here: the binaries and the postgres user exist."""
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return os.access(os.path.join(PG_BIN, "initdb"), os.X_OK)


class PostgresCluster:
    def __init__(self):
        self.root = None
        self.port = None
        self.passwords = {}
        self.data = None
        self.log_path = None
        self._next_db = 0

    # -- life cycle ---------------------------------------------------------------------------

    def start(self):
        """initdb and start; on any failure everything created so far is removed."""
        try:
            self._init()
            self.resume()
            self._create_roles()
        except BaseException:
            self.destroy()
            raise
        return self

    def _init(self):
        self.root = tempfile.mkdtemp(prefix="coffer-pg-")
        os.chmod(self.root, 0o700)
        shutil.chown(self.root, "postgres", "postgres")
        self.data = os.path.join(self.root, "data")
        self.socket_dir = os.path.join(self.root, "socket")
        self.log_path = os.path.join(self.root, "server.log")
        os.mkdir(self.socket_dir, 0o700)
        shutil.chown(self.socket_dir, "postgres", "postgres")
        self.passwords = {SUPERUSER: secrets.token_hex(16), OWNER: secrets.token_hex(16),
                          APP: secrets.token_hex(16)}
        pwfile = os.path.join(self.root, "pwfile")
        with open(pwfile, "w") as f:
            f.write(self.passwords[SUPERUSER] + "\n")
        shutil.chown(pwfile, "postgres", "postgres")
        self._as_postgres("initdb", "-D", self.data, "-U", SUPERUSER, "--pwfile", pwfile,
                          "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                          "-E", "UTF8", "--locale=C.UTF-8")
        os.remove(pwfile)
        self.port = _free_port()

    def resume(self):
        """Starts the server (again, after stop()) on the same port and data."""
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir} "
                   "-c fsync=on -c synchronous_commit=on -c max_connections=400 "
                   "-c shared_buffers=32MB")
        self._as_postgres("pg_ctl", "-D", self.data, "-l", self.log_path, "-w", "-t", "180",
                          "-o", options, "start")

    def stop(self, mode="fast"):
        """Stops the server, keeping its data (the database going down)."""
        self._as_postgres("pg_ctl", "-D", self.data, "-w", "-t", "180", "-m", mode, "stop",
                          check=False)

    def destroy(self):
        if self.root is None:
            return
        if self.data and os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self.stop(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def _as_postgres(self, program, *args, check=True):
        r = subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(PG_BIN, program), *args],
                           capture_output=True, text=True, timeout=120, cwd="/")
        if check and r.returncode != 0:
            log = ""
            if self.log_path and os.path.exists(self.log_path):
                with open(self.log_path) as f:
                    log = f.read()[-2000:]
            raise RuntimeError(f"{program} failed ({r.returncode}): {r.stderr}{log}")
        return r

    # -- SQL ----------------------------------------------------------------------------------

    def psql(self, sql, database="postgres", user=SUPERUSER):
        """Runs `sql` with psql over TCP; returns the unaligned, tuples-only output."""
        env = dict(os.environ, PGPASSWORD=self.passwords[user], PGCONNECT_TIMEOUT="10")
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", database,
                            "-c", sql],
                           capture_output=True, text=True, timeout=60, env=env)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr}")
        return r.stdout.strip()

    def _create_roles(self):
        self.psql(f"CREATE ROLE {OWNER} LOGIN PASSWORD '{self.passwords[OWNER]}'")
        self.psql(f"CREATE ROLE {APP} LOGIN PASSWORD '{self.passwords[APP]}'")

    def url(self, user, database):
        return f"postgres://{user}:{self.passwords[user]}@127.0.0.1:{self.port}/{database}"

    def create_database(self):
        """A fresh database owned by OWNER; returns (app_url, owner_url)."""
        self._next_db += 1
        name = f"coffer_test_{self._next_db}"
        self.psql(f"CREATE DATABASE {name} OWNER {OWNER} TEMPLATE template0 ENCODING 'UTF8'")
        # APP may connect and use the rows OWNER's migrations create, nothing more: no
        # CREATE on the schema (PostgreSQL 15's default), no temporary tables.
        self.psql(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC; "
                  f"GRANT CONNECT ON DATABASE {name} TO {APP}; "
                  f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public "
                  f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP}; "
                  f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public "
                  f"GRANT USAGE, SELECT ON SEQUENCES TO {APP}", database=name)
        return self.url(APP, name), self.url(OWNER, name), name

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.psql("SELECT 1")
                return
            except RuntimeError:
                time.sleep(0.1)
        raise RuntimeError("the cluster did not come back")
