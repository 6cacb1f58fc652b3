"""backendgen's own code passes ruff and mypy --strict, as `make lint` checks, in CI too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers import run

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("backendgen", "tests", "bench", "template_extensions")
"""Everything `make lint` checks with ruff."""


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "--no-cache", *SOURCES],
        ["ruff", "format", "--check", "--no-cache", *SOURCES],
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(command: list[str]) -> None:
    done = run([sys.executable, "-m", *command], cwd=REPO)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_mypy_strict(tmp_path: Path) -> None:
    mypy = [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")]
    done = run([*mypy, "backendgen", "template_extensions"], cwd=REPO)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
