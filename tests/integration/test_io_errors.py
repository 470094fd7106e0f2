"""Storage I/O errors on the upload path (EIO injected into write, fsync, fdatasync and
rename with strace): every such upload gets a 5xx with a code, none is acknowledged or
becomes visible, and the server keeps serving once the disk behaves again."""

import os
import shutil
import subprocess
import threading
import time

import pytest
import requests

from conftest import STORAGE, error_code

pytestmark = [
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
    pytest.mark.skipif(STORAGE == "s3", reason="injects EIO into local file writes; on S3 chunks "
                       "go over the network (test_s3_storage.py covers the store failing)"),
]


class InjectedFaults:
    """strace attached to the running server, failing every call of one syscall with EIO."""

    def __init__(self, pid, syscall):
        self.proc = subprocess.Popen(
            ["strace", "-f", "-qq", "-p", str(pid), "-e", f"trace={syscall}",
             "-e", f"inject={syscall}:error=EIO", "-o", "/dev/null"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # strace prints nothing when attached with -qq; give it a moment to seize every thread.
        time.sleep(1.0)
        assert self.proc.poll() is None, self.proc.stderr.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.mark.parametrize("syscall", ["write", "fdatasync", "fsync", "rename"])
def test_upload_fails_cleanly_on_eio(server, alice, syscall):
    faults = InjectedFaults(server.proc.pid, syscall)
    try:
        outcomes = []
        for i in range(3):
            r = alice.upload(f"doomed-{i}.bin", os.urandom(300_000 + i))
            outcomes.append(r)
    finally:
        faults.stop()
    for r in outcomes:
        assert 500 <= r.status_code < 600, (syscall, r.status_code, r.text)
        assert error_code(r) == "IO_ERROR"
    for i in range(3):
        assert alice.get("/api/v1/nodes", params={"path": f"/doomed-{i}.bin"}).status_code == 404
    # The server is still healthy and stores data again.
    assert alice.get("/health/ready").status_code == 200
    data = os.urandom(300_000)
    r = alice.upload("after.bin", data)
    assert r.status_code == 201, r.text
    assert alice.get(f"/api/v1/files/{r.json()['id']}/content").content == data


@pytest.mark.parametrize("syscall", ["pwritev", "fdatasync"])
def test_failing_volume_append_fails_every_small_upload_of_the_group(server, alice, syscall):
    """4 KiB uploads are appended to a packed volume in groups; when the append or its sync
    fails, every upload of the group fails, none becomes visible, and the volume serves on."""
    faults = InjectedFaults(server.proc.pid, syscall)
    outcomes = {}
    try:
        def upload(i):
            outcomes[i] = requests.put(
                f"{server.url}/api/v1/folders/{alice.root}/files/small-doomed-{i}.bin",
                data=os.urandom(4096), headers={"Authorization": "Bearer " + alice.token}, timeout=60)
        threads = [threading.Thread(target=upload, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        faults.stop()
    for i, r in outcomes.items():
        assert 500 <= r.status_code < 600, (syscall, r.status_code, r.text)
        assert error_code(r) == "IO_ERROR"
        assert alice.get("/api/v1/nodes", params={"path": f"/small-doomed-{i}.bin"}).status_code == 404
    data = os.urandom(4096)
    r = alice.upload("small-after.bin", data)
    assert r.status_code == 201, r.text
    assert alice.get(f"/api/v1/files/{r.json()['id']}/content").content == data
