"""Search latency over a large synthetic corpus (bench/search.sh runs this).

Creates a fresh data directory with one user, inserts N files (default 100,000) straight into
the metadata database in one transaction — nodes spread over 100 folders, each with a
synthetic name and about 60 words of synthetic text in search_docs, so the FTS5 triggers index
them exactly as the server would — then starts `coffer serve` on it and times searches through
the HTTP API (one keep-alive connection, sequential), reporting p50 and p95 per query shape."""

import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import requests

COFFER = os.environ.get("COFFER_BIN", "build/coffer")
FILES = int(os.environ.get("BENCH_FILES", "100000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
PASSWORD = "bench-password-123"

rng = random.Random(42)
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "zo", "bi", "fe", "gu", "ha", "ji", "po", "se", "vu", "we"]
# About 20,000 distinct words; their frequencies follow a Zipf-like law, as words in documents do.
VOCABULARY = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(40000)})[:20000]
rng.shuffle(VOCABULARY)  # the rank of a word, not its spelling, decides its frequency
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCABULARY))]
FOLDER_WORDS = []  # the last word of each folder's name


def words(n):
    return rng.choices(VOCABULARY, weights=WEIGHTS, k=n)


def populate(db_path):
    db = sqlite3.connect(db_path)
    user_id, root = db.execute("SELECT id, root_id FROM users WHERE username = 'bench'").fetchone()
    now = int(time.time() * 1e6)
    # Databases before migration 23 index each file's folder path too (A/B runs of old builds).
    with_paths = any(row[1] == "path" for row in db.execute("PRAGMA table_info(search_docs)"))
    with db:
        folders = []
        for i in range(100):
            name = f"folder-{i}-{words(1)[0]}"
            cur = db.execute("INSERT INTO nodes (owner_id, parent_id, name, kind, size, created_at, modified_at) "
                             "VALUES (?, ?, ?, 'folder', 0, ?, ?)", (user_id, root, name, now, now))
            folders.append((cur.lastrowid, name))
            FOLDER_WORDS.append(name.split("-")[-1])
            db.execute("INSERT INTO search_docs (node_id, owner_id, name" + (", path" if with_paths else "") +
                       ") VALUES (?, ?, ?" + (", ''" if with_paths else "") + ")", (cur.lastrowid, user_id, name))
        for i in range(FILES):
            folder, folder_name = folders[i % len(folders)]
            name = f"{'-'.join(words(2))}-{i}.txt"
            text = " ".join(words(60))
            cur = db.execute("INSERT INTO nodes (owner_id, parent_id, name, kind, size, created_at, modified_at) "
                             "VALUES (?, ?, ?, 'file', ?, ?, ?)", (user_id, folder, name, len(text), now, now))
            if with_paths:
                db.execute("INSERT INTO search_docs (node_id, owner_id, name, path, content) VALUES (?, ?, ?, ?, ?)",
                           (cur.lastrowid, user_id, name, "/" + folder_name, text))
            else:
                db.execute("INSERT INTO search_docs (node_id, owner_id, name, content) VALUES (?, ?, ?, ?)",
                           (cur.lastrowid, user_id, name, text))
    db.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    db.commit()
    db.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    data = tempfile.mkdtemp(prefix="coffer-search-bench-")
    server = None
    try:
        subprocess.run([COFFER, "user", "add", "bench", "--password-stdin", "--data", data],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        started = time.time()
        populate(os.path.join(data, "meta.db"))
        print(f"indexed {FILES} files in {time.time() - started:.1f} s")
        port = free_port()
        log = open(os.path.join(data, "server.log"), "w")
        server = subprocess.Popen([COFFER, "serve", "--data", data, "--listen", f"127.0.0.1:{port}",
                                   "--user-rate-limit", "0", "--gc-interval", "0"], stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(url + "/health/ready", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        http = requests.Session()
        token = http.post(url + "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}).json()["access_token"]
        http.headers["Authorization"] = "Bearer " + token
        shapes = {
            "common word": lambda: VOCABULARY[rng.randint(0, 20)],
            "rare word": lambda: VOCABULARY[rng.randint(5000, len(VOCABULARY) - 1)],
            "two words": lambda: " ".join(rng.sample(VOCABULARY[:2000], 2)),
            "prefix": lambda: VOCABULARY[rng.randint(0, len(VOCABULARY) - 1)][:3] + "*",
            "phrase": lambda: '"' + " ".join(words(2)) + '"',
            "word + filter": lambda: VOCABULARY[rng.randint(100, 2000)],
            # Matches every file of a folder by the folder's name (and others by their text).
            "folder + word": lambda: rng.choice(FOLDER_WORDS) + " " + VOCABULARY[rng.randint(100, 2000)],
        }
        print(f"{'query':<16} {'p50 ms':>8} {'p95 ms':>8} {'hits/page':>10}")
        overall = []
        for shape, make in shapes.items():
            times, hits = [], []
            for _ in range(QUERIES):
                params = {"q": make()}
                if shape == "word + filter":
                    params["size_min"] = 300
                t = time.perf_counter()
                r = http.get(url + "/api/v1/search", params=params)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
                hits.append(len(r.json()["items"]))
            overall += times
            print(f"{shape:<16} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {statistics.mean(hits):10.1f}")
        print(f"{'all':<16} {statistics.median(overall):8.1f} {percentile(overall, 95):8.1f}")
    finally:
        if server:
            server.terminate()
            server.wait(10)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
