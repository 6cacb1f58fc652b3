"""Schemathesis against a served backend: one run's options, shared by the fuzz and
conformance suites."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import VENV_BIN, project_env, run

SEED = 20261201
"""Fixed seed of every run, so a failure reproduces."""

MAX_EXAMPLES = 5
"""Test cases per operation in the fuzzing phase (the coverage phase adds its own)."""

PHASES = {
    # Anonymous callers meet 401 on everything but the public routes, which the
    # administrator's run covers in full; the boundary cases of the coverage phase add nothing.
    "anonymous": "examples,fuzzing,stateful",
    "admin": "examples,coverage,fuzzing,stateful",
}

SUMMARY = re.compile(r"^\s*(\d+) generated.*$", re.MULTILINE)
OPERATIONS = re.compile(r"Operations:\s+(\d+) selected")


def run_schemathesis(
    base_url: str, caller: str, headers: dict[str, str], workdir: Path
) -> tuple[int, str]:
    """Run schemathesis against the served document; return its exit code and output.

    It runs in ``workdir``, where it keeps its ``.schemathesis`` cache.
    """
    args = [
        str(VENV_BIN / "schemathesis"),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        PHASES[caller],
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    done = run(args, cwd=workdir, env=project_env(), timeout=900)
    return done.returncode, done.stdout + done.stderr
