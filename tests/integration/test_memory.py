"""Memory held by the server after a burst of small requests (issue 14).

The bound is on memory, not on time: the resident set read from /proc once the burst is over.
Before the fix, every worker thread that sniffed an upload's type mapped its own copy of the
libmagic database (about 6 MiB resident each), so 64 concurrent uploads left the server at
over 500 MiB; it idles at about 40 MiB and stays well under 150 MiB through this load now.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

# Enough concurrent requests to put every worker thread to work (16 on 2 cores by default).
CONCURRENCY = 64
UPLOADS = 320
DOWNLOADS = 640
SIZE = 4096
RSS_BOUND_KIB = 150 * 1024


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/%d/status" % pid)


def test_rss_after_a_burst_of_concurrent_small_uploads_and_downloads_stays_bounded(server, alice):
    sessions = {}

    def session():
        # One keep-alive connection per pool thread.
        key = threading.get_ident()
        if key not in sessions:
            s = requests.Session()
            s.headers["Authorization"] = "Bearer " + alice.token
            sessions[key] = s
        return sessions[key]

    files_url = f"{server.url}/api/v1/folders/{alice.root}/files/"

    def upload(i):
        # Distinct contents, so that deduplication does not skip any work.
        r = session().put(f"{files_url}small-{i}.bin", data=os.urandom(SIZE), timeout=60)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        ids = list(pool.map(upload, range(UPLOADS)))

        def download(i):
            r = session().get(f"{server.url}/api/v1/files/{ids[i % len(ids)]}/content", timeout=60)
            assert r.status_code == 200 and len(r.content) == SIZE

        list(pool.map(download, range(DOWNLOADS)))

    for s in sessions.values():
        s.close()
    rss = rss_kib(server.proc.pid)
    print(f"VmRSS after the burst: {rss // 1024} MiB")
    assert rss < RSS_BOUND_KIB, f"VmRSS {rss // 1024} MiB after the burst (bound {RSS_BOUND_KIB // 1024} MiB)"
