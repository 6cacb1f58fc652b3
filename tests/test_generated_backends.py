"""Generated backends pass their own tests, ruff and mypy --strict, in the shared environment."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECTS
from tests.helpers import plain_copier_copy, project_env, run, run_project_tests

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


@pytest.mark.parametrize("name", PROJECTS)
def test_generated_backend_passes_its_own_tests(
    generated_projects: dict[str, Path], tmp_path: Path, name: str
) -> None:
    project = _workcopy(generated_projects[name], tmp_path)
    done = run_project_tests(project)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in done.stdout
    assert "skipped" not in done.stdout, done.stdout[-3000:]


@pytest.mark.parametrize("name", PROJECTS)
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


def test_migrations_run_on_postgresql(
    generated_projects: dict[str, Path], postgres: object, tmp_path: Path
) -> None:
    from tests.postgres import PostgresServer

    assert isinstance(postgres, PostgresServer)
    project = _workcopy(generated_projects["defaults"], tmp_path)
    url = postgres.create_database("migrations_defaults")
    done = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/integration/test_migrations.py",
        ],
        cwd=project,
        env=project_env(TEST_DATABASE_URL=url),
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
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
    # downgrade base leaves only Alembic's own bookkeeping behind
    assert check.stdout.strip() in ("[]", "['alembic_version']")


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
