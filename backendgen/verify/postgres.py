"""A throwaway PostgreSQL server (initdb into a temp dir, 127.0.0.1), for verify and the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from backendgen.errors import ToolMissingError
from backendgen.verify.server import free_port
from backendgen.verify.tools import INSTALL


def server_binary(name: str) -> str:
    """A PostgreSQL server binary: on PATH, or in Debian's versioned directory."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
        None,
    )
    if found is None:
        raise ToolMissingError(name, INSTALL["initdb"])
    return found


def _as_postgres_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: drop to the 'postgres' user when we are root."""
    args = [server_binary(args[0]), *args[1:]]
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PostgresServer:
    """A running server and how to reach it."""

    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database (trust auth on loopback)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        """Create a database and return its SQLAlchemy URL."""
        subprocess.run(
            _as_postgres_user(
                ["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and delete its data."""
        subprocess.run(
            _as_postgres_user(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start_postgres(root: Path) -> PostgresServer:
    """Run initdb into ``root`` and start a server on a free loopback port."""
    data_dir = root / "data"
    data_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data_dir, "postgres")
    subprocess.run(
        _as_postgres_user(
            ["initdb", "-D", str(data_dir), "-U", "postgres", "--auth=trust", "--no-sync"]
        ),
        check=True,
        capture_output=True,
        text=True,
    )
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data_dir} -c fsync=off"
    subprocess.run(
        _as_postgres_user(
            [
                "pg_ctl",
                "-D",
                str(data_dir),
                "-o",
                options,
                "-l",
                str(data_dir / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
        text=True,
    )
    return PostgresServer(data_dir=data_dir, port=port)
