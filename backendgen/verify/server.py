"""Serve a generated project with uvicorn on 127.0.0.1, as the bootstrap administrator sees it."""

from __future__ import annotations

import base64
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from backendgen.errors import CheckFailedError
from backendgen.verify.context import Context
from backendgen.verify.tools import require_modules, run_tool

STARTUP_SECONDS = 60.0
"""How long the server may take to answer ``/health``."""

ADMIN_EMAIL = "verify-admin@example.com"
"""The bootstrap administrator the served project creates."""


@dataclass(frozen=True)
class Served:
    """A running project."""

    base_url: str
    """``http://127.0.0.1:PORT``."""
    headers: dict[str, str]
    """The administrator's ``Authorization`` header (empty without authentication)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uvicorn_command(python: str, port: int) -> list[str]:
    """The command serving a generated project on 127.0.0.1:``port`` with ``python``."""
    return [
        python,
        "-m",
        "uvicorn",
        "core.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]


def _wait(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailedError(f"the server exited {process.returncode}: {_tail(log)}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise CheckFailedError(f"the server did not answer /health: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _admin_headers(base_url: str, password: str) -> dict[str, str]:
    """Sign in as the bootstrap administrator when the project has ``/auth/token``."""
    paths = httpx.get(f"{base_url}/openapi.json", timeout=10).json().get("paths", {})
    if "/auth/token" not in paths:
        return {}
    answer = httpx.post(
        f"{base_url}/auth/token", json={"email": ADMIN_EMAIL, "password": password}, timeout=10
    )
    if answer.status_code != 200:
        raise CheckFailedError(f"the bootstrap administrator cannot sign in: {answer.text}")
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@contextmanager
def serve(context: Context, name: str) -> Iterator[Served]:
    """Migrate a fresh SQLite database, serve the project on it in production mode, then stop.

    Args:
        context: The project and its interpreter.
        name: A name for the database and log files in the scratch dir.

    Yields:
        The running server.

    Raises:
        CheckFailedError: If the migrations fail or the server does not come up.
        ToolMissingError: If the interpreter lacks alembic or uvicorn.
    """
    require_modules(context.python, ["alembic", "uvicorn"])
    password = secrets.token_urlsafe(16)
    # Production rules (its own secrets), with the API document served for the fuzzer.
    env = context.env(
        ENVIRONMENT="production",
        JWT_SECRET=secrets.token_urlsafe(32),
        FIELD_ENCRYPTION_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        FIELD_INDEX_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        DOCS_ENABLED="true",
        DATABASE_URL=f"sqlite:///{context.work / f'{name}.db'}",
        BOOTSTRAP_ADMIN_EMAIL=ADMIN_EMAIL,
        BOOTSTRAP_ADMIN_PASSWORD=password,
        LOGIN_RATE_PER_MINUTE="100000",
    )
    run_tool([context.python, "-m", "alembic", "upgrade", "head"], context.project, env)
    port = free_port()
    log = context.work / f"{name}.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            uvicorn_command(context.python, port),
            cwd=context.project,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait(process, base_url, log)
            yield Served(base_url, _admin_headers(base_url, password))
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
