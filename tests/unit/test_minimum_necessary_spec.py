"""HIPAA minimum necessary in the security spec (issue 8, regime controls): blueprint, checks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.security_compliance import SecurityComplianceSpec
from tests.helpers import catalogue_security


def _healthcare(regimes: list[str]) -> tuple[SecurityComplianceSpec, BlueprintInput]:
    return catalogue_security("healthcare", regimes)


def test_the_front_desk_does_not_read_why_a_patient_comes() -> None:
    spec, _ = _healthcare(["hipaa"])
    assert [(e.role, e.entity, e.withheld) for e in spec.hipaa_minimum_necessary] == [
        ("front_desk", "Appointment", ["reason"])
    ]
    assert spec.withheld_from("front_desk", "Appointment") == ["reason"]
    assert spec.withheld_from("physician", "Appointment") == []
    features = [(c.control_id, c.feature) for c in spec.controls if c.regime == "hipaa"]
    assert ("164.502(b)", "hipaa_minimum_necessary") in features


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"role": "admin", "entity": "Encounter", "withheld": ["clinical_notes"]},
            "names 'admin', not a non-administrator role",
        ),
        (
            {"role": "nurse", "entity": "Encounter", "withheld": ["started_at"]},
            "'Encounter.started_at' is not a PHI field",
        ),
        (
            {"role": "nurse", "entity": "Chart", "withheld": ["notes"]},
            "unknown entity 'Chart'",
        ),
    ],
)
def test_entries_naming_what_the_specs_lack_are_refused(
    entry: dict[str, object], message: str
) -> None:
    spec, source = _healthcare(["hipaa"])
    dumped = spec.model_dump()
    dumped["hipaa_minimum_necessary"] = [entry]
    with pytest.raises(ValidationError, match=message):
        SecurityComplianceSpec.model_validate(dumped, context=dict(source.upstream))


def test_a_control_without_entries_is_refused() -> None:
    spec, source = _healthcare(["hipaa"])
    dumped = spec.model_dump()
    dumped["hipaa_minimum_necessary"] = []
    with pytest.raises(ValidationError, match="needs hipaa_minimum_necessary entries"):
        SecurityComplianceSpec.model_validate(dumped, context=dict(source.upstream))
