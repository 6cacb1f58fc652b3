"""Generated backends pass their own tests, ruff and mypy --strict, in the shared environment."""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

import pytest

from backendgen.verify.checks import migration_cycle
from backendgen.verify.context import Context
from tests.conftest import PROJECTS
from tests.helpers import plain_copier_copy, project_env, run, run_project_tests
from tests.postgres import PostgresServer

pytestmark = pytest.mark.slow


def _mypy_strict(tmp_path: Path) -> list[str]:
    """mypy --strict over a generated project's packages, its cache outside the project."""
    packages = ["core", "security", "monitoring", "tests"]
    return [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--cache-dir",
        str(tmp_path / "mypy"),
        *packages,
    ]


def _workcopy(project: Path, tmp_path: Path) -> Path:
    """A private copy, so tools' caches never touch the shared project."""
    copy = tmp_path / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git"))
    return copy


OWN_RUNS = [name for name in PROJECTS if name != "defaults"]
"""Projects whose tests, ruff and mypy run here (tests/e2e/test_verify.py runs the defaults')."""


@pytest.mark.parametrize("name", OWN_RUNS)
def test_generated_backend_passes_its_own_tests(
    generated_projects: dict[str, Path], tmp_path: Path, name: str
) -> None:
    """Its tests pass with at least 90% line coverage of core/ and security/ (`make test`)."""
    project = _workcopy(generated_projects[name], tmp_path)
    done = run_project_tests(project, "--cov")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in done.stdout
    summary = done.stdout.strip().splitlines()[-1]
    assert "skipped" not in summary, done.stdout[-3000:]
    assert "Required test coverage of 90.0% reached" in done.stdout, done.stdout[-3000:]


@pytest.mark.parametrize("name", OWN_RUNS)
def test_generated_backend_passes_ruff_and_mypy_strict(
    generated_projects: dict[str, Path], tmp_path: Path, name: str
) -> None:
    project = _workcopy(generated_projects[name], tmp_path)
    env = project_env()
    for command in (
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        _mypy_strict(tmp_path),
        [sys.executable, "-m", "bandit", "-q", "-r", "core", "security", "monitoring"],
    ):
        done = run(command, cwd=project, env=env)
        assert done.returncode == 0, f"{command[2]}:\n{done.stdout[-6000:]}{done.stderr[-2000:]}"


@pytest.mark.parametrize("name", PROJECTS)
def test_migrations_run_on_postgresql(
    generated_projects: dict[str, Path], postgres: PostgresServer, tmp_path: Path, name: str
) -> None:
    """Every catalogue domain: upgrade head, alembic check (no drift), downgrade base, upgrade."""
    project = generated_projects[name]
    url = postgres.create_database(f"migrations_{name}")
    migration_cycle(Context(project, sys.executable, tmp_path), url)
    check = run(
        [
            sys.executable,
            "-c",
            "import sqlalchemy as sa, sys; e = sa.create_engine(sys.argv[1]);"
            "print(sorted(sa.inspect(e).get_table_names()))",
            url,
        ],
        env=project_env(),
    )
    assert check.returncode == 0, check.stderr
    tables = set(ast.literal_eval(check.stdout.strip()))
    models = {
        match
        for path in (project / "core" / "models").glob("*.py")
        for match in re.findall(r'__tablename__ = "([a-z0-9_]+)"', path.read_text())
    }
    assert models, "no models found"
    assert models | {"alembic_version"} <= tables


def test_skeleton_with_every_slot_empty_is_a_working_project(tmp_path: Path) -> None:
    """Plain `copier copy` (no backendgen) gives a runnable, tested project."""

    project = tmp_path / "skeleton"
    done = plain_copier_copy(project)
    assert done.returncode == 0, done.stderr
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    lint = run(
        _mypy_strict(tmp_path),
        cwd=project,
        env=project_env(),
    )
    assert lint.returncode == 0, lint.stdout[-4000:]
