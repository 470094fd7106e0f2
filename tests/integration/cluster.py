"""Two `coffer serve` nodes over one PostgreSQL database and one S3 bucket, sharing a secret key
file, behind nginx on loopback, configured from the repository's deploy/nginx/coffer.conf (the
file docs/deploy.md shows). Used by test_cluster.py and by bench/scaleout.sh."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from types import SimpleNamespace

from conftest import stop_process

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
NGINX_TEMPLATE = os.path.join(REPO, "deploy/nginx/coffer.conf")
NGINX_BIN = os.environ.get("NGINX_BIN", "/usr/sbin/nginx")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_nginx(listen, nodes, log_dir):
    """deploy/nginx/coffer.conf with its placeholders filled in."""
    with open(NGINX_TEMPLATE) as f:
        text = f.read()
    values = {"COFFER_LISTEN": listen, "COFFER_NODE_1": nodes[0], "COFFER_NODE_2": nodes[1],
              "COFFER_LOG_DIR": log_dir}
    for name, value in values.items():
        text = text.replace("${%s}" % name, value)
    assert "${COFFER_" not in text, "a placeholder of deploy/nginx/coffer.conf was not filled in"
    return text


class Nginx:
    """nginx in the foreground with a private prefix directory, in front of `nodes`
    ("host:port" strings)."""

    def __init__(self, nodes):
        self.dir = tempfile.mkdtemp(prefix="coffer-nginx-")
        self.port = _free_port()
        self.proc = None
        site = os.path.join(self.dir, "coffer.conf")
        with open(site, "w") as f:
            f.write(render_nginx(f"127.0.0.1:{self.port}", nodes, self.dir))
        temp = {name: os.path.join(self.dir, name) for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        main = f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
"""
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(main)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self):
        return os.path.join(self.dir, "coffer-access.log")

    def start(self):
        self.proc = subprocess.Popen([NGINX_BIN, "-p", self.dir, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("nginx did not start")

    def stop(self):
        stop_process(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)


def endpoint(url):
    """SimpleNamespace(url=...) stands in for a Server where only the address matters."""
    return SimpleNamespace(url=url)
