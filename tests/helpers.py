"""Helpers for running backendgen and the tools of generated projects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from backendgen.questions.answers import Answers

SHOP_ANSWERS = Answers(
    project_name="shop",
    project_description="A shop",
    domain="ecommerce",
    framework="fastapi",
    database="postgresql",
    auth="jwt",
    compliance=["gdpr"],
    scale="medium",
    deployment="kubernetes",
    ci_provider="github",
)
"""Answers of an e-commerce backend, for tests that build agent inputs directly."""

VENV_BIN = Path(sys.executable).parent
"""The shared environment's bin directory (backendgen, copier, ruff, mypy, pytest)."""


def run(
    args: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing text output."""
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_backendgen(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``backendgen`` command."""
    return run([str(VENV_BIN / "backendgen"), *args], cwd=cwd, env=env)


def project_env(**extra: str) -> dict[str, str]:
    """Environment for running a generated project's tools in the shared venv.

    pytest-xdist's worker variables are dropped so the project's own pytest run is plain.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Map every file below ``root`` to its content."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
