"""A throwaway PostgreSQL cluster on a private socket directory and port.

Started by the test run (and by benchmarks) with the machine's initdb/pg_ctl; as root, the
server runs as the unprivileged `postgres` user, because initdb refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster: its database URL, and what it takes to restart it."""

    url: str
    data: Path
    log: Path

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: clients are disconnected, the server is back when it returns
        (pg_ctl starts it again with the options it was started with)."""
        pg_ctl = [_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        subprocess.run(
            _as_server_user([*pg_ctl, "-m", "fast", "-w", "restart"]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


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
        subprocess.run(
            _as_server_user(
                [
                    _binary("createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    database,
                ]
            ),
            **run,
        )
        yield Cluster(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}", data, base / "log"
        )
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)
