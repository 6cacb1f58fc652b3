"""Shared fixtures: an isolated environment, generated projects, a real PostgreSQL.

Generated projects are made once per test run and shared by every pytest-xdist worker
through a directory next to the workers' base temp dirs, guarded by a file lock.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run_backendgen
from tests.postgres import PostgresServer, start_postgres

REPO = Path(__file__).resolve().parents[1]

PROJECTS: dict[str, list[str]] = {
    "defaults": ["--defaults"],
    "healthcare": [
        "--defaults",
        "-d",
        "domain=healthcare",
        "-d",
        "database=sqlite",
        "-d",
        "deployment=docker_compose",
        "-d",
        "ci_provider=gitlab",
        "-d",
        "scale=small",
    ],
    "fintech": [
        "--defaults",
        "-d",
        "domain=fintech",
        "-d",
        "scale=enterprise",
        "-d",
        "ci_provider=none",
    ],
    "saas": ["--defaults", "-d", "domain=saas", "-d", "auth=none", "-d", "compliance=[]"],
    "education": ["--defaults", "-d", "domain=education", "-d", "scale=large"],
    "logistics": [
        "--defaults",
        "-d",
        "domain=logistics",
        "-d",
        "deployment=docker_compose",
        "-d",
        "compliance=[sox, gdpr]",
    ],
}
"""The generated projects the suite shares: every catalogue domain, across the options."""


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory shared by all xdist workers of this run."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    shared = root / "shared"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session", autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Give the run its own cache dir and git identity, shared by the workers."""
    shared = _shared_dir(tmp_path_factory)
    gitconfig = shared / "gitconfig"
    if not gitconfig.exists():
        gitconfig.write_text("[user]\n\tname = Suite User\n\temail = suite@example.com\n")
    saved = dict(os.environ)
    os.environ["XDG_CACHE_HOME"] = str(shared / "cache")
    os.environ["GIT_CONFIG_GLOBAL"] = str(gitconfig)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BACKENDGEN_MODEL"):
        os.environ.pop(key, None)
    yield shared
    os.environ.clear()
    os.environ.update(saved)


class _Lock:
    def __init__(self, path: Path) -> None:
        self.handle = path.open("a")

    def __enter__(self) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def generated_project(shared: Path, name: str, args: list[str] | None = None) -> Path:
    """Generate the named project once per run (all workers) and return its path.

    ``args`` are the ``backendgen new`` options of a project outside :data:`PROJECTS`.
    """
    target = shared / "projects" / name
    target.parent.mkdir(exist_ok=True)
    with _Lock(shared / f"project-{name}.lock"):
        failure = shared / "projects" / f"{name}.failed"
        if failure.exists():
            pytest.fail(f"generating {name} failed earlier: {failure.read_text()}")
        if not target.exists():
            done = run_backendgen("new", str(target), *(args or PROJECTS[name]))
            if done.returncode != 0:
                failure.write_text(done.stderr)
                pytest.fail(f"generating {name} failed: {done.stderr}")
    return target


@pytest.fixture(scope="session")
def generated_projects(isolated_environment: Path) -> dict[str, Path]:
    """Every project of :data:`PROJECTS`, generated once per run."""
    return {name: generated_project(isolated_environment, name) for name in PROJECTS}


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on 127.0.0.1, stopped after the session.

    Its data lives directly under the system temp dir: pytest's own temp dirs are private to
    root, and the server runs as the 'postgres' user.
    """
    server = start_postgres(Path(tempfile.mkdtemp(prefix="backendgen-pg-")))
    try:
        yield server
    finally:
        server.stop()
