"""``backendgen new DEST --describe TEXT``: the core agent designs the domain from prose.

The loopback server answers the design request with a realistic design (a veterinary clinic,
tests/data/vet_clinic_design.yml) after one answer that breaks the bounds; the other agents
get refusals and fall back to their blueprints of the designed domain.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from backendgen.llm.domain_designer import MAX_SINGLE_DESIGN_ENTITIES as MAX_DESIGNED_ENTITIES
from backendgen.questions.domain import DomainSpec
from backendgen.questions.domain_input import load_domain_input
from tests.fakes import Refusal, SchemaResponder, request_name, running_server
from tests.helpers import project_env, run_backendgen, run_project_tests

pytestmark = pytest.mark.slow

DESCRIPTION = "a veterinary clinic: owners, pets, visits, invoices, vaccination reminders"
DESIGN = yaml.safe_load((Path(__file__).parents[1] / "data" / "vet_clinic_design.yml").read_text())
DESIGNER = "DesignedDomain"


def _too_big() -> dict[str, Any]:
    entity = DESIGN["entities"][0]
    clones = [{**entity, "name": f"Owner{n}"} for n in range(MAX_DESIGNED_ENTITIES + 1)]
    return {**DESIGN, "entities": clones, "samples": {}, "retention": {}, "roles": []}


class DesignerModel:
    """The first design breaks the bounds, the second is the clinic; other agents refuse."""

    def __init__(self) -> None:
        self.designs = 0

    def __call__(self, body: Mapping[str, Any]) -> Any:
        if request_name(body) != DESIGNER:
            return Refusal("Not today.")
        self.designs += 1
        return _too_big() if self.designs == 1 else DESIGN


def _describe(base_url: str | None, destination: Path, cache: Path, *extra: str) -> Any:
    env = project_env(XDG_CACHE_HOME=str(cache), OPENAI_API_KEY="test-key")
    env.pop("OPENAI_BASE_URL", None)
    provider = ["--provider", "openai", "--base-url", base_url] if base_url else []
    return run_backendgen(
        "new", str(destination), "--defaults", "--describe", DESCRIPTION, *provider, *extra, env=env
    )


def test_describe_designs_a_domain_that_round_trips_and_passes_its_tests(tmp_path: Path) -> None:
    model = DesignerModel()
    with running_server(model) as fake:
        done = _describe(fake.base_url, tmp_path / "clinic", tmp_path / "cache")
        design_requests = [b for b in fake.bodies if request_name(b) == DESIGNER]
    assert done.returncode == 0, done.stderr
    assert len(design_requests) == 2  # the oversized design was re-asked
    reask = str(design_requests[1]["messages"])
    assert f"a designed domain has at most {MAX_DESIGNED_ENTITIES}" in reask
    assert DESCRIPTION in str(design_requests[0]["messages"])
    assert "warning: designed domain: Pet.class renamed to 'class_value'" in done.stderr
    project = tmp_path / "clinic"
    saved = load_domain_input(project / "domain.yml").domain
    expected = DESIGN | {}
    for entity in expected["entities"]:
        for field in entity["fields"]:
            if field["name"] == "class":
                field["name"] = "class_value"
    expected["samples"]["Pet"] = {
        ("class_value" if k == "class" else k): v for k, v in DESIGN["samples"]["Pet"].items()
    }
    assert saved == DomainSpec.model_validate(expected)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["domain"] == "custom"
    core = answers["slot_core_backend"]
    assert [e["name"] for e in core["entities"]] == [e["name"] for e in DESIGN["entities"]]
    shutil.rmtree(project / ".git")
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-4000:]


def test_describe_with_the_blueprint_provider_is_a_clear_error(tmp_path: Path) -> None:
    done = _describe(None, tmp_path / "p", tmp_path / "cache", "--provider", "blueprint")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("backendgen: error: --describe needs an LLM")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "p").exists()


def test_a_hostile_designer_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    with running_server(SchemaResponder()) as fake:
        done = _describe(fake.base_url, tmp_path / "p", tmp_path / "cache")
        asked = len(fake.requests)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "backendgen: error: --describe: no domain designed, nothing written: invalid spec after "
        "3 attempts: "
    )
    assert "Traceback" not in done.stderr
    assert asked == 3
    assert not (tmp_path / "p").exists()
