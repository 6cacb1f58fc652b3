"""What each check of ``backendgen verify`` is given: project, interpreter, scratch dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DROPPED_VARIABLES = (
    "ENVIRONMENT",
    "JWT_SECRET",
    "FIELD_ENCRYPTION_KEY",
    "FIELD_INDEX_KEY",
    "DATABASE_URL",
)
"""Settings of the caller's shell that must not leak into the project's tests or server."""


@dataclass(frozen=True)
class Context:
    """The project under check and where the checks may write."""

    project: Path
    """The generated project (never written to)."""
    python: str
    """The interpreter with the project's dependencies (its .venv, or backendgen's)."""
    work: Path
    """A scratch directory for databases, caches and coverage data."""
    max_examples: int = 20
    """Schemathesis examples per operation."""
    seed: int = 1
    """Schemathesis seed, so two runs test the same cases."""

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of the project's tools: plain, its caches in the scratch dir.

        Args:
            extra: Variables to set on top.

        Returns:
            A full environment (this process's, minus test-runner and app settings).
        """
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "COV_")) and key not in DROPPED_VARIABLES
        }
        bin_dir = str(Path(self.python).parent)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["COVERAGE_FILE"] = str(self.work / ".coverage")
        env.update(extra)
        return env
