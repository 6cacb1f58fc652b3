"""``backendgen new DEST --describe TEXT`` with a forty-entity description fans out.

The loopback server scripts the design (tests/design_model.py): an outline, then ten batches
of four entities asked in parallel; the other agents refuse and fall back to their blueprints.
One generation: the backend passes its own tests and its domain file round-trips. A batch
that is invalid for good is one clear line, and nothing is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from backendgen.questions.domain import DomainSpec
from backendgen.questions.domain_input import load_domain_input
from tests.design_model import (
    BATCH,
    FREIGHT,
    FREIGHT_DESCRIPTION,
    OUTLINE,
    FreightDesigner,
    batch,
    freight_expected,
)
from tests.fakes import request_name, running_server
from tests.helpers import project_env, run_backendgen, run_project_tests

pytestmark = pytest.mark.slow


def _describe(base_url: str, destination: Path, cache: Path) -> Any:
    env = project_env(XDG_CACHE_HOME=str(cache), OPENAI_API_KEY="test-key")
    env.pop("OPENAI_BASE_URL", None)
    return run_backendgen(
        "new",
        str(destination),
        "--defaults",
        "--describe",
        FREIGHT_DESCRIPTION,
        "--provider",
        "openai",
        "--base-url",
        base_url,
        "--max-parallel",
        "4",
        env=env,
    )


def test_forty_described_entities_fan_out_into_a_backend_that_passes_its_tests(
    tmp_path: Path,
) -> None:
    with running_server(FreightDesigner()) as fake:
        done = _describe(fake.base_url, tmp_path / "freight", tmp_path / "cache")
        names = [request_name(b) for b in fake.bodies]
    assert done.returncode == 0, done.stderr[-3000:]
    assert (names.count(OUTLINE), names.count(BATCH)) == (1, 10)
    assert "domain designed            40 entities" in done.stderr + done.stdout
    project = tmp_path / "freight"
    saved = load_domain_input(project / "domain.yml").domain
    assert saved == DomainSpec.model_validate(freight_expected())
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    core = answers["slot_core_backend"]
    assert [e["name"] for e in core["entities"]] == [e["name"] for e in FREIGHT["entities"]]
    shutil.rmtree(project / ".git")
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-4000:]


def test_a_batch_invalid_for_good_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    def nameless(names: list[str], seen: int) -> Any:
        return {**batch(names), "entities": []} if "Invoice" in names else None

    with running_server(FreightDesigner(nameless)) as fake:
        done = _describe(fake.base_url, tmp_path / "p", tmp_path / "cache")
        asked = len(fake.requests)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith(
        "backendgen: error: --describe: no domain designed, nothing written: entity batch 9 of "
        "10 (Invoice, InvoiceLine, Payment, CreditNote): invalid spec after 3 attempts: "
    )
    assert "Traceback" not in done.stderr
    assert "API call failed" not in done.stderr  # instructor's own log of each attempt
    assert asked == 1 + 10 + 2
    assert not (tmp_path / "p").exists()
