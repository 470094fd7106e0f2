"""Helpers of the S3 API's tests: a coffer with its S3 listener, access keys, and the real
clients (boto3 from Debian, aws-cli, s3cmd, rclone, restic) pointed at it."""

import os
import subprocess

import boto3
import botocore.config
import pytest

from conftest import Client, Server, add_user, free_port, remember_secret

AWS = "/usr/bin/aws"  # Debian's aws-cli, not one a Python environment puts first on PATH


class S3Coffer:
    """A coffer serving its REST API and its S3 API, with users alice and bob."""

    def __init__(self, data_dir, extra_args=()):
        self.s3_port = free_port()
        self.server = Server(data_dir, extra_args=["--s3-listen", f"127.0.0.1:{self.s3_port}", *extra_args])
        add_user(self.server, "alice", "alice-password-1")
        add_user(self.server, "bob", "bob-password-12")
        self.server.start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.s3_port}"

    def stop(self):
        self.server.stop()


def make_key(client, name="test key", scopes=None):
    """A new access key of `client`'s user: (access key id, secret)."""
    body = {"name": name}
    if scopes is not None:
        body["scopes"] = scopes
    r = client.post("/api/v1/auth/s3-keys", json=body)
    assert r.status_code == 201, r.text
    key = r.json()
    remember_secret(key["secret_access_key"])
    return key["access_key_id"], key["secret_access_key"]


def boto3_client(endpoint, key, **config):
    access_key_id, secret = key
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=access_key_id, aws_secret_access_key=secret,
        region_name="us-east-1",
        config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1}, **config))


def aws_env(key, home):
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1], "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": os.path.join(home, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "aws-credentials"),
                "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "1"})
    env.pop("AWS_PROFILE", None)
    return env


def aws(endpoint, key, home, *args, check=True):
    """Runs aws-cli against coffer's S3 endpoint; returns the finished process."""
    done = subprocess.run([AWS, "--endpoint-url", endpoint, *args], env=aws_env(key, home),
                          capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, f"aws {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def s3(data_dir):
    coffer = S3Coffer(data_dir)
    yield coffer
    coffer.stop()


@pytest.fixture
def s3_alice(s3):
    return Client(s3.server, "alice", "alice-password-1")


@pytest.fixture
def s3_bob(s3):
    return Client(s3.server, "bob", "bob-password-12")
