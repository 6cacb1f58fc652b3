"""Every JDL file of the corpus generates a backend that passes its tests, ruff and mypy.

The corpus (``../shared/corpus/jdl/``, 22 real JHipster models) is imported through the CLI,
as users do. Files declaring no entity (application-only models) generate the skeleton.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from backendgen.questions.jdl import load_jdl, parse_jdl
from tests.helpers import project_env, run, run_backendgen, run_project_tests
from tests.integration.test_jdl import CORPUS_PARAMS

pytestmark = pytest.mark.slow

PACKAGES = ("core", "security", "monitoring", "tests")
"""The generated backend's Python packages."""


def _declares_entities(path: Path) -> bool:
    return bool(parse_jdl(path.read_text(encoding="utf-8"), str(path)).entities)


def _application_flags(path: Path) -> list[str]:
    """``--application NAME`` for a multi-application model: the one owning most entities."""
    applications = parse_jdl(path.read_text(encoding="utf-8"), str(path)).applications
    if len(applications) < 2:
        return []
    names = [str(app.config["baseName"]) for app in applications]
    return ["--application", max(names, key=lambda n: len(load_jdl(path, n)[0].entities))]


@pytest.mark.parametrize("path", CORPUS_PARAMS, ids=lambda p: p.name)
def test_corpus_file_generates_a_working_backend(path: Path, tmp_path: Path) -> None:
    project = tmp_path / "backend"
    done = run_backendgen(
        "new", str(project), "--defaults", "--domain", str(path), *_application_flags(path)
    )
    assert done.returncode == 0, done.stderr[-3000:]
    if not _declares_entities(path):  # application-only: the skeleton, with a warning
        assert "declares no entities" in done.stderr
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout
    assert "skipped" not in tests.stdout, tests.stdout[-3000:]
    for command in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
        ["mypy", "--strict", "--cache-dir", str(tmp_path / "mypy"), *PACKAGES],
    ):
        checked = run([sys.executable, "-m", *command], cwd=project, env=project_env())
        assert checked.returncode == 0, f"{command[0]}: {checked.stdout[-3000:]}"
