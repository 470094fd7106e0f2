"""Slow clients (security review, issue 17, finding 1): connections that send their request
body a byte at a time must not stall the server for everyone else, a body that arrives slower
than the minimum rate is cut off with 408, and bursts of connections far above normal use
are still served. Every bound below is generous: the server is checked for answering at all
while the slow connections stall, not for being fast."""

import socket
import threading
import time

import requests

from conftest import Client, error_code

# Above the default worker pool (64 threads), far below the connection cap (4096).
SLOW_CONNECTIONS = 100
# A request that the server answers at once must be answered within this, however loaded the
# machine running the tests.
PROMPT = 10


def send_head(server, head):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=PROMPT)
    s.sendall(head)
    return s


class Trickler:
    """Connections that go on sending one byte of their body every `interval` seconds, until
    stopped, the body is complete or the server closes them."""

    def __init__(self, sockets, interval=1.0):
        self.sockets = list(sockets)
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        # Bounded: at most ten minutes, whatever happens.
        for _ in range(int(600 / self.interval)):
            if self.stop_event.wait(self.interval):
                return
            for s in list(self.sockets):
                try:
                    s.sendall(b"x")
                except OSError:
                    self.sockets.remove(s)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()
        for s in self.sockets:
            s.close()


def login_head(length):
    return (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(length).encode() + b"\r\n\r\n")


def upload_head(client, name, length, extra=b""):
    return (f"PUT /api/v1/folders/{client.root}/files/{name} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {client.token}\r\nContent-Length: {length}\r\n").encode() + extra + b"\r\n"


def assert_answered_promptly(server, alice):
    """A sign-in, a small upload and a folder creation (all with bodies) from the same address
    as the slow connections are answered at once."""
    started = time.monotonic()
    r = requests.post(server.url + "/api/v1/auth/login",
                      json={"username": "bob", "password": "bob-password-12"}, timeout=PROMPT)
    assert r.status_code == 200, r.text
    r = alice.upload("prompt.txt", b"answered at once", timeout=PROMPT)
    assert r.status_code == 201, r.text
    r = alice.post("/api/v1/folders", json={"parent_id": alice.root, "name": "prompt"}, timeout=PROMPT)
    assert r.status_code == 201, r.text
    assert requests.get(server.url + "/health/live", timeout=PROMPT).status_code == 200
    return time.monotonic() - started


def read_response(s, bound):
    """What the server sends on `s` until it closes it or `bound` seconds pass."""
    s.settimeout(1)
    data = b""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        try:
            piece = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not piece:
            break
        data += piece
    return data


def test_slowly_sent_small_bodies_do_not_stall_sign_in(server, alice):
    """Sign-ins whose JSON body trickles in a byte a second hold no worker thread."""
    sockets = [send_head(server, login_head(1000) + b"{") for _ in range(SLOW_CONNECTIONS)]
    with Trickler(sockets):
        time.sleep(2)  # every slow request's head has been read and dispatched
        assert_answered_promptly(server, alice)


def test_slowly_sent_uploads_do_not_stall_other_requests(server, alice):
    """Uploads that trickle in, some after a fast first part (past what the server reads ahead
    before it starts a handler), some after asking for 100 Continue, leave workers for the
    other requests."""
    sockets = []
    for i in range(SLOW_CONNECTIONS):
        if i % 3 == 0:
            sockets.append(send_head(server, upload_head(alice, f"slow{i}", 50 << 20) + b"x"))
        elif i % 3 == 1:
            sockets.append(send_head(server, upload_head(alice, f"slow{i}", 50 << 20) + b"x" * (96 << 10)))
        else:
            sockets.append(send_head(server, upload_head(alice, f"slow{i}", 50 << 20, b"Expect: 100-continue\r\n")))
    with Trickler(sockets):
        time.sleep(2)
        assert_answered_promptly(server, alice)


def test_body_slower_than_the_minimum_rate_is_cut_off_with_408(server, alice):
    """A body that brings a byte a second (far below the minimum rate) gets a 408 and the
    connection closes: the small one read ahead of its handler, the large one while its handler
    streams it."""
    small = send_head(server, login_head(1000) + b"{")
    large = send_head(server, upload_head(alice, "cut", 1 << 20) + b"x" * (96 << 10))
    answers = {}

    def wait_for(name, s):
        answers[name] = read_response(s, 90)

    readers = [threading.Thread(target=wait_for, args=item) for item in (("small", small), ("large", large))]
    started = time.monotonic()
    with Trickler([small, large]):
        for t in readers:
            t.start()
        for t in readers:
            t.join()
    elapsed = time.monotonic() - started
    for name, data in answers.items():
        assert data.startswith(b"HTTP/1.1 408"), (name, data[:200])
        assert b'"code":"REQUEST_TIMEOUT"' in data, (name, data[:300])
    assert elapsed < 90


def test_slow_but_steady_upload_completes(server, alice):
    """A slow mobile upload (2 KiB a second, four times the minimum rate, for longer than the
    rate is measured over) is never refused."""
    body = bytes(range(256)) * 288  # 72 KiB at 2 KiB/s: 36 s
    s = send_head(server, upload_head(alice, "steady.bin", len(body)))
    try:
        for i in range(0, len(body), 1024):
            s.sendall(body[i:i + 1024])
            time.sleep(0.5)
        data = read_response_head(s)
    finally:
        s.close()
    assert data.startswith(b"HTTP/1.1 201"), data[:300]
    assert alice.get(f"/api/v1/folders/{alice.root}/children").text.count("steady.bin") == 1


def read_response_head(s):
    s.settimeout(PROMPT)
    data = b""
    while b"\r\n\r\n" not in data:
        piece = s.recv(65536)
        if not piece:
            break
        data += piece
    return data


def test_a_burst_of_hundreds_of_connections_is_served(server, alice):
    """A sync client's burst: 600 connections open at once, each then sends a request; all are
    answered (none refused by the connection cap)."""
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=60) for _ in range(600)]
    try:
        for s in sockets:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        for s in sockets:
            assert read_response_head(s).startswith(b"HTTP/1.1 200")
    finally:
        for s in sockets:
            s.close()
