"""A generated project's own `make test` works for its users: its own venv, nothing shared.

The rest of the suite runs generated projects in one shared environment, which also holds
backendgen's dependencies and could hide a package the project forgot to declare.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import VENV_BIN, run

pytestmark = pytest.mark.slow


def test_make_test_in_a_fresh_venv(generated_projects: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "service"
    shutil.copytree(generated_projects["defaults"], project)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "COV_")) and key not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if Path(part) != VENV_BIN
    )
    done = run(["make", "test"], cwd=project, env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert (project / ".venv" / "bin" / "python").is_file()
    assert " passed" in output
    assert "skipped" not in output
