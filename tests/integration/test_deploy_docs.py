"""The documentation shows what works: docs/deploy.md the nginx configuration the cluster tests
run, the README's first steps commands that succeed when pasted."""

import json
import os
import re
import subprocess

from conftest import COFFER_BIN, Client, Server, remember_secret

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def test_deploy_md_shows_the_tested_nginx_configuration():
    with open(os.path.join(REPO, "deploy/nginx/coffer.conf")) as f:
        conf = f.read()
    with open(os.path.join(REPO, "docs/deploy.md")) as f:
        doc = f.read()
    assert "```nginx\n" + conf + "```" in doc, "copy deploy/nginx/coffer.conf into docs/deploy.md"


def readme_first_steps():
    """The shell commands of the README's "First steps", one per line, as written."""
    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    section = readme.split("\n## First steps\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README's first steps have no ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_first_steps_succeed_as_pasted_not_415(data_dir):
    """Runs the README's first steps against a fresh server, as a reader would after `make run`:
    the binary and port substituted, the data directory in COFFER_DATA, the printed password
    pasted where the README writes "…", and a report.pdf in the working directory."""
    commands = readme_first_steps()
    assert commands[0].startswith("build/coffer user add "), commands[0]
    server = Server(data_dir).start()
    try:
        work = os.path.join(data_dir, "reader")
        os.mkdir(work)
        report = b"%PDF-1.4\n% the README's report\n"
        with open(os.path.join(work, "report.pdf"), "wb") as f:
            f.write(report)
        env = dict(server.env, COFFER_DATA=data_dir)

        def as_run_here(command):
            return command.replace("build/coffer", COFFER_BIN).replace("localhost:8080", f"localhost:{server.port}")

        # The first command prints the password the others need.
        created = subprocess.run(["bash", "-c", as_run_here(commands[0])], cwd=work, env=env,
                                 capture_output=True, text=True, timeout=60)
        assert created.returncode == 0, created.stderr
        password = re.search(r"^password: (\S+)$", created.stdout, re.M).group(1)
        remember_secret(password)

        # The rest in one shell, so that the variables they set carry over; each command's
        # output and exit status are kept (set -o pipefail: a failing curl fails its pipeline).
        rest = [as_run_here(c).replace("…", password) for c in commands[1:]]
        script = ["set -o pipefail"]
        for i, command in enumerate(rest):
            script.append(f"{{ {command}\n}} >out{i} 2>err{i}; echo $? >status{i}")
        variables = sorted({m.group(1) for c in rest for m in [re.match(r"([A-Z_]+)=", c)] if m})
        script += [f'printf %s "${name}" >var_{name}' for name in variables]
        subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, timeout=120, check=True)

        def read(name):
            with open(os.path.join(work, name)) as f:
                return f.read()

        for i, command in enumerate(rest):
            assert read(f"status{i}").strip() == "0", f"{command}\n{read(f'err{i}')}"
        for name in variables:
            value = read(f"var_{name}")
            assert value not in ("", "null"), f"${name} is {value!r} after the README's commands"
        for i, command in enumerate(rest):
            output = read(f"out{i}").strip()
            if output.startswith("{"):
                assert "error" not in json.loads(output), f"{command}\n{output}"

        # The file arrived where the README says, with its content.
        admin = Client(server, "admin", password)
        items = admin.get(f"/api/v1/folders/{admin.root}/children").json()["items"]
        assert [item["name"] for item in items] == ["report.pdf"]
        assert admin.get(f"/api/v1/files/{items[0]['id']}/content").content == report
    finally:
        server.stop()
