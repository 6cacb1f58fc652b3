"""``backendgen verify``: all green on a fresh project; each check fails on a project broken for it.

Each broken project is a copy of the shared defaults project with one targeted change; verify
runs only the check under test on it (``--check``), so the whole file stays cheap.
"""

from __future__ import annotations

import json
import shutil
import venv
from collections.abc import Callable
from pathlib import Path

import pytest

from backendgen.errors import ToolMissingError
from backendgen.verify.checks import CHECKS
from backendgen.verify.scanners import CHECKOV_ENV, INSTALL_CHECKOV, find_checkov
from tests.helpers import project_env, run_backendgen
from tests.postgres import PostgresServer

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    env = project_env(**extra)
    if "DATABASE_URL" not in extra:
        env.pop("DATABASE_URL", None)
    return env


def _verify(project: Path, tmp_path: Path, *args: str, **env: str) -> tuple[int, str, dict]:
    report = tmp_path / "verify.json"
    done = run_backendgen("verify", str(project), "--json", str(report), *args, env=_env(**env))
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode, done.stdout + done.stderr, json.loads(report.read_text())


def test_fresh_project_is_all_green(generated_projects: dict[str, Path], tmp_path: Path) -> None:
    """The whole gate on the defaults project (its tests, ruff and mypy run only here)."""
    project = generated_projects["defaults"]
    code, output, report = _verify(project, tmp_path, "--max-examples", "5")
    statuses = {row["check"]: row["status"] for row in report["checks"]}
    assert list(statuses) == list(CHECKS)
    failing = {name: status for name, status in statuses.items() if status not in ("pass", "n/a")}
    assert not failing, output[-8000:]
    assert code == 0, output[-4000:]
    assert report["passed"] is True
    assert "all checks passed" in output
    # the defaults project has every kind of artifact but a GitLab pipeline
    assert [name for name, status in statuses.items() if status == "n/a"] == ["gitlab_schema"]
    assert all(row["seconds"] >= 0 for row in report["checks"])
    assert "coverage 9" in next(r["detail"] for r in report["checks"] if r["check"] == "tests")


def _replace(relative: str, text: str, broken: str) -> Callable[[Path], None]:
    def breaker(project: Path) -> None:
        target = project / relative
        source = target.read_text()
        assert text in source, f"{relative} no longer contains {text!r}: update the breakage"
        target.write_text(source.replace(text, broken, 1))

    return breaker


def _append(relative: str, code: str) -> Callable[[Path], None]:
    def breaker(project: Path) -> None:
        target = project / relative
        target.write_text(target.read_text() + code)

    return breaker


DRIFT = _replace(
    "core/models/category.py",
    "    description: Mapped[str | None] = mapped_column(",
    "    drift: Mapped[str | None] = mapped_column(Text(), nullable=True)\n"
    "    description: Mapped[str | None] = mapped_column(",
)
"""A model column without a migration: ``alembic check`` must see the drift."""

BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    # a test module that fails as it loads: the run fails without running the 400 others
    "tests": (
        _append("tests/integration/test_health.py", '\nassert 1 + 1 == 3, "deliberately broken"\n'),
        "deliberately broken",
    ),
    "ruff": (_append("core/__init__.py", "\nimport os\n"), "F401"),
    "mypy": (_append("core/__init__.py", '\n\ndef broken() -> int:\n    return "text"\n'), "int"),
    "bandit": (_append("core/__init__.py", '\nBROKEN = eval("1")  # noqa: S307\n'), "B307"),
    "hadolint": (
        _replace("infrastructure/docker/Dockerfile", "USER 10001:10001", "USER app"),
        "DL",
    ),
    "kubernetes_references": (
        _replace("infrastructure/k8s/service.yaml", "targetPort: http", "targetPort: metrics"),
        "unknown port",
    ),
    "pymarkdown": (_replace("docs/DEPLOYMENT.md", "\n## ", "\n##  "), "MD019"),
    "detect_secrets": (
        _append("core/__init__.py", '\nAWS_ACCESS_KEY_ID = "AKIA4HZQ2XWLMN7PQRST"\n'),
        "AWS Access Key",
    ),
    "checkov": (
        _replace("infrastructure/docker/Dockerfile", "USER 10001:10001", "USER root"),
        "CKV_DOCKER",
    ),
    "openapi_document": (
        _replace("docs/openapi.json", '"paths": {', '"paths": {"no-leading-slash": {}, '),
        "no-leading-slash",
    ),
    "migrations_sqlite": (DRIFT, "drift"),
    "migrations_postgresql": (DRIFT, "drift"),
    "openapi": (
        _append("core/main.py", '\napp.openapi = lambda: {"openapi": "3.1.0", "paths": {}}\n'),
        "info",
    ),
    "schemathesis": (
        _append(
            "core/main.py",
            '\n\n@app.get("/broken")\ndef broken() -> dict[str, str]:\n'
            '    """Answer 500."""\n    raise RuntimeError("deliberately broken")\n',
        ),
        "/broken",
    ),
}
"""Per check: how to break a copy of the defaults project for it, and what its output names."""


@pytest.mark.parametrize("check", sorted(BROKEN))
def test_each_check_fails_on_a_project_broken_for_it(
    check: str,
    generated_projects: dict[str, Path],
    postgres: PostgresServer,
    tmp_path: Path,
) -> None:
    project = tmp_path / "broken"
    shutil.copytree(generated_projects["defaults"], project, ignore=shutil.ignore_patterns(".git"))
    breaker, evidence = BROKEN[check]
    breaker(project)
    env = {}
    if check == "migrations_postgresql":
        env["DATABASE_URL"] = postgres.create_database("verify_broken")
    code, output, report = _verify(
        project, tmp_path, "--check", check, "--max-examples", "3", **env
    )
    assert code == 1, output[-4000:]
    assert [(row["check"], row["status"]) for row in report["checks"]] == [(check, "fail")]
    assert evidence in report["checks"][0]["output"], output[-4000:]
    assert "verify FAILED" in output
    if check == "migrations_postgresql":
        assert "on DATABASE_URL" not in output


@pytest.mark.parametrize(
    "destination", ["missing", "file", "plain-dir"], ids=["missing", "file", "not-generated"]
)
def test_bad_destination_is_one_line_and_exit_2(tmp_path: Path, destination: str) -> None:
    target = tmp_path / destination
    if destination == "file":
        target.write_text("x")
    elif destination == "plain-dir":
        target.mkdir()
    done = run_backendgen("verify", str(target), env=_env())
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("backendgen: error: ")


def test_missing_tool_is_named_with_its_install_command(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    """An interpreter without the project's tools: each is named as missing, never skipped."""
    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)
    code, output, report = _verify(
        generated_projects["defaults"],
        tmp_path,
        "--python",
        str(bare / "bin" / "python"),
        "--check",
        "tests",
        "--check",
        "mypy",
    )
    assert code == 1
    rows = {row["check"]: row for row in report["checks"]}
    assert rows["tests"]["status"] == "missing"
    assert "pytest" in rows["tests"]["detail"]
    assert "pip install pytest" in rows["tests"]["detail"]
    assert rows["mypy"]["status"] == "missing"
    assert "pip install mypy" in rows["mypy"]["detail"]
    assert "missing" in output


def test_missing_checkov_names_its_own_virtualenv(monkeypatch: pytest.MonkeyPatch) -> None:
    """checkov cannot share pytest's venv: when it is missing, verify says where it goes."""
    monkeypatch.setenv(CHECKOV_ENV, "/nonexistent/.venv-checkov/bin/checkov")
    with pytest.raises(ToolMissingError) as missing:
        find_checkov()
    assert ".venv-checkov/bin/pip install checkov" in str(missing.value)
    assert missing.value.install == INSTALL_CHECKOV
