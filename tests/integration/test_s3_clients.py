"""The S3 clients people already use, from Debian, against coffer's S3 API: aws-cli, s3cmd,
rclone's s3 backend and restic. Each writes, lists, reads back identical bytes and deletes."""

import hashlib
import os
import subprocess

import pytest

from conftest import DATABASE, STORAGE
from s3_helpers import aws, make_key, s3, s3_alice  # noqa: F401 (fixtures)
from test_sync_clients import make_tree, same_tree

# What these clients send does not depend on the engines behind the API, which
# test_s3_api.py covers on every configuration: they run once, on the default one.
pytestmark = pytest.mark.skipif(DATABASE != "sqlite" or STORAGE != "file",
                                reason="the real S3 clients run on the default configuration only")


def test_aws_cli_makes_copies_lists_syncs_and_removes(s3, s3_alice, tmp_path):
    key = make_key(s3_alice)
    home = str(tmp_path / "home")
    os.mkdir(home)
    aws(s3.endpoint, key, home, "s3", "mb", "s3://backup")
    small = tmp_path / "small.txt"
    small.write_bytes(b"a small object\n")
    aws(s3.endpoint, key, home, "s3", "cp", str(small), "s3://backup/one/small.txt")
    listing = aws(s3.endpoint, key, home, "s3", "ls", "s3://backup/one/").stdout
    assert "small.txt" in listing and " 15 " in listing
    aws(s3.endpoint, key, home, "s3", "cp", "s3://backup/one/small.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_bytes() == small.read_bytes()
    # A tree, synced up and down again.
    up = tmp_path / "up"
    up.mkdir()
    make_tree(up, small_files=200)
    aws(s3.endpoint, key, home, "s3", "sync", str(up), "s3://backup/tree")
    down = tmp_path / "down"
    aws(s3.endpoint, key, home, "s3", "sync", "s3://backup/tree", str(down))
    assert same_tree(up, down)
    # A second sync has nothing to do.
    again = aws(s3.endpoint, key, home, "s3", "sync", str(up), "s3://backup/tree").stdout
    assert "upload:" not in again
    aws(s3.endpoint, key, home, "s3", "rm", "--recursive", "s3://backup")
    assert aws(s3.endpoint, key, home, "s3", "ls", "--recursive", "s3://backup").stdout.strip() == ""
    aws(s3.endpoint, key, home, "s3", "rb", "s3://backup")
    assert "backup" not in aws(s3.endpoint, key, home, "s3", "ls").stdout


def test_aws_cli_copies_a_40_mb_object_in_parts(s3, s3_alice, tmp_path):
    key = make_key(s3_alice)
    home = str(tmp_path / "home")
    os.mkdir(home)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(40 * 1024 * 1024))
    aws(s3.endpoint, key, home, "s3", "mb", "s3://large")
    aws(s3.endpoint, key, home, "s3", "cp", str(big), "s3://large/big.bin")
    head = aws(s3.endpoint, key, home, "s3api", "head-object", "--bucket", "large", "--key", "big.bin").stdout
    # aws-cli's parts are 8 MiB: five of them, and S3's multipart ETag.
    assert '-5\\"' in head
    aws(s3.endpoint, key, home, "s3", "cp", "s3://large/big.bin", str(tmp_path / "back.bin"))
    assert hashlib.sha256((tmp_path / "back.bin").read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()


def write_s3cfg(path, endpoint, key):
    host = endpoint.removeprefix("http://")
    path.write_text(f"""[default]
access_key = {key[0]}
secret_key = {key[1]}
host_base = {host}
host_bucket = {host}
use_https = False
signature_v2 = False
bucket_location = us-east-1
""")


def test_s3cmd_puts_gets_lists_and_deletes(s3, s3_alice, tmp_path):
    key = make_key(s3_alice)
    cfg = tmp_path / "s3cfg"
    write_s3cfg(cfg, s3.endpoint, key)

    def s3cmd(*args):
        done = subprocess.run(["s3cmd", "-c", str(cfg), *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"s3cmd {args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    s3cmd("mb", "s3://s3cmd-bucket")
    src = tmp_path / "file name.txt"
    src.write_bytes(os.urandom(100_000))
    s3cmd("put", str(src), "s3://s3cmd-bucket/dir/file name.txt")
    assert "file name.txt" in s3cmd("ls", "s3://s3cmd-bucket/dir/")
    s3cmd("get", "s3://s3cmd-bucket/dir/file name.txt", str(tmp_path / "got.txt"))
    assert (tmp_path / "got.txt").read_bytes() == src.read_bytes()
    s3cmd("del", "s3://s3cmd-bucket/dir/file name.txt")
    assert "file name.txt" not in s3cmd("ls", "--recursive", "s3://s3cmd-bucket")


def rclone_env(endpoint, key, home):
    env = dict(os.environ, HOME=home, RCLONE_CONFIG=os.path.join(home, "rclone.conf"))
    # rclone 1.60 cannot load a CA bundle into its own transport; loopback needs none.
    env.pop("AWS_CA_BUNDLE", None)
    env.update({"RCLONE_CONFIG_C_TYPE": "s3", "RCLONE_CONFIG_C_PROVIDER": "Other",
                "RCLONE_CONFIG_C_ENDPOINT": endpoint, "RCLONE_CONFIG_C_ACCESS_KEY_ID": key[0],
                "RCLONE_CONFIG_C_SECRET_ACCESS_KEY": key[1], "RCLONE_CONFIG_C_FORCE_PATH_STYLE": "true",
                "RCLONE_CONFIG_C_REGION": "us-east-1"})
    return env


def test_rclone_s3_backend_copies_and_checks_by_md5(s3, s3_alice, tmp_path):
    key = make_key(s3_alice)
    home = str(tmp_path / "home")
    os.mkdir(home)
    up = tmp_path / "up"
    up.mkdir()
    make_tree(up, small_files=100)
    env = rclone_env(s3.endpoint, key, home)

    def rclone(*args):
        done = subprocess.run(["rclone", *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"rclone {args}: {done.stdout}\n{done.stderr}"
        return done

    rclone("mkdir", "c:rclone")
    rclone("copy", str(up), "c:rclone/tree")
    # check compares sizes and MD5s (the ETags) without downloading.
    checked = rclone("check", str(up), "c:rclone/tree")
    assert "0 differences found" in checked.stderr
    assert "hashes could not be checked" not in checked.stderr
    down = tmp_path / "down"
    rclone("copy", "c:rclone/tree", str(down))
    assert same_tree(up, down)


def test_restic_backs_up_checks_and_restores_a_tree(s3, s3_alice, tmp_path):
    key = make_key(s3_alice)
    up = tmp_path / "up"
    up.mkdir()
    make_tree(up, small_files=300)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1],
               RESTIC_PASSWORD="restic-repository-password", RESTIC_REPOSITORY=f"s3:{s3.endpoint}/restic/repo",
               RESTIC_CACHE_DIR=str(tmp_path / "cache"), HOME=str(tmp_path))

    def restic(*args):
        done = subprocess.run(["restic", "--quiet", *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"restic {args}: {done.stdout}\n{done.stderr}"
        return done

    restic("init")
    restic("backup", str(up))
    restic("check", "--read-data")
    restic("restore", "latest", "--target", str(tmp_path / "restored"))
    assert same_tree(up, tmp_path / "restored" / str(up).lstrip("/"))
