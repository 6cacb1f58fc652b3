"""The checks of ``backendgen verify``: each runs one real tool and says pass, n/a or why not.

A check returns ``(status, detail)`` with status ``pass`` or ``n/a`` (nothing of its kind in
the project), or raises :class:`~backendgen.errors.CheckFailedError` (it failed) or
:class:`~backendgen.errors.ToolMissingError` (it could not run).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from backendgen.errors import CheckFailedError, ToolMissingError
from backendgen.verify.context import Context
from backendgen.verify.postgres import start_postgres
from backendgen.verify.server import serve
from backendgen.verify.tools import INSTALL, find_tool, require_modules, run_tool
from backendgen.verify.validators import VALIDATORS

Outcome = tuple[str, str]
"""A check's status (``pass`` or ``n/a``) and a short detail."""

Check = Callable[[Context], Outcome]
"""One check of a project."""

COVERAGE_MINIMUM = 90
"""Line coverage of ``core/`` and ``security/`` the tests must reach, in percent."""

PYTHON_PACKAGES = ("core", "security", "monitoring", "tests")
"""The generated project's Python packages (those it has are checked)."""


def _packages(context: Context, wanted: tuple[str, ...] = PYTHON_PACKAGES) -> list[str]:
    return [name for name in wanted if (context.project / name).is_dir()]


def _last_line(text: str) -> str:
    lines = [line.strip(" =") for line in text.splitlines() if line.strip(" =")]
    return lines[-1] if lines else ""


def tests(context: Context) -> Outcome:
    """The project's own tests, failing below :data:`COVERAGE_MINIMUM` percent coverage."""
    require_modules(context.python, ["pytest", "pytest_cov"])
    covered = [f"--cov={name}" for name in _packages(context, ("core", "security"))]
    output = run_tool(
        [
            context.python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *covered,
            "--cov-report=term",
            f"--cov-fail-under={COVERAGE_MINIMUM}",
        ],
        context.project,
        context.env(),
    )
    total = re.search(r"Total coverage: ([0-9.]+%)", output)
    return "pass", f"{_last_line(output)}; coverage {total.group(1) if total else '?'}"


def ruff(context: Context) -> Outcome:
    """Ruff's lint rules and its formatter, with the project's configuration."""
    require_modules(context.python, ["ruff"])
    for command in (["check"], ["format", "--check"]):
        run_tool(
            [context.python, "-m", "ruff", *command, "--no-cache", "."],
            context.project,
            context.env(),
        )
    return "pass", "check and format"


def mypy(context: Context) -> Outcome:
    """Run mypy --strict over the project's packages."""
    require_modules(context.python, ["mypy"])
    packages = _packages(context)
    output = run_tool(
        [
            context.python,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(context.work / "mypy"),
            *packages,
        ],
        context.project,
        context.env(),
    )
    return "pass", _last_line(output)


def bandit(context: Context) -> Outcome:
    """Bandit's security lint of the application packages."""
    require_modules(context.python, ["bandit"])
    packages = _packages(context, ("core", "security", "monitoring"))
    run_tool(
        [context.python, "-m", "bandit", "-q", "-r", *packages], context.project, context.env()
    )
    return "pass", ", ".join(packages)


MIGRATION_CYCLE = ("upgrade head", "check", "downgrade base", "upgrade head")
"""Alembic commands of a migration check: ``check`` fails on drift between models and revisions."""

_ALEMBIC_STEPS = (
    "import sys\n"
    "from alembic.config import main\n"
    "for step in sys.argv[1:]:\n"
    "    print('alembic', step, flush=True)\n"
    "    main(argv=step.split())\n"
)


def migration_cycle(context: Context, url: str) -> None:
    """Run :data:`MIGRATION_CYCLE` on ``url``, in one process (alembic exits 1 on an error)."""
    require_modules(context.python, ["alembic"])
    run_tool(
        [context.python, "-c", _ALEMBIC_STEPS, *MIGRATION_CYCLE],
        context.project,
        context.env(DATABASE_URL=url),
    )


def migrations_sqlite(context: Context) -> Outcome:
    """The Alembic migrations on a fresh SQLite database."""
    migration_cycle(context, f"sqlite:///{context.work / 'migrations.db'}")
    return "pass", "upgrade head, check, downgrade base, upgrade head"


def migrations_postgresql(context: Context) -> Outcome:
    """The migrations on PostgreSQL: ``DATABASE_URL``, else a throwaway server (initdb)."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith("postgresql"):
        migration_cycle(context, given)
        return "pass", "on DATABASE_URL"
    try:
        server = start_postgres(Path(tempfile.mkdtemp(prefix="backendgen-verify-pg-")))
    except ToolMissingError as missing:
        return "n/a", f"no DATABASE_URL and no PostgreSQL server: {missing.install}"
    try:
        migration_cycle(context, server.create_database("verify"))
    finally:
        server.stop()
    return "pass", "on a throwaway PostgreSQL server"


def openapi(context: Context) -> Outcome:
    """The served OpenAPI document, checked by openapi-spec-validator."""
    validator = find_tool("openapi-spec-validator")
    with serve(context, "openapi") as served:
        document = httpx.get(f"{served.base_url}/openapi.json", timeout=30)
    if document.status_code != 200:
        raise CheckFailedError(f"/openapi.json answered {document.status_code}")
    target = context.work / "openapi.json"
    target.write_bytes(document.content)
    run_tool([validator, str(target)], context.work)
    return "pass", f"{len(document.json().get('paths', {}))} paths"


def schemathesis(context: Context) -> Outcome:
    """Schemathesis, every check, against uvicorn on 127.0.0.1 as the bootstrap administrator."""
    if importlib.util.find_spec("schemathesis") is None:
        raise ToolMissingError("schemathesis", INSTALL["schemathesis"])
    with serve(context, "schemathesis") as served:
        headers = [f"{name}: {value}" for name, value in served.headers.items()]
        try:
            output = run_tool(
                [
                    sys.executable,
                    "-m",
                    "schemathesis.cli",
                    "run",
                    f"{served.base_url}/openapi.json",
                    "--checks",
                    "all",
                    "--max-examples",
                    str(context.max_examples),
                    "--seed",
                    str(context.seed),
                    "--workers",
                    "1",
                    "--request-timeout",
                    "30",
                    *(part for header in headers for part in ("-H", header)),
                ],
                context.work,
                context.env(NO_COLOR="1"),
            )
        except CheckFailedError as failure:
            text = str(failure)
            for header in headers:
                text = text.replace(header, header.split(":")[0] + ": ***")
            raise CheckFailedError(text) from None
    who = "as the administrator" if served.headers else "unauthenticated"
    operations = re.search(r"Operations:\s+(\d+) selected", output)
    cases = re.search(r"^\s*(\d+ generated.*)$", output, re.MULTILINE)
    summary = cases.group(1).strip() if cases else _last_line(output)
    return "pass", f"{operations.group(1) if operations else '?'} operations, {summary} ({who})"


def _validator(name: str) -> Check:
    validator = VALIDATORS[name]

    def check(context: Context) -> Outcome:
        files = validator(context.project)
        return ("pass", f"{len(files)} files") if files else ("n/a", "nothing of its kind")

    check.__doc__ = validator.__doc__
    return check


CHECKS: dict[str, Check] = {
    "tests": tests,
    "ruff": ruff,
    "mypy": mypy,
    "bandit": bandit,
    **{name: _validator(name) for name in VALIDATORS},
    "migrations_sqlite": migrations_sqlite,
    "migrations_postgresql": migrations_postgresql,
    "openapi": openapi,
    "schemathesis": schemathesis,
}
"""Every check, in the order of the table."""
