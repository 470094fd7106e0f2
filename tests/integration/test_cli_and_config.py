"""The command line: subcommands, first-run guidance, and configuration precedence
(flags over COFFER_* environment over the TOML file)."""

import os
import signal
import subprocess
import time

import requests

from conftest import COFFER_BIN, Client, Server, add_user, free_port

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True


def run(*args, stdin=None, env=None):
    return subprocess.run([COFFER_BIN, *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **(env or {})))


def test_version_and_help():
    r = run("version")
    assert r.returncode == 0 and r.stdout.startswith("coffer ")
    for args in (["--help"], ["serve", "--help"], ["user", "add", "--help"], ["fsck", "--help"], ["gc", "--help"]):
        r = run(*args)
        assert r.returncode == 0 and "Usage" in r.stdout, args
    assert run("no-such-command").returncode != 0


def test_user_commands(data_dir):
    r = run("user", "add", "root", "--admin", "--data", data_dir)
    assert r.returncode == 0, r.stderr
    password = next(line.split(": ", 1)[1] for line in r.stdout.splitlines() if line.startswith("password: "))
    assert len(password) >= 16
    dup = run("user", "add", "root", "--data", data_dir, "--password-stdin", stdin="another-password\n")
    assert dup.returncode == 2 and "ALREADY_EXISTS" in dup.stderr
    weak = run("user", "add", "weak", "--data", data_dir, "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "password" in weak.stderr
    bad = run("user", "add", "bad name!", "--data", data_dir, "--password-stdin", stdin="long-enough-pw\n")
    assert bad.returncode == 2
    listing = run("user", "list", "--data", data_dir).stdout
    assert "root" in listing and "admin" in listing
    assert run("user", "passwd", "root", "--password-stdin", "--data", data_dir, stdin="brand-new-password\n").returncode == 0
    assert run("user", "passwd", "ghost", "--password-stdin", "--data", data_dir, stdin="brand-new-password\n").returncode == 2
    server = Server(data_dir).start()
    try:
        Client(server, "root", "brand-new-password")
        r = requests.post(server.url + "/api/v1/auth/login", json={"username": "root", "password": password})
        assert r.status_code == 401
    finally:
        server.stop()
    assert password not in open(server.log_path).read()


def test_first_start_explains_how_to_get_an_admin(data_dir):
    server = Server(data_dir).start()
    server.stop()
    assert "coffer user add admin --admin" in server.log()


def test_configuration_precedence(data_dir):
    toml_port, env_port, flag_port = free_port(), free_port(), free_port()
    config = os.path.join(data_dir, "coffer.toml")
    with open(config, "w") as f:
        f.write(f'data = "{data_dir}"\n[serve]\nlisten = "127.0.0.1:{toml_port}"\n')

    def serving_port(extra, env):
        proc = subprocess.Popen([COFFER_BIN, "serve", "--config", config, *extra], env=dict(os.environ, **env),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                for port in (toml_port, env_port, flag_port):
                    try:
                        if requests.get(f"http://127.0.0.1:{port}/health/live", timeout=0.5).status_code == 200:
                            return port
                    except requests.ConnectionError:
                        pass
                time.sleep(0.05)
            return None
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)

    assert serving_port([], {}) == toml_port
    assert serving_port([], {"COFFER_LISTEN": f"127.0.0.1:{env_port}"}) == env_port
    assert serving_port(["--listen", f"127.0.0.1:{flag_port}"], {"COFFER_LISTEN": f"127.0.0.1:{env_port}"}) == flag_port
    assert os.path.exists(os.path.join(data_dir, "chunks"))  # data came from the file


def test_bad_listen_address_fails_clearly(data_dir):
    r = run("serve", "--data", data_dir, "--listen", "nonsense")
    assert r.returncode == 2 and "HOST:PORT" in r.stderr


def test_sigterm_lets_an_upload_in_flight_finish(data_dir):
    server = Server(data_dir)
    add_user(server, "frank", "frank-password-1")
    server.start()
    client = Client(server, "frank", "frank-password-1")
    data = os.urandom(8 * 1024 * 1024)
    sent = []

    def slow_body():
        for i in range(0, len(data), 1024 * 1024):
            if i == 2 * 1024 * 1024:
                server.proc.send_signal(signal.SIGTERM)  # shut down while the body is arriving
            sent.append(i)
            time.sleep(0.05)
            yield data[i:i + 1024 * 1024]

    r = client.upload("late.bin", slow_body())
    assert r.status_code == 201, r.text
    assert server.proc.wait(timeout=30) == 0
    server.start()
    client = Client(server, "frank", "frank-password-1")
    fid = client.get("/api/v1/nodes", params={"path": "/late.bin"}).json()["id"]
    assert client.get(f"/api/v1/files/{fid}/content").content == data
    server.stop()


def test_config_file_typos_are_errors(data_dir):
    config = os.path.join(data_dir, "bad.toml")
    with open(config, "w") as f:
        f.write('[serve]\nlisen = "127.0.0.1:1"\n')
    r = run("serve", "--config", config, "--data", data_dir)
    assert r.returncode == 2 and "unknown setting serve.lisen" in r.stderr
    with open(config, "w") as f:
        f.write('[serve]\nworker_threads = "many"\n')
    r = run("serve", "--config", config, "--data", data_dir)
    assert r.returncode == 2 and "worker_threads" in r.stderr


def test_values_out_of_range_are_refused_from_every_source(data_dir):
    config = os.path.join(data_dir, "range.toml")
    with open(config, "w") as f:
        f.write("[serve]\nio_threads = 65\n")
    r = run("serve", "--config", config, "--data", data_dir)
    assert r.returncode == 2 and "io_threads must be an integer from 1 to 64, not 65" in r.stderr, r.stderr
    r = run("serve", "--data", data_dir, env={"COFFER_IO_THREADS": "0"})
    assert r.returncode == 2, r.stderr
    assert "COFFER_IO_THREADS: io_threads must be an integer from 1 to 64, not 0" in r.stderr
    r = run("serve", "--data", data_dir, "--io-threads", "100")
    assert r.returncode == 2 and "--io-threads: io_threads must be an integer from 1 to 64, not 100" in r.stderr
    r = run("serve", "--data", data_dir, "--auth-cache-seconds", "61")
    assert r.returncode == 2 and "auth_cache_seconds must be a number from 0 to 60" in r.stderr
    r = run("serve", "--data", data_dir, env={"COFFER_LOG_LEVEL": "verbose"})
    assert r.returncode == 2 and "log_level must be one of debug, info, warn, error" in r.stderr


def test_environment_overrides_the_file_and_flags_override_both(data_dir):
    in_file, in_env, in_flag = (os.path.join(data_dir, name) for name in ("file", "env", "flag"))
    config = os.path.join(data_dir, "coffer.toml")
    with open(config, "w") as f:
        f.write(f'data = "{in_file}"\n')

    def meta_db_after_user_add(*extra, env=None):
        name = f"u{len(os.listdir(data_dir))}"
        r = run("user", "add", name, "--config", config, *extra, "--password-stdin",
                stdin="long-enough-password\n", env=env)
        assert r.returncode == 0, r.stderr
        # The data directory in use gets the key file on every engine (meta.db only on SQLite).
        return [d for d in (in_file, in_env, in_flag) if os.path.exists(os.path.join(d, "secrets", "token.key"))]

    assert meta_db_after_user_add() == [in_file]
    assert meta_db_after_user_add(env={"COFFER_DATA": in_env}) == [in_file, in_env]
    assert meta_db_after_user_add("--data", in_flag, env={"COFFER_DATA": in_env}) == [in_file, in_env, in_flag]


def test_configuration_docs_are_generated_from_the_settings_table():
    r = run("config", "docs")
    assert r.returncode == 0, r.stderr
    with open(os.path.join(os.path.dirname(__file__), "../../docs/configuration.md")) as f:
        assert f.read() == r.stdout, "docs/configuration.md is out of date: build/coffer config docs > docs/configuration.md"
    for name in ("`io_threads`", "`--io-threads`", "`COFFER_IO_THREADS`", "`default_quota_bytes`", "`--default-quota`"):
        assert name in r.stdout


def test_help_shows_each_settings_variable_and_default():
    r = run("serve", "--help")
    assert r.returncode == 0
    assert "--io-threads" in r.stdout and "COFFER_IO_THREADS" in r.stdout and "=2" in r.stdout
