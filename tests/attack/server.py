"""The one framework-specific part of the attack suite: how a generated backend is served.

Everything else talks HTTP to the running process and reads the project's specs
(``.copier-answers.yml``), so a renderer for another framework only replaces this module.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from backendgen.verify.server import free_port, uvicorn_command
from tests.helpers import project_env

STARTUP_SECONDS = 40.0
"""How long a server may take to answer ``/health``."""


def server_env(database: Path, **settings: str) -> dict[str, str]:
    """The environment of a served project: its SQLite database and the given settings."""
    env = project_env(DATABASE_URL=f"sqlite:///{database}", PYTHONDONTWRITEBYTECODE="1")
    for name in ("ENVIRONMENT", "JWT_SECRET", "FIELD_ENCRYPTION_KEY"):
        env.pop(name, None)
    env.update(settings)
    return env


def migrate(project: Path, env: dict[str, str]) -> None:
    """Apply the project's migrations, as its Makefile's ``migrate`` target does."""
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def server_command(port: int) -> list[str]:
    """The command serving the project on 127.0.0.1:``port`` (as ``backendgen verify`` does)."""
    return uvicorn_command(sys.executable, port)


@dataclass
class Server:
    """A running backend."""

    base_url: str
    process: subprocess.Popen[str]
    log: Path
    handle: IO[str]

    def stop(self) -> None:
        """Stop the process (and wait for it)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.handle.close()


def start_server(project: Path, env: dict[str, str], log: Path) -> Server:
    """Serve ``project`` and wait until ``/health`` answers.

    Raises:
        AssertionError: If the process ends or never answers.
    """
    port = free_port()
    handle = log.open("w")
    process = subprocess.Popen(
        server_command(port),
        cwd=project,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            handle.close()
            raise AssertionError(f"server exited {process.returncode}: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return Server(base_url, process, log, handle)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait(timeout=15)
    handle.close()
    raise AssertionError(f"server did not answer /health: {log.read_text()[-3000:]}")


def run_to_exit(project: Path, env: dict[str, str], timeout: float = 30) -> tuple[int | None, str]:
    """Start the server and return its exit code (``None`` if still running) and output."""
    process = subprocess.Popen(
        server_command(free_port()),
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return None, output
    return process.returncode, output
