"""Uploads a local tree to Coffer the way a sync client with bulk upload does: folders with
MKCOL, then the files in POST /remote.php/dav/bulk batches of BATCH (100, the Nextcloud
desktop's batch size), one request at a time. Exits non-zero if any file is refused.

    bulk_upload.py BASE_URL USER TOKEN LOCAL_DIR REMOTE_FOLDER [BATCH]
"""

import hashlib
import os
import sys
import uuid
from urllib.parse import quote

import requests


def main():
    base, user, token, local, remote = sys.argv[1:6]
    batch = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    s = requests.Session()
    s.auth = (user, token)
    files = []
    for root, dirs, names in os.walk(local):
        dirs.sort()
        rel = os.path.relpath(root, local)
        path = remote if rel == "." else f"{remote}/{rel}"
        r = s.request("MKCOL", base + "/dav" + quote(path))
        if r.status_code not in (201, 405):
            sys.exit(f"MKCOL {path}: {r.status_code} {r.text}")
        files += [(os.path.join(root, n), f"{path}/{n}") for n in sorted(names)]
    for i in range(0, len(files), batch):
        boundary = uuid.uuid4().hex
        body = []
        for local_path, remote_path in files[i:i + batch]:
            with open(local_path, "rb") as f:
                data = f.read()
            head = (f"--{boundary}\r\nX-File-Path: {remote_path}\r\n"
                    f"X-File-MD5: {hashlib.md5(data).hexdigest()}\r\n"
                    f"X-File-Mtime: {int(os.path.getmtime(local_path))}\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n")
            body += [head.encode(), data, b"\r\n"]
        body.append(f"--{boundary}--\r\n".encode())
        r = s.post(base + "/remote.php/dav/bulk", data=b"".join(body),
                   headers={"Content-Type": f"multipart/related; boundary={boundary}"})
        r.raise_for_status()
        failed = [p for p, v in r.json().items() if v.get("error")]
        if failed:
            sys.exit(f"refused: {failed[:5]}")


if __name__ == "__main__":
    main()
