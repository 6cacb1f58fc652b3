"""Which schemathesis checks a served project is held to, decided from its answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.registry import AGENTS
from backendgen.agents.spec_base import SlotSpec
from backendgen.questions.domain import load_catalogue_domain
from tests.fuzzing import beyond_json_schema, luhn_checked_fields
from tests.helpers import SHOP_ANSWERS


def _project(tmp_path: Path, answers: dict[str, Any]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / ".copier-answers.yml").write_text(yaml.safe_dump(answers))
    return tmp_path


def _blueprint_answers(domain: str, compliance: list[str]) -> dict[str, Any]:
    """The slots the blueprints write for ``domain`` and ``compliance`` (offline)."""
    given = SHOP_ANSWERS.model_copy(update={"domain": domain, "compliance": compliance})
    catalogue = load_catalogue_domain(domain)
    specs: dict[str, SlotSpec] = {}
    for agent in AGENTS:
        upstream = {name: specs[name] for name in agent.depends_on}
        specs[agent.name] = agent.blueprint(BlueprintInput(given, catalogue, upstream))
    return {agent.slot: specs[agent.name].model_dump(mode="json") for agent in AGENTS}


def test_a_tokenised_card_field_chosen_by_the_blueprint_is_luhn_checked(tmp_path: Path) -> None:
    with_pci = _project(tmp_path, _blueprint_answers("fintech", ["pci_dss"]))
    assert luhn_checked_fields(with_pci) == ["Card.card_token: a card number (Luhn check)"]
    without = _project(tmp_path / "sox", _blueprint_answers("fintech", ["sox"]))
    assert luhn_checked_fields(without) == []


def test_a_tokenised_field_alone_leaves_out_the_positive_data_check(tmp_path: Path) -> None:
    # No business rule the document cannot state: only the Luhn check decides.
    security = {"pci_tokenization": {"fields": [{"entity": "Payment", "field": "card_number"}]}}
    answers = {
        "framework": "fastapi",
        "slot_core_backend": {"entities": [{"name": "Payment", "rules": []}]},
        "slot_security_compliance": security,
    }
    assert beyond_json_schema(_project(tmp_path / "fastapi", answers)) == [
        "Payment.card_number: a card number (Luhn check)"
    ]
    # Django does not tokenise: the field is a plain string, fully stated by the document.
    django = _project(tmp_path / "django", {**answers, "framework": "django"})
    assert beyond_json_schema(django) == []
    untokenised = {**answers, "slot_security_compliance": {"pci_tokenization": {"fields": []}}}
    assert beyond_json_schema(_project(tmp_path / "none", untokenised)) == []
