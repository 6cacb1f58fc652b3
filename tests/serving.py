"""How a generated backend is served, whatever its framework: the one framework-specific seam.

The attack and conformance suites talk HTTP to the running process and read the project's
specs (``.copier-answers.yml``); only this module knows how a project of each ``framework``
answer is migrated and served. A recipe for a new renderer is one entry of :data:`RECIPES`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import yaml

from backendgen.verify.server import free_port
from tests.helpers import project_env

__all__ = [
    "RECIPES",
    "STARTUP_SECONDS",
    "Recipe",
    "Server",
    "framework_of",
    "free_port",
    "migrate",
    "recipe_of",
    "run_to_exit",
    "server_command",
    "server_env",
    "start_server",
]

STARTUP_SECONDS = 90.0
"""How long a server may take to answer ``/health`` (a loaded CI machine is slow to start one)."""


@dataclass(frozen=True)
class Recipe:
    """How one framework's project is migrated and served (from the project root)."""

    framework: str
    """The ``framework`` answer the recipe serves."""
    migrate: tuple[str, ...]
    """Arguments of the Python interpreter applying the migrations."""
    asgi_app: str
    """The ASGI application uvicorn serves, as ``module:attribute``."""


RECIPES: dict[str, Recipe] = {
    "fastapi": Recipe("fastapi", ("-m", "alembic", "upgrade", "head"), "core.main:app"),
    # The contract agreed with the Django renderer: ``manage.py`` at the project root, the same
    # environment variables, ``GET /health``, the same paths, status codes and JSON shapes.
    "django": Recipe("django", ("manage.py", "migrate", "--noinput"), "core.asgi:application"),
}
"""Framework answer -> its recipe."""


def framework_of(project: Path) -> str:
    """The ``framework`` answer recorded in the project's ``.copier-answers.yml``."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text()) or {}
    return str(answers.get("framework") or "fastapi")


def recipe_of(project: Path) -> Recipe:
    """The recipe of the project's framework.

    Raises:
        AssertionError: When no recipe serves that framework.
    """
    framework = framework_of(project)
    assert framework in RECIPES, f"no serving recipe for framework {framework!r}"
    return RECIPES[framework]


def server_env(database: Path, **settings: str) -> dict[str, str]:
    """The environment of a served project: its SQLite database and the given settings."""
    env = project_env(DATABASE_URL=f"sqlite:///{database}", PYTHONDONTWRITEBYTECODE="1")
    for name in ("ENVIRONMENT", "JWT_SECRET", "FIELD_ENCRYPTION_KEY", "FIELD_INDEX_KEY"):
        env.pop(name, None)
    env.update(settings)
    return env


def migrate(project: Path, env: dict[str, str]) -> None:
    """Apply the project's migrations, as its Makefile's ``migrate`` target does."""
    done = subprocess.run(
        [sys.executable, *recipe_of(project).migrate],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def server_command(port: int, project: Path | None = None) -> list[str]:
    """The command serving ``project`` (a FastAPI one when not given) on 127.0.0.1:``port``."""
    app = (recipe_of(project) if project is not None else RECIPES["fastapi"]).asgi_app
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]


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
        server_command(port, project),
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
        server_command(free_port(), project),
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
