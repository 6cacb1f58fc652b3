"""HIPAA break-glass in the security spec (issue 8, regime controls): blueprint, checks, upgrade."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from backendgen.agents.security_compliance import SecurityComplianceSpec
from backendgen.generator.spec_versions import slot_migrations
from tests.helpers import catalogue_security


def test_break_glass_is_closed_unless_the_spec_names_roles() -> None:
    assert SecurityComplianceSpec.model_fields["break_glass"].default_factory is not None
    spec, _ = catalogue_security("healthcare", [])
    assert spec.break_glass.roles == []
    assert all(c.feature != "hipaa_break_glass" for c in spec.controls)
    fintech, _ = catalogue_security("fintech", ["sox", "pci_dss"])
    assert fintech.break_glass.roles == []


def test_with_hipaa_the_roles_minimum_necessary_filters_may_break_glass() -> None:
    spec, _ = catalogue_security("healthcare", ["hipaa"])
    assert spec.break_glass.roles == ["front_desk"]
    assert (spec.break_glass.default_minutes, spec.break_glass.max_minutes) == (60, 240)
    assert spec.break_glass.reason_min_length == 20
    controls = [(c.control_id, c.feature) for c in spec.controls if c.regime == "hipaa"]
    assert ("164.312(a)(2)(ii)", "hipaa_break_glass") in controls


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"roles": ["admin"]}, "names 'admin', not a non-administrator role"),
        ({"roles": ["janitor"]}, "names 'janitor', not a non-administrator role"),
        ({"roles": ["front_desk", "front_desk"]}, "duplicate break-glass role"),
        ({"default_minutes": 300, "max_minutes": 120}, "default_minutes exceeds max_minutes"),
        ({"roles": ["physician"]}, "'physician' reads all PHI in full already"),
    ],
)
def test_settings_the_specs_cannot_honour_are_refused(change: dict[str, Any], message: str) -> None:
    spec, source = catalogue_security("healthcare", ["hipaa"])
    dumped = spec.model_dump()
    dumped["break_glass"] |= change
    with pytest.raises(ValidationError, match=message):
        SecurityComplianceSpec.model_validate(dumped, context=dict(source.upstream))


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_minutes", 1441), ("default_minutes", 0), ("reason_min_length", 7)],
)
def test_lifetimes_and_the_reason_length_are_bounded(field: str, value: int) -> None:
    spec, source = catalogue_security("healthcare", ["hipaa"])
    dumped = spec.model_dump()
    dumped["break_glass"][field] = value
    with pytest.raises(ValidationError, match=field):
        SecurityComplianceSpec.model_validate(dumped, context=dict(source.upstream))


def test_a_control_without_eligible_roles_is_refused() -> None:
    spec, source = catalogue_security("healthcare", ["hipaa"])
    dumped = spec.model_dump()
    dumped["break_glass"]["roles"] = []
    with pytest.raises(ValidationError, match="needs hipaa_break_glass entries"):
        SecurityComplianceSpec.model_validate(dumped, context=dict(source.upstream))


def test_a_v4_answer_upgrades_with_nobody_allowed_to_break_glass() -> None:
    migrations = slot_migrations()
    spec, _ = catalogue_security("healthcare", ["hipaa"])
    v4 = spec.model_dump(mode="json", exclude={"break_glass", "pci_tokenization"})
    v4["schema_version"] = 4
    v4["controls"] = [c for c in v4["controls"] if c["feature"] != "hipaa_break_glass"]
    upgraded = migrations.migrate_slot("slot_security_compliance", v4, {})
    assert upgraded["schema_version"] == 6
    assert upgraded["break_glass"]["roles"] == []
    later = ("break_glass", "pci_tokenization")  # pci_tokenization: v6
    assert {k: v for k, v in upgraded.items() if k not in later} == v4 | {"schema_version": 6}
