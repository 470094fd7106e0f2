"""Scrubbing: every stored chunk re-read and verified at a bounded rate, so that damage is
found before a reader meets it. The background scrubber (GET/POST /api/v1/system/scrub,
metrics) and `coffer scrub` (one pass from the command line), on every chunk store."""

import os
import re
import time

import requests

from conftest import Client, add_user, error_code
from test_verified_reads import upload_damaged


def scrub_state(admin):
    r = admin.get("/api/v1/system/scrub")
    assert r.status_code == 200, r.text
    return r.json()


def wait_for_passes(admin, passes):
    deadline = time.monotonic() + 60
    while True:
        state = scrub_state(admin)
        if state["passes"] >= passes:
            return state
        assert time.monotonic() < deadline, f"no scrub pass ended: {state}"
        time.sleep(0.1)


def metric(server, name):
    m = re.search(rf"^{name} (\d+)$", requests.get(server.url + "/metrics").text, re.M)
    assert m, f"no {name} in /metrics"
    return int(m.group(1))


def test_a_scrub_pass_finds_a_flipped_bit_before_any_reader_does(server, alice):
    add_user(server, "root", "root-password-1", admin=True)
    admin = Client(server, "root", "root-password-1")
    for i in range(5):
        assert alice.upload(f"fine-{i}.bin", os.urandom(20_000 + i)).status_code == 201
    _, _, chunk = upload_damaged(alice, name="rotten.bin")
    state = scrub_state(admin)
    # On by default, the first pass some minutes after start-up; nothing read yet.
    assert state["enabled"] and not state["running"] and state["passes"] == 0, state
    assert state["bytes_per_second"] == 8 << 20 and state["next_pass"], state
    assert state["last"] is None and metric(server, "coffer_chunks_damaged_total") == 0

    r = admin.post("/api/v1/system/scrub")
    assert r.status_code == 202, r.text
    state = wait_for_passes(admin, 1)
    last = state["last"]
    assert last["completed"] and last["damaged"] == 1 and last["chunks_checked"] >= 6, state
    assert last["bytes_checked"] >= 5 * 20_000 + 100_000
    assert state["damaged"] == 1 and state["chunks_checked"] == last["chunks_checked"]
    # Recorded where damaged reads are: the operators' list, the metric, the log.
    listed = admin.get("/api/v1/system/damaged-chunks").json()["items"]
    assert [item["chunk"] for item in listed] == [chunk]
    assert metric(server, "coffer_scrub_damaged_total") == 1
    assert metric(server, "coffer_scrub_passes_total") == 1
    assert metric(server, "coffer_scrub_chunks_checked_total") == last["chunks_checked"]
    assert metric(server, "coffer_chunks_damaged_total") == 1
    assert chunk in server.log()

    # Users may not see or start it.
    assert error_code(alice.get("/api/v1/system/scrub")) == "FORBIDDEN"
    assert error_code(alice.post("/api/v1/system/scrub")) == "FORBIDDEN"

    # The command line finds the same, while the server runs.
    run = server.cli("scrub", check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"DAMAGED chunk {chunk}" in run.stdout
    assert re.search(r"scrubbed \d+ chunks \(\d+ bytes\) in [\d.]+ s: 1 damaged", run.stdout), run.stdout


def test_scrub_of_an_undamaged_store_is_clean_and_can_be_turned_off(server, alice):
    for i in range(3):
        assert alice.upload(f"ok-{i}.bin", os.urandom(50_000)).status_code == 201
    run = server.cli("scrub", "--rate", "100000000")
    assert re.search(r"scrubbed [3-9]\d* chunks .*: 0 damaged", run.stdout), run.stdout
    server.stop()
    server.extra_args = [*server.extra_args, "--scrub-rate", "0"]
    server.start()
    add_user(server, "root", "root-password-1", admin=True)
    admin = Client(server, "root", "root-password-1")
    state = scrub_state(admin)
    assert not state["enabled"] and state["next_pass"] is None, state
    r = admin.post("/api/v1/system/scrub")
    assert r.status_code == 409 and error_code(r) == "CONFLICT", r.text
