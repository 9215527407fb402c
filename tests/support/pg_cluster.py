"""A throwaway PostgreSQL cluster on a private socket directory and port.

Started by the test run (and by benchmarks) with the machine's initdb/pg_ctl; as root, the
server runs as the unprivileged `postgres` user, because initdb refuses to run as root.

The database is set up as production's is (see the README): an owner role that runs the
migrations and owns the tables, and an application role that does not, so the row-level
security the migrations force applies to it (a superuser, `postgres` here, bypasses it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

SERVER_SETTINGS = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",  # a throwaway cluster: durability costs time and buys nothing
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
]


def _binary(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: install the Debian postgresql package")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


OWNER_ROLE, APP_ROLE = "divert_owner", "divert_app"

# What a database administrator does once (README, "Running on PostgreSQL"): the owner role owns
# the database and so every table its migrations create; the app role may read and write rows.
ROLES_SQL = [f"CREATE ROLE {OWNER_ROLE} LOGIN", f"CREATE ROLE {APP_ROLE} LOGIN"]
GRANTS_SQL = [
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} "
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} "
    f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {APP_ROLE}",
]


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster: its database URLs, and what it takes to restart it.

    `url` is the superuser's (checks that must see every row), `owner_url` the migrations' and
    `app_url` the application's; `options` what the server was started with.
    """

    url: str
    data: Path
    log: Path
    options: str

    def as_role(self, role: str) -> str:
        return self.url.replace("//postgres@", f"//{role}@", 1)

    @property
    def owner_url(self) -> str:
        return self.as_role(OWNER_ROLE)

    @property
    def app_url(self) -> str:
        return self.as_role(APP_ROLE)

    @staticmethod
    def in_database(url: str, database: str) -> str:
        return f"{url.rsplit('/', 1)[0]}/{database}"

    def create_database(self, database: str) -> None:
        """Another database set up as the first: the owner's, its tables usable by the app."""
        with _connect(self.in_database(self.url, "postgres")) as superuser:
            superuser.execute(f'CREATE DATABASE "{database}" OWNER {OWNER_ROLE}')
        with _connect(self.in_database(self.owner_url, database)) as owner:
            for statement in GRANTS_SQL:
                owner.execute(statement)

    def drop_database(self, database: str) -> None:
        with _connect(self.in_database(self.url, "postgres")) as superuser:
            superuser.execute(f'DROP DATABASE "{database}" WITH (FORCE)')

    def restart(self, down_for: float = 0.0) -> None:
        """`pg_ctl stop -m fast`, then `pg_ctl start` `down_for` seconds later: clients are
        disconnected, and the server is back when it returns."""
        pg_ctl = [_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
        run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
        subprocess.run(_as_server_user([*pg_ctl, "-m", "fast", "stop"]), **run)
        time.sleep(down_for)
        subprocess.run(_as_server_user([*pg_ctl, "-o", self.options, "start"]), **run)


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def _create_roles(cluster: Cluster) -> None:
    with _connect(cluster.in_database(cluster.url, "postgres")) as superuser:
        for statement in ROLES_SQL:
            superuser.execute(statement)


@contextmanager
def postgres_cluster(database: str = "divert_test") -> Iterator[str]:
    """Yield a SQLAlchemy URL of a new, empty database; the cluster is removed afterwards."""
    with running_cluster(database) as cluster:
        yield cluster.url


@contextmanager
def running_cluster(database: str = "divert_test") -> Iterator[Cluster]:
    """A new cluster holding one empty database; stopped and removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="divert-pg-"))
    data, sockets, port = base / "data", base / "sockets", free_port()
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    subprocess.run(
        _as_server_user(
            [
                _binary("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        **run,
    )
    options = " ".join([f"-p {port}", f"-k {sockets}", *SERVER_SETTINGS])
    pg_ctl = _binary("pg_ctl")
    subprocess.run(
        _as_server_user(
            [pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]
        ),
        **run,
    )
    try:
        cluster = Cluster(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}",
            data,
            base / "log",
            options,
        )
        _create_roles(cluster)
        cluster.create_database(database)
        yield cluster
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)
