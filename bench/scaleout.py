"""Upload and download throughput through one node and through two nodes behind nginx, on
SQLite + local disk and on PostgreSQL + S3 (the s3rver test server), in one run. Run it with
bench/scaleout.sh, which documents the settings."""

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(REPO, "tests/integration"))

import postgres_cluster  # noqa: E402
from cluster import Nginx  # noqa: E402
from conftest import S3_CREDENTIALS, S3Server, free_port, stop_process  # noqa: E402

COFFER_BIN = os.environ.get("COFFER_BIN", os.path.join(REPO, "build/coffer"))
SIZE_MIB = int(os.environ.get("BENCH_MIB", "256"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "2"))
PARENT = os.environ.get("BENCH_DIR", tempfile.gettempdir())
PASSWORD = "bench-password-123"


class Node:
    def __init__(self, data_dir, args, env):
        self.port = free_port()
        self.log = open(os.path.join(data_dir, f"node-{self.port}.log"), "w")
        self.proc = subprocess.Popen(
            [COFFER_BIN, "serve", "--data", data_dir, "--listen", f"127.0.0.1:{self.port}",
             "--gc-interval", "0", *args], stdout=self.log, stderr=self.log, env=env)
        for _ in range(500):
            if subprocess.run(["curl", "-sf", "-o", "/dev/null", f"{self.url}/health/ready"]).returncode == 0:
                return
            time.sleep(0.02)
        raise RuntimeError("coffer did not start")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        stop_process(self.proc, 30)
        self.log.close()


def login(url):
    out = subprocess.run(["curl", "-sf", f"{url}/api/v1/auth/login", "-H", "Content-Type: application/json",
                          "-d", json.dumps({"username": "bench", "password": PASSWORD, "token_delivery": "body"})],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["access_token"]


def curl_json(args):
    return json.loads(subprocess.run(["curl", "-sf", *args], capture_output=True, text=True, check=True).stdout)


def transfer_round(url, token, root, files, direction, ids):
    """CLIENTS transfers at once (one file each); returns aggregate MB/s (10^6 bytes/s)."""
    auth = ["-H", f"Authorization: Bearer {token}"]
    results = [None] * len(files)

    def one(i):
        if direction == "up":
            name = f"{os.path.basename(files[i])}-{time.monotonic_ns()}"
            out = subprocess.run(["curl", "-sf", "-T", files[i], *auth, f"{url}/api/v1/folders/{root}/files/{name}"],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError(f"upload failed: {out.returncode} {out.stderr}")
            results[i] = json.loads(out.stdout)["id"]
        else:
            out = subprocess.run(["curl", "-sf", "-o", "/dev/null", *auth, f"{url}/api/v1/files/{ids[i]}/content"])
            if out.returncode != 0:
                raise RuntimeError("download failed")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(files))]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    total = sum(os.path.getsize(f) for f in files)
    if direction == "up" and None in results:
        raise RuntimeError("an upload failed")
    return total / seconds / 1e6, results


def measure(url, work):
    token = login(url)
    root = curl_json(["-H", f"Authorization: Bearer {token}", f"{url}/api/v1/folders/root"])["id"]
    up, down = [], []
    for r in range(REPEAT):
        files = [os.path.join(work, f"blob-{r}-{c}") for c in range(CLIENTS)]
        rate, ids = transfer_round(url, token, root, files, "up", None)
        up.append(rate)
        rate, _ = transfer_round(url, token, root, files, "down", ids)
        down.append(rate)
    return statistics.median(up), statistics.median(down)


def make_files(work):
    # Distinct random files, so that no upload deduplicates against an earlier one.
    for r in range(REPEAT):
        for c in range(CLIENTS):
            with open(os.path.join(work, f"blob-{r}-{c}"), "wb") as f:
                for _ in range(SIZE_MIB):
                    f.write(os.urandom(1 << 20))


def run_setup(name, work, node_dirs, args, env):
    """One node alone, then two nodes behind nginx, over the same metadata and chunks."""
    subprocess.run([COFFER_BIN, "user", "add", "bench", "--password-stdin", "--data", node_dirs[0], *args],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    rows = []
    nodes = [Node(node_dirs[0], args, env)]
    try:
        rows.append((name, "1 node", *measure(nodes[0].url, work)))
        nodes.append(Node(node_dirs[1], args, env))
        nginx = Nginx([f"127.0.0.1:{n.port}" for n in nodes]).start()
        try:
            rows.append((name, "2 nodes + nginx", *measure(nginx.url, work)))
        finally:
            nginx.stop()
    finally:
        for n in nodes:
            n.stop()
    return rows


def main():
    root = tempfile.mkdtemp(prefix="coffer-scaleout-", dir=PARENT)
    rows = []
    pg = s3 = None
    try:
        work = os.path.join(root, "files")
        os.makedirs(work)
        make_files(work)
        env = dict(os.environ)

        # SQLite + disk: both nodes use one data directory (one meta.db, one chunks/).
        shared = os.path.join(root, "sqlite")
        os.makedirs(shared)
        rows += run_setup("SQLite + disk", work, [shared, shared], [], env)

        # PostgreSQL + S3: two data directories, one database, one bucket, one key file.
        pg = postgres_cluster.PostgresCluster().start()
        app_url, owner_url, _ = pg.create_database()
        os.makedirs(os.path.join(root, "s3"))
        s3 = S3Server(os.path.join(root, "s3")).start()
        key = os.path.join(root, "cluster.key")
        with open(key, "wb") as f:
            f.write(os.urandom(32))
        env_s3 = dict(env, **S3_CREDENTIALS, COFFER_STORAGE_URL=s3.storage_url("bench"),
                      COFFER_SECRET_KEY_FILE=key)
        dirs = [os.path.join(root, "pg-a"), os.path.join(root, "pg-b")]
        for d in dirs:
            os.makedirs(d)
        rows += run_setup("PostgreSQL + S3 (s3rver)", work, dirs,
                          ["--database-url", app_url, "--migration-database-url", owner_url], env_s3)
    finally:
        if s3:
            s3.stop()
        if pg:
            pg.destroy()
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(root, ignore_errors=True)

    print(f"{SIZE_MIB} MiB per transfer, {CLIENTS} transfers at once, median of {REPEAT} rounds; "
          "aggregate MB/s (10^6 bytes/s)\n")
    print("| metadata + chunks | through | upload MB/s | download MB/s |")
    print("| --- | --- | ---: | ---: |")
    for name, through, up, down in rows:
        print(f"| {name} | {through} | {up:.0f} | {down:.0f} |")


if __name__ == "__main__":
    main()
