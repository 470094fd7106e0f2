"""Small files through the REST API two ways, one request at a time: N files of SIZE bytes as
multipart/form-data forms of BATCH files (POST /api/v1/folders/{id}/files, committed as one
group per form) and the same number as one raw PUT each. Prints files/s of both and their
ratio; exits non-zero if any file is refused.

    form_upload.py BASE_URL TOKEN [N=2000] [BATCH=100] [SIZE=4096]
"""

import os
import sys
import time

import requests


def main():
    base, token = sys.argv[1:3]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    size = int(sys.argv[5]) if len(sys.argv) > 5 else 4096
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    root = s.get(base + "/api/v1/nodes", params={"path": "/"}).json()["id"]

    def folder(name):
        r = s.post(base + "/api/v1/folders", json={"parent_id": root, "name": name})
        r.raise_for_status()
        return r.json()["id"]

    forms, puts = folder(f"forms-{os.getpid()}"), folder(f"puts-{os.getpid()}")
    start = time.monotonic()
    for i in range(0, n, batch):
        files = [("file", (f"f{j:06d}", os.urandom(size), "application/octet-stream"))
                 for j in range(i, min(n, i + batch))]
        r = s.post(f"{base}/api/v1/folders/{forms}/files", files=files)
        if r.status_code != 201:
            sys.exit(f"form refused: {r.status_code} {r.text[:300]}")
    form_rate = n / (time.monotonic() - start)
    start = time.monotonic()
    for j in range(n):
        r = s.put(f"{base}/api/v1/folders/{puts}/files/f{j:06d}", data=os.urandom(size))
        if r.status_code != 201:
            sys.exit(f"PUT refused: {r.status_code} {r.text[:300]}")
    put_rate = n / (time.monotonic() - start)
    print(f"{n} files of {size} B: forms of {batch} {form_rate:.0f} files/s, "
          f"one PUT each {put_rate:.0f} files/s, ratio {form_rate / put_rate:.2f}")


if __name__ == "__main__":
    main()
