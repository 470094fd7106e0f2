#!/usr/bin/python3
"""Runs a command with COFFER_TEST_POSTGRES_URL naming a fresh database in a throw-away
PostgreSQL cluster (tests/integration/postgres_cluster.py), removed afterwards whatever
happens. ctest uses it to run the engine-neutral meta tests on PostgreSQL too. It fails when no
cluster can be started: tests that need PostgreSQL are never skipped silently here.

    with_postgres.py COMMAND [ARG...]
"""

import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import postgres_cluster  # noqa: E402


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if not postgres_cluster.available():
        print(f"with_postgres: no PostgreSQL in {postgres_cluster.PG_BIN} or no postgres user "
              "(scripts/install-deps installs it)", file=sys.stderr)
        return 1
    cluster = postgres_cluster.PostgresCluster()
    # ctest ends a test that runs too long with SIGTERM: remove the cluster then too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        cluster.start()
        _, owner_url, _ = cluster.create_database()
        env = dict(os.environ, COFFER_TEST_POSTGRES_URL=owner_url)
        return subprocess.run(sys.argv[1:], env=env).returncode
    finally:
        cluster.destroy()


if __name__ == "__main__":
    sys.exit(main())
