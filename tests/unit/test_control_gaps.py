"""A framework whose output lacks a regime's controls is refused unless the gaps are accepted.

``backendgen.renderers.controls`` and ``copier.yml`` (the computed ``control_gaps`` answer, for
plain Copier users) state the same gaps for every framework and choice of regimes.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import jinja2
import pytest
import yaml

from backendgen.errors import UserInputError
from backendgen.renderers import RENDERERS
from backendgen.renderers.controls import (
    REGIME_CONTROLS,
    check_control_gaps,
    control_gaps,
    describe_gaps,
)

COPIER_YML = Path(__file__).resolve().parents[2] / "copier.yml"

REGIMES = ("gdpr", "hipaa", "sox", "pci_dss")

CHOICES = [
    list(chosen)
    for size in range(len(REGIMES) + 1)
    for chosen in itertools.combinations(REGIMES, size)
]
"""Every selection of regimes, none included."""


def _copier_gaps(framework: str, compliance: list[str]) -> str:
    question = yaml.safe_load(COPIER_YML.read_text())["control_gaps"]
    environment = jinja2.Environment(autoescape=False)  # noqa: S701 (plain text, not HTML)
    template = environment.from_string(question["default"])
    return template.render(framework=framework, compliance=compliance)


@pytest.mark.parametrize("framework", sorted(RENDERERS))
@pytest.mark.parametrize("compliance", CHOICES, ids=lambda c: "+".join(c) or "none")
def test_copier_states_the_gaps_the_renderers_have(framework: str, compliance: list[str]) -> None:
    assert _copier_gaps(framework, compliance) == describe_gaps(control_gaps(framework, compliance))


def test_the_fastapi_output_has_every_control() -> None:
    assert control_gaps("fastapi", REGIMES) == {}


def test_the_django_output_lacks_field_encryption_for_every_personal_data_regime() -> None:
    gaps = control_gaps("django", REGIMES)
    assert {regime for regime, needs in gaps.items() if "field_encryption" in needs} == {
        regime for regime, needs in REGIME_CONTROLS.items() if "field_encryption" in needs
    }


def test_gaps_are_refused_in_one_line_naming_the_way_out() -> None:
    with pytest.raises(UserInputError) as refused:
        check_control_gaps({"framework": "django", "compliance": ["hipaa"]})
    message = str(refused.value)
    assert "\n" not in message
    assert "HIPAA (field encryption" in message
    assert "accept_control_gaps=true" in message


def test_accepted_gaps_and_no_regimes_are_not_refused() -> None:
    check_control_gaps({"framework": "django", "compliance": ["gdpr"], "accept_control_gaps": True})
    check_control_gaps({"framework": "django", "compliance": []})
    check_control_gaps({"framework": "fastapi", "compliance": list(REGIMES)})
