"""A 60-entity domain generates, and its backend passes its own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.helpers import run_backendgen, run_project_tests, synthetic_domain

pytestmark = pytest.mark.slow

ENTITIES = 60


def test_sixty_entities_generate_and_pass_their_tests(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(yaml.safe_dump(synthetic_domain(ENTITIES)))
    project = tmp_path / "big"
    done = run_backendgen(
        "new", str(project), "--defaults", "--domain", str(domain), "-d", "compliance=[]"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    models = sorted((project / "core" / "models").glob("item*.py"))
    assert len(models) == ENTITIES
    migrations = sorted((project / "core" / "migrations" / "versions").glob("*_item*.py"))
    assert len(migrations) == ENTITIES
    shutil.rmtree(project / ".git")
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-4000:]
    assert "skipped" not in tests.stdout
