"""A framework whose output lacks a regime's controls is refused unless the gaps are accepted.

``backendgen.renderers.controls`` and the template's ``control_gaps()`` (which ``copier.yml``
asks with, for plain Copier users too) state the same gaps for every framework and regimes.
"""

from __future__ import annotations

import itertools
from pathlib import Path

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
from template_extensions.control_gaps import control_gaps as template_gaps

COPIER_YML = Path(__file__).resolve().parents[2] / "copier.yml"

REGIMES = ("gdpr", "hipaa", "sox", "pci_dss")

CHOICES = [
    list(chosen)
    for size in range(len(REGIMES) + 1)
    for chosen in itertools.combinations(REGIMES, size)
]
"""Every selection of regimes, none included."""


def _copier_gaps(framework: str, compliance: list[str]) -> str:
    """What ``copier.yml`` asks about: its questions call the template extension's function."""
    question = yaml.safe_load(COPIER_YML.read_text())["accept_control_gaps"]
    assert "control_gaps(framework, compliance)" in question["when"]
    return template_gaps(framework, compliance)


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
